// Learning delivered at home (送学上门): the page, its menu entry and labels.
import type { Module } from '../../modules'

const module: Module = {
  routes: [{ path: 'home-deliveries', component: () => import('./index.vue') }],
  menu: [{ path: '/home-deliveries', label: 'menu.deliveries', perm: 'member:read' }],
  messages: {
    'zh-CN': {
      menu: { deliveries: '送学上门' },
      deliveries: {
        hint: '为年老体弱、退休党员送学上门，学时记入本人学习档案。', record: '登记送学上门', to: '送学对象', by: '送学人',
        on: '送学日期', content: '学习内容', infirm: '· 年老体弱', retired: '· 退休',
      },
    },
    en: {
      menu: { deliveries: 'Learning at home' },
      deliveries: {
        hint: 'Learning delivered at home to infirm and retired members; the hours go to their ledger.', record: 'Record a delivery',
        to: 'Member', by: 'Delivered by', on: 'Date', content: 'What was studied', infirm: '· infirm', retired: '· retired',
      },
    },
  },
}
export default module
