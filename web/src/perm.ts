// What the signed-in user may see in the app. The server checks every
// request again; this only decides which menus and buttons appear.

import type { Me } from './api'
import { modules } from './modules'

export type { Me }
export type Role = Me['role']
/** A permission string as GET /api/v1/auth/me answers it. */
export type Permission = Me['permissions'][number]

export const can = (me: Me | null, perm: Permission) => !!me && me.permissions.includes(perm)

/** Members use the phone pages; everyone else the console. */
export function homeFor(me: Me): string {
  if (me.role === 'member') return '/m'
  if (me.role === 'auditor') return '/audit'
  if (me.role === 'community') return '/community'
  if (me.role === 'lecturer') return '/lecturer'
  return '/'
}

export interface MenuEntry {
  path: string
  label: string // i18n key
  perm?: Permission // the permission the entry needs
}

const own: MenuEntry[] = [
  { path: '/', label: 'menu.dashboard', perm: 'member:read' },
  { path: '/orgs', label: 'menu.orgs', perm: 'member:read' },
  { path: '/members', label: 'menu.members', perm: 'member:read' },
  { path: '/import', label: 'menu.import', perm: 'member:write' },
  { path: '/activities', label: 'menu.activities', perm: 'member:read' },
  { path: '/compliance', label: 'menu.compliance', perm: 'member:read' },
  { path: '/stats', label: 'menu.stats', perm: 'member:read' },
  { path: '/trainings', label: 'menu.trainings', perm: 'org:read' },
  { path: '/training-plans', label: 'menu.plans', perm: 'member:read' },
  { path: '/audit', label: 'menu.audit', perm: 'audit:read' },
  { path: '/account', label: 'menu.account' },
]

/** The console's menu: its own entries, the modules' before the account page. */
export const menu: MenuEntry[] = [
  ...own.slice(0, -1),
  ...modules.flatMap((m) => m.menu),
  ...own.slice(-1),
]

/** The console's menu for `me`; members have the phone pages instead. */
export const menuFor = (me: Me) =>
  me.role === 'member' ? [] : menu.filter((m) => !m.perm || can(me, m.perm))

/** Whether `me` may open a console route (by its first path segment). */
export function mayOpen(me: Me, path: string): boolean {
  const first = '/' + (path.split('/')[1] ?? '')
  const entry = menu.find((m) => m.path === first)
  if (!entry) return true
  return menuFor(me).includes(entry)
}
