// A paged list from the API, the shape every list page has: rows, total,
// page and page size, a loading flag; it loads on mount and again when the
// filters (back to page 1), the page or the page size change.
import { onMounted, ref, watch, type Ref } from 'vue'
import { api, query, type Page } from './api'
import { showError } from './errors'

export function usePagedList<T>(path: string, filters: Record<string, unknown> = {}, size = 20) {
  const rows = ref<T[]>([]) as Ref<T[]>
  const total = ref(0)
  const page = ref(1)
  const pageSize = ref(size)
  const loading = ref(false)
  async function load() {
    loading.value = true
    try {
      const p = await api.get<Page<T>>(`${path}${query({ ...filters, page: page.value, page_size: pageSize.value })}`)
      rows.value = p.items
      total.value = p.total
    } catch (e) {
      showError(e)
    } finally {
      loading.value = false
    }
  }
  watch(
    () => ({ ...filters }),
    () => {
      if (page.value === 1) load()
      else page.value = 1
    },
  )
  watch([page, pageSize], load)
  onMounted(load)
  return { rows, total, page, pageSize, loading, load }
}
