import { createRouter, createWebHistory, type RouteLocationNormalized } from 'vue-router'
import { useSession } from './stores/session'
import { homeFor, mayOpen } from './perm'
import { modules } from './modules'

// Pages load on demand: the first screen carries only what it shows.
export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', component: () => import('./views/Login.vue'), meta: { public: true } },
    { path: '/password', component: () => import('./views/ChangePassword.vue') },
    { path: '/verify/:serial', component: () => import('./views/Verify.vue'), meta: { public: true } },
    // Public: the page trades the scanned code for a pass first, then asks for a login.
    { path: '/checkin', component: () => import('./views/m/CheckIn.vue'), meta: { public: true } },
    {
      path: '/trainings/:id/sessions/:sid/display',
      component: () => import('./views/CheckinDisplay.vue'),
    },
    {
      path: '/m',
      component: () => import('./layouts/MobileLayout.vue'),
      children: [
        { path: '', component: () => import('./views/m/MyTodos.vue') },
        { path: 'hours', component: () => import('./views/m/MyHours.vue') },
        { path: 'classes', component: () => import('./views/m/MyClasses.vue') },
        { path: 'activities', component: () => import('./views/m/MyActivities.vue') },
        ...modules.flatMap((m) => m.phoneRoutes ?? []),
      ],
    },
    {
      path: '/',
      component: () => import('./layouts/AdminLayout.vue'),
      meta: { console: true },
      children: [
        { path: '', component: () => import('./views/Dashboard.vue') },
        { path: 'orgs', component: () => import('./views/Orgs.vue') },
        { path: 'members', component: () => import('./views/Members.vue') },
        { path: 'import', component: () => import('./views/Import.vue') },
        { path: 'activities', component: () => import('./views/Activities.vue') },
        { path: 'activities/new', component: () => import('./views/RecordActivity.vue') },
        { path: 'compliance', component: () => import('./views/Compliance.vue') },
        { path: 'stats', component: () => import('./views/Stats.vue') },
        { path: 'trainings', component: () => import('./views/Trainings.vue') },
        { path: 'trainings/:id', component: () => import('./views/TrainingDetail.vue') },
        { path: 'training-plans', component: () => import('./views/TrainingPlans.vue') },
        { path: 'audit', component: () => import('./views/Audit.vue') },
        { path: 'account', component: () => import('./views/Account.vue') },
        ...modules.flatMap((m) => m.routes),
      ],
    },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
})

router.beforeEach(async (to: RouteLocationNormalized) => {
  const session = useSession()
  if (to.meta.public) return true
  // The page's code loads while the server is asked who is signed in, not
  // after (the first paint waited on the two in turn).
  if (!session.checked) {
    for (const r of to.matched) {
      for (const c of Object.values(r.components ?? {})) if (typeof c === 'function') void (c as () => Promise<unknown>)()
    }
  }
  const me = session.checked && session.me ? session.me : await session.load()
  if (!me) return { path: '/login', query: { next: to.fullPath } }
  if (me.must_change_password && to.path !== '/password') return { path: '/password', query: { next: to.fullPath } }
  if (to.matched.some((r) => r.meta.console)) {
    if (me.role === 'member') return '/m'
    if (!mayOpen(me, to.path)) return homeFor(me)
  }
  return true
})
