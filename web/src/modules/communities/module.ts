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
      problem: {
        registered: '已在社区报到，请先结束原报到', not_required: '不属于应报到的在职党员', decided: '已经处理过', ended: '报到已结束',
        full: '名额已满', closed: '活动已结束或已取消', signed_up: '您已报名', not_confirmed: '服务经社区确认后才能评价', outside_window: '不在签到时间内',
      },
      serviceStatus: { signed_up: '已报名', present: '已签到', pending: '待确认', confirmed: '已确认', rejected: '已退回' },
      postKind: { need: '群众需求', volunteer: '志愿岗位' },
      reports: {
        tab: '双报告', received: '单位报告', memberTitle: '{year}年度党员双报告', orgTitle: '{year}年度单位双报告', toBranch: '向所在党支部报告在社区发挥作用情况',
        toCommunity: '向{name}报告', noCommunity: '尚未到社区报到，报告无处提交', sentAt: '已于{at}提交', text: '报告内容', redraft: '按最新记录重新起草',
        send: '提交', sendConfirm: '提交后不能再修改，确定提交？', sentOk: '已提交', writeFor: '撰写单位报告：选择党组织', from: '报告人', to: '报告对象', branch: '所在党支部', draftState: '草稿',
      },
      services: {
        tab: '社区服务', received: '服务确认', posts: '需求与岗位', publish: '发布需求', kind: '类型', title: '服务内容', category: '类别', place: '地点', when: '时间',
        slots: '名额', hours: '服务时长', hoursHint: '时长（小时）', description: '说明', signedUp: '已报名', cancelled: '已取消', cancel: '取消', cancelConfirm: '取消“{title}”？已报名的党员将收到退回。',
        screen: '签到大屏', screenAlt: '服务签到二维码', screenHint: '党员到场后用手机扫码签到，或输入上方6位签到码', servedOn: '服务日期', rating: '社区评价', rate: '评价', comment: '评语', stars: '{n}星',
        byOrgs: '{year}年党组织到社区服务（次）', byMembers: '{year}年党员到社区服务（次）', ofWhichVaccination: '其中协助疫苗接种', record: '登记组织服务', note: '备注',
        open: '社区需求与志愿岗位', noPosts: '暂无可报名的服务', left: '余{n}个名额', signUp: '报名', signedUpTag: '已报名', signedUpOk: '报名成功，到场后扫码签到',
        mine: '我的服务', recordMine: '补记服务', none: '还没有服务记录', hoursN: '{n}小时', reportFirst: '请先到居住地社区报到',
      },
      communities: {
        tab: '社区', pick: '选择社区', search: '按名称、街道、区县搜索', add: '新增社区', name: '社区名称', district: '区县', street: '街道',
        contact: '联系人', phone: '联系电话', codeField: '社区编码', code: '报到二维码', codeAlt: '{name}报到二维码', codeHint: '党员用手机扫码即可到本社区报到',
        on: '统计日期', orgCoverage: '直属党组织报到', memberCoverage: '在职党员报到', pending: '等待社区确认', registrations: '报到登记', unregistered: '未报到',
        kind: '报到主体', status: '状态', registeredOn: '报到日期', who: '党组织 / 党员', community: '报到社区', channel: '方式', ended: '结束', allReported: '应报到的均已报到',
        waiting: '已报到，待确认', notYet: '未报到', register: '登记报到', registerTitle: '登记报到：{who}', agreement: '共建协议', contacts: '联络人',
        endOn: '结束日期', endReason: '原因', end: '结束报到', confirm: '确认报到（{n}）', reject: '退回', replyHint: '退回原因（可不填）', decided: '已处理 {n} 条',
        reportTitle: '到社区报到', reportHere: '在此社区报到', reported: '已报到，等待社区确认', unknownCode: '二维码无效，请向社区索取新的报到码', scanHint: '请扫描居住地社区的报到二维码',
        myRegistrations: '我的报到记录', none: '还没有报到记录', since: '{on} 报到',
        account: '开通账号', accountFor: '为{name}开通账号', initialPassword: '初始密码', accountHint: '社区工作人员首次登录时须修改密码；账号只能看到本社区的报到和服务。', accountMade: '已开通账号 {name}',
      },
    },
    en: {
      menu: { communityReports: 'Community reporting', communities: 'Communities', communityDesk: 'Community desk' },
      registrationKind: { org: 'Organization', member: 'Member' },
      registrationStatus: { pending: 'Awaiting confirmation', confirmed: 'Confirmed', rejected: 'Returned' },
      registrationChannel: { admin: 'By an administrator', qr: 'By scanning' },
      registrationEnd: { moved: 'Moved away', retired: 'Retired', transferred: 'Transferred', other: 'Other' },
      problem: {
        registered: 'already reported to a community; end that registration first', not_required: 'is not an in-service member who reports', decided: 'was already answered', ended: 'the registration has ended',
        full: 'all places are taken', closed: 'the post is over or cancelled', signed_up: 'you have signed up already', not_confirmed: 'only a confirmed service is rated', outside_window: 'check-in is not open now',
      },
      serviceStatus: { signed_up: 'Signed up', present: 'Checked in', pending: 'Awaiting confirmation', confirmed: 'Confirmed', rejected: 'Returned' },
      postKind: { need: 'Need', volunteer: 'Volunteer post' },
      reports: {
        tab: 'Yearly reports', received: 'Organizations\' reports', memberTitle: 'My report for {year}', orgTitle: 'The organization\'s report for {year}', toBranch: 'To my branch, on my work in the community',
        toCommunity: 'To {name}', noCommunity: 'Not reported to a community yet: nowhere to send it', sentAt: 'Sent {at}', text: 'Report', redraft: 'Draft again from the latest records',
        send: 'Send', sendConfirm: 'Once sent it cannot be changed. Send it?', sentOk: 'Sent', writeFor: 'Write an organization\'s report: choose it', from: 'From', to: 'To', branch: 'The branch', draftState: 'Draft',
      },
      services: {
        tab: 'Services', received: 'Services received', posts: 'Needs and posts', publish: 'Publish a need', kind: 'Kind', title: 'Service', category: 'Category', place: 'Place', when: 'When',
        slots: 'Places', hours: 'Hours', hoursHint: 'Hours', description: 'Details', signedUp: 'Signed up', cancelled: 'Cancelled', cancel: 'Cancel', cancelConfirm: 'Cancel “{title}”? Those signed up are told.',
        screen: 'Check-in screen', screenAlt: 'Service check-in QR code', screenHint: 'Members scan it on arrival, or enter the six digits above', servedOn: 'Served on', rating: 'Community rating', rate: 'Rate', comment: 'Comment', stars: '{n} stars',
        byOrgs: 'Services by organizations in {year}', byMembers: 'Services by members in {year}', ofWhichVaccination: 'of which vaccination support', record: 'Record an organization\'s service', note: 'Note',
        open: 'Needs and volunteer posts', noPosts: 'Nothing to sign up for now', left: '{n} places left', signUp: 'Sign up', signedUpTag: 'Signed up', signedUpOk: 'Signed up; scan the code when you arrive',
        mine: 'My services', recordMine: 'Record a service', none: 'No services yet', hoursN: '{n} h', reportFirst: 'Report to the community where you live first',
      },
      communities: {
        tab: 'Community', pick: 'Choose a community', search: 'Search by name, street or district', add: 'Add a community', name: 'Community', district: 'District', street: 'Street',
        contact: 'Contact', phone: 'Phone', codeField: 'Code', code: 'Registration code', codeAlt: 'Registration code of {name}', codeHint: 'Members scan it with their phone to report to this community',
        on: 'As of', orgCoverage: 'Affiliated organizations reported', memberCoverage: 'In-service members reported', pending: 'Awaiting the community', registrations: 'Registrations', unregistered: 'Not reported',
        kind: 'Reported by', status: 'Status', registeredOn: 'Reported on', who: 'Organization / member', community: 'Community', channel: 'How', ended: 'Ended', allReported: 'Everyone who must has reported',
        waiting: 'Reported, awaiting confirmation', notYet: 'Not reported', register: 'Register', registerTitle: 'Register: {who}', agreement: 'Partnership agreement', contacts: 'Liaison',
        endOn: 'Ended on', endReason: 'Reason', end: 'End registration', confirm: 'Confirm ({n})', reject: 'Return', replyHint: 'Why it is returned (optional)', decided: '{n} answered',
        reportTitle: 'Report to a community', reportHere: 'Report to this community', reported: 'Reported; the community will confirm', unknownCode: 'This code is not valid; ask the community for a new one', scanHint: 'Scan the registration code of the community where you live',
        myRegistrations: 'My registrations', none: 'No registrations yet', since: 'reported on {on}',
        account: 'Open an account', accountFor: 'An account for {name}', initialPassword: 'Initial password', accountHint: 'The community\'s staff change the password at the first login; the account sees only this community\'s registrations and services.', accountMade: 'Account {name} opened',
      },
    },
  },
}
export default module
