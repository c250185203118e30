// End-to-end tests of the web app in a real browser against the real server.
//   node e2e/run.mjs                  run every test
//   SCREENSHOTS=../docs/screenshots node e2e/run.mjs   also refresh the screenshots
//   E2E_ONLY=WCAG node e2e/run.mjs   only the tests whose name holds the text
//   E2E_SKIP=WCAG node e2e/run.mjs   every test but those (ctest runs the two halves apart)
// Prints one line per test and the measured figures; exits non-zero on a failure.
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import jsQR from 'jsqr'
import { apiAs, assert, citizenId, launchBrowser, PASSWORD, shanghai, startServer, until, watchErrors } from './lib.mjs'

const shots = process.env.SCREENSHOTS ? resolve(process.env.SCREENSHOTS) : ''
if (shots) mkdirSync(shots, { recursive: true })
const server = await startServer()
const base = server.url
const { browser, close } = await launchBrowser()
const admin = await apiAs(base, 'admin')
const figures = {}
const results = []

// `audit`: the page lets axe-core's script in (bypassing the app's CSP).
async function context(viewport = { width: 1366, height: 860 }, audit = false) {
  const ctx = await browser.newContext({ viewport, locale: 'zh-CN', acceptDownloads: true, bypassCSP: audit })
  const page = await ctx.newPage()
  const errors = []
  watchErrors(page, errors)
  return { ctx, page, errors }
}
async function shot(page, name) {
  if (!shots) return
  await page.waitForTimeout(400)  // a dialog's fade-in
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: false })
}
async function login(page, username, password = PASSWORD) {
  await page.goto(`${base}/login`)
  await page.fill('input[name=username]', username)
  await page.fill('input[name=password]', password)
  await page.click('button[type=submit]')
}
async function test(name, fn) {
  if (process.env.E2E_ONLY && !name.includes(process.env.E2E_ONLY)) return  // one test while working on it
  if (process.env.E2E_SKIP && name.includes(process.env.E2E_SKIP)) return
  const t0 = Date.now()
  const opened = []
  try {
    await fn(async (viewport, audit) => {
      const c = await context(viewport, audit)
      opened.push(c)
      return c
    })
    for (const c of opened) assert(c.errors.length === 0, `browser errors:\n${c.errors.join('\n')}`)
    results.push({ name, ok: true })
    console.log(`ok   ${name} (${Date.now() - t0} ms)`)
  } catch (e) {
    results.push({ name, ok: false })
    console.log(`FAIL ${name}: ${e.stack ?? e}`)
    for (const c of opened) await c.page.screenshot({ path: `/tmp/dj-e2e-fail-${results.length}.png` }).catch(() => {})
  } finally {
    for (const c of opened) await c.ctx.close()
  }
}

// Fixtures through the API: a branch of 30 members with its secretary, and a class.
const org01 = (await admin.get('/api/v1/orgs?q=KMGW-001&page_size=5')).items.find((o) => o.code === 'KMGW-001')
const branch = await admin.post('/api/v1/orgs', { code: 'KMGW-001-E2E', name: '端到端测试党支部', type: 'branch', parent_id: org01.id, founded_on: '2000-07-01' })
for (let i = 0; i < 30; i++) {
  await admin.post('/api/v1/members', {
    org_id: branch.id, name: `测试党员${String(i + 1).padStart(2, '0')}`, citizen_id: citizenId(7000 + i),
    political_status: 'full', joined_on: '2010-07-01', full_member_on: '2011-07-01',
  })
}
async function account(username, role, orgId, memberId) {
  await admin.post('/api/v1/users', { username, password: 'Temp-Pass-2026', role, org_id: orgId, member_id: memberId })
}
await account('secretary', 'org_admin', branch.id)
const sec = await apiAs(base, 'secretary', 'Temp-Pass-2026')
await sec.post('/api/v1/auth/password', { old_password: 'Temp-Pass-2026', new_password: 'Branch#2026x' })
const me01 = await (await apiAs(base, 'member01')).get('/api/v1/auth/me')
const member01 = await admin.get(`/api/v1/members/${me01.member_id}`)
const affiliatedId = Number(member01.org_id && (await admin.get(`/api/v1/orgs/${member01.org_id}`)).path.split('/')[2])
const affiliated = await admin.get(`/api/v1/orgs/${affiliatedId}`)
const orgAdmin = `org${String(Number(affiliated.code.split('-')[1])).padStart(2, '0')}`
const today = shanghai().slice(0, 10)
const klass = await admin.post('/api/v1/trainings', {
  // From yesterday: its first session began five minutes ago, which may be yesterday just after midnight.
  org_id: 1, title: '端到端示范班', level: 'demonstration', target_groups: ['all_members'], starts_on: shanghai(-60 * 24).slice(0, 10),
  ends_on: shanghai(60 * 48).slice(0, 10), capacity: 10, venue: '党校报告厅',
})
const session = await admin.post(`/api/v1/trainings/${klass.id}/sessions`, {
  title: '开班第一课', started_at: shanghai(-5), ended_at: shanghai(120), method: 'lecture', venue: '党校报告厅', lecturer_name: '王老师',
})
const session2 = await admin.post(`/api/v1/trainings/${klass.id}/sessions`, {
  title: '专题研讨', started_at: shanghai(60 * 24), ended_at: shanghai(60 * 26), method: 'discussion', venue: '党校报告厅',
})
// A published course with a link lesson (the 网上学习 test uploads its own video).
const course = await admin.post('/api/v1/courses', { org_id: 1, title: '学习强国专题', hours_tenths: 5, tags: ['xi_thought'] })
const linkLesson = await admin.post(`/api/v1/courses/${course.id}/lessons`, { chapter: '第一章', title: '学习强国文章', kind: 'link', url: 'https://www.xuexi.cn/' })
await admin.patch(`/api/v1/courses/${course.id}`, { status: 'published' })
await admin.post(`/api/v1/courses/${course.id}/assignments`, { org_id: affiliatedId, due_on: shanghai(60 * 24 * 30).slice(0, 10) })
await admin.put(`/api/v1/trainings/${klass.id}/quotas`, { quotas: [{ org_id: affiliatedId, seats: 1 }] })
const peer = (await admin.get(`/api/v1/members?org_id=${affiliatedId}&political_status=full&page_size=10`)).items.find((m) => m.id !== member01.id)

await test('first load of the console: transfer size and time to interactive', async (open) => {
  const { page } = await open()
  await page.goto(`${base}/login`)
  await page.waitForSelector('input[name=username]')
  figures.login_tti_ms = Math.round(await page.evaluate(() => performance.now()))
  const size = () => page.evaluate(() => performance.getEntriesByType('resource').concat(performance.getEntriesByType('navigation'))
    .filter((e) => /\.(js|css)$/.test(new URL(e.name).pathname))
    .reduce((n, e) => n + e.encodedBodySize, 0))
  figures.login_js_css_kib = Math.round((await size()) / 102.4) / 10
  await shot(page, '01-login')
  // Keyboard only: the user name has the focus, Tab to the password, Enter logs in.
  await page.keyboard.type('admin')
  await page.keyboard.press('Tab')
  await page.keyboard.type(PASSWORD)
  const t0 = await page.evaluate(() => performance.now())
  await page.keyboard.press('Enter')
  await page.waitForSelector('[data-test=members-total]')
  await page.waitForSelector('[data-test=by-type] .bar-row')
  await page.waitForSelector('[data-test=donut] circle')
  await page.waitForFunction(() => /\d/.test(document.querySelector('[data-test=members-total]')?.textContent ?? ''))
  figures.dashboard_after_login_ms = Math.round((await page.evaluate(() => performance.now())) - t0)
  // Thousands separators, the rate's note, the to-dos a page at a time; a figure opens its list.
  const members = (await page.textContent('[data-test=members-total]')).trim()
  const total = (await admin.get('/api/v1/members?page_size=1')).total
  assert(members === total.toLocaleString('en-US') && members.includes(','), `members figure: ${members}`)
  assert((await page.textContent('[data-test=rate-note]')).includes('不计入'), 'the rate says what it counts')
  assert(await page.locator('[data-test=todos] .todo-row').count() <= 10, 'the to-dos are paged')
  const shift = await page.evaluate(() => new Promise((ok) => {
    let sum = 0
    new PerformanceObserver((l) => { for (const e of l.getEntries()) if (!e.hadRecentInput) sum += e.value })
      .observe({ type: 'layout-shift', buffered: true })
    setTimeout(() => ok(sum), 200)
  }))
  figures.dashboard_cls = Math.round(shift * 1000) / 1000
  figures.dashboard_js_css_kib = Math.round((await size()) / 102.4) / 10
  assert(figures.dashboard_js_css_kib <= 600, `first screen is ${figures.dashboard_js_css_kib} KiB of JS+CSS (limit 600)`)
  await shot(page, '02-dashboard')
  await page.click('.figure:has([data-test=members-total])')
  await page.waitForURL('**/members')
})

await test('the app answers HEAD like GET, without the body', async () => {
  for (const path of ['/', '/login']) {
    const get = await fetch(`${base}${path}`, { headers: { accept: 'text/html', 'accept-encoding': 'identity' } })
    const head = await fetch(`${base}${path}`, { method: 'HEAD', headers: { accept: 'text/html', 'accept-encoding': 'identity' } })
    assert(head.status === 200, `HEAD ${path}: ${head.status}`)
    assert(head.headers.get('content-length') === String((await get.arrayBuffer()).byteLength), `HEAD ${path}: content-length`)
    assert(head.headers.get('cache-control') === get.headers.get('cache-control'), `HEAD ${path}: cache-control`)
    assert((await head.arrayBuffer()).byteLength === 0, `HEAD ${path}: a body`)
  }
})

await test('login with a wrong password, then the forced password change', async (open) => {
  await account('newcadre', 'org_admin', affiliatedId)
  const { page } = await open()
  await login(page, 'newcadre', 'wrong-password')
  await page.waitForSelector('.el-form-item__error')
  assert((await page.textContent('.el-form-item__error')).includes('用户名或密码错误'), 'the wrong password is named under the field')
  await login(page, 'newcadre', 'Temp-Pass-2026')
  await page.waitForURL('**/password**')
  await shot(page, '03-change-password')
  await page.fill('input[name=old_password]', 'Temp-Pass-2026')
  await page.fill('input[name=new_password]', 'short')
  await page.fill('input[name=again]', 'short')
  await page.click('button[type=submit]')
  await page.waitForSelector('text=新密码至少8位')
  await page.fill('input[name=new_password]', 'Fresh#Pass2026')
  await page.fill('input[name=again]', 'Fresh#Pass2026')
  await page.click('button[type=submit]')
  await page.waitForSelector('[data-test=members-total]')
  assert((await page.textContent('[data-test=user]')).includes('newcadre'), 'signed in as newcadre')
  // The session list shows this browser; logging out ends it.
  await page.goto(`${base}/account`)
  await page.waitForSelector('[data-test=sessions] .el-table__row')
  await page.click('text=退出')
  await page.waitForURL('**/login**')
})

