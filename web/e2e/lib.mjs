// The end-to-end harness: a real dangjiao server on a fresh demo city (SQLite
// in a temp dir), Debian's chromium driven by playwright-core, and the API
// for setting up what a test needs. No mocks.
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium } from 'playwright-core'

const here = new URL('.', import.meta.url).pathname
export const root = resolve(here, '../..')
export const PASSWORD = 'Dangjiao#2026'

function psql(url, sql) {
  execFileSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', url, '-c', sql], { env: { ...process.env, PGOPTIONS: '-c client_min_messages=warning' } })
}

/**
 * Starts the server on a fresh demo city: an SQLite file, or with
 * DANGJIAO_E2E_BACKEND=postgres a new schema on $DANGJIAO_TEST_PG.
 */
export async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'dj-e2e-'))
  const bin = process.env.DANGJIAO_BIN ?? join(root, 'build/src/app/dangjiao')
  let db = `sqlite://${dir}/dj.db`
  let schema = ''
  const pg = process.env.DANGJIAO_TEST_PG
  if (process.env.DANGJIAO_E2E_BACKEND === 'postgres') {
    if (!pg) throw new Error('DANGJIAO_TEST_PG is not set (make test sets it)')
    schema = `e2e_${process.pid}_${Math.floor(Math.random() * 1e6)}`
    psql(pg, `CREATE SCHEMA ${schema}`)
    db = `${pg}${pg.includes('?') ? '&' : '?'}options=-csearch_path%3D${schema}`
  }
  const proc = spawn(bin, [
    'serve', '--demo', '--db', db, '--key-file', `${dir}/key`, '--blob-dir', `${dir}/blobs`,
    '--web-dir', join(root, 'web/dist'), '--listen', '127.0.0.1:0', '--no-access-log', '--qr-slot-seconds', '15',
  ], { stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  proc.stderr.on('data', (d) => (log += d))
  const url = await new Promise((ok, fail) => {
    let out = ''
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${out}\n${log}`)), 180000)
    proc.stdout.on('data', (d) => {
      out += d
      const m = out.match(/listening on (http:\/\/[0-9.:]+)/)
      if (m) {
        clearTimeout(timer)
        ok(m[1])
      }
    })
    proc.on('exit', (code) => fail(new Error(`server exited ${code}:\n${out}\n${log}`)))
  })
  return {
    url,
    log: () => log,
    async stop() {
      proc.kill('SIGTERM')
      await new Promise((r) => proc.on('exit', r))
      rmSync(dir, { recursive: true, force: true })
      if (schema) psql(pg, `DROP SCHEMA ${schema} CASCADE`)
    },
  }
}

export async function launchBrowser() {
  // playwright starts chromium with a fresh, empty profile of its own.
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-quic', '--no-first-run',
    ],
  })
  return { browser, close: () => browser.close() }
}

/** A client of the API with a Bearer token, for setting up test data. */
export async function apiAs(base, username, password = PASSWORD) {
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }),
  })
  if (!login.ok) throw new Error(`login ${username}: ${login.status} ${await login.text()}`)
  const { token } = await login.json()
  const call = async (method, path, body) => {
    const r = await fetch(`${base}${path}`, {
      method, headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    })
    const text = await r.text()
    const data = text ? JSON.parse(text) : undefined
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`)
    return data
  }
  return { token, get: (p) => call('GET', p), post: (p, b) => call('POST', p, b ?? {}), put: (p, b) => call('PUT', p, b), patch: (p, b) => call('PATCH', p, b) }
}

/** A valid GB 11643 citizen ID for a serial number. */
export function citizenId(n) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const body = `53010219850${1 + (n % 9)}${String(10 + (n % 18)).padStart(2, '0')}${String(n % 1000).padStart(3, '0')}`
  let sum = 0
  for (let i = 0; i < 17; i++) sum += +body[i] * w[i]
  return body + '10X98765432'[sum % 11]
}

/** Today and a time of day in Shanghai as an instant. */
export function shanghai(offsetMinutes = 0) {
  const d = new Date(Date.now() + 8 * 3600e3 + offsetMinutes * 60e3)
  return d.toISOString().slice(0, 19) + '+08:00'
}

/** A page that fails its test on any script error or console error. */
export function watchErrors(page, errors) {
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`))
  page.on('console', (m) => {
    // Chromium logs every 4xx answer as "Failed to load resource"; the tests
    // provoke some on purpose (over quota, wrong password). Script errors are not that.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`)
  })
}

/** Polls `fn` (async) until it answers true, for at most 15 s; then fails naming `what`. */
export async function until(fn, what) {
  for (const deadline = Date.now() + 15000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    if (await fn()) return
  }
  throw new Error(`not within 15 s: ${what}`)
}

export function assert(cond, message) {
  if (!cond) throw new Error(message)
}
