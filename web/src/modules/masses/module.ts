// 我为群众办实事: the console page, the member's phone page, menu entries and labels.
import type { Module } from '../../modules'

const module: Module = {
  routes: [
    { path: 'matters', component: () => import('./index.vue') },
    { path: 'commitments', component: () => import('./Commitments.vue') },
    { path: 'model-organs', component: () => import('./ModelOrgans.vue') },
  ],
  phoneRoutes: [
    { path: 'matters', component: () => import('./Mine.vue') },
    { path: 'commitment', component: () => import('./Commitment.vue') },
  ],
  phoneTabs: [
    { to: '/m/matters', label: 'matters.tab' },
    { to: '/m/commitment', label: 'commitments.tab' },
  ],
  menu: [
    { path: '/matters', label: 'menu.matters', perm: 'member:read' },
    { path: '/commitments', label: 'menu.commitments', perm: 'member:read' },
    { path: '/model-organs', label: 'menu.modelOrgans', perm: 'member:read' },
  ],
  messages: {
    'zh-CN': {
      menu: { matters: '我为群众办实事', commitments: '亮身份亮承诺', modelOrgans: '模范机关创建' },
      modelStatus: { draft: '草稿', submitted: '已提交自评', accepted: '已验收', returned: '已退回' },
      modelResult: { met: '达标', partly: '部分达标', not: '未达标' },
      model: {
        add: '制定创建计划', defaultTitle: '{year}年模范机关创建实施方案', title: '计划名称', items: '对标事项', metOf: '达标{met} / {n}项', standard: '对标标准（寻标）',
        present: '现状（对标）', measures: '措施（达标、创标）', due: '完成时限', result: '自评', assess: '选择', addItem: '增加一项', selfAssessment: '自评报告',
        reviewNote: '验收意见', submit: '提交自评', submitted: '已提交，等待工委验收', return: '退回', returnConfirm: '退回后由单位修改再提交，确定退回？', accept: '验收通过',
        withPlan: '{year}年制定创建计划的直属党组织', submittedCount: '已提交自评', acceptedCount: '已验收', itemsMet: '对标事项自评达标',
      },
      commitmentReview: { fulfilled: '已兑现', partly: '部分兑现', not: '未兑现' },
      commitments: {
        tab: '承诺', mine: '{year}年我的承诺', identity: '亮身份', identityHint: '如：共产党员、办公室科员', duty: '亮职责', pledge: '亮承诺',
        shown: '本支部党员承诺公示', reviewed: '支部评议：{result}', committed: '作出承诺人数（党员{n}人）', review: '评议结果', noteHint: '评议意见（可不填）',
      },
      matterStatus: { planned: '计划', in_progress: '办理中', done: '已办结' },
      matters: {
        orgPlanned: '{year}年组织计划实事', orgDone: '其中已办结', memberPlanned: '{year}年党员计划实事', memberDone: '其中已办结',
        plannedBy: '计划主体', byOrg: '党组织', byMember: '党员', status: '状态', category: '类别', add: '登记组织实事', title: '实事名称',
        plannedOn: '计划日期', doneOn: '办结日期', beneficiaries: '服务对象', responsible: '责任人', evidence: '办结情况',
        evidenceHint: '办了什么、惠及多少群众（办结时必填）', feedback: '群众反馈', removeConfirm: '删除“{title}”？',
        export: '导出Excel', files: '照片与材料', photo: '拍照上传', attach: '上传照片或PDF', mine: '我的实事', tab: '实事', plan: '新增', none: '还没有登记实事', start: '开始办理', finish: '办结',
      },
    },
    en: {
      menu: { matters: 'Serving the people', commitments: 'Commitments', modelOrgans: 'Model organs' },
      modelStatus: { draft: 'Draft', submitted: 'Self-assessed', accepted: 'Accepted', returned: 'Returned' },
      modelResult: { met: 'Met', partly: 'Partly met', not: 'Not met' },
      model: {
        add: 'Make a plan', defaultTitle: 'Model organ plan for {year}', title: 'Plan', items: 'Benchmarks', metOf: '{met} of {n} met', standard: 'The standard',
        present: 'Where we stand', measures: 'Measures', due: 'Due', result: 'Self-assessment', assess: 'Choose', addItem: 'Add a benchmark', selfAssessment: 'Self-assessment report',
        reviewNote: 'Committee\'s note', submit: 'Submit the self-assessment', submitted: 'Submitted; the committee will review it', return: 'Return', returnConfirm: 'Return it for changes?', accept: 'Accept',
        withPlan: 'Affiliated organizations with a plan in {year}', submittedCount: 'Self-assessed', acceptedCount: 'Accepted', itemsMet: 'Benchmarks met',
      },
      commitmentReview: { fulfilled: 'Kept', partly: 'Partly kept', not: 'Not kept' },
      commitments: {
        tab: 'Pledge', mine: 'My commitment for {year}', identity: 'Who I am', identityHint: 'e.g. Party member, clerk of the office', duty: 'My duties', pledge: 'My pledge',
        shown: 'Commitments of my organization', reviewed: 'Reviewed by the branch: {result}', committed: 'Committed (of {n} members)', review: 'Review', noteHint: 'A note (optional)',
      },
      matterStatus: { planned: 'Planned', in_progress: 'In progress', done: 'Done' },
      matters: {
        orgPlanned: 'Planned by organizations in {year}', orgDone: 'of which done', memberPlanned: 'Planned by members in {year}', memberDone: 'of which done',
        plannedBy: 'Planned by', byOrg: 'Organization', byMember: 'Member', status: 'Status', category: 'Category', add: 'Plan a matter', title: 'Matter',
        plannedOn: 'Planned for', doneOn: 'Done on', beneficiaries: 'For whom', responsible: 'Responsible', evidence: 'What was done',
        evidenceHint: 'What was done, for how many people (needed to finish)', feedback: 'Feedback from those served', removeConfirm: 'Remove “{title}”?',
        export: 'Export to Excel', files: 'Photos and documents', photo: 'Add a photo', attach: 'Upload a photo or PDF', mine: 'My matters', tab: 'Matters', plan: 'New', none: 'No matters yet', start: 'Start', finish: 'Finish',
      },
    },
  },
}
export default module
