// What the pages do the same way: removing after a confirmation,
// and asking a required reason (a rejection, a cancellation, a void).
import { ElMessage, ElMessageBox } from 'element-plus'
import { showError } from './errors'
import { i18n } from './i18n'

const cancelled = (e: unknown) => e === 'cancel' || e === 'close'

/** Asks to confirm `text`, then runs `remove`, says so and calls `after`; a cancel does nothing. */
export async function removeAfterConfirm(text: string, remove: () => Promise<unknown>, after: () => void) {
  const t = i18n.global.t
  try {
    await ElMessageBox.confirm(text, t('common.remove'), { confirmButtonText: t('common.remove'), cancelButtonText: t('common.cancel'), type: 'warning' })
    await remove()
    ElMessage.success(t('common.saved'))
    after()
  } catch (e) {
    if (!cancelled(e)) showError(e)
  }
}

/** A reason the user must give (the prompt refuses an empty one); rejects with 'cancel' when he cancels. */
export async function askReason(title: string, hint: string, confirm = i18n.global.t('common.confirm')): Promise<string> {
  const t = i18n.global.t
  const { value } = await ElMessageBox.prompt(hint, title, {
    confirmButtonText: confirm, cancelButtonText: t('common.cancel'), inputValidator: (v) => !!v?.trim() || t('problem.required'),
  })
  return value
}

/** Runs `fn`; says saved and calls `after` when it succeeds; shows the error unless the user cancelled. */
export async function act(fn: () => Promise<unknown>, after: () => void) {
  try {
    await fn()
    ElMessage.success(i18n.global.t('common.saved'))
    after()
  } catch (e) {
    if (!cancelled(e)) showError(e)
  }
}