await test('a branch secretary records a meeting of 30 attendees; the compliance matrix changes', async (open) => {
  const { page } = await open()
  await login(page, 'secretary', 'Branch#2026x')
  await page.waitForSelector('[data-test=members-total]')
  await page.goto(`${base}/compliance`)
  const cell = `button.cell[data-org="${branch.id}"][data-rule="branch_committee_monthly"]`
  await page.waitForSelector(cell)
  const before = await page.textContent(cell)
  await shot(page, '07-compliance')
  await page.goto(`${base}/activities`)
  await page.waitForSelector('text=登记组织生活')
  let clicks = 0
  const click = async (selector) => {
    clicks++
    await page.click(selector)
  }
  const t0 = Date.now()
  await click('text=登记组织生活')
  await page.waitForSelector('[data-test=present-count]:has-text("应到30人，实到30人")')
  await click('[data-test=type]')
  await click('.el-select-dropdown__item:has-text("支部委员会会议")')
  await click('.person:nth-child(3) .el-checkbox')
  await click('.person:nth-child(7) .el-checkbox')
  await page.waitForSelector('[data-test=present-count]:has-text("实到28人")')
  // The minutes and a photo in the same form.
  await page.fill('textarea[data-test=minutes]', '传达学习上级会议精神；讨论发展党员计划。')
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64')
  await page.setInputFiles('[data-test=files]', { name: '会议照片.png', mimeType: 'image/png', buffer: png })
  await shot(page, '06-record-meeting')
  await click('[data-test=save]')
  await page.waitForURL('**/activities')
  figures.record_meeting_clicks = clicks
  figures.record_meeting_ms = Date.now() - t0
  assert(clicks <= 10, `recording took ${clicks} clicks`)
  const list = await admin.get(`/api/v1/activities?org_id=${branch.id}`)
  assert(list.items[0].present_count === 28 && list.items[0].expected_count === 30, `recorded ${JSON.stringify(list.items[0])}`)
  const recorded = await admin.get(`/api/v1/activities/${list.items[0].id}`)
  assert(recorded.minutes.includes('发展党员计划') && recorded.attachments.length === 1 && recorded.attachments[0].filename === '会议照片.png',
    `minutes and photo: ${JSON.stringify({ minutes: recorded.minutes, files: recorded.attachments })}`)
  await page.goto(`${base}/compliance`)
  await page.waitForSelector(cell)
  const after = await page.textContent(cell)
  const met = (s) => Number(s.trim().split('/')[0])
  assert(met(after) === met(before) + 1, `matrix cell went from ${before} to ${after}`)
  // The branch's open items as a plain list; a month is a period; the report exports.
  const todos = (await admin.get(`/api/v1/compliance?period=${today.slice(0, 4)}Q${Math.floor((+today.slice(5, 7) - 1) / 3) + 1}&org_id=${branch.id}`)).todos
  if (todos.length) await page.waitForSelector('[data-test=todo-list] .el-table__row')
  await page.click('[data-test=period]')
  const month = `${today.slice(0, 4)}年${Number(today.slice(5, 7))}月`
  await page.click(`.el-select-dropdown__item:visible:has-text("${month}")`)
  await page.waitForSelector(cell)
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=compliance-export]')])
  const file = `/tmp/dj-e2e-compliance-${process.pid}.xlsx`
  await download.saveAs(file)
  const out = execFileSync('/usr/bin/python3', ['-c',
    'import sys, openpyxl; wb = openpyxl.load_workbook(sys.argv[1]); print(wb.sheetnames, wb.worksheets[0].cell(2, 1).value)', file]).toString()
  assert(out.includes("['落实情况', '本期待办', '未落实']") && out.includes('端到端测试党支部'), `compliance export: ${out}`)
})

await test('enrolment within the quota, then the over-quota message', async (open) => {
  const { page } = await open()
  await login(page, orgAdmin)
  await page.waitForSelector('[data-test=members-total]')
  await page.goto(`${base}/trainings`)
  await page.click(`text=${klass.title}`)
  await page.waitForSelector('[data-test=enrolled]')
  await page.click('.el-tabs__item:has-text("报名")')
  const enrol = async (name) => {
    await page.click('[data-test=enrol-member]')
    await page.keyboard.type(name)
    await page.click(`.el-select-dropdown__item:has-text("${name}")`)
    await page.click('[data-test=enrol-form] button[type=submit]')
  }
  await enrol(member01.name)
  await page.waitForSelector('[data-test=enrolled]:has-text("1")')
  await enrol(peer.name)
  await page.waitForSelector('[data-test=enrol-error]')
  const text = await page.textContent('[data-test=enrol-error]')
  assert(text.includes('本单位名额已满') && !/[a-z]{3,}/i.test(text), `over-quota message, in Chinese only: ${text}`)
  await shot(page, '10-training-enrolment')
  await page.click('.el-tabs__item:has-text("名额分配")')
  await page.waitForSelector('[data-test=quotas] .el-table__row')
})

await test('quotas: the picker offers only directly affiliated organizations, and every refusal is shown', async (open) => {
  const { page } = await open()
  await login(page, 'admin')
  await page.waitForSelector('[data-test=members-total]')
  // A class hosted by a unit: its branches are not what the server accepts for quotas.
  const hosted = await admin.post('/api/v1/trainings', {
    org_id: affiliatedId, title: '单位主办培训班', level: 'unit', target_groups: ['all_members'],
    starts_on: today, ends_on: today, capacity: 5, venue: '会议室',
  })
  await page.goto(`${base}/trainings/${hosted.id}`)
  await page.click('.el-tabs__item:has-text("名额分配")')
  await page.click('button:has-text("分配名额")')
  const dialog = page.locator('.el-dialog').filter({ visible: true })
  await dialog.locator('.el-select').first().click()
  await page.waitForSelector('.el-select-dropdown__item:visible')
  const offered = await page.locator('.el-select-dropdown__item:visible').allTextContents()
  const depthOne = (await admin.get('/api/v1/orgs?depth=1&page_size=500')).items.map((o) => o.name)
  assert(offered.length > 0 && offered.every((o) => depthOne.some((n) => o.startsWith(n))), `offered: ${offered.slice(0, 5)}`)
  // A row's list loads its options when it opens; a click that lands while it still
  // loads or fades is lost, so choose until the row names the organization.
  const name = offered[0].slice(0, 6)
  const choose = (row) => until(async () => {
    if (!(await row.innerText()).includes(name)) {
      if (!(await page.locator('.el-select-dropdown__item').filter({ visible: true }).count())) await row.click()
      await page.locator(`.el-select-dropdown__item:has-text("${name}")`).filter({ visible: true }).last().click({ timeout: 3000 }).catch(() => {})
    }
    return (await row.innerText()).includes(name)
  }, 'the row names the organization')
  await choose(dialog.locator('.el-select').first())
  // The same organization twice, and more seats than the class holds: both refusals appear.
  await dialog.locator('.el-input-number input').first().fill('9')
  await dialog.locator('button:has-text("添加")').click()
  await choose(dialog.locator('.el-select').nth(1))
  await dialog.locator('button:has-text("保存")').click()
  await page.waitForSelector('[data-test=quota-row-error]')
  const shown = await dialog.textContent()
  assert(shown.includes('重复') && shown.includes('名额合计超过班级容量'), `refusals in the dialog: ${shown}`)
})

await test('QR check-in: the venue screen in one browser, the member phone in another', async (open) => {
  const screen = await open({ width: 1280, height: 800 })
  await login(screen.page, 'admin')
  await screen.page.waitForSelector('[data-test=members-total]')
  await screen.page.goto(`${base}/trainings/${klass.id}/sessions/${session.id}/display`)
  await screen.page.waitForSelector('[data-test=qr]')
  await screen.page.waitForFunction(() => /^\d{6}$/.test(document.querySelector('[data-test=code]')?.textContent ?? ''))
  await shot(screen.page, '11-checkin-screen')
  // Read the code off the screen the way a phone camera would: its pixels.
  const pixels = await screen.page.evaluate(async () => {
    const img = document.querySelector('[data-test=qr]')
    await img.decode()
    const canvas = document.createElement('canvas')
    canvas.width = canvas.height = 600
    const g = canvas.getContext('2d')
    g.fillStyle = '#fff'
    g.fillRect(0, 0, 600, 600)
    g.drawImage(img, 50, 50, 500, 500)
    return Array.from(g.getImageData(0, 0, 600, 600).data)
  })
  const decoded = jsQR(Uint8ClampedArray.from(pixels), 600, 600)
  assert(decoded && decoded.data.includes(`/checkin?session=${session.id}`), `QR decoded to ${decoded?.data}`)
  const phone = await open({ width: 360, height: 740 })
  await phone.page.goto(decoded.data)
  await phone.page.waitForURL('**/login**')
  await phone.page.fill('input[name=username]', 'member01')
  await phone.page.fill('input[name=password]', PASSWORD)
  await phone.page.click('button[type=submit]')
  await phone.page.waitForSelector('[data-test=checkin-ok]')
  assert((await phone.page.textContent('[data-test=checkin-ok]')).includes('签到成功'), 'checked in')
  await shot(phone.page, '16-member-checkin')
  // Opening the same code again answers the first result (Idempotency-Key), and nothing twice.
  await phone.page.reload()
  await phone.page.waitForSelector('[data-test=checkin-ok]')
  // The to-dos no longer ask for that session; tomorrow's is there, not yet open.
  await phone.page.goto(`${base}/m`)
  await phone.page.waitForSelector('[data-test=todo-hint]')
  const todos = await phone.page.textContent('main, #app')
  assert(!todos.includes(session.title) && todos.includes(session2.title) && todos.includes('开始前30分钟开放签到'),
    `to-dos after the check-in: ${todos}`)
  // The venue screen counts the check-in within a few seconds.
  await screen.page.waitForSelector('[data-test=display-count]:has-text("已签到 1 / 1 人")')
  // The administrator's roster shows the QR check-in with its time.
  await screen.page.goto(`${base}/trainings/${klass.id}`)
  await screen.page.click('.el-table__row:has-text("开班第一课") button:has-text("点名")')
  await screen.page.waitForSelector('[data-test=roster-count]:has-text("已签到 1 / 1")')
  const row = await screen.page.textContent(`[data-test=roster-${member01.id}]`)
  assert(row.includes(member01.name) && row.includes('扫码'), `roster row: ${row}`)
  await shot(screen.page, '22-roster')
})

await test('a class made in the browser: session, enrolment, roster, completion, the certificate verifies', async (open) => {
  const { page } = await open()
  await login(page, 'admin')
  await page.waitForSelector('[data-test=members-total]')
  await page.goto(`${base}/trainings`)
  await page.click('button:has-text("新建培训班")')
  const dialog = page.locator('.el-dialog').filter({ visible: true })
  await dialog.locator('input[name=title]').fill('浏览器开办的支部书记培训班')
  await dialog.locator('.el-dialog__footer .el-button--danger').click()
  await page.waitForSelector('h1:has-text("浏览器开办的支部书记培训班")')
  const classId = Number(new URL(page.url()).pathname.split('/')[2])
  // A session with the defaults: the first day, 9:00 to 11:00.
  await page.click('[data-test=add-session]')
  await page.locator('.el-dialog').filter({ visible: true }).locator('input[name=session_title]').fill('党章学习')
  await page.locator('.el-dialog').filter({ visible: true }).locator('.el-dialog__footer .el-button--danger').click()
  await page.waitForSelector('.el-table__row:has-text("党章学习")')
  const sessions = (await admin.get(`/api/v1/trainings/${classId}`)).sessions
  assert(sessions.length === 1 && sessions[0].started_at.includes('09:00'), `session: ${JSON.stringify(sessions)}`)
  await page.click('.el-tabs__item:has-text("报名")')
  await page.click('[data-test=enrol-member]')
  await page.keyboard.type(member01.name)
  await page.click(`.el-select-dropdown__item:has-text("${member01.name}")`)
  await page.click('[data-test=enrol-form] button[type=submit]')
  await page.waitForSelector('[data-test=enrolled]:has-text("1")')
  // Nobody has checked in: the roster marks the member present.
  await page.click('.el-tabs__item:has-text("课程安排")')
  await page.click('.el-table__row:has-text("党章学习") button:has-text("点名")')
  await page.waitForSelector('[data-test=roster-count]:has-text("已签到 0 / 1")')
  await page.click(`[data-test=roster-${member01.id}] .el-radio-button:has-text("出席")`)
  await page.click('[data-test=roster-save]')
  await page.waitForSelector('.el-message--success')
  await page.click('.el-table__row:has-text("党章学习") button:has-text("点名")')
  await page.waitForSelector('[data-test=roster-count]:has-text("已签到 1 / 1")')
  await page.keyboard.press('Escape')
  // Completion: full attendance of the only session; the certificate opens the public page.
  await page.click('.el-tabs__item:has-text("报名")')
  await page.click('[data-test=complete]')
  await page.waitForSelector('.el-message:has-text("1人中1人结业")')
  const link = page.locator('a[href^="/verify/"]')
  await link.waitFor()
  await link.click()
  await page.waitForURL('**/verify/**')
  await page.waitForSelector('text=浏览器开办的支部书记培训班')
  const body = await page.textContent('body')
  assert(body.includes(member01.name[0]) && !body.includes(member01.name), `the name is masked on the public page`)
  await shot(page, '21-certificate')
})

