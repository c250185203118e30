// Resources (保障): the venues' booking calendar and approvals; the teaching
// points with their venues and usage figures.
import type { Module } from '../../modules'

const module: Module = {
  routes: [
    { path: 'venues', component: () => import('./Bookings.vue') },
    { path: 'teaching-points', component: () => import('./Points.vue') },
  ],
  menu: [
    { path: '/venues', label: 'menu.venues', perm: 'member:read' },
    { path: '/teaching-points', label: 'menu.teachingPoints', perm: 'member:read' },
  ],
  messages: {
    'zh-CN': {
      menu: { venues: '场地预约', teachingPoints: '教学点与场地' },
      pointKind: { service_centre: '党群活动服务中心', teaching_point: '教学点', party_school: '党校分校' },
      bookingStatus: { pending: '待审批', approved: '已批准', rejected: '已退回', cancelled: '已取消' },
      venues: {
        point: '场所', venue: '场地', allVenues: '全部场地', book: '预约场地', title: '活动名称', date: '日期', start: '开始', end: '结束', attendees: '人数',
        contact: '联系人', note: '备注', status: '状态', time: '时间', dayTitle: '{date} 的预约', none: '当天没有预约', pending: '待审批的预约',
        approve: '批准', reject: '退回', reply: '审批意见', rejectHint: '退回原因（必填）', cancel: '取消预约', cancelReason: '取消原因', used: '已使用', unused: '未使用',
        checkUse: '核验使用', useNote: '核验说明', own: '本人提交', dayCount: '{n}场', more: '另{n}场', booked: '预约已提交', seats: '容纳{n}人',
        opens: '开放时间', equipment: '设备', needsApproval: '须审批', noApproval: '无须审批', usage: '{year}年使用情况', bookings: '预约', approvedCount: '批准', usedCount: '核验使用',
        orgs: '使用单位', hours: '使用时长（小时）', addPoint: '新增场所', editPoint: '修改场所', addVenue: '新增场地', editVenue: '修改场地', code: '编号', name: '名称', kind: '类型',
        address: '地址', phone: '电话', description: '简介', host: '依托单位', capacity: '容纳人数', closes: '关闭时间', removePoint: '删除“{name}”？', removeVenue: '删除场地“{name}”？',
        venueCount: '场地数',
      },
      problem: {
        starts_at: { overlap: '该场地此时段已有预约，请换时间或场地', closed: '不在场地开放时间内', past: '不能预约已过去的时间', started: '预约已开始，不能取消' },
        attendees: { capacity: '超过场地容纳人数' },
        booked_by: { own_booking: '不能审批自己提交的预约' },
        ends_at: { not_ended: '预约结束后才能核验使用' },
        status: { not_pending: '只能审批待审批的预约', closed: '该预约已结束或已取消', not_approved: '只能核验已批准的预约' },
        opens: { time: '请按 时:分 填写，如 08:30' },
        closes: { time: '请按 时:分 填写，如 17:30' },
        code: { taken: '编号已被使用' },
      },
      auditAction: {
        teaching_point: { create: '新增教学点', update: '修改教学点', remove: '删除教学点' },
        venue: { create: '新增场地', update: '修改场地', remove: '删除场地' },
        venue_booking: { create: '预约场地', approve: '批准场地预约', reject: '退回场地预约', cancel: '取消场地预约', check: '核验场地使用' },
      },
      auditEntity: { teaching_point: '教学点', venue: '场地', venue_booking: '场地预约' },
    },
    en: {
      menu: { venues: 'Venue bookings', teachingPoints: 'Teaching points' },
      pointKind: { service_centre: 'Activity service centre', teaching_point: 'Teaching point', party_school: 'Party school branch' },
      bookingStatus: { pending: 'Pending', approved: 'Approved', rejected: 'Rejected', cancelled: 'Cancelled' },
      venues: {
        point: 'Place', venue: 'Venue', allVenues: 'All venues', book: 'Book a venue', title: 'Event', date: 'Date', start: 'From', end: 'To', attendees: 'People',
        contact: 'Contact', note: 'Note', status: 'Status', time: 'Time', dayTitle: 'Bookings on {date}', none: 'No bookings that day', pending: 'Bookings to approve',
        approve: 'Approve', reject: 'Reject', reply: 'Reply', rejectHint: 'Why it is rejected (required)', cancel: 'Cancel the booking', cancelReason: 'Why it is cancelled', used: 'Used', unused: 'Not used',
        checkUse: 'Check its use', useNote: 'Note', own: 'Booked by you', dayCount: '{n}', more: '{n} more', booked: 'Booking sent', seats: 'Seats {n}',
        opens: 'Open', equipment: 'Equipment', needsApproval: 'Needs approval', noApproval: 'No approval needed', usage: 'Use in {year}', bookings: 'Bookings', approvedCount: 'Approved', usedCount: 'Checked used',
        orgs: 'Organizations', hours: 'Hours', addPoint: 'Add a place', editPoint: 'Edit the place', addVenue: 'Add a venue', editVenue: 'Edit the venue', code: 'Code', name: 'Name', kind: 'Kind',
        address: 'Address', phone: 'Phone', description: 'About', host: 'Host organization', capacity: 'Seats', closes: 'Closes', removePoint: 'Remove “{name}”?', removeVenue: 'Remove the venue “{name}”?',
        venueCount: 'Venues',
      },
      problem: {
        starts_at: { overlap: 'the venue is booked at that time; choose another time or venue', closed: 'the venue is closed then', past: 'that time has passed', started: 'the booking has started' },
        attendees: { capacity: 'more people than the venue seats' },
        booked_by: { own_booking: 'nobody approves his own booking' },
        ends_at: { not_ended: 'its use is checked after it ends' },
        status: { not_pending: 'only a pending booking is decided', closed: 'the booking is over or cancelled', not_approved: 'only an approved booking is checked' },
        opens: { time: 'write it as HH:MM, e.g. 08:30' },
        closes: { time: 'write it as HH:MM, e.g. 17:30' },
        code: { taken: 'the code is taken' },
      },
      auditAction: {
        teaching_point: { create: 'Add a teaching point', update: 'Change a teaching point', remove: 'Remove a teaching point' },
        venue: { create: 'Add a venue', update: 'Change a venue', remove: 'Remove a venue' },
        venue_booking: { create: 'Book a venue', approve: 'Approve a booking', reject: 'Reject a booking', cancel: 'Cancel a booking', check: 'Check a booking\'s use' },
      },
      auditEntity: { teaching_point: 'Teaching point', venue: 'Venue', venue_booking: 'Venue booking' },
    },
  },
}
export default module
