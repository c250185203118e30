// Capabilities of the web app that live in one folder each
// (src/modules/<capability>/module.ts): their console pages, menu entries and
// labels in both languages. Collected here, so adding one touches no shared
// file; router.ts, perm.ts and i18n take them from this list.
import type { RouteRecordRaw } from 'vue-router'
import type { MenuEntry } from './perm'

export interface Messages {
  [key: string]: string | Messages
}

export interface Module {
  /** Console pages, as children of the console layout ('' is the dashboard). */
  routes: RouteRecordRaw[]
  /** Member pages on the phone, as children of /m, and their tabs. */
  phoneRoutes?: RouteRecordRaw[]
  phoneTabs?: { to: string; label: string }[]
  menu: MenuEntry[]
  messages: { 'zh-CN': Messages; en: Messages }
}

const found = import.meta.glob<{ default: Module }>('./modules/*/module.ts', { eager: true })
export const modules: Module[] = Object.keys(found)
  .sort()
  .map((k) => found[k].default)

/** `base` with every module's messages for `locale` merged in (nested keys). */
export function withModules(base: Messages, locale: 'zh-CN' | 'en'): Messages {
  const merge = (into: Messages, from: Messages) => {
    for (const [k, v] of Object.entries(from)) {
      const cur = into[k]
      if (typeof v === 'object' && typeof cur === 'object') merge(cur, v)
      else into[k] = typeof v === 'object' ? merge({}, v) : v
    }
    return into
  }
  const out = merge({}, base)
  for (const m of modules) merge(out, m.messages[locale])
  return out
}
