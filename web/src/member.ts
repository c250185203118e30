// What the member pages share: the signed-in member's ledger for a year.
import { getMembersByIdHours, type MemberHours } from './api'

export type Hours = MemberHours
export type LedgerEntry = MemberHours['entries'][number]

export const myHours = (memberId: number, year: string) => getMembersByIdHours(memberId, { year: Number(year) })

/** Hours by ledger source, largest first. */
export function bySource(entries: LedgerEntry[]): [string, number][] {
  const out: Record<string, number> = {}
  for (const e of entries) out[e.source] = (out[e.source] ?? 0) + e.hours
  return Object.entries(out).sort((a, b) => b[1] - a[1])
}
