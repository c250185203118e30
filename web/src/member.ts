// What the member pages share: the signed-in member's ledger for a year.
import { api } from './api'

export interface LedgerEntry { on_date: string; source: string; source_id: number; title: string; hours: number }
export interface Hours { member_id: number; name: string; year: number; total: number; target: number | null; exempt: boolean; met: boolean; entries: LedgerEntry[] }

export const myHours = (memberId: number, year: string) => api.get<Hours>(`/api/v1/members/${memberId}/hours?year=${year}`)

/** Hours by ledger source, largest first. */
export function bySource(entries: LedgerEntry[]): [string, number][] {
  const out: Record<string, number> = {}
  for (const e of entries) out[e.source] = (out[e.source] ?? 0) + e.hours
  return Object.entries(out).sort((a, b) => b[1] - a[1])
}
