import { describe, expect, it } from 'vitest'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import zhCNBase from '../src/i18n/zh-CN'
import enBase from '../src/i18n/en'
import { menu } from '../src/perm'
import { modules, withModules } from '../src/modules'

// The shared labels and those the modules bring (src/modules/*/module.ts).
const zhCN = withModules(zhCNBase, 'zh-CN')
const en = withModules(enBase, 'en')

function keys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]))
}
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? sources(p) : /\.(vue|ts)$/.test(n) ? [p] : []
  })
}

describe('locale files', () => {
  it('have the same keys in Chinese and English', () => {
    expect(keys(en).sort()).toEqual(keys(zhCN).sort())
  })
  it('hold every key the pages use', () => {
    const all = new Set(keys(zhCN))
    const used = new Set<string>()
    for (const f of sources(join(process.cwd(), 'src'))) {
      for (const m of readFileSync(f, 'utf8').matchAll(/\bt\('([a-zA-Z0-9_.]*[a-zA-Z0-9_])'/g)) used.add(m[1])
    }
    for (const m of menu) used.add(m.label)
    const missing = [...used].filter((k) => !all.has(k))
    expect(missing).toEqual([])
    expect(used.size).toBeGreaterThan(100)
  })
})

describe('modules', () => {
  it('bring their pages, menu entries and labels in both languages', () => {
    expect(modules.length).toBeGreaterThan(0)
    for (const m of modules) {
      expect(m.routes.length).toBeGreaterThan(0)
      for (const e of m.menu) expect(menu).toContain(e)
      expect(keys(m.messages.en).sort()).toEqual(keys(m.messages['zh-CN']).sort())
    }
    expect(menu.map((m) => m.path)).toContain('/home-deliveries')
    expect(menu[menu.length - 1].path).toBe('/account')
  })
})