await test('a training plan against the actual figures; learning delivered at home', async (open) => {
  const { page } = await open()
  await login(page, 'admin')
  await page.waitForSelector('[data-test=members-total]')
  await page.click('a.nav-item:has-text("培训计划")')
  await page.click('[data-test=new-plan]')
  const dialog = page.locator('.el-dialog').filter({ visible: true })
  await dialog.locator('input[name=plan_title]').fill('本年度教育培训计划')
  await dialog.locator('[data-test=target-classes-demonstration] input').fill('2')
  await dialog.locator('[data-test=target-people] input').fill('4')
  await dialog.locator('[data-test=save-plan]').click()
  // The plan opens with its figures: this year's demonstration class (the fixture) counts.
  const demo = page.locator('[data-test=plan-vs-actual] .el-table__row:has-text("工委示范班")')
  await demo.waitFor()
  const cells = await demo.locator('td').allTextContents()
  assert(cells[1].trim() === '2' && Number(cells[2]) >= 1, `demonstration classes: ${cells}`)
  await shot(page, '23-plan')
  await page.keyboard.press('Escape')
  // 送学上门 to an infirm member: the hours reach his ledger.
  const infirm = (await admin.get('/api/v1/members?infirm=true&page_size=1')).items[0]
  const before = (await admin.get(`/api/v1/members/${infirm.id}/hours?year=${today.slice(0, 4)}`)).total
  await page.click('a.nav-item:has-text("送学上门")')
  await page.click('[data-test=new-delivery]')
  await page.click('[data-test=delivery-member]')
  await page.keyboard.type(infirm.name)
  await page.click(`.el-select-dropdown__item:has-text("${infirm.name}")`)
  const form = page.locator('.el-dialog').filter({ visible: true })
  await form.locator('input[name=delivered_by]').fill('支部书记')
  await form.locator('textarea[name=content]').fill('学习党的二十大精神')
  await form.locator('[data-test=save-delivery]').click()
  await page.waitForSelector(`[data-test=deliveries] .el-table__row:has-text("${infirm.name}")`)
  await shot(page, '24-home-deliveries')
  const after = (await admin.get(`/api/v1/members/${infirm.id}/hours?year=${today.slice(0, 4)}`)).total
  assert(after === before + 2, `hours ${before} → ${after}`)
})

await test('statistics download an .xlsx that opens', async (open) => {
  const { page } = await open()
  await login(page, 'admin')
  await page.waitForSelector('[data-test=members-total]')
  await page.goto(`${base}/stats`)
  await page.waitForSelector('[data-test=activities-total]')
  await page.waitForFunction(() => document.querySelectorAll('canvas').length >= 3)
  await shot(page, '08-statistics')
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=xlsx]')])
  const file = `/tmp/dj-e2e-${process.pid}.xlsx`
  await download.saveAs(file)
  const out = execFileSync('/usr/bin/python3', ['-c',
    'import sys, openpyxl; wb = openpyxl.load_workbook(sys.argv[1]); ws = wb.worksheets[0]; print(wb.sheetnames, ws.max_row)', file]).toString()
  assert(out.includes('概况'), `workbook: ${out}`)
})

await test('a recorded activity opens, is edited and removed; the calendar counts every day', async (open) => {
  const { page } = await open()
  await login(page, 'admin')
  await page.waitForSelector('[data-test=members-total]')
  const people = (await admin.get(`/api/v1/members?org_id=${branch.id}&page_size=5`)).items
  const day = shanghai(-60 * 24).slice(0, 10)
  const made = await admin.post('/api/v1/activities', {
    org_id: branch.id, type: 'branch_committee', title: '详情测试支委会', started_at: `${day}T15:00:00+08:00`,
    ended_at: `${day}T16:00:00+08:00`, attendees: [{ member_id: people[0].id, status: 'leave', reason: '外出学习' }],
  })
  await page.goto(`${base}/activities?org_id=${branch.id}`)
  await page.click('[data-test=activity-list] .el-table__row:has-text("详情测试支委会")')
  await page.waitForSelector('[data-test=activity-absentees]:has-text("外出学习")')
  await page.click('[data-test=activity-edit]')
  await page.fill('textarea[data-test=edit-minutes]', '学习传达会议精神，研究发展党员工作。')
  await page.click('[data-test=activity-save]')
  await page.waitForSelector('[data-test=activity-minutes]:has-text("研究发展党员工作")')
  assert((await admin.get(`/api/v1/activities/${made.id}`)).minutes.includes('研究发展党员工作'), 'minutes saved')
  await page.click('[data-test=activity-remove]')
  await page.fill('.el-message-box input', '重复登记')
  await page.click('.el-message-box button:has-text("删除")')
  await page.waitForSelector('text=已删除')
  const gone = await fetch(`${base}/api/v1/activities/${made.id}`, { headers: { Authorization: `Bearer ${admin.token}` } })
  assert(gone.status === 404, `removed: ${gone.status}`)
  // The calendar: every day of the month with its count from the server, the list on click.
  await admin.post('/api/v1/activities', {
    org_id: branch.id, type: 'party_lecture', title: '今日党课', started_at: shanghai(-90), ended_at: shanghai(-30),
  })
  await page.goto(`${base}/activities`)
  await page.click('.el-radio-button:has-text("日历")')
  const first = `${today.slice(0, 7)}-01`
  const counts = (await admin.get(`/api/v1/activities/by-day?from=${first}&to=${today}`)).items
  const busiest = counts.reduce((a, b) => (b.total > a.total ? b : a))
  const cell = `[data-test=day-${busiest.date}]`
  await page.waitForSelector(`${cell} .total`)
  const shown = await page.textContent(`${cell} .total`)
  assert(shown.replace(/\D/g, '') === String(busiest.total), `day ${busiest.date}: ${shown} vs ${busiest.total}`)
  const daysShown = await page.locator('.day.has').count()
  assert(daysShown >= counts.length, `days with activities shown: ${daysShown} of ${counts.length}`)
  await page.click(cell)
  await page.waitForSelector('[data-test=day-list] .el-table__row')
  const listed = await page.textContent('[data-test=day-list] .el-pagination')
  assert(listed.replace(/\D/g, '').startsWith(String(busiest.total)), `the day's list: ${listed}`)
})

await test('a member is added and edited from the console', async (open) => {
  const { page } = await open()
  await login(page, 'admin')
  await page.waitForSelector('[data-test=members-total]')
  await page.goto(`${base}/members?org_id=${branch.id}`)
  await page.click('[data-test=member-add]')
  const dialog = page.locator('[data-test=member-form]').filter({ visible: true })
  await page.fill('[data-test=member-name]', '新录入党员')
  // A wrong check digit is named under the field; the right one saves.
  const id = citizenId(8123)
  await page.fill('[data-test=member-citizen-id]', id.slice(0, 17) + (id.endsWith('1') ? '2' : '1'))
  await dialog.locator('.el-date-editor input').first().fill('2015-07-01')
  await page.keyboard.press('Enter')
  await page.click('[data-test=member-save]')
  await dialog.locator('.el-form-item__error').first().waitFor()
  assert((await dialog.textContent()).includes('身份证'), 'the citizen ID problem is shown')
  await page.fill('[data-test=member-citizen-id]', id)
  await page.click('[data-test=member-save]')
  await page.waitForSelector('[data-test=member-form]', { state: 'hidden' })
  const added = (await admin.get(`/api/v1/members?org_id=${branch.id}&q=新录入党员`)).items[0]
  assert(added && added.joined_on === '2015-07-01', `added: ${JSON.stringify(added)}`)
  await page.fill('input[aria-label="姓名搜索"]', '新录入党员')
  await page.click('[data-test=member-find]')
  await page.click('.el-table__row:has-text("新录入党员")')
  await page.click('[data-test=member-edit]')
  await page.fill('[data-test=member-name]', '新录入党员甲')
  await page.click('[data-test=member-save]')
  await page.waitForSelector('[data-test=member-form]', { state: 'hidden' })
  const edited = await admin.get(`/api/v1/members/${added.id}`)
  assert(edited.name === '新录入党员甲' && edited.citizen_id === added.citizen_id, `edited: ${edited.name}`)
})

await test('an enrolment is withdrawn (the waitlist moves up); a class and its session are edited; the session and the class are cancelled', async (open) => {
  const { page } = await open()
  await login(page, 'admin')
  await page.waitForSelector('[data-test=members-total]')
  const small = await admin.post('/api/v1/trainings', {
    org_id: 1, title: '一席培训班', level: 'demonstration', target_groups: ['all_members'],
    starts_on: today, ends_on: today, capacity: 1, venue: '党校',
  })
  const two = (await admin.get(`/api/v1/members?org_id=${branch.id}&page_size=2`)).items
  await admin.post(`/api/v1/trainings/${small.id}/enrolments`, { member_id: two[0].id })
  await admin.post(`/api/v1/trainings/${small.id}/enrolments`, { member_id: two[1].id, waitlist: true })
  await page.goto(`${base}/trainings/${small.id}`)
  await page.click('.el-tabs__item:has-text("报名")')
  await page.click(`[data-test=withdraw-${two[0].id}]`)
  await page.click('.el-message-box button:has-text("取消报名")')
  await page.waitForSelector(`text=候补的${two[1].name}已递补`)
  const after = (await admin.get(`/api/v1/trainings/${small.id}/enrolments`)).items
  assert(after.length === 1 && after[0].member_id === two[1].id && after[0].status === 'enrolled', `after: ${JSON.stringify(after)}`)
  // The class and a session are edited; a wrong end time is named under its field.
  const sess = await admin.post(`/api/v1/trainings/${small.id}/sessions`, {
    title: '开班动员', started_at: `${today}T09:00:00+08:00`, ended_at: `${today}T10:00:00+08:00`,
  })
  await page.reload()
  await page.click('[data-test=edit-class]')
  const form = page.locator('[data-test=training-form]').filter({ visible: true })
  await form.locator('[data-test=training-title]').fill('一席培训班（调整）')
  await page.click('[data-test=training-save]')
  await page.waitForSelector('h1:has-text("一席培训班（调整）")')
  assert((await admin.get(`/api/v1/trainings/${small.id}`)).title === '一席培训班（调整）', 'class edited')
  await page.click('.el-tabs__item:has-text("课程安排")')
  await page.click(`[data-test=edit-session-${sess.id}]`)
  const sform = page.locator('[data-test=session-form]').filter({ visible: true })
  await sform.locator('.el-date-editor input').nth(1).fill(`${today} 08:00:00`)
  await page.keyboard.press('Enter')
  await page.click('[data-test=session-save]')
  await sform.locator('.el-form-item__error:has-text("晚于开始时间")').waitFor()
  await sform.locator('.el-date-editor input').nth(1).fill(`${today} 10:30:00`)
  await page.keyboard.press('Enter')
  await page.click('[data-test=session-save]')
  await page.waitForSelector('[data-test=session-form]', { state: 'hidden' })
  const moved = (await admin.get(`/api/v1/trainings/${small.id}`)).sessions[0]
  assert(moved.hours === 1.5, `session edited: ${JSON.stringify(moved)}`)
  await page.click(`[data-test=remove-session-${sess.id}]`)
  await page.click('.el-message-box button:has-text("取消课程")')
  await page.waitForSelector('text=课程已取消')
  assert((await admin.get(`/api/v1/trainings/${small.id}`)).sessions.length === 0, 'session cancelled')
  await page.click('[data-test=cancel-class]')
  await page.fill('.el-message-box input', '场地冲突，改期')
  await page.click('.el-message-box button:has-text("取消培训班")')
  await page.waitForURL('**/trainings')
  const gone = await fetch(`${base}/api/v1/trainings/${small.id}`, { headers: { Authorization: `Bearer ${admin.token}` } })
  assert(gone.status === 404, `cancelled: ${gone.status}`)
})

