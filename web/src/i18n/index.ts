import { createI18n } from 'vue-i18n'
import zhCN from './zh-CN'
import en from './en'
import { withModules } from '../modules'

export type Locale = 'zh-CN' | 'en'
const saved = (typeof localStorage !== 'undefined' && localStorage.getItem('locale')) as Locale | null

export const i18n = createI18n({
  legacy: false,
  locale: saved ?? 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': withModules(zhCN, 'zh-CN'), en: withModules(en, 'en') },
})

export function setLocale(l: Locale) {
  i18n.global.locale.value = l
  localStorage.setItem('locale', l)
  document.documentElement.lang = l
}
