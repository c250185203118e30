// Small display helpers shared by the pages.

/** "2026-11-25T15:00:00.000+08:00" → "2026-11-25 15:00" (the server's Shanghai time). */
export const dateTime = (s: string | null | undefined) => (s ? s.slice(0, 16).replace('T', ' ') : '')

export const percent = (r: number | null | undefined) => (r === null || r === undefined ? '—' : `${Math.round(r * 1000) / 10}%`)

/** 4381 → "4,381": counts read at a glance. */
export const count = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n.toLocaleString('en-US'))

export const hours = (h: number) => (Math.round(h * 10) / 10).toString()

/** Today in Shanghai as YYYY-MM-DD. */
export function today(): string {
  const d = new Date(Date.now() + 8 * 3600 * 1000)
  return d.toISOString().slice(0, 10)
}

/** The date `n` days after `date` (YYYY-MM-DD). */
export const daysAfter = (date: string, n: number) => new Date(Date.parse(`${date}T12:00:00Z`) + n * 86400000).toISOString().slice(0, 10)

/** A local datetime-picker value "YYYY-MM-DD HH:mm:ss" → an instant with +08:00. */
export const toInstant = (local: string) => `${local.replace(' ', 'T')}+08:00`

/** "2026Q4" → "2026年第4季度", "2026-11" → "2026年11月" (the period codes in words). */
export function periodLabel(p: string, t: (key: string, params: Record<string, unknown>) => string): string {
  const m = /^(\d{4})(?:(Q)([1-4])|(H)([12])|-(\d{2}))?$/.exec(p)
  if (!m) return p
  const [, year, q, qn, h, hn, month] = m
  if (q) return t('period.quarter', { year, n: qn })
  if (h) return t(`period.h${hn}`, { year })
  if (month) return t('period.month', { year, n: Number(month) })
  return t('period.year', { year })
}

export const currentQuarter = () => {
  const t = today()
  return `${t.slice(0, 4)}Q${Math.floor((+t.slice(5, 7) - 1) / 3) + 1}`
}

/**
 * A chart's text that wraps at `width` pixels rather than being cut: a
 * term like 习近平新时代中国特色社会主义思想 is never shortened.
 */
export const wrapped = (width: number) => ({ width, overflow: 'break' as const })
