import { describe, expect, it } from 'vitest'
import { can, homeFor, mayOpen, menuFor, type Me, type Permission, type Role } from '../src/perm'

// What GET /api/v1/auth/me answers for each role (src/domain/auth/principal.cc).
const granted: Record<Role, Permission[]> = {
  committee_admin: ['org:read', 'org:write', 'member:read', 'member:write', 'member:pii', 'audit:read',
    'user:manage', 'activity_type:manage', 'rule:manage', 'record:unlock',
    'quota:manage', 'enrolment:override', 'community:manage', 'community:confirm', 'model:review'],
  org_admin: ['org:read', 'org:write', 'member:read', 'member:write', 'user:manage'],
  auditor: ['org:read', 'member:read', 'audit:read'],
  inspector: ['org:read', 'member:read'],
  member: ['org:read'],
  lecturer: ['org:read'],
  community: ['community:confirm'],
}

const me = (role: Role, permissions: Permission[] = granted[role]): Me => ({
  id: 1, username: 'u', role, roles: [role], org_id: 1, scope_path: '/1/', member_id: null,
  community_id: null, must_change_password: false, permissions,
})

describe('permissions', () => {
  it('sends each role to its home', () => {
    expect(homeFor(me('member'))).toBe('/m')
    expect(homeFor(me('auditor'))).toBe('/audit')
    expect(homeFor(me('org_admin'))).toBe('/')
    expect(homeFor(me('community'))).toBe('/community')
  })
  it('gives a community account its desk and nothing of the tree', () => {
    expect(menuFor(me('community')).map((m) => m.path)).toEqual(['/community', '/account'])
    expect(mayOpen(me('community'), '/members')).toBe(false)
    expect(mayOpen(me('community'), '/community')).toBe(true)
  })
  it('shows the audit log to auditors and the committee only', () => {
    // The auditor reads everything in scope and changes nothing (domain.md):
    // the read-only console and the trail, no import.
    const auditor = menuFor(me('auditor')).map((m) => m.path)
    expect(auditor).toContain('/audit')
    expect(auditor).toContain('/account')
    expect(auditor).not.toContain('/import')
    expect(menuFor(me('committee_admin')).map((m) => m.path)).toContain('/audit')
    expect(menuFor(me('org_admin')).map((m) => m.path)).not.toContain('/audit')
    expect(mayOpen(me('org_admin'), '/audit')).toBe(false)
    expect(mayOpen(me('org_admin'), '/trainings/4')).toBe(true)
  })
  it('builds menus from permission strings, not roles', () => {
    expect(menuFor(me('lecturer')).map((m) => m.path)).toEqual(['/trainings', '/account'])
    expect(menuFor(me('inspector')).map((m) => m.path)).not.toContain('/import')
    // An org_admin granted audit:read would see the trail: the string decides.
    expect(menuFor(me('org_admin', [...granted.org_admin, 'audit:read'])).map((m) => m.path)).toContain('/audit')
    expect(menuFor(me('member'))).toEqual([])
    expect(mayOpen(me('member'), '/members')).toBe(false)
  })
  it('reads permissions', () => {
    expect(can(me('org_admin', ['member:read']), 'member:read')).toBe(true)
    expect(can(me('org_admin', ['member:read']), 'member:pii')).toBe(false)
    expect(can(null, 'member:read')).toBe(false)
    expect(can(me('inspector'), 'org:write')).toBe(false)
    expect(can(me('committee_admin'), 'org:write')).toBe(true)
  })
})