await test('many members enrolled at once from an organization\'s list and from a pasted list of names and IDs', async (open) => {
  const { page } = await open()
  await login(page, 'admin')
  await page.waitForSelector('[data-test=members-total]')
  const klass2 = await admin.post('/api/v1/trainings', {
    org_id: 1, title: '批量报名培训班', level: 'demonstration', target_groups: ['all_members'],
    starts_on: today, ends_on: today, capacity: 2, venue: '党校',
  })
  await page.goto(`${base}/trainings/${klass2.id}`)
  await page.click('.el-tabs__item:has-text("报名")')
  await page.click('[data-test=batch-open]')
  const dialog = page.locator('[data-test=batch-dialog]').filter({ visible: true })
  await dialog.locator('.el-select').first().click()
  await page.keyboard.type('端到端测试党支部')
  await page.click('.el-select-dropdown__item:visible:has-text("端到端测试党支部")')
  await page.waitForSelector('[data-test=batch-members] .el-table__row')
  for (let i = 1; i <= 3; i++) await dialog.locator(`[data-test=batch-members] .el-table__row:nth-child(${i}) .el-checkbox`).click()
  await dialog.locator('.el-checkbox:has-text("进入候补")').click()
  await page.click('[data-test=batch-enrol]')
  await page.waitForSelector('text=报名2人，候补1人，未能报名0人')
  const t2 = await admin.get(`/api/v1/trainings/${klass2.id}`)
  assert(t2.enrolled === 2 && t2.waitlisted === 1, `batch: ${t2.enrolled} enrolled, ${t2.waitlisted} waitlisted`)
  // A pasted list: a name, a citizen ID, and one nobody has; the two found are waitlisted.
  const more = (await admin.get(`/api/v1/members?org_id=${branch.id}&page_size=6`)).items.slice(3, 5)
  const fullId = (await admin.post(`/api/v1/members/${more[1].id}/pii`)).citizen_id
  await page.click('[data-test=batch-open]')
  await dialog.locator('[data-test=batch-mode-paste]').click()
  await dialog.locator('[data-test=batch-paste]').fill(`${more[0].name}\n${fullId}、查无此人`)
  await dialog.locator('[data-test=batch-match]').click()
  await dialog.locator('[data-test=batch-lines] .el-table__row').nth(2).waitFor()
  const lines = await dialog.locator('[data-test=batch-lines]').textContent()
  assert(lines.includes('未找到该党员') && lines.includes(more[1].name), `pasted: ${lines}`)
  await page.click('[data-test=batch-enrol]')
  await page.waitForSelector('text=报名0人，候补2人，未能报名0人')
  const t3 = await admin.get(`/api/v1/trainings/${klass2.id}`)
  assert(t3.waitlisted === 3, `pasted batch: ${t3.waitlisted} waitlisted`)
})

await test('organizations: found by name, edited (secretary, term), one added under another and found by its path', async (open) => {
  const { page } = await open()
  await login(page, 'admin')
  await page.waitForSelector('[data-test=members-total]')
  await page.goto(`${base}/orgs`)
  await page.fill('input[data-test=org-search]', '端到端测试党支部')
  await page.click('[data-test=org-find]')
  await page.click('[data-test=org-results] .el-table__row:has-text("端到端测试党支部")')
  await page.click('[data-test=org-edit]')
  await page.fill('input[data-test=org-leader]', '李书记')
  const dialog = page.locator('[data-test=org-dialog]').filter({ visible: true })
  await dialog.locator('.el-date-editor input').nth(2).fill('2021-06-30')
  await page.keyboard.press('Enter')
  await page.click('[data-test=org-save]')
  await page.waitForSelector('[data-test=term-over]')
  const edited = await admin.get(`/api/v1/orgs/${branch.id}`)
  assert(edited.leader === '李书记' && edited.term_end === '2021-06-30', `edited: ${edited.leader} ${edited.term_end}`)
  await page.click('[data-test=org-add]')
  await page.fill('input[data-test=org-code]', 'KMGW-001-E2E-G1')
  await page.click('[data-test=org-dialog] .el-select')
  await page.click('.el-select-dropdown__item:visible:has-text("党小组")')
  await page.fill('input[data-test=org-name]', '第一党小组')
  await page.click('[data-test=org-save]')
  await page.waitForSelector('[data-test=org-dialog]', { state: 'hidden' })
  const groups = (await admin.get(`/api/v1/orgs?parent_id=${branch.id}`)).items
  assert(groups.some((g) => g.name === '第一党小组' && g.type === 'group'), `added: ${JSON.stringify(groups.map((g) => g.name))}`)
  // Found again by a part of its path: the branch's name and its own.
  await page.fill('input[data-test=org-search]', '端到端测试党支部 / 第一党小组')
  await page.click('[data-test=org-find]')
  await page.waitForSelector('[data-test=org-results] .el-table__row:has-text("第一党小组")')
  const rows = await page.locator('[data-test=org-results] .el-table__row').allTextContents()
  assert(rows.length === 1 && rows[0].includes('端到端测试党支部'), `found by path: ${rows}`)
})

await test('a 支委会 expects the branch committee; others who attend sit in', async (open) => {
  const { page } = await open()
  await login(page, 'admin')
  await page.waitForSelector('[data-test=members-total]')
  const small = await admin.post('/api/v1/orgs', { code: 'KMGW-001-E2E-C', name: '支委测试党支部', type: 'branch', parent_id: org01.id, founded_on: '2000-07-01' })
  const posts = ['secretary', 'deputy_secretary', 'committee_member', 'none', 'none', 'none']
  for (let i = 0; i < posts.length; i++) {
    await admin.post('/api/v1/members', {
      org_id: small.id, name: `支委测试${i + 1}`, citizen_id: citizenId(7600 + i), political_status: 'full',
      joined_on: '2010-07-01', full_member_on: '2011-07-01', post: posts[i],
    })
  }
  await page.goto(`${base}/activities/new`)
  await page.click('[data-test=record-form] .el-select')
  await page.keyboard.type('支委测试党支部')
  await page.click('.el-select-dropdown__item:visible:has-text("支委测试党支部")')
  await page.waitForSelector('[data-test=present-count]:has-text("应到6人")')
  await page.click('[data-test=type]')
  await page.click('.el-select-dropdown__item:visible:has-text("支部委员会会议")')
  await page.waitForSelector('[data-test=present-count]:has-text("应到3人，实到3人")')
  await page.click('[data-test=sit-in] .el-checkbox:has-text("支委测试4")')
  await page.waitForSelector('[data-test=present-count]:has-text("实到4人")')
  await page.click('[data-test=save]')
  await page.waitForURL('**/activities')
  const made = (await admin.get(`/api/v1/activities?org_id=${small.id}`)).items[0]
  assert(made.expected_count === 3 && made.present_count === 4, `committee meeting: ${JSON.stringify(made)}`)
})

await test('我为群众办实事: a matter planned in the console, carried to done with evidence; a member finishes his own on the phone', async (open) => {
  const { page } = await open()
  await login(page, 'admin')
  await page.waitForSelector('[data-test=members-total]')
  await page.goto(`${base}/matters`)
  const year = today.slice(0, 4)
  const f = await admin.get(`/api/v1/matters/figures?from=${year}-01-01&to=${year}-12-31`)
  await page.waitForSelector(`[data-test=matter-figures] .value:has-text("${f.orgs.planned.toLocaleString('en-US')}")`)
  await page.click('[data-test=matter-add]')
  const dialog = page.locator('[data-test=matter-form]').filter({ visible: true })
  await dialog.locator('.el-select').first().click()
  await page.keyboard.type('端到端测试党支部')
  await page.click('.el-select-dropdown__item:visible:has-text("端到端测试党支部")')
  await page.fill('[data-test=matter-title]', '端到端小区路灯维修')
  await page.click('[data-test=matter-save]')
  await page.waitForSelector('[data-test=matter-form]', { state: 'hidden' })
  const made = (await admin.get(`/api/v1/matters?org_id=${branch.id}`)).items.find((m) => m.title === '端到端小区路灯维修')
  assert(made && made.status === 'planned', `planned: ${JSON.stringify(made)}`)
  await page.click('[data-test=matters] .el-table__row:has-text("端到端小区路灯维修")')
  await dialog.locator('[data-test=matter-status] .el-radio-button:has-text("已办结")').click()
  await page.click('[data-test=matter-save]')
  await dialog.locator('.el-form-item__error:has-text("办结时必填"), .el-form-item__error').first().waitFor()
  await page.fill('[data-test=matter-evidence]', '维修路灯12盏')
  await page.click('[data-test=matter-save]')
  await page.waitForSelector('[data-test=matter-form]', { state: 'hidden' })
  const finished = await admin.get(`/api/v1/matters/${made.id}`)
  assert(finished.status === 'done' && finished.evidence === '维修路灯12盏', `done: ${JSON.stringify(finished)}`)
  // The member's own, on the phone.
  const phone = await open({ width: 360, height: 740 })
  await login(phone.page, 'member01')
  await phone.page.waitForURL('**/m')
  await phone.page.click('a.tab:has-text("实事")')
  await phone.page.click('[data-test=my-matter-add]')
  await phone.page.fill('[data-test=my-matter-title]', '为邻居老人代缴水电费')
  await phone.page.click('[data-test=my-matter-save]')
  await phone.page.waitForSelector('.card:has-text("为邻居老人代缴水电费")')
  const member01 = await apiAs(base, 'member01')
  const own = (await member01.get('/api/v1/matters?mine=true&page_size=100')).items.find((m) => m.title === '为邻居老人代缴水电费')
  const card = phone.page.locator(`[data-test=my-matter-${own.id}]`)
  await card.locator(`[data-test=my-matter-done-${own.id}]`).click()
  await card.locator('.field-error').waitFor()
  // A photo taken on the phone is the evidence.
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64')
  await phone.page.setInputFiles(`[data-test=my-matter-file-${own.id}]`, { name: '缴费凭证.png', mimeType: 'image/png', buffer: png })
  await card.locator('text=缴费凭证.png').waitFor()
  await card.locator(`[data-test=my-matter-done-${own.id}]`).click()
  await card.locator('.el-tag:has-text("已办结")').waitFor()
  const ownDone = await admin.get(`/api/v1/matters/${own.id}`)
  assert(ownDone.status === 'done' && ownDone.files.length === 1, `the member finished his own: ${JSON.stringify(ownDone)}`)
})

