import { describe, expect, it } from 'vitest'
import { can, homeFor, isAdmin, mayOpen, menuFor, type Me, type Role } from '../src/perm'

const me = (role: Role, permissions: string[] = []): Me => ({
  id: 1, username: 'u', role, org_id: 1, member_id: null, must_change_password: false, permissions,
})

describe('permissions', () => {
  it('sends each role to its home', () => {
    expect(homeFor(me('member'))).toBe('/m')
    expect(homeFor(me('auditor'))).toBe('/audit')
    expect(homeFor(me('org_admin'))).toBe('/')
  })
  it('shows the audit log to auditors and the committee only', () => {
    expect(menuFor(me('auditor')).map((m) => m.path)).toEqual(['/audit', '/account'])
    expect(menuFor(me('committee_admin')).map((m) => m.path)).toContain('/audit')
    expect(menuFor(me('org_admin')).map((m) => m.path)).not.toContain('/audit')
    expect(mayOpen(me('org_admin'), '/audit')).toBe(false)
    expect(mayOpen(me('org_admin'), '/trainings/4')).toBe(true)
  })
  it('reads permissions and admin roles', () => {
    expect(can(me('org_admin', ['member:read']), 'member:read')).toBe(true)
    expect(can(me('org_admin', ['member:read']), 'member:pii')).toBe(false)
    expect(can(null, 'member:read')).toBe(false)
    expect(isAdmin(me('inspector'))).toBe(false)
    expect(isAdmin(me('committee_admin'))).toBe(true)
  })
})
