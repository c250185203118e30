// Online learning (指尖式): courses with their lessons and learners in the
// console (uploads in pieces with a progress bar); on the phone, my courses
// and the player that resumes where I stopped and reports what I played.
import type { Module } from '../../modules'

const module: Module = {
  routes: [
    { path: 'courses', component: () => import('./Courses.vue') },
    { path: 'courses/:id', component: () => import('./CourseDetail.vue') },
  ],
  phoneRoutes: [
    { path: 'courses', component: () => import('./MyCourses.vue') },
    { path: 'courses/:id', component: () => import('./Study.vue') },
    { path: 'lessons/:id', component: () => import('./Player.vue') },
  ],
  phoneTabs: [{ to: '/m/courses', label: 'learning.tab' }],
  menu: [{ path: '/courses', label: 'menu.courses', perm: 'course:manage' }],
  messages: {
    'zh-CN': {
      menu: { courses: '网上学习课程' },
      lessonKind: { video: '视频', audio: '音频', document: '文档', article: '图文', link: '外部链接' },
      courseStatus: { draft: '草稿', published: '已发布' },
      courseTopic: { party_history: '党史', xi_thought: '习近平新时代中国特色社会主义思想', party_rules: '党章党规', policy: '方针政策', integrity: '廉洁自律', professional: '业务知识' },
      learning: {
        tab: '学习', cover: '封面图片', add: '新建课程', edit: '修改课程', title: '课程名称', search: '课程名称', status: '状态', allStatuses: '全部状态', hours: '学时', hoursUnit: '{h}学时',
        tags: '专题', tagsHint: '选择或输入专题', description: '简介', lessons: '课时', lessonCount: '{n}个课时', owner: '发布单位', updated: '更新时间',
        publish: '发布', unpublish: '撤回为草稿', removeConfirm: '删除课程“{title}”？', addLesson: '新增课时', editLesson: '修改课时', chapter: '章', chapterHint: '如：第一章 党的创立',
        lessonTitle: '课时名称', kind: '类型', file: '文件', pickFile: '选择文件', fileHint: '视频 MP4（H.264）或 WebM，音频 MP3 或 M4A，文档 PDF；最大 2 GB，断网后可续传', uploading: '上传中 {p}%',
        uploaded: '已上传：{name}', length: '时长', body: '正文', url: '链接地址', urlHint: '如学习强国文章地址', removeLesson: '删除课时“{title}”？', learners: '学习情况',
        learner: '党员', done: '完成课时', completedAt: '完成时间', notYet: '学习中', mine: '我的课程', none: '暂无可学习的课程', completed: '已完成', progress: '已学{done}/{n}课时',
        resume: '从{t}继续', watched: '已学{p}%', lessonDone: '已完成', readEnd: '我已学完', open: '打开', openDocument: '打开文档', back: '返回课程', courseDone: '恭喜！课程已完成，学时已记入学时档案',
        noFile: '文件不可用', reportFailed: '学习进度未能保存：{m}',
        assignments: '学习任务', assign: '布置学习任务', assignHint: '向本单位或下级组织的党员布置本课程，限期完成', publishFirst: '课程发布后才能布置学习任务', everyone: '全体人员',
        groups: '学员类别', dueOn: '完成期限', note: '说明', assigned: '应学人数', completedCount: '已完成', overdue: '逾期', unassign: '撤销', unassignConfirm: '撤销对“{org}”布置的学习任务？已完成的学时保留。',
        dueBy: '{d}前完成', byOrg: '按组织完成情况', overdueMembers: '逾期未完成', notCompleted: '尚未完成', due: '{d}前完成', todo: '学习《{title}》', todoDue: '{d}前完成 · 已学{done}/{n}课时', studyNow: '去学习',
      },
      problem: {
        offset: { mismatch: '上传中断，请重新选择文件续传' },
        file: { type_mismatch: '文件内容与类型不符', unreadable: '文件无法播放（不完整或已损坏，或编码不受支持）' },
        size: { too_large: '文件超过大小上限', over_quota: '本单位的课件存储空间已满' },
        status: { no_lessons: '课程至少有一个课时才能发布' },
        media_id: { kind: '文件类型与课时类型不符', not_found: '文件不存在' },
        intervals: { beyond_duration: '播放进度超出视频时长', faster_than_playback: '播放速度异常，进度未计入' },
        lesson_id: { not_started: '请先打开课时', concurrent: '该课时正在其他设备上播放' },
        id: { completed: '已有党员完成该课程，不能删除，可撤回为草稿', last_lesson: '已发布的课程至少保留一个课时' },
        due_on: { past: '完成期限已过' },
        org_id: { outside_course: '该组织的党员看不到这门课程（课程只面向发布单位及其下级）' },
        course_id: { not_published: '课程发布后才能布置学习任务' },
      },
      auditAction: {
        upload: { start: '开始上传课件文件' }, media: { create: '保存课件文件' },
        course: { create: '新建课程', update: '修改课程', delete: '删除课程', complete: '完成课程学习', assign: '布置学习课程', unassign: '撤销学习任务' },
        lesson: { create: '新增课时', update: '修改课时', delete: '删除课时' },
      },
      auditEntity: { upload: '上传', media: '课件文件', course: '课程', lesson: '课时', course_assignment: '学习任务' },
    },
    en: {
      menu: { courses: 'Online courses' },
      lessonKind: { video: 'Video', audio: 'Audio', document: 'Document', article: 'Article', link: 'Link' },
      courseStatus: { draft: 'Draft', published: 'Published' },
      courseTopic: { party_history: 'Party history', xi_thought: 'Xi Jinping Thought', party_rules: 'Party rules', policy: 'Policy', integrity: 'Integrity', professional: 'Professional' },
      learning: {
        tab: 'Study', cover: 'Cover image', add: 'New course', edit: 'Edit course', title: 'Course', search: 'Course title', status: 'Status', allStatuses: 'All statuses', hours: 'Hours', hoursUnit: '{h} h',
        tags: 'Topics', tagsHint: 'Pick or type topics', description: 'Description', lessons: 'Lessons', lessonCount: '{n} lessons', owner: 'Published by', updated: 'Updated',
        publish: 'Publish', unpublish: 'Back to draft', removeConfirm: 'Remove the course “{title}”?', addLesson: 'Add lesson', editLesson: 'Edit lesson', chapter: 'Chapter', chapterHint: 'e.g. Chapter 1',
        lessonTitle: 'Lesson', kind: 'Kind', file: 'File', pickFile: 'Choose file', fileHint: 'Video MP4 (H.264) or WebM, audio MP3 or M4A, document PDF; up to 2 GB, resumes after a lost connection', uploading: 'Uploading {p}%',
        uploaded: 'Uploaded: {name}', length: 'Length', body: 'Text', url: 'Address', urlHint: 'e.g. a Xuexi Qiangguo article', removeLesson: 'Remove the lesson “{title}”?', learners: 'Learners',
        learner: 'Member', done: 'Lessons done', completedAt: 'Completed', notYet: 'In progress', mine: 'My courses', none: 'No courses to study yet', completed: 'Completed', progress: '{done}/{n} lessons',
        resume: 'Resume at {t}', watched: '{p}% watched', lessonDone: 'Done', readEnd: 'I have finished', open: 'Open', openDocument: 'Open the document', back: 'Back to the course', courseDone: 'Course completed: its hours are added to your record',
        noFile: 'The file is not available', reportFailed: 'Progress not saved: {m}',
        assignments: 'Assignments', assign: 'Assign', assignHint: 'Assign this course to the members of your organizations, by a date', publishFirst: 'Publish the course before assigning it', everyone: 'Everyone',
        groups: 'Target groups', dueOn: 'Due', note: 'Note', assigned: 'Assigned', completedCount: 'Completed', overdue: 'Overdue', unassign: 'Withdraw', unassignConfirm: 'Withdraw the assignment to “{org}”? Hours earned stay.',
        dueBy: 'due {d}', byOrg: 'Completion by organization', overdueMembers: 'Overdue', notCompleted: 'Not completed yet', due: 'due {d}', todo: 'Study “{title}”', todoDue: 'due {d} · {done}/{n} lessons', studyNow: 'Study now',
      },
      problem: {
        offset: { mismatch: 'The upload was interrupted; choose the file again to resume' },
        file: { type_mismatch: 'The content is not of its type', unreadable: 'The file cannot be played (cut off, damaged or an unsupported codec)' },
        size: { too_large: 'The file is too large', over_quota: 'Your organization’s storage is full' },
        status: { no_lessons: 'A course needs a lesson before it is published' },
        media_id: { kind: 'The file does not fit the lesson’s kind', not_found: 'No such file' },
        intervals: { beyond_duration: 'Progress past the end of the video', faster_than_playback: 'Played too fast; not counted' },
        lesson_id: { not_started: 'Open the lesson first', concurrent: 'The lesson is playing on another device' },
        id: { completed: 'Members completed this course; unpublish it instead', last_lesson: 'A published course keeps at least one lesson' },
        due_on: { past: 'The date has passed' },
        org_id: { outside_course: 'That organization’s members cannot open this course' },
        course_id: { not_published: 'Publish the course before assigning it' },
      },
      auditAction: {
        upload: { start: 'Upload started' }, media: { create: 'Courseware file kept' },
        course: { create: 'Course created', update: 'Course edited', delete: 'Course removed', complete: 'Course completed', assign: 'Course assigned', unassign: 'Assignment withdrawn' },
        lesson: { create: 'Lesson added', update: 'Lesson edited', delete: 'Lesson removed' },
      },
      auditEntity: { upload: 'Upload', media: 'Courseware file', course: 'Course', lesson: 'Lesson', course_assignment: 'Assignment' },
    },
  },
}

export default module
