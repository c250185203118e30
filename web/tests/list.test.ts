import { describe, expect, it } from 'vitest'
import { nextTick, reactive } from 'vue'
import { usePagedList } from '../src/list'
import type { Page } from '../src/api'

// A fetch whose answers the test releases in any order.
function deferredFetch() {
  const calls: { query: Record<string, unknown>; resolve: (p: Page<string>) => void }[] = []
  const fetchPage = (query: Record<string, unknown>) =>
    new Promise<Page<string>>((resolve) => calls.push({ query, resolve }))
  return { calls, fetchPage }
}

describe('paged list', () => {
  it('waits for its filters when told not to load on mount', async () => {
    const { calls, fetchPage } = deferredFetch()
    const filters = reactive({ from: '' })
    usePagedList(fetchPage, filters, 20, false)
    await nextTick()
    expect(calls).toHaveLength(0)
    filters.from = '2026-11-03'
    await nextTick()
    expect(calls.map((c) => c.query.from)).toEqual(['2026-11-03'])
  })
  it('shows the latest request, not a slower earlier one', async () => {
    const { calls, fetchPage } = deferredFetch()
    const filters = reactive({ from: '' })
    const list = usePagedList(fetchPage, filters, 20, false)
    list.load()
    filters.from = '2026-11-03'
    await nextTick()
    calls[1].resolve({ items: ['day'], total: 1 } as Page<string>)
    calls[0].resolve({ items: ['month'], total: 57932 } as Page<string>)
    await new Promise((r) => setTimeout(r))
    expect(list.total.value).toBe(1)
    expect(list.rows.value).toEqual(['day'])
    expect(list.loading.value).toBe(false)
  })
})