await test('亮身份亮承诺: a member commits on the phone, the branch reviews it in the console, and it is then fixed', async (open) => {
  const phone = await open({ width: 360, height: 740 })
  await login(phone.page, 'member01')
  await phone.page.waitForURL('**/m')
  await phone.page.click('a.tab:has-text("承诺")')
  await phone.page.fill('[data-test=commitment-identity]', '共产党员、科员')
  await phone.page.fill('[data-test=commitment-duty] textarea, textarea[data-test=commitment-duty]', '负责文件收发')
  await phone.page.fill('textarea[data-test=commitment-pledge]', '全年为群众办实事不少于3件')
  await phone.page.click('[data-test=commitment-save]')
  await phone.page.waitForSelector('.card:has-text("全年为群众办实事不少于3件")')
  const year = today.slice(0, 4)
  const mine = (await admin.get(`/api/v1/commitments?year=${year}&org_id=${member01.org_id}`)).items.find((k) => k.member_id === member01.id)
  assert(mine && mine.pledge === '全年为群众办实事不少于3件', `committed: ${JSON.stringify(mine)}`)
  const { page } = await open()
  await login(page, 'admin')
  await page.waitForSelector('[data-test=members-total]')
  await page.goto(`${base}/commitments`)
  await page.click(`[data-test=review-${mine.id}-fulfilled]`)
  await page.fill('.el-message-box input', '按期兑现')
  await page.click('.el-message-box .el-button--primary')
  await page.waitForSelector(`[data-test=commitments] .el-table__row:has-text("已兑现")`)
  await phone.page.reload()
  await phone.page.waitForSelector('[data-test=commitment-review]:has-text("已兑现")')
  assert(await phone.page.locator('[data-test=commitment-save]').count() === 0, 'a reviewed commitment is fixed')
})

await test('双报到: a member scans the community code on the phone, the community confirms on its desk, the console counts him and registers another', async (open) => {
  const east = (await admin.get('/api/v1/communities?q=SQ-001')).items[0]
  const { url } = await admin.get(`/api/v1/communities/${east.id}/code`)
  const phone = await open({ width: 360, height: 740 })
  await login(phone.page, 'member01')
  await phone.page.waitForURL('**/m')
  await phone.page.goto(`${base}${new URL(url).pathname}${new URL(url).search}`)
  await phone.page.waitForSelector(`[data-test=report-community]:has-text("${east.name}")`)
  await phone.page.click('[data-test=report-submit]')
  await phone.page.waitForSelector('[data-test=my-registration]:has-text("待确认")')
  const mine = (await admin.get(`/api/v1/community-registrations?member_id=${member01.id}`)).items[0]
  assert(mine && mine.channel === 'qr' && mine.community_id === east.id, `reported by scanning: ${JSON.stringify(mine)}`)
  // The community's desk: his registration waits there; confirmed with a tick and a click.
  const desk = await open()
  await login(desk.page, 'community01')
  await desk.page.waitForURL('**/community')
  const row = desk.page.locator(`[data-test=desk] .el-table__row:has-text("${member01.name}")`)
  await row.locator('.el-checkbox').click()
  await desk.page.click('[data-test=desk-confirm]')
  await desk.page.waitForSelector('.el-message--success')
  assert((await admin.get(`/api/v1/community-registrations/${mine.id}`)).status === 'confirmed', 'confirmed by the community')
  await shot(desk.page, '25-community-desk')
  await phone.page.reload()
  await phone.page.waitForSelector('[data-test=my-registration]:has-text("已确认")')
  // The console: coverage, and one who has not reported registered from the list.
  const { page } = await open()
  await login(page, 'admin')
  await page.waitForSelector('[data-test=members-total]')
  await page.goto(`${base}/community-reports`)
  await page.waitForSelector('[data-test=coverage] .value:has-text("47 / 47")')
  await page.click('#tab-unregistered')
  await page.waitForSelector('[data-test=unregistered] .el-table__row')
  const before = (await admin.get('/api/v1/community-registrations/unregistered?kind=member&page_size=100')).items.filter((u) => !u.pending)
  await page.click(`[data-test=register-${before[0].member_id}]`)
  await page.click('[data-test=register-save]')
  await page.waitForSelector('[data-test=register-form] .el-form-item__error')  // the community is required
  await page.click('[data-test=register-form] [data-test=community-picker]')
  await page.click(`.el-select-dropdown__item:visible:has-text("${east.name}")`)
  await page.click('[data-test=register-save]')
  await page.waitForSelector('.el-message--success')
  const made = (await admin.get(`/api/v1/community-registrations?member_id=${before[0].member_id}`)).items[0]
  assert(made && made.status === 'pending' && made.community_id === east.id, `registered from the console: ${JSON.stringify(made)}`)
  await shot(page, '26-community-reports')
  // The registry opens an account for a community's staff, who then change the password.
  await page.goto(`${base}/communities`)
  await page.click(`[data-test=community-account-${east.id}]`)
  await page.fill('[data-test=account-username]', 'cuihu-staff')
  await page.fill('[data-test=account-password]', 'Cuihu-Pass-2026')
  await page.click('[data-test=account-save]')
  await page.waitForSelector('.el-message--success')
  const staff = await open()
  await login(staff.page, 'cuihu-staff', 'Cuihu-Pass-2026')
  await staff.page.waitForURL('**/password**')
})

