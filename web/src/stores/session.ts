import { defineStore } from 'pinia'
import { getAuthMe, postAuthLogin, postAuthLogout, postAuthPassword } from '../api'
import type { Me } from '../perm'

export const useSession = defineStore('session', {
  state: () => ({ me: null as Me | null, checked: false }),
  actions: {
    /** Asks the server who is signed in (the cookie); null when nobody. */
    async load(): Promise<Me | null> {
      try {
        this.me = await getAuthMe()
      } catch {
        this.me = null
      }
      this.checked = true
      return this.me
    },
    async login(username: string, password: string) {
      await postAuthLogin({ username, password })
      return this.load()
    },
    async changePassword(oldPassword: string, newPassword: string) {
      await postAuthPassword({ old_password: oldPassword, new_password: newPassword })
      return this.load()
    },
    async logout() {
      try {
        await postAuthLogout()
      } finally {
        this.me = null
      }
    },
  },
})
