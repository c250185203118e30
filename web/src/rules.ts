// Form checks that mirror the server's, so a cadre sees a mistake before
// sending. The server stays the judge: its field errors are shown the same way.

const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const checks = '10X98765432'

/** GB 11643: 18 characters, a real birth date, the right check character. */
export function citizenIdProblem(id: string): string | null {
  const s = id.trim().toUpperCase()
  if (!/^\d{17}[\dX]$/.test(s)) return 'format'
  const y = +s.slice(6, 10), m = +s.slice(10, 12), d = +s.slice(12, 14)
  const date = new Date(Date.UTC(y, m - 1, d))
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return 'birth_date'
  let sum = 0
  for (let i = 0; i < 17; i++) sum += +s[i] * weights[i]
  return checks[sum % 11] === s[17] ? null : 'check_digit'
}

export const phoneProblem = (p: string): string | null => (/^1\d{10}$/.test(p.trim()) ? null : 'format')

/** The server's policy: 8–128 characters, 3 of 4 kinds, not the user name. */
export function passwordProblem(pw: string, username = ''): string | null {
  if (pw.length < 8) return 'too_short'
  if (pw.length > 128) return 'too_long'
  const kinds = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((r) => r.test(pw)).length
  if (kinds < 3) return 'too_simple'
  if (username && pw.toLowerCase().includes(username.toLowerCase())) return 'contains_username'
  return null
}

/** A meeting's end must follow its start. */
export const timeOrderProblem = (start: string, end: string): string | null =>
  start && end && new Date(end) <= new Date(start) ? 'end_before_start' : null
