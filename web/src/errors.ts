import { ElMessage } from 'element-plus'
import { nextTick } from 'vue'
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

/** "quotas[1].org_id" → 2: the row a problem of a list's item is in (1-based), or 0. */
function rowOf(field: string): number {
  const m = /\[(\d+)\]/.exec(field)
  return m ? Number(m[1]) + 1 : 0
}

/**
 * Shows an error: field problems go to `fields` (shown under the inputs by
 * FormItem :error), anything else as a message at the top. A field problem
 * the form does not show (a field it has no input for, a row of a list) is
 * not lost: once the page has rendered, what is not on it goes to the top.
 */
export function showError(e: unknown, fields?: Record<string, string>) {
  if (!(e instanceof ApiError)) {
    ElMessage.error(String(e))
    return
  }
  if (fields) for (const k of Object.keys(fields)) delete fields[k]
  let shown = false
  const t = i18n.global.t
  if (fields) {
    for (const p of e.errors) {
      fields[p.field] = problemText(p.field, p.code, p.message, { s: e.retryAfter })
      shown = true
    }
    void nextTick(() => {
      const page = document.body.innerText ?? document.body.textContent ?? ''
      const unseen = e.errors.filter((p) => !page.includes(fields[p.field]))
        .map((p) => (rowOf(p.field) ? `${t('common.row', { n: rowOf(p.field) })}${fields[p.field]}` : fields[p.field]))
      if (unseen.length) ElMessage.error(unseen.join('；'))
    })
  }
  if (!shown) {
    const first = e.errors[0]
    const text = first ? problemText(first.field, first.code, first.message, { s: e.retryAfter }) : e.detail
    ElMessage.error(e.status === 0 ? t('common.network') : text)
  }
}
