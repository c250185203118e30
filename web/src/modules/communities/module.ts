// 双报到: the registry of communities, the console's coverage and
// registrations, a community's own desk, and the member's report on the phone.
import type { Module } from '../../modules'

const module: Module = {
  routes: [
    { path: 'communities', component: () => import('./Registry.vue') },
    { path: 'community-reports', component: () => import('./index.vue') },
    { path: 'community', component: () => import('./Desk.vue') },
  ],
  phoneRoutes: [{ path: 'report', component: () => import('./Report.vue') }],
  phoneTabs: [{ to: '/m/report', label: 'communities.tab' }],
  menu: [
    { path: '/community-reports', label: 'menu.communityReports', perm: 'member:read' },
    { path: '/communities', label: 'menu.communities', perm: 'member:read' },
    { path: '/community', label: 'menu.communityDesk', perm: 'community:confirm' },
  ],
  messages: {
    'zh-CN': {
      menu: { communityReports: '双报到', communities: '社区', communityDesk: '社区工作台' },
      registrationKind: { org: '党组织', member: '党员' },
      registrationStatus: { pending: '待确认', confirmed: '已确认', rejected: '已退回' },
      registrationChannel: { admin: '管理员登记', qr: '扫码报到' },
      registrationEnd: { moved: '搬离', retired: '退休', transferred: '调离', other: '其他' },
      problem: { registered: '已在社区报到，请先结束原报到', not_required: '不属于应报到的在职党员', decided: '已经处理过', ended: '报到已结束' },
      communities: {
        tab: '报到', pick: '选择社区', search: '按名称、街道、区县搜索', add: '新增社区', name: '社区名称', district: '区县', street: '街道',
        contact: '联系人', phone: '联系电话', codeField: '社区编码', code: '报到二维码', codeAlt: '{name}报到二维码', codeHint: '党员用手机扫码即可到本社区报到',
        on: '统计日期', orgCoverage: '直属党组织报到', memberCoverage: '在职党员报到', pending: '等待社区确认', registrations: '报到登记', unregistered: '未报到',
        kind: '报到主体', status: '状态', registeredOn: '报到日期', who: '党组织 / 党员', community: '报到社区', channel: '方式', ended: '结束', allReported: '应报到的均已报到',
        waiting: '已报到，待确认', notYet: '未报到', register: '登记报到', registerTitle: '登记报到：{who}', agreement: '共建协议', contacts: '联络人',
        endOn: '结束日期', endReason: '原因', end: '结束报到', confirm: '确认报到（{n}）', reject: '退回', replyHint: '退回原因（可不填）', decided: '已处理 {n} 条',
        reportTitle: '到社区报到', reportHere: '在此社区报到', reported: '已报到，等待社区确认', unknownCode: '二维码无效，请向社区索取新的报到码', scanHint: '请扫描居住地社区的报到二维码',
        myRegistrations: '我的报到记录', none: '还没有报到记录', since: '{on} 报到',
      },
    },
    en: {
      menu: { communityReports: 'Community reporting', communities: 'Communities', communityDesk: 'Community desk' },
      registrationKind: { org: 'Organization', member: 'Member' },
      registrationStatus: { pending: 'Awaiting confirmation', confirmed: 'Confirmed', rejected: 'Returned' },
      registrationChannel: { admin: 'By an administrator', qr: 'By scanning' },
      registrationEnd: { moved: 'Moved away', retired: 'Retired', transferred: 'Transferred', other: 'Other' },
      problem: { registered: 'already reported to a community; end that registration first', not_required: 'is not an in-service member who reports', decided: 'was already answered', ended: 'the registration has ended' },
      communities: {
        tab: 'Report', pick: 'Choose a community', search: 'Search by name, street or district', add: 'Add a community', name: 'Community', district: 'District', street: 'Street',
        contact: 'Contact', phone: 'Phone', codeField: 'Code', code: 'Registration code', codeAlt: 'Registration code of {name}', codeHint: 'Members scan it with their phone to report to this community',
        on: 'As of', orgCoverage: 'Affiliated organizations reported', memberCoverage: 'In-service members reported', pending: 'Awaiting the community', registrations: 'Registrations', unregistered: 'Not reported',
        kind: 'Reported by', status: 'Status', registeredOn: 'Reported on', who: 'Organization / member', community: 'Community', channel: 'How', ended: 'Ended', allReported: 'Everyone who must has reported',
        waiting: 'Reported, awaiting confirmation', notYet: 'Not reported', register: 'Register', registerTitle: 'Register: {who}', agreement: 'Partnership agreement', contacts: 'Liaison',
        endOn: 'Ended on', endReason: 'Reason', end: 'End registration', confirm: 'Confirm ({n})', reject: 'Return', replyHint: 'Why it is returned (optional)', decided: '{n} answered',
        reportTitle: 'Report to a community', reportHere: 'Report to this community', reported: 'Reported; the community will confirm', unknownCode: 'This code is not valid; ask the community for a new one', scanHint: 'Scan the registration code of the community where you live',
        myRegistrations: 'My registrations', none: 'No registrations yet', since: 'reported on {on}',
      },
    },
  },
}
export default module
