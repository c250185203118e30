import { ElMessage } from 'element-plus'
import 'element-plus/es/components/message/style/css'
import { ApiError } from './api'
import { i18n } from './i18n'

/**
 * The message for a field problem: our translation of its code, else the
 * server's words. `params` fill the translation (`s`: seconds to wait).
 */
export function problemText(field: string, code: string, message: string, params: Record<string, unknown> = {}): string {
  const t = i18n.global.t
  const te = i18n.global.te
  if (te(`problem.${field}.${code}`)) return t(`problem.${field}.${code}`, params)
  if (te(`problem.${code}`)) return t(`problem.${code}`, params)
  return message
}

/**
 * Shows an error: field problems go to `fields` (shown under the inputs by
 * FormItem :error), anything else as a message at the top.
 */
export function showError(e: unknown, fields?: Record<string, string>) {
  if (!(e instanceof ApiError)) {
    ElMessage.error(String(e))
    return
  }
  if (fields) for (const k of Object.keys(fields)) delete fields[k]
  let shown = false
  if (fields) {
    for (const p of e.errors) {
      fields[p.field] = problemText(p.field, p.code, p.message, { s: e.retryAfter })
      shown = true
    }
  }
  const t = i18n.global.t
  if (!shown) {
    const first = e.errors[0]
    const text = first ? `${first.field}: ${problemText(first.field, first.code, first.message, { s: e.retryAfter })}` : e.detail
    ElMessage.error(e.status === 0 ? t('common.network') : text)
  }
}
