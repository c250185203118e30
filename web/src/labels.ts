// Labels for the server's dictionaries (activity types, rules), in the
// current language; loaded once and shared by every page.
import { reactive } from 'vue'
import { api, type Page } from './api'
import { i18n } from './i18n'

export interface ActivityType { code: string; label_zh: string; label_en: string; org_life: boolean; three_meetings: boolean }
export interface Rule { code: string; label_zh: string; label_en: string; enabled: boolean; kind: string }

const state = reactive({ types: [] as ActivityType[], rules: [] as Rule[], loaded: false })
let pending: Promise<void> | undefined

const pick = (x: { label_zh: string; label_en: string } | undefined, code: string) =>
  x ? (i18n.global.locale.value === 'en' ? x.label_en : x.label_zh) : code

export function useLabels() {
  return {
    state,
    load(): Promise<void> {
      pending ??= Promise.all([
        api.get<Page<ActivityType>>('/api/v1/activity-types'),
        api.get<Page<Rule>>('/api/v1/rules'),
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
