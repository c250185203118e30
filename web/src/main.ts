import { createApp } from 'vue'
import { createPinia } from 'pinia'
import 'element-plus/theme-chalk/base.css'
import './style.css'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'
import { setUnauthenticatedHandler } from './api'
import { useSession } from './stores/session'

const app = createApp(App)
app.use(createPinia()).use(i18n).use(router)
setUnauthenticatedHandler(() => {
  const session = useSession()
  session.me = null
  const here = router.currentRoute.value
  if (!here.meta.public && here.path !== '/login') router.push({ path: '/login', query: { next: here.fullPath } })
})
document.documentElement.lang = i18n.global.locale.value
app.mount('#app')
