// What the signed-in user may see in the app. The server checks every
// request again; this only decides which menus and buttons appear.

export type Role = 'committee_admin' | 'org_admin' | 'member' | 'lecturer' | 'inspector' | 'auditor'

export interface Me {
  id: number
  username: string
  role: Role
  org_id: number | null
  member_id: number | null
  must_change_password: boolean
  permissions: string[]
}

export const can = (me: Me | null, perm: string) => !!me && me.permissions.includes(perm)
export const isAdmin = (me: Me | null) => !!me && (me.role === 'committee_admin' || me.role === 'org_admin')
export const isCommittee = (me: Me | null) => me?.role === 'committee_admin'

/** Members use the phone pages; everyone else the console. */
export function homeFor(me: Me): string {
  if (me.role === 'member') return '/m'
  if (me.role === 'auditor') return '/audit'
  return '/'
}

export interface MenuEntry {
  path: string
  label: string // i18n key
  roles: Role[]
}

const staff: Role[] = ['committee_admin', 'org_admin', 'inspector']
export const menu: MenuEntry[] = [
  { path: '/', label: 'menu.dashboard', roles: staff },
  { path: '/orgs', label: 'menu.orgs', roles: staff },
  { path: '/members', label: 'menu.members', roles: staff },
  { path: '/import', label: 'menu.import', roles: ['committee_admin', 'org_admin'] },
  { path: '/activities', label: 'menu.activities', roles: staff },
  { path: '/compliance', label: 'menu.compliance', roles: staff },
  { path: '/stats', label: 'menu.stats', roles: staff },
  { path: '/trainings', label: 'menu.trainings', roles: [...staff, 'lecturer'] },
  { path: '/training-plans', label: 'menu.plans', roles: staff },
  { path: '/home-deliveries', label: 'menu.deliveries', roles: staff },
  { path: '/audit', label: 'menu.audit', roles: ['committee_admin', 'auditor'] },
  { path: '/account', label: 'menu.account', roles: ['committee_admin', 'org_admin', 'inspector', 'lecturer', 'auditor'] },
]

export const menuFor = (me: Me) => menu.filter((m) => m.roles.includes(me.role))

/** Whether `me` may open a console route (by its first path segment). */
export function mayOpen(me: Me, path: string): boolean {
  const first = '/' + (path.split('/')[1] ?? '')
  const entry = menu.find((m) => m.path === first)
  return !entry || entry.roles.includes(me.role)
}
