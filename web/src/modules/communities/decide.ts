// Confirming or returning several records at once (registrations, services):
// a return asks why (optional), and the answer says how many were answered.
import { ElMessage, ElMessageBox } from 'element-plus'
import { i18n } from '../../i18n'
import { showError } from '../../errors'

/** True once `send` has answered them; false when cancelled or refused (shown). */
export async function decideMany(n: number, result: 'confirmed' | 'rejected', send: (reply?: string) => Promise<unknown>): Promise<boolean> {
  const t = i18n.global.t
  try {
    let reply: string | undefined
    if (result === 'rejected') {
      const { value } = await ElMessageBox.prompt(t('communities.replyHint'), t('communities.reject'), { confirmButtonText: t('communities.reject'), cancelButtonText: t('common.cancel') })
      reply = value?.trim() || undefined
    }
    await send(reply)
    ElMessage.success(t('communities.decided', { n }))
    return true
  } catch (e) {
    if (e !== 'cancel' && e !== 'close') showError(e)
    return false
  }
}
