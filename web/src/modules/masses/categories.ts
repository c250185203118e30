// The 办实事 categories, loaded once, labelled in the UI's language.
import { ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { getMatterCategories, type MatterCategory } from '../../api'
import { showError } from '../../errors'

const list = ref<MatterCategory[]>([])
let loading: Promise<void> | undefined

export function useCategories() {
  const { locale } = useI18n()
  loading ??= getMatterCategories().then((r) => { list.value = r.items }).catch((e) => { loading = undefined; showError(e) })
  const label = (code: string) => {
    const c = list.value.find((x) => x.code === code)
    return c ? (locale.value === 'en' ? c.label_en : c.label_zh) : code
  }
  return { list, label }
}