await test('社区服务: the community publishes a call, a member signs up on the phone and checks in by its screen, the community confirms and rates', async (open) => {
  const desk = await open()
  await login(desk.page, 'community01')
  await desk.page.waitForURL('**/community')
  await desk.page.click('#tab-posts')
  await desk.page.click('[data-test=post-add]')
  await desk.page.fill('[data-test=post-title]', '周末协助疫苗接种点引导')
  await desk.page.fill('[data-test=post-place]', '翠湖社区卫生服务站')
  // From ten minutes ago for two hours: check-in is open now.
  const fmt = (d) => new Date(d.getTime() + 8 * 3600000).toISOString().slice(0, 19).replace('T', ' ')
  const start = new Date(Date.now() - 10 * 60000), end = new Date(Date.now() + 120 * 60000)
  const inputs = desk.page.locator('[data-test=post-form] .el-range-input')
  await inputs.nth(0).fill(fmt(start))
  await inputs.nth(1).fill(fmt(end))
  await inputs.nth(1).press('Enter')
  await desk.page.click('[data-test=post-form] .el-dialog__title')
  await desk.page.click('[data-test=post-save]')
  await desk.page.waitForSelector('[data-test=posts] .el-table__row:has-text("周末协助疫苗接种点引导")')
  const posted = (await apiAs(base, 'community01')).get('/api/v1/community-posts?page_size=5')
  const post = (await posted).items.find((x) => x.title === '周末协助疫苗接种点引导')
  assert(post && post.category === 'vaccination', `published: ${JSON.stringify(post)}`)
  // The member signs up on the phone.
  const phone = await open({ width: 360, height: 740 })
  await login(phone.page, 'member01')
  await phone.page.waitForURL('**/m')
  await phone.page.click('a.tab:has-text("社区")')
  await phone.page.click(`[data-test=signup-${post.id}]`)
  await phone.page.waitForSelector(`[data-test=my-service]:has-text("周末协助疫苗接种点引导"):has-text("已报名")`)
  // The screen shows the rotating code; the member keys it in on the check-in page.
  await desk.page.click(`[data-test=post-screen-${post.id}]`)
  await desk.page.waitForSelector('[data-test=post-qr]')
  const digits = (await desk.page.textContent('[data-test=post-code]')).trim()
  await shot(desk.page, '27-community-screen')
  await phone.page.goto(`${base}/checkin?service=${post.id}`)
  await phone.page.fill('input[inputmode=numeric]', digits)
  await phone.page.click('button[type=submit]')
  await phone.page.waitForSelector('[data-test=checkin-ok], [data-test=checkin-error]')
  assert(await phone.page.locator('[data-test=checkin-ok]').count() === 1, `checked in: ${await phone.page.textContent('.box')}`)
  await desk.page.keyboard.press('Escape')
  // Confirmed on the desk with the hours, then rated.
  await desk.page.click('#tab-services')
  const row = desk.page.locator(`[data-test=services] .el-table__row:has-text("${member01.name}")`)
  await row.locator('.el-checkbox').click()
  await desk.page.click('[data-test=services-confirm]')
  await desk.page.waitForSelector('.el-message--success')
  await desk.page.click('[data-test=services-status] .el-radio-button:has-text("已确认")')
  const service = (await admin.get(`/api/v1/community-services?member_id=${member01.id}&post_id=${post.id}`)).items[0]
  assert(service.status === 'confirmed' && service.hours === 2, `confirmed with the post's hours: ${JSON.stringify(service)}`)
  await desk.page.click(`[data-test=rate-${service.id}]`)
  await desk.page.click('[data-test=rate-save]')
  // The confirmation's message may still show: wait for the rating itself.
  await until(async () => (await admin.get(`/api/v1/community-services?member_id=${member01.id}&post_id=${post.id}`)).items[0].rating === 5, 'rated')
  await phone.page.goto(`${base}/m/report`)
  await phone.page.waitForSelector(`[data-test=my-service]:has-text("已确认")`)
  // 双报告: drafted from these records, edited, sent to the branch, then fixed.
  await phone.page.waitForFunction(() => document.querySelector('textarea[data-test=dual-report-body]')?.value.includes('协助开展疫苗接种服务'))
  await phone.page.fill('textarea[data-test=dual-report-body]', (await phone.page.inputValue('textarea[data-test=dual-report-body]')) + '今后继续参加社区志愿服务。')
  await phone.page.click('[data-test=dual-report-send]')
  await phone.page.click('.el-message-box .el-button--primary')
  await phone.page.waitForSelector('[data-test=dual-report-sent]:has-text("今后继续参加社区志愿服务")')
  assert(await phone.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the community page fits the phone width')
  const year = today.slice(0, 4)
  const sent = (await admin.get(`/api/v1/dual-reports?year=${year}&org_id=${member01.org_id}`)).items.find((r) => r.member_id === member01.id)
  assert(sent && sent.sent_at && sent.body.endsWith('今后继续参加社区志愿服务。'), `sent to the branch: ${JSON.stringify(sent)}`)
})

await test('模范机关创建: an organization plans its benchmarks, assesses and submits them; the committee accepts', async (open) => {
  const { page } = await open()
  await login(page, orgAdmin)
  await page.waitForSelector('[data-test=members-total]')
  await page.goto(`${base}/model-organs`)
  await page.click('[data-test=model-add]')
  await page.fill('textarea[data-test=model-standard-0]', '“三会一课”制度落实到位')
  await page.fill('textarea[data-test=model-present-0]', '个别支部记录不全')
  await page.fill('textarea[data-test=model-measures-0]', '每季度检查一次')
  await page.click('[data-test=model-save]')
  await page.waitForSelector('.el-message--success')
  await page.click('[data-test=model-form] .el-dialog__headerbtn')
  await page.click('[data-test=model-plans] .el-table__row:has-text("模范机关创建实施方案")')
  await page.click('[data-test=model-result-0]')
  await page.click('.el-select-dropdown__item:visible:has-text("部分达标")')
  await page.fill('textarea[data-test=model-self]', '基本达到创建标准，个别事项仍需加强')
  await page.click('[data-test=model-submit]')
  await page.waitForSelector('[data-test=model-plans] .el-tag:has-text("已提交自评")')
  const year = today.slice(0, 4)
  const plan = (await admin.get(`/api/v1/model-plans?year=${year}`)).items.find((x) => x.org_id === affiliatedId)
  assert(plan && plan.status === 'submitted' && plan.items_total === 1, `submitted: ${JSON.stringify(plan)}`)
  const committee = await open()
  await login(committee.page, 'admin')
  await committee.page.waitForSelector('[data-test=members-total]')
  await committee.page.goto(`${base}/model-organs`)
  await committee.page.click(`[data-test=model-plans] .el-table__row:has-text("${affiliated.name}")`)
  await committee.page.fill('textarea[data-test=model-note]', '同意验收')
  await committee.page.click('[data-test=model-accept]')
  await committee.page.waitForSelector('[data-test=model-plans] .el-tag:has-text("已验收")')
  assert((await admin.get(`/api/v1/model-plans/${plan.id}`)).status === 'accepted', 'accepted by the committee')
})

await test('场地预约: an organization books a room of the service centre, an overlap is refused in the form, the committee approves', async (open) => {
  const { page } = await open()
  await login(page, orgAdmin)
  await page.waitForSelector('[data-test=members-total]')
  await page.goto(`${base}/venues`)
  const day = shanghai(60 * 24 * 3).slice(0, 10)
  const fillForm = async () => {
    await page.click('[data-test=booking-add]')
    const dialog = page.locator('[data-test=booking-form]').filter({ visible: true })
    await page.click('[data-test=booking-form-venue]')
    await page.click('.el-select-dropdown__item:visible:has-text("多功能报告厅")')
    await page.fill('[data-test=booking-title]', '端到端场地预约')
    await dialog.locator('.el-date-editor input').first().fill(day)
    await page.keyboard.press('Enter')
    // The times typed into their lists (a click on a list still fading out can miss).
    for (const [field, time] of [['booking-start', '19:00'], ['booking-end', '20:30']]) {
      await dialog.locator(`[data-test=${field}] input`).click()
      await page.keyboard.type(time)
      await page.keyboard.press('Enter')
    }
    await page.click('[data-test=booking-save]')
    return dialog
  }
  await fillForm()
  await page.waitForSelector(`[data-test=booking-day] .el-table__row:has-text("端到端场地预约"):has-text("待审批")`)
  const booked = (await admin.get(`/api/v1/venue-bookings?from=${day}&to=${day}`)).items.find((b) => b.title === '端到端场地预约')
  assert(booked && booked.status === 'pending' && booked.starts_at.startsWith(`${day}T19:00`), `booked: ${JSON.stringify(booked)}`)
  const again = await fillForm()
  await again.locator('.el-form-item__error:has-text("已有预约")').waitFor()
  await again.locator('.el-dialog__headerbtn').click()
  const committee = await open()
  await login(committee.page, 'admin')
  await committee.page.waitForSelector('[data-test=members-total]')
  await committee.page.goto(`${base}/venues`)
  await committee.page.click('[data-test=booking-pending] .el-table__row:has-text("端到端场地预约") [data-test=booking-approve]')
  await committee.page.waitForSelector('.el-message--success')
  assert((await admin.get(`/api/v1/venue-bookings/${booked.id}`)).status === 'approved', 'approved by the committee')
  // A training session books its venue from its own row; the session takes the venue as its place.
  const later = shanghai(60 * 24 * 4).slice(0, 10)
  const own = await admin.post('/api/v1/trainings', { org_id: 1, title: '端到端场地班', level: 'unit', target_groups: ['all_members'], starts_on: later, ends_on: later, capacity: 20 })
  const ownSession = await admin.post(`/api/v1/trainings/${own.id}/sessions`, { title: '开班式', started_at: `${later}T19:00:00+08:00`, ended_at: `${later}T20:30:00+08:00` })
  await committee.page.goto(`${base}/trainings/${own.id}`)
  await committee.page.click(`[data-test=edit-session-${ownSession.id}] ~ [data-test=book-venue]`)
  await committee.page.click('[data-test=book-venue-venue]')
  await committee.page.locator('.el-select-dropdown__item:has-text("党员活动室一")').filter({ visible: true }).click()
  await committee.page.click('[data-test=book-venue-save]')
  await committee.page.waitForSelector('.el-message--success')
  await until(async () => (await admin.get(`/api/v1/trainings/${own.id}`)).sessions[0].venue === '市党群活动服务中心 党员活动室一', 'the session takes the venue')
  await committee.page.goto(`${base}/teaching-points`)
  await committee.page.waitForSelector('[data-test=points] .el-table__row:has-text("市党群活动服务中心")')
  assert((await committee.page.locator('[data-test=points] .el-table__row').count()) >= 15, 'the centre, the party school and 13 teaching points')
})

await test('师资库: the committee opens a lecturer with his scores and adds one; a member rates the lecturer of a session he attended, on the phone', async (open) => {
  const { page } = await open()
  await login(page, 'admin')
  await page.waitForSelector('[data-test=members-total]')
  await page.goto(`${base}/lecturers`)
  await page.click('[data-test=lecturers] .el-table__row:has-text("张宏伟")')
  await page.waitForSelector('[data-test=lecturer-detail] [data-test=lecturer-taught] .el-table__row')
  await page.keyboard.press('Escape')
  await page.click('[data-test=lecturer-add]')
  await page.fill('[data-test=lecturer-name]', '端到端讲师')
  await page.fill('[data-test=lecturer-employer]', '市委党校')
  await page.fill('[data-test=lecturer-fields]', '党内法规')
  await page.click('[data-test=lecturer-save]')
  await page.waitForSelector('[data-test=lecturers] .el-table__row:has-text("端到端讲师")')
  const lecturer = (await admin.get('/api/v1/lecturers?q=端到端讲师')).items[0]
  assert(lecturer && lecturer.kind === 'external' && lecturer.employer === '市委党校', `added: ${JSON.stringify(lecturer)}`)
  // A class member01 attended an hour ago, taught by that lecturer.
  const rated = await admin.post('/api/v1/trainings', {
    org_id: 1, title: '端到端评价班', level: 'unit', target_groups: ['all_members'], starts_on: shanghai(-60 * 24).slice(0, 10),
    ends_on: shanghai(60 * 24).slice(0, 10), capacity: 5,
  })
  const s = await admin.post(`/api/v1/trainings/${rated.id}/sessions`, { title: '党内法规专题', lecturer_id: lecturer.id, started_at: shanghai(-180), ended_at: shanghai(-60) })
  await admin.post(`/api/v1/trainings/${rated.id}/enrolments`, { member_id: member01.id })
  await admin.post(`/api/v1/trainings/${rated.id}/sessions/${s.id}/roster`, { checkins: [{ member_id: member01.id, status: 'present' }] })
  const phone = await open({ width: 360, height: 740 })
  await login(phone.page, 'member01')
  await phone.page.waitForURL('**/m')
  await phone.page.click('[data-test=todo-rate] a')
  const card = phone.page.locator(`[data-test=rate-session-${s.id}]`)
  await card.locator('.el-rate__item').nth(3).click()
  await card.locator('textarea[data-test=rate-comment]').fill('结合案例，通俗易懂')
  await card.locator('[data-test=rate-send]').click()
  await phone.page.waitForSelector('.el-message--success')
  await card.waitFor({ state: 'detached' })
  assert(await phone.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the rating page fits the phone width')
  const d = await admin.get(`/api/v1/lecturers/${lecturer.id}`)
  assert(d.ratings === 1 && d.rating === 4 && d.comments[0].comment === '结合案例，通俗易懂', `rated: ${JSON.stringify(d)}`)
})

await test('经费保障: an organization records an expense; one past the balance asks for a reason and is recorded with it', async (open) => {
  const { page } = await open()
  await login(page, orgAdmin)
  await page.waitForSelector('[data-test=members-total]')
  await page.goto(`${base}/funds`)
  await page.click(`[data-test=budget-lines] .el-table__row:has-text("${affiliated.name}")`)
  const drawer = page.locator('[data-test=line-detail]').filter({ visible: true })
  await drawer.locator('[data-test=entry-amount] input').fill('120.50')
  await page.fill('[data-test=entry-description]', '端到端购买学习资料')
  await page.click('[data-test=entry-save]')
  await drawer.locator('[data-test=fund-entries] .el-table__row:has-text("端到端购买学习资料")').waitFor()
  const line = (await admin.get(`/api/v1/budget-lines?year=${today.slice(0, 4)}&org_id=${affiliatedId}`)).items[0]
  await drawer.locator('[data-test=entry-amount] input').fill(String(line.balance + 1000))
  await page.fill('[data-test=entry-description]', '端到端超支')
  await page.click('[data-test=entry-save]')
  await drawer.locator('.el-form-item__error:has-text("余额低于零")').waitFor()
  await page.fill('textarea[data-test=entry-override]', '追加预算已报批')
  await page.click('[data-test=entry-save]')
  await drawer.locator('[data-test=fund-entries] .el-table__row:has-text("端到端超支") .el-tag:has-text("超支")').waitFor()
  const after = await admin.get(`/api/v1/budget-lines/${line.id}`)
  assert(after.balance < 0 && after.entries.some((e) => e.override_reason === '追加预算已报批'), `overdrawn with the reason: ${JSON.stringify(after)}`)
  // A class with its own budget line shows its cost per trainee.
  const demo = (await admin.get('/api/v1/trainings?page_size=500')).items.find((x) => x.title === '市直机关党支部书记示范培训班')
  const committee = await open()
  await login(committee.page, 'admin')
  await committee.page.waitForSelector('[data-test=members-total]')
  await committee.page.goto(`${base}/trainings/${demo.id}`)
  await committee.page.waitForSelector('[data-test=per-trainee] .value:has-text(".")')
})

await test('党刊书籍与阵地: the committee sees the seed\'s numbers; an organization records its bookshelves', async (open) => {
  const { page } = await open()
  await login(page, 'admin')
  await page.waitForSelector('[data-test=members-total]')
  await page.goto(`${base}/collections`)
  await page.waitForSelector('[data-test=collection-figures] .figure:has-text("党建书架") .value:has-text("455")')
  const org = await open()
  await login(org.page, orgAdmin)
  await org.page.waitForSelector('[data-test=members-total]')
  await org.page.goto(`${base}/collections`)
  await org.page.click('[data-test=collection-add]')
  await org.page.click('[data-test=collection-kind]')
  await org.page.locator('.el-select-dropdown__item:has-text("党建书架")').filter({ visible: true }).click()
  await org.page.fill('[data-test=collection-title]', '端到端党建书架')
  await org.page.locator('[data-test=collection-quantity] input').fill('3')
  await org.page.fill('[data-test=collection-place]', '机关二楼走廊')
  await org.page.click('[data-test=collection-save]')
  await org.page.waitForSelector('[data-test=collections] .el-table__row:has-text("端到端党建书架")')
  const f = await admin.get(`/api/v1/collections/figures?year=${today.slice(0, 4)}`)
  assert(f.bookshelves === 458 && f.reading_rooms === 4 && f.book_sets === 82 && f.journal_copies >= 20000, `figures: ${JSON.stringify(f)}`)
})

await test('机关大课堂需求调查: the committee reads needs against lectures held; a member answers the open survey on the phone', async (open) => {
  const { page } = await open()
  await login(page, 'admin')
  await page.waitForSelector('[data-test=members-total]')
  const surveys = (await admin.get('/api/v1/needs-surveys')).items
  const closed = surveys.find((x) => x.responses === 600)
  const current = surveys.find((x) => x.opens_on <= today && today <= x.closes_on)
  assert(closed && current, `the demo's two surveys: ${JSON.stringify(surveys)}`)
  await page.goto(`${base}/needs-surveys`)
  if (closed.year !== current.year) {
    await page.locator('.toolbar .el-input-number input').fill(String(closed.year))
    await page.keyboard.press('Enter')
  }
  await page.click(`[data-test=surveys] .el-table__row:has-text("${closed.title}")`)
  await page.waitForSelector('[data-test=survey-results] [data-test=survey-by-org] .el-table__row')
  const phone = await open({ width: 360, height: 740 })
  await login(phone.page, 'member01')
  await phone.page.waitForURL('**/m')
  await phone.page.click('[data-test=todo-survey] a')
  const card = phone.page.locator(`[data-test=survey-${current.id}]`)
  await card.locator('[data-test=survey-choice-0]').click()
  await card.locator('[data-test=survey-choice-3]').click()
  await card.locator('textarea[data-test=survey-suggestion]').fill('希望讲讲数字政府的实际案例')
  await card.locator('[data-test=survey-send]').click()
  await card.locator('[data-test=survey-answered]').waitFor()
  assert(await phone.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the survey page fits the phone width')
  const res = await admin.get(`/api/v1/needs-surveys/${current.id}/results`)
  assert(res.survey.responses === current.responses + 1 && res.suggestions.includes('希望讲讲数字政府的实际案例'), `answered: ${JSON.stringify(res.survey)}`)
})

await test('精品党课与评选: a judge scores an entry, the committee awards it, the figures count it', async (open) => {
  const year = today.slice(0, 4)
  const city = (await admin.get(`/api/v1/contests?year=${year}`)).items.find((k) => k.level === 'city')
  const entry = (await admin.get(`/api/v1/contests/${city.id}`)).entries.find((e) => !e.award)
  const judge = await open()
  await login(judge.page, 'judge01')
  await judge.page.waitForSelector('[data-test=members-total]')
  await judge.page.goto(`${base}/works`)
  await judge.page.click('.el-tabs__item:has-text("评选")')
  await judge.page.click(`[data-test=contests] .el-table__row:has-text("${city.name}")`)
  const row = judge.page.locator(`[data-test=contest-entries] .el-table__row:has-text("${entry.work_title}")`)
  const inputs = row.locator('.el-input-number input')
  for (const [i, v] of ['38', '27', '26'].entries()) await inputs.nth(i).fill(v)
  await row.locator('[data-test=entry-score]').click()
  await judge.page.waitForSelector('.el-message--success')
  await until(async () => (await apiAs(base, 'judge01').then((j) => j.get(`/api/v1/contests/${city.id}`))).entries.find((e) => e.id === entry.id).my_scores.join() === '38,27,26', 'scored')
  const { page } = await open()
  await login(page, 'admin')
  await page.waitForSelector('[data-test=members-total]')
  await page.goto(`${base}/works`)
  const before = (await admin.get(`/api/v1/works/figures?year=${year}`)).levels.find((l) => l.level === 'city').awards.excellence
  await page.click('.el-tabs__item:has-text("评选")')
  await page.click(`[data-test=contests] .el-table__row:has-text("${city.name}")`)
  await page.locator(`[data-test=contest-entries] .el-table__row:has-text("${entry.work_title}") .el-select`).click()
  await page.locator('.el-select-dropdown__item:has-text("优秀奖")').filter({ visible: true }).click()
  await until(async () => (await admin.get(`/api/v1/works/figures?year=${year}`)).levels.find((l) => l.level === 'city').awards.excellence === before + 1, 'awarded')
})

await test('网上学习: the committee uploads a real video into a new course and publishes it; a member plays it on the phone, seeks, and the server keeps his progress and resumes it', async (open) => {
  const video = `/tmp/dj-e2e-lesson-${process.pid}.mp4`
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=duration=12:size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine=duration=12',
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', video])
  const { page } = await open()
  await login(page, 'admin')
  await page.waitForSelector('[data-test=members-total]')
  await page.goto(`${base}/courses`)
  await page.click('[data-test=course-add]')
  await page.fill('[data-test=course-title]', '端到端测试课程')
  await page.click('[data-test=course-save]')
  await page.waitForURL(/\/courses\/\d+$/)
  const courseId = Number(page.url().split('/').pop())
  await page.click('[data-test=lesson-add]')
  await page.setInputFiles('[data-test=lesson-file]', video)
  await page.waitForSelector('[data-test=lesson-uploaded]')
  assert((await page.textContent('[data-test=lesson-uploaded]')).includes('0:12'), 'the upload was read by ffprobe: 12 s long')
  await page.click('[data-test=lesson-save]')
  await page.waitForSelector('[data-test=lessons] .el-table__row')
  await page.click('[data-test=course-publish]')
  await until(async () => (await page.textContent('[data-test=course-status]')).includes('已发布'), 'published')
  await shot(page, '30-course')
  const lessonId = (await admin.get(`/api/v1/courses/${courseId}`)).lessons[0].id

  const phone = await open({ width: 360, height: 740 })
  await login(phone.page, 'member01')
  await phone.page.waitForURL('**/m')
  await phone.page.click('.tab:has-text("学习")')
  await phone.page.click(`[data-test=my-course-${courseId}]`)
  await phone.page.click(`[data-test=study-lesson-${lessonId}]`)
  await phone.page.waitForSelector('[data-test=lesson-video]')
  const v = '[data-test=lesson-video]'
  assert(await phone.page.$eval(v, (el) => el.canPlayType('video/mp4; codecs="avc1.42E01E, mp4a.40.2"') !== ''), 'Chromium plays H.264')
  await phone.page.$eval(v, (el) => { el.muted = true; return el.play() })
  await phone.page.waitForFunction((sel) => document.querySelector(sel).currentTime > 2.5, v)
  await phone.page.$eval(v, (el) => el.pause())  // a pause reports what played
  const me = await apiAs(base, 'member01')
  const progress = async () => (await me.get(`/api/v1/my/courses/${courseId}`)).lessons[0].progress
  await until(async () => (await progress()).watched_ms >= 2000, 'the server counted the played part')
  // A seek ahead does not count what it skipped; playing on from there does.
  await phone.page.$eval(v, (el) => { el.currentTime = 6; return el.play() })
  await phone.page.waitForFunction((sel) => document.querySelector(sel).currentTime > 7, v)
  await phone.page.$eval(v, (el) => el.pause())
  await until(async () => (await progress()).position_ms >= 7000, 'the position is kept')
  const p = await progress()
  assert(p.watched_ms < 6000 && !p.completed, `the skipped part is not counted: ${JSON.stringify(p)}`)
  await shot(phone.page, '31-member-player')
  // Another device resumes there.
  const other = await open({ width: 360, height: 740 })
  await login(other.page, 'member01')
  await other.page.waitForURL('**/m')
  await other.page.goto(`${base}/m/lessons/${lessonId}`)
  await other.page.waitForSelector(v)
  await other.page.waitForFunction((sel) => document.querySelector(sel).currentTime > 6.5, v)
  assert(await other.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the player fits the phone width')
})

await test('精品作品的视频: an organization uploads its work\'s video with the work; the list plays it from a signed address', async (open) => {
  const video = `/tmp/dj-e2e-work-${process.pid}.mp4`
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=duration=3:size=320x240:rate=25', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', video])
  const { page, ctx } = await open()
  await login(page, orgAdmin)
  await page.waitForSelector('[data-test=members-total]')
  await page.goto(`${base}/works`)
  await page.click('[data-test=work-add]')
  await page.fill('[data-test=work-title]', '端到端微党课')
  await page.fill('[data-test=work-authors]', '机关党委宣传组')
  await page.setInputFiles('[data-test=work-video]', video)
  await page.waitForSelector('[data-test=work-video-kept]')
  await page.click('[data-test=work-save]')
  await page.waitForSelector('.el-message--success')
  const work = (await admin.get(`/api/v1/works?year=${today.slice(0, 4)}`)).items.find((w) => w.title === '端到端微党课')
  assert(work?.media_id, 'the work keeps its uploaded video')
  const [popup] = await Promise.all([ctx.waitForEvent('page'), page.click(`[data-test=work-play-${work.id}]`)])
  await popup.waitForLoadState()
  assert(popup.url().includes(`/api/v1/media/${work.media_id}?`), `plays from the signed address: ${popup.url()}`)
})

await test('console pages render without errors', async (open) => {
  const { page } = await open()
  await login(page, orgAdmin)
  await page.waitForSelector('[data-test=members-total]')
  // An administrator above branch level starts a meeting record with no organization chosen.
  await page.goto(`${base}/activities/new`)
  await page.waitForSelector('[data-test=present-count]')
  assert((await page.textContent('[data-test=present-count]')).includes('应到0人'), 'no organization, nobody ticked')
  await page.goto(`${base}/orgs`)
  await page.waitForSelector('.el-tree-node')
  await page.click('.el-tree-node__content')
  await page.waitForSelector('.el-descriptions')
  await shot(page, '03-organizations')
  await page.goto(`${base}/members`)
  await page.waitForSelector('.el-table__row')
  const masked = await page.textContent('.el-table__row')
  assert(/\*{4,}/.test(masked), `personal information is masked in the list: ${masked}`)
  await page.click('.el-table__row')
  await page.waitForSelector('.el-drawer .el-descriptions')
  await shot(page, '04-members')
  await page.goto(`${base}/activities`)
  await page.waitForSelector('.el-table__row')
  await shot(page, '05-activities')
  await page.click('.el-radio-button:has-text("日历")')
  await page.waitForSelector('.el-calendar .day')  // a month's first day may have nothing yet
  await shot(page, '05-activities-calendar')
  await page.goto(`${base}/trainings/${klass.id}`)
  await page.waitForSelector('.el-table__row')
  await shot(page, '09-training')
  // English is one switch away, and every string follows.
  await page.click('.header .el-select')
  await page.click('.el-select-dropdown__item:has-text("English")')
  await page.waitForSelector('text=Sessions')
  await page.goto(`${base}/members`)
  await page.waitForSelector('text=Political status')
  await page.evaluate(() => localStorage.setItem('locale', 'zh-CN'))
  // The auditor's view of the trail.
  const auditor = await open()
  await login(auditor.page, 'auditor')
  await auditor.page.waitForURL('**/audit')
  await auditor.page.waitForSelector('[data-test=audit] .el-table__row')
  await shot(auditor.page, '12-audit')
  // Filtered by action, in words; exported with the same filter, in words too.
  await auditor.page.click('[data-test=audit-action]')
  await auditor.page.click('.el-select-dropdown__item:visible:has-text("报名培训")')
  await auditor.page.click('[data-test=audit-search]')
  await auditor.page.waitForFunction(() => {
    const cells = [...document.querySelectorAll('[data-test=audit] .el-table__row td:nth-child(4)')]
    return cells.length > 0 && cells.every((c) => c.textContent.trim() === '报名培训')
  })
  const [download] = await Promise.all([auditor.page.waitForEvent('download'), auditor.page.click('[data-test=audit-export]')])
  const file = `/tmp/dj-e2e-audit-${process.pid}.xlsx`
  await download.saveAs(file)
  const out = execFileSync('/usr/bin/python3', ['-c',
    'import sys, openpyxl; ws = openpyxl.load_workbook(sys.argv[1]).worksheets[0]; print(ws.cell(1, 3).value, {r[2] for r in ws.iter_rows(min_row=2, values_only=True)})', file]).toString()
  assert(out.trim() === "操作 {'报名培训'}", `audit export: ${out}`)
})

await test('roster import: check, see the row problems, import the valid rows; export opens', async (open) => {
  const { page } = await open()
  await login(page, orgAdmin)
  await page.waitForSelector('[data-test=members-total]')
  const branchCode = (await admin.get(`/api/v1/orgs/${member01.org_id}`)).code
  const bad = citizenId(8800).slice(0, 17) + (citizenId(8800).endsWith('1') ? '2' : '1')
  const csv = ['姓名,身份证号,人员类别,入党日期,所在党组织',
    `导入甲,${citizenId(8801)},正式党员,2010-07-01,${branchCode}`,
    `导入乙,${bad},正式党员,2010-07-01,${branchCode}`,
    `导入丙,${citizenId(8802)},预备党员,2026/1/5,${branchCode}`].join('\n')
  await page.goto(`${base}/import`)
  await page.setInputFiles('[data-test=file]', { name: '名册.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  await page.click('[data-test=check]')
  await page.waitForSelector('[data-test=problems] .el-table__row')
  const problems = await page.textContent('[data-test=problems]')
  const expected = citizenId(8800).slice(-1)
  assert(problems.includes(`第3行「身份证号」校验位错误：应为${expected}，表中为${bad.slice(-1)}`), `problems: ${problems}`)
  assert(await page.isDisabled('[data-test=commit]'), 'all-or-nothing cannot import a file with problems')
  assert((await page.textContent('[data-test=why-disabled]')).includes('只导入正确的行'), 'the page says why it cannot import')
  await shot(page, '18-import-check')
  await page.click('.el-select:has-text("全部正确才导入")')
  await page.click('.el-select-dropdown__item:has-text("只导入正确的行")')
  await page.click('[data-test=check]')
  await page.waitForSelector('[data-test=commit]:not([disabled])')
  await page.click('[data-test=commit]')
  await page.click('.el-message-box button:has-text("导入")')  // asked once more, with the count
  await page.waitForSelector('text=已导入。')
  assert((await page.textContent('[data-test=created]')).trim() === '2', 'two members created')
  const found = await admin.get(`/api/v1/members?q=导入&org_id=${member01.org_id}`)
  assert(found.total === 2, `members after import: ${found.total}`)
  await page.goto(`${base}/members?org_id=${member01.org_id}`)
  await page.waitForSelector('.el-table__row')
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=export-xlsx]')])
  const file = `/tmp/dj-e2e-export-${process.pid}.xlsx`
  await download.saveAs(file)
  const out = execFileSync('/usr/bin/python3', ['-c',
    'import sys, openpyxl; ws = openpyxl.load_workbook(sys.argv[1]).worksheets[0]; print(ws.max_row - 1, ws.cell(1, 6).value)', file]).toString()
  assert(out.trim().endsWith('身份证号') && Number(out.split(' ')[0]) >= 2, `export: ${out}`)
  // Masked for the organization's administrator, with nothing to reveal it.
  await page.click('.el-table__row >> nth=0')
  await page.waitForSelector('[data-test=citizen-id]')
  const masked = (await page.textContent('[data-test=citizen-id]')).trim()
  assert(masked.includes('**********'), `masked in the drawer: ${masked}`)
  assert(await page.locator('[data-test=reveal]').count() === 0, 'no reveal without member:pii')
  // Masked for the committee too; the full value is one audited click.
  const committee = (await open()).page
  await login(committee, 'admin')
  await committee.waitForSelector('[data-test=members-total]')
  await committee.goto(`${base}/members?org_id=${member01.org_id}`)
  await committee.click('.el-table__row >> nth=0')
  await committee.waitForSelector('[data-test=reveal]')
  assert((await committee.textContent('[data-test=citizen-id]')).includes('**********'), 'masked for the committee')
  await committee.click('[data-test=reveal]')
  await committee.waitForFunction(() => !document.querySelector('[data-test=citizen-id]').textContent.includes('*'))
  const full = (await committee.textContent('[data-test=citizen-id]')).trim()
  assert(/^\d{17}[\dX]$/.test(full), `revealed: ${full}`)
  const audit = await admin.get('/api/v1/audit?action=member.pii_revealed')
  assert(audit.total >= 1, 'the reveal is audited')
})

await test('member pages on a 360 × 740 phone', async (open) => {
  const { page } = await open({ width: 360, height: 740 })
  await login(page, 'member01')
  await page.waitForURL('**/m')
  const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)
  await page.waitForSelector('.todo, .el-empty')
  assert(await fits(), 'to-dos fit the phone width')
  await shot(page, '13-member-todos')
  await page.click('.tab:has-text("学时")')
  await page.waitForSelector('[data-test=hours-total]')
  assert(Number((await page.textContent('[data-test=hours-total]')).split(' ')[0]) > 0, 'hours shown')
  assert(await fits(), 'hours fit the phone width')
  await shot(page, '14-member-hours')
  await page.click('.tab:has-text("培训")')
  await page.waitForSelector('[data-test=my-class]')
  const classes = await page.locator('[data-test=my-class]').allTextContents()
  assert(classes.some((c) => c.includes(klass.title)), `my class is listed: ${classes}`)
  // The QR check-in of the first session shows; the member asks leave for the second.
  assert((await page.textContent('.session:has-text("开班第一课") [data-test=my-checkin]')).includes('出席'), 'own check-in shown')
  await page.click('.session:has-text("专题研讨") button:has-text("请假")')
  await page.fill('.el-message-box input', '外出开会')
  await page.click('.el-message-box .el-button--primary')
  await page.waitForSelector('.session:has-text("专题研讨") [data-test=my-checkin]:has-text("请假")')
  const leave = (await admin.get(`/api/v1/trainings/${klass.id}/sessions/${session2.id}/checkins`)).items.find((i) => i.member_id === member01.id)
  assert(leave.checkin?.status === 'leave' && leave.checkin.reason === '外出开会', `leave recorded: ${JSON.stringify(leave)}`)
  assert(await fits(), 'classes fit the phone width')
  await shot(page, '15-member-classes')
  await page.click('.tab:has-text("活动")')
  await page.waitForSelector('.row')
  assert(await fits(), 'activities fit the phone width')
  await shot(page, '17-member-activities')
  await page.click('.tab:has-text("实事")')
  await page.waitForSelector('.card, .el-empty')
  assert(await fits(), 'matters fit the phone width')
  await shot(page, '18-member-matters')
  await page.click('.tab:has-text("承诺")')
  await page.waitForSelector('[data-test=commitment-form]')
  assert(await fits(), 'the commitment fits the phone width')
  await page.click('.tab:has-text("社区")')
  await page.waitForSelector('[data-test=my-registration], .el-empty')
  assert(await fits(), 'the community report fits the phone width')
  // A member cannot open the console: the router sends him to his pages, the server refuses the data.
  await page.goto(`${base}/members`)
  await page.waitForURL('**/m')
})

// WCAG 2.1 AA: axe-core on every page, in both languages, as the roles that use them.
const axeSource = join(resolve(new URL('.', import.meta.url).pathname, '..'), 'node_modules/axe-core/axe.min.js')
async function axeViolations(page, name) {
  await page.waitForLoadState('networkidle')
  // Loading masks fade out over what they covered: measure once they are gone.
  await page.waitForFunction(() => !document.querySelector('.el-loading-mask'), null, { timeout: 10000 }).catch(() => {})
  await page.waitForTimeout(300)  // transitions settle
  await page.addScriptTag({ path: axeSource })
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] })
    return r.violations.filter((v) => v.impact === 'critical' || v.impact === 'serious')
      .map((v) => `${v.id} (${v.impact}) ×${v.nodes.length}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ' ' + n.html.slice(0, 120)).join(' | ')}`)
  })
  // No code shown to users (snake_case or dotted codes), and no table header cut off.
  const leaks = await page.evaluate(() => {
    const text = document.body.innerText
    const codes = [...new Set(text.match(/\b[a-z]+(?:_[a-z0-9]+)+\b|\b[a-z]+\.[a-z]+_?[a-z_]*\b/g) ?? [])]
      .filter((c) => !/^(www|example|dangjiao)\b|\.(com|cn|org|gov|xlsx|csv|pdf|png|jpg|json)$/.test(c))
    // A header, tab or the brand wider or taller than its box is cut (table
    // text no longer breaks inside a word, so a narrow English header shows here).
    const cut = [...document.querySelectorAll('.el-table th .cell, .el-tabs__item, .brand')]
      .filter((c) => c.scrollWidth > c.clientWidth + 1 || c.scrollHeight > c.clientHeight + 1)
      .map((c) => c.textContent.trim())
    return [...codes.map((c) => `code shown: ${c}`), ...cut.map((c) => `text cut: ${c}`)]
  })
  return [...found, ...leaks].map((f) => `${name}: ${f}`)
}
await test('every page meets WCAG 2.1 AA (axe-core: no critical or serious violation), shows no code and cuts no header, in Chinese and English', async (open) => {
  const problems = []
  const consolePages = ['/', '/orgs', '/members', '/import', '/activities', '/activities/new', '/compliance', '/stats',
    '/trainings', `/trainings/${klass.id}`, '/training-plans', '/home-deliveries', '/matters', '/commitments',
    '/community-reports', '/communities', '/community', '/model-organs', '/venues', '/teaching-points', '/lecturers', '/funds', '/collections', '/needs-surveys', '/works', '/courses', `/courses/${course.id}`, '/audit', '/account']
  const phonePages = ['/m', '/m/hours', '/m/classes', '/m/activities', '/m/matters', '/m/commitment', '/m/report', '/m/rate', '/m/survey', '/m/courses', `/m/courses/${course.id}`, `/m/lessons/${linkLesson.id}`, `/checkin?session=${session.id}`]
  const dialogsOf = {
    '/members': ['[data-test=member-add]'],
    '/matters': ['[data-test=matter-add]', '[data-test=matters] .el-table__row'],
    '/community-reports': ['[data-test=registrations] .el-table__row', '#tab-unregistered >> then [data-test=unregistered] .el-button',
      '#tab-services >> then [data-test=service-add]'],
    '/community': ['#tab-posts >> then [data-test=post-add]'],
    '/model-organs': ['[data-test=model-add]'],
    '/venues': ['[data-test=booking-add]'],
    '/lecturers': ['[data-test=lecturer-add]', '[data-test=lecturers] .el-table__row'],
    '/funds': ['[data-test=line-add]', '[data-test=budget-lines] .el-table__row'],
    '/collections': ['[data-test=collection-add]'],
    '/courses': ['[data-test=course-add]'],
    [`/courses/${course.id}`]: ['[data-test=course-edit]', '[data-test=lesson-add]', '#tab-assignments >> then [data-test=assignment-add]',
      '#tab-assignments >> then [data-test=assignments] .el-table__row'],
    '/needs-surveys': ['[data-test=survey-add]'],
    '/works': ['[data-test=work-add]', '#tab-contests >> then [data-test=contest-add]', '#tab-contests >> then [data-test=contests] .el-table__row'],
    '/teaching-points': ['[data-test=point-add]', '[data-test=points] .el-table__expand-icon >> then [data-test=venue-add-FWZX]'],
    '/communities': ['[data-test=community-add]', '[data-test=communities] .el-button', '[data-test^=community-account-]'],
    '/activities': ['[data-test=activity-list] .el-table__row'],
    '/trainings': ['button.el-button--danger'],
    [`/trainings/${klass.id}`]: ['[data-test=edit-class]', '[data-test=add-session]', '#tab-enrolments >> then [data-test=batch-open]'],
  }
  for (const lang of ['zh-CN', 'en']) {
    const visitor = await open(undefined, true)
    await visitor.page.goto(`${base}/login`)
    await visitor.page.evaluate((l) => localStorage.setItem('locale', l), lang)
    problems.push(...await axeViolations(visitor.page, `${lang} /login`))
    await login(visitor.page, 'admin')
    await visitor.page.waitForSelector('[data-test=members-total]')
    for (const path of consolePages) {
      await visitor.page.goto(`${base}${path}`)
      problems.push(...await axeViolations(visitor.page, `${lang} ${path}`))
      // The page's dialogs and drawers, opened, meet the same bar.
      for (const opener of dialogsOf[path] ?? []) {
        await visitor.page.goto(`${base}${path}`)
        for (const step of opener.split(' >> then ')) await visitor.page.click(step)
        await visitor.page.waitForSelector('.el-dialog:visible, .el-drawer:visible')
        problems.push(...await axeViolations(visitor.page, `${lang} ${path} ${opener}`))
      }
    }
    const phone = await open({ width: 360, height: 740 }, true)
    await phone.page.goto(`${base}/login`)
    await phone.page.evaluate((l) => localStorage.setItem('locale', l), lang)
    await login(phone.page, 'member01')
    await phone.page.waitForURL('**/m')
    for (const path of phonePages) {
      await phone.page.goto(`${base}${path}`)
      problems.push(...await axeViolations(phone.page, `${lang} ${path}`))
    }
  }
  assert(problems.length === 0, `axe-core:\n${problems.join('\n')}`)
})

await close()
await server.stop()
console.log(`figures ${JSON.stringify(figures)}`)
const failed = results.filter((r) => !r.ok).length
console.log(`${results.length - failed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
