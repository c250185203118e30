// A paged list from the API, the shape every list page has: rows, total,
// page and page size, a loading flag; it loads on mount (unless `onMount` is
// false: a list that waits for its filters) and again when the filters (back
// to page 1), the page or the page size change. Only the latest request's
// answer is shown, so a slow earlier one never overwrites it.
import { onMounted, ref, watch, type Ref } from 'vue'
import type { Page } from './api'
import { showError } from './errors'

// `fetchPage` is a generated list operation (getMembers, getActivities, ...);
// empty filters ('' or null) are left out of its query.
export function usePagedList<Q, T>(
  fetchPage: (query: Q) => Promise<Page<T>>,
  filters: Record<string, unknown> = {},
  size = 20,
  onMount = true,
) {
  const rows = ref<T[]>([]) as Ref<T[]>
  const total = ref(0)
  const page = ref(1)
  const pageSize = ref(size)
  const loading = ref(false)
  let latest = 0
  async function load() {
    const mine = ++latest
    loading.value = true
    try {
      const p = await fetchPage({ ...filters, page: page.value, page_size: pageSize.value } as Q)
      if (mine !== latest) return
      rows.value = p.items
      total.value = p.total
    } catch (e) {
      if (mine === latest) showError(e)
    } finally {
      if (mine === latest) loading.value = false
    }
  }
  watch(
    () => ({ ...filters }),
    () => {
      if (page.value === 1) load()
      else page.value = 1
    },
  )
  watch([page, pageSize], load)
  if (onMount) onMounted(load)
  return { rows, total, page, pageSize, loading, load }
}

/** A list's filters without the empty ones ('' or null), as an export's query takes them. */
export const filled = (filters: Record<string, unknown>): Record<string, any> =>
  Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== '' && v !== null))
