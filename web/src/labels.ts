// Labels for the server's dictionaries (activity types, rules), in the
// current language; loaded once and shared by every page.
import { reactive } from 'vue'
import { getActivityTypes, getRules, type ActivityType, type Rule } from './api'
import { i18n } from './i18n'


const state = reactive({ types: [] as ActivityType[], rules: [] as Rule[], loaded: false })
let pending: Promise<void> | undefined

const pick = (x: { label_zh: string; label_en: string } | undefined, code: string) =>
  x ? (i18n.global.locale.value === 'en' ? x.label_en : x.label_zh) : code

export function useLabels() {
  return {
    state,
    load(): Promise<void> {
      pending ??= Promise.all([
        getActivityTypes(),
        getRules(),
      ]).then(([t, r]) => {
        state.types = t.items
        state.rules = r.items
        state.loaded = true
      }).catch((e) => {
        pending = undefined
        throw e
      })
      return pending
    },
    activityType: (code: string) => pick(state.types.find((x) => x.code === code), code),
    rule: (code: string) => pick(state.rules.find((x) => x.code === code && x.enabled) ?? state.rules.find((x) => x.code === code), code),
  }
}
