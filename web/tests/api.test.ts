import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ApiError, csrfToken, query, request, setUnauthenticatedHandler, url } from '../src/api'
import { showError } from '../src/errors'

// A real HTTP server on loopback that answers like dangjiao does.
let server: Server
let base = ''
let last: IncomingMessage | undefined
let lastBody = ''

beforeAll(async () => {
  server = createServer((req, res) => {
    last = req
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      lastBody = body
      if (req.url === '/problem') {
        res.writeHead(422, { 'Content-Type': 'application/problem+json' })
        res.end(JSON.stringify({ status: 422, detail: 'invalid input', errors: [{ field: 'title', code: 'required', message: 'is required' }] }))
      } else if (req.url === '/throttled') {
        res.writeHead(429, { 'Content-Type': 'application/problem+json', 'Retry-After': '42' })
        res.end(JSON.stringify({ status: 429, detail: 'too many failed logins; try again in 42 s',
          errors: [{ field: 'password', code: 'too_many_attempts', message: 'try again in 42 s' }] }))
      } else if (req.url === '/gone') {
        res.writeHead(401, { 'Content-Type': 'application/problem+json' })
        res.end(JSON.stringify({ status: 401, detail: 'log in first' }))
      } else if (req.url === '/empty') {
        res.writeHead(204)
        res.end()
      } else {
        res.writeHead(200, { 'Content-Type': 'application/json' })
        res.end(JSON.stringify({ ok: true }))
      }
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

describe('query', () => {
  it('leaves out empty values and encodes the rest', () => {
    expect(query({ a: 1, b: '', c: null, d: undefined, e: '党 支部' })).toBe('?a=1&e=%E5%85%9A+%E6%94%AF%E9%83%A8')
    expect(query({ a: '' })).toBe('')
  })
})

describe('csrfToken', () => {
  it('reads the token the server set beside the session cookie', () => {
    expect(csrfToken('x=1; dangjiao_csrf=abc=def; y=2')).toBe('abc=def')
    expect(csrfToken('x=1')).toBe('')
  })
})

describe('request', () => {
  it('sends JSON and the CSRF header on writes, not on reads', async () => {
    document.cookie = 'dangjiao_csrf=tok123'
    await request('POST', `${base}/ok`, { title: '支委会' })
    expect(last?.headers['x-csrf-token']).toBe('tok123')
    expect(last?.headers['content-type']).toBe('application/json')
    expect(JSON.parse(lastBody)).toEqual({ title: '支委会' })
    await request('GET', `${base}/ok`)
    expect(last?.headers['x-csrf-token']).toBeUndefined()
  })

  it('turns problem+json into an ApiError with its field problems', async () => {
    const e = (await request('POST', `${base}/problem`, {}).catch((x) => x)) as ApiError
    expect(e).toBeInstanceOf(ApiError)
    expect(e.status).toBe(422)
    expect(e.detail).toBe('invalid input')
    expect(e.byField.title.code).toBe('required')
  })

  it('carries a 429\'s Retry-After, shown in the user\'s language', async () => {
    const e = (await request('POST', `${base}/throttled`, {}).catch((x) => x)) as ApiError
    expect(e.retryAfter).toBe(42)
    const fields: Record<string, string> = {}
    showError(e, fields)
    expect(fields.password).toBe('尝试次数过多，请 42 秒后再试')
  })

  it('answers undefined for 204', async () => {
    expect(await request('DELETE', `${base}/empty`)).toBeUndefined()
  })

  it('calls the unauthenticated handler on 401', async () => {
    let called = 0
    setUnauthenticatedHandler(() => called++)
    await request('GET', `${base}/gone`).catch(() => {})
    expect(called).toBe(1)
  })

  it('reports a refused connection as a network error (status 0)', async () => {
    const e = (await request('GET', 'http://127.0.0.1:1/nothing').catch((x) => x)) as ApiError
    expect(e).toBeInstanceOf(ApiError)
    expect(e.status).toBe(0)
  })
})

describe('the generated client', () => {
  it('fills path parameters and leaves empty query values out', () => {
    expect(url('/api/v1/trainings/{id}/sessions/{sid}/qr', { id: 4, sid: 'a/b' }, { format: 'svg', x: '', y: null }))
      .toBe('/api/v1/trainings/4/sessions/a%2Fb/qr?format=svg')
  })
})
