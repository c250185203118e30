import { describe, expect, it } from 'vitest'
import { citizenIdProblem, passwordProblem, phoneProblem, timeOrderProblem } from '../src/rules'

describe('form rules', () => {
  it('checks citizen IDs like the server (GB 11643)', () => {
    expect(citizenIdProblem('11010519491231002X')).toBeNull()
    expect(citizenIdProblem('110105194912310021')).toBe('check_digit')
    expect(citizenIdProblem('110105194902300028')).toBe('birth_date')
    expect(citizenIdProblem('11010519491231002')).toBe('format')
  })
  it('checks the password policy like the server', () => {
    expect(passwordProblem('Short#1')).toBe('too_short')
    expect(passwordProblem('alllowercase1')).toBe('too_simple')
    expect(passwordProblem('Secretary#2026', 'secretary')).toBe('contains_username')
    expect(passwordProblem('Branch#2026x', 'secretary')).toBeNull()
  })
  it('checks phones and time order', () => {
    expect(phoneProblem('13987654321')).toBeNull()
    expect(phoneProblem('2398765432')).toBe('format')
    expect(timeOrderProblem('2026-11-26 15:00:00', '2026-11-26 14:00:00')).toBe('end_before_start')
    expect(timeOrderProblem('2026-11-26 15:00:00', '2026-11-26 16:00:00')).toBeNull()
  })
})
