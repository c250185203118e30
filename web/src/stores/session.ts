import { defineStore } from 'pinia'
import { api } from '../api'
import type { Me } from '../perm'

interface LoginAnswer {
  must_change_password: boolean
}

export const useSession = defineStore('session', {
  state: () => ({ me: null as Me | null, checked: false }),
  actions: {
    /** Asks the server who is signed in (the cookie); null when nobody. */
    async load(): Promise<Me | null> {
      try {
        this.me = await api.get<Me>('/api/v1/auth/me')
      } catch {
        this.me = null
      }
      this.checked = true
      return this.me
    },
    async login(username: string, password: string) {
      await api.post<LoginAnswer>('/api/v1/auth/login', { username, password })
      return this.load()
    },
    async changePassword(oldPassword: string, newPassword: string) {
      await api.post('/api/v1/auth/password', { old_password: oldPassword, new_password: newPassword })
      return this.load()
    },
    async logout() {
      try {
        await api.post('/api/v1/auth/logout')
      } finally {
        this.me = null
      }
    },
  },
})
