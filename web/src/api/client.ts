// The one way the app talks to the server: JSON in and out, the session
// cookie plus the CSRF header on writes, and problem+json turned into an
// ApiError whose field errors forms show next to the field they name.

export interface FieldProblem {
  field: string
  code: string
  message: string
}

export class ApiError extends Error {
  constructor(
    public status: number,
    public detail: string,
    public errors: FieldProblem[] = [],
    public body: unknown = undefined,
    /** Seconds to wait before trying again (a 429's Retry-After), else 0. */
    public retryAfter = 0,
  ) {
    super(detail)
  }
  /** Field name → problem, for showing beside form fields. */
  get byField(): Record<string, FieldProblem> {
    const out: Record<string, FieldProblem> = {}
    for (const e of this.errors) out[e.field] ??= e
    return out
  }
}

export interface Page<T> {
  items: T[]
  total: number
}

let onUnauthenticated: () => void = () => {}
/** Called on any 401 (session expired or ended elsewhere). */
export function setUnauthenticatedHandler(f: () => void) {
  onUnauthenticated = f
}

/** The CSRF token the server set beside the session cookie. */
export function csrfToken(cookies: string = document.cookie): string {
  for (const part of cookies.split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === 'dangjiao_csrf') return v.join('=')
  }
  return ''
}

/** ?a=1&b=x from an object, leaving out empty values. */
export function query(params: Record<string, unknown>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue
    q.set(k, String(v))
  }
  const s = q.toString()
  return s ? `?${s}` : ''
}

async function send<T>(path: string, init: RequestInit): Promise<T> {
  let res: Response
  try {
    res = await fetch(path, { ...init, credentials: 'same-origin' })
  } catch {
    throw new ApiError(0, 'network')
  }
  if (res.status === 204) return undefined as T
  const text = await res.text()
  let data: unknown = undefined
  try {
    data = text ? JSON.parse(text) : undefined
  } catch {
    data = undefined
  }
  if (!res.ok) {
    const p = (data ?? {}) as { detail?: string; errors?: FieldProblem[] }
    if (res.status === 401 && !path.endsWith('/auth/login')) onUnauthenticated()
    throw new ApiError(res.status, p.detail ?? res.statusText, p.errors ?? [], data, Number(res.headers.get('retry-after') ?? 0))
  }
  return data as T
}

/** The address of a route: its pattern with the path parameters filled in, and the query. */
export function url(pattern: string, path: Record<string, string | number>, q: object = {}): string {
  return pattern.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(String(path[k]))) + query(q as Record<string, unknown>)
}

export function request<T>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const h: Record<string, string> = { Accept: 'application/json', ...headers }
  if (body !== undefined) h['Content-Type'] = 'application/json'
  if (method !== 'GET') h['X-CSRF-Token'] = csrfToken()
  return send<T>(path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) })
}

/** Sends a file as the raw body (its own type; POST, or PUT for a piece of an upload), answering JSON. */
export function upload<T>(path: string, file: Blob, method = 'POST'): Promise<T> {
  return send<T>(path, {
    method,
    headers: { Accept: 'application/json', 'Content-Type': file.type || 'application/octet-stream', 'X-CSRF-Token': csrfToken() },
    body: file,
  })
}

/** POSTs a file and saves the answer (a workbook) under `filename`. */
export async function uploadForDownload(path: string, file: Blob, filename: string): Promise<void> {
  const res = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': file.type || 'application/octet-stream', 'X-CSRF-Token': csrfToken() },
    body: file,
  })
  if (!res.ok) {
    const p = (await res.json().catch(() => ({}))) as { detail?: string; errors?: FieldProblem[] }
    throw new ApiError(res.status, p.detail ?? res.statusText, p.errors ?? [], undefined, Number(res.headers.get('retry-after') ?? 0))
  }
  const url = URL.createObjectURL(await res.blob())
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}
