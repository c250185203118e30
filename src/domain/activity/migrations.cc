// The activity capability's migrations. Shipped ones never change (their
// checksums are checked at every start): add a new one with the next free
// version number (domain/schema.cc lists who holds which).
#include "domain/activity/activity.h"

namespace dj::activity {
namespace {

// Databases made while version 2 was still being written lack the columns
// attendance repeats from its activity, the yearly totals and the covering
// indexes; version 6 brings them to version 2's final shape.
constexpr store::AddedColumn kAttendanceRepeats[] = {
    {.table = "attendance",
     .column = "held_on",
     .decl = "TEXT NOT NULL DEFAULT ''",
     .backfill = "UPDATE attendance SET held_on = (SELECT a.held_on FROM activities a WHERE a.id "
                 "= attendance.activity_id)"},
    {.table = "attendance",
     .column = "org_life",
     .decl = "INTEGER NOT NULL DEFAULT 0",
     .backfill = "UPDATE attendance SET org_life = COALESCE((SELECT t.org_life FROM activities a "
                 "JOIN activity_types t ON t.code = a.type WHERE a.id = attendance.activity_id), "
                 "0)"},
    {.table = "attendance",
     .column = "branch_level",
     .decl = "INTEGER NOT NULL DEFAULT 0",
     .backfill = "UPDATE attendance SET branch_level = COALESCE((SELECT CASE WHEN o.type IN "
                 "('branch', 'group') THEN 1 ELSE 0 END FROM activities a JOIN orgs o ON o.id = "
                 "a.org_id WHERE a.id = attendance.activity_id), 0)"},
};

// Version 2 also holds the study-hour ledger (hour_entries, hour_totals) and
// the rules, which came with the activities.
constexpr store::Migration kMigrations[] = {
    {.version = 2, .name = "activities", .sql = R"SQL(
CREATE TABLE activity_types (
  code TEXT PRIMARY KEY,
  label_zh TEXT NOT NULL,
  label_en TEXT NOT NULL,
  three_meetings INTEGER NOT NULL DEFAULT 0,
  org_life INTEGER NOT NULL DEFAULT 0,
  builtin INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  created_by BIGINT
);

CREATE TABLE activities (
  id {id},
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  type TEXT NOT NULL REFERENCES activity_types(code),
  subtype TEXT,
  title TEXT NOT NULL,
  tags TEXT NOT NULL DEFAULT '[]',
  started_at BIGINT NOT NULL,
  ended_at BIGINT NOT NULL,
  held_on TEXT NOT NULL,
  place TEXT,
  off_site INTEGER NOT NULL DEFAULT 0,
  destination TEXT,
  method TEXT,
  lecturer_member_id BIGINT REFERENCES members(id),
  lecturer_name TEXT,
  hours_tenths INTEGER NOT NULL,
  minutes TEXT,
  late_entry INTEGER NOT NULL DEFAULT 0,
  expected_count INTEGER NOT NULL DEFAULT 0,
  present_count INTEGER NOT NULL DEFAULT 0,
  deleted_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by BIGINT,
  updated_by BIGINT
);
CREATE INDEX activities_org_held ON activities(org_id, held_on);
-- Covers the period queries (counts by organization, type and month; the
-- statistics) so they read the index alone.
CREATE INDEX activities_held ON activities(held_on, org_id, type, deleted_at, subtype, method,
                                           off_site, late_entry, present_count, tags);
CREATE INDEX activities_lecturer ON activities(lecturer_member_id);

-- held_on, org_life and branch_level repeat the activity's date, whether its
-- type is organizational life, and whether a branch or group held it, so
-- per-person questions (a leader's branch life, a member's last
-- organizational life) read one index. write_attendance keeps them in step.
CREATE TABLE attendance (
  activity_id BIGINT NOT NULL REFERENCES activities(id),
  member_id BIGINT NOT NULL REFERENCES members(id),
  status TEXT NOT NULL,
  reason TEXT,
  guest INTEGER NOT NULL DEFAULT 0,
  held_on TEXT NOT NULL,
  org_life INTEGER NOT NULL,
  branch_level INTEGER NOT NULL,
  PRIMARY KEY (activity_id, member_id)
);
CREATE INDEX attendance_member ON attendance(member_id, held_on, org_life, branch_level, status);
CREATE INDEX members_rank ON members(cadre_rank);

CREATE TABLE hour_entries (
  id {id},
  member_id BIGINT NOT NULL REFERENCES members(id),
  year INTEGER NOT NULL,
  on_date TEXT NOT NULL,
  source TEXT NOT NULL,
  source_id BIGINT NOT NULL,
  hours_tenths INTEGER NOT NULL,
  title TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX hour_entries_source ON hour_entries(source, source_id, member_id);
CREATE INDEX hour_entries_member ON hour_entries(member_id, year);

-- Each member's yearly total, kept by ledger::post with the entries.
CREATE TABLE hour_totals (
  member_id BIGINT NOT NULL REFERENCES members(id),
  year INTEGER NOT NULL,
  hours_tenths BIGINT NOT NULL,
  PRIMARY KEY (member_id, year)
);

CREATE TABLE rules (
  id {id},
  code TEXT NOT NULL,
  version INTEGER NOT NULL,
  kind TEXT NOT NULL,
  params TEXT NOT NULL,
  effective_from TEXT NOT NULL,
  source TEXT NOT NULL,
  label_zh TEXT NOT NULL,
  label_en TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  created_by BIGINT
);
CREATE UNIQUE INDEX rules_code_version ON rules(code, version);
INSERT INTO activity_types (code, label_zh, label_en, three_meetings, org_life, builtin, created_at) VALUES ('branch_assembly', '支部党员大会', 'Branch assembly', 1, 1, 1, 0);
INSERT INTO activity_types (code, label_zh, label_en, three_meetings, org_life, builtin, created_at) VALUES ('branch_committee', '支部委员会会议', 'Branch committee meeting', 1, 1, 1, 0);
INSERT INTO activity_types (code, label_zh, label_en, three_meetings, org_life, builtin, created_at) VALUES ('group_meeting', '党小组会', 'Party group meeting', 1, 1, 1, 0);
INSERT INTO activity_types (code, label_zh, label_en, three_meetings, org_life, builtin, created_at) VALUES ('party_lecture', '党课', 'Party lecture', 1, 1, 1, 0);
INSERT INTO activity_types (code, label_zh, label_en, three_meetings, org_life, builtin, created_at) VALUES ('theme_day', '主题党日', 'Theme party day', 0, 1, 1, 0);
INSERT INTO activity_types (code, label_zh, label_en, three_meetings, org_life, builtin, created_at) VALUES ('org_life_meeting', '组织生活会', 'Organizational life meeting', 0, 1, 1, 0);
INSERT INTO activity_types (code, label_zh, label_en, three_meetings, org_life, builtin, created_at) VALUES ('member_review', '民主评议党员', 'Democratic review of members', 0, 1, 1, 0);
INSERT INTO activity_types (code, label_zh, label_en, three_meetings, org_life, builtin, created_at) VALUES ('heart_talk', '谈心谈话', 'Heart-to-heart talk', 0, 0, 1, 0);
INSERT INTO activity_types (code, label_zh, label_en, three_meetings, org_life, builtin, created_at) VALUES ('center_group_study', '理论学习中心组学习', 'Central group theory study', 0, 0, 1, 0);
INSERT INTO activity_types (code, label_zh, label_en, three_meetings, org_life, builtin, created_at) VALUES ('special_briefing', '专题宣讲', 'Special briefing', 0, 0, 1, 0);
INSERT INTO activity_types (code, label_zh, label_en, three_meetings, org_life, builtin, created_at) VALUES ('reading_class', '专题学习读书班', 'Reading class', 0, 0, 1, 0);
INSERT INTO activity_types (code, label_zh, label_en, three_meetings, org_life, builtin, created_at) VALUES ('collective_study', '集中学习', 'Collective study', 0, 0, 1, 0);
INSERT INTO activity_types (code, label_zh, label_en, three_meetings, org_life, builtin, created_at) VALUES ('field_teaching', '现场教学', 'Field teaching', 0, 0, 1, 0);
INSERT INTO activity_types (code, label_zh, label_en, three_meetings, org_life, builtin, created_at) VALUES ('grand_lecture', '机关大课堂', 'Organs'' grand lecture', 0, 0, 1, 0);
INSERT INTO activity_types (code, label_zh, label_en, three_meetings, org_life, builtin, created_at) VALUES ('report_meeting', '宣讲报告会', 'Report meeting', 0, 0, 1, 0);
INSERT INTO activity_types (code, label_zh, label_en, three_meetings, org_life, builtin, created_at) VALUES ('youth_joint_study', '青年主题联学', 'Youth joint study', 0, 0, 1, 0);
INSERT INTO activity_types (code, label_zh, label_en, three_meetings, org_life, builtin, created_at) VALUES ('contest', '知识竞赛/技能竞赛/演讲比赛', 'Contest', 0, 0, 1, 0);
INSERT INTO activity_types (code, label_zh, label_en, three_meetings, org_life, builtin, created_at) VALUES ('other', '其他', 'Other', 0, 0, 1, 0);
INSERT INTO rules (code, version, kind, params, effective_from, source, label_zh, label_en, enabled, created_at) VALUES ('branch_committee_monthly', 1, 'org_count', '{"types":["branch_committee"],"per":"month","min":1,"org_types":["branch"]}', '2000-01-01', '支部工作条例(试行) 2018 §12', '支委会每月至少1次', 'Branch committee meets at least monthly', 1, 0);
INSERT INTO rules (code, version, kind, params, effective_from, source, label_zh, label_en, enabled, created_at) VALUES ('group_meeting_monthly', 1, 'org_count', '{"types":["group_meeting"],"per":"month","min":1,"org_types":["branch"],"requires_groups":true,"include_subtree":true}', '2000-01-01', '支部工作条例(试行) 2018 §13', '党小组会每月至少1次', 'Party groups meet at least monthly', 1, 0);
INSERT INTO rules (code, version, kind, params, effective_from, source, label_zh, label_en, enabled, created_at) VALUES ('theme_day_monthly', 1, 'org_count', '{"types":["theme_day"],"per":"month","min":1,"org_types":["branch"]}', '2000-01-01', '党员教育管理工作条例 2019 §16', '主题党日每月至少1次', 'Theme party day at least monthly', 1, 0);
INSERT INTO rules (code, version, kind, params, effective_from, source, label_zh, label_en, enabled, created_at) VALUES ('branch_assembly_quarterly', 1, 'org_count', '{"types":["branch_assembly"],"per":"quarter","min":1,"org_types":["branch"]}', '2000-01-01', '支部工作条例(试行) 2018', '支部党员大会每季度至少1次', 'Branch assembly at least quarterly', 1, 0);
INSERT INTO rules (code, version, kind, params, effective_from, source, label_zh, label_en, enabled, created_at) VALUES ('party_lecture_quarterly', 1, 'org_count', '{"types":["party_lecture"],"per":"quarter","min":1,"org_types":["branch"]}', '2000-01-01', '本地规定 (local rule)', '党课每季度至少1次', 'Party lecture at least quarterly', 1, 0);
INSERT INTO rules (code, version, kind, params, effective_from, source, label_zh, label_en, enabled, created_at) VALUES ('org_life_meeting_yearly', 1, 'org_count', '{"types":["org_life_meeting"],"per":"year","min":1,"org_types":["branch"]}', '2000-01-01', '党员教育管理工作条例 2019 §17', '组织生活会每年至少1次', 'Organizational life meeting yearly', 1, 0);
INSERT INTO rules (code, version, kind, params, effective_from, source, label_zh, label_en, enabled, created_at) VALUES ('member_review_yearly', 1, 'org_count', '{"types":["member_review"],"per":"year","min":1,"org_types":["branch"]}', '2000-01-01', '党员教育管理工作条例 2019 §18', '民主评议党员每年1次', 'Democratic review of members yearly', 1, 0);
INSERT INTO rules (code, version, kind, params, effective_from, source, label_zh, label_en, enabled, created_at) VALUES ('heart_talk_yearly', 1, 'org_count', '{"types":["heart_talk"],"per":"year","min":1,"org_types":["branch"]}', '2000-01-01', '党员教育管理工作条例 2019 §17', '谈心谈话每年至少1次', 'Heart-to-heart talks yearly', 1, 0);
INSERT INTO rules (code, version, kind, params, effective_from, source, label_zh, label_en, enabled, created_at) VALUES ('center_group_study_quarterly', 1, 'org_count', '{"types":["center_group_study"],"per":"quarter","min":2,"org_types":["party_committee"]}', '2000-01-01', '市直机关工委工作报告 (the seed)', '理论学习中心组每季度至少2次', 'Central group study twice a quarter', 1, 0);
INSERT INTO rules (code, version, kind, params, effective_from, source, label_zh, label_en, enabled, created_at) VALUES ('grand_lecture_quarterly', 1, 'org_count', '{"types":["grand_lecture"],"per":"quarter","min":1,"org_types":["committee"]}', '2000-01-01', '市直机关工委工作报告 (the seed)', '机关大课堂每季度至少1期', 'Grand lecture quarterly', 1, 0);
INSERT INTO rules (code, version, kind, params, effective_from, source, label_zh, label_en, enabled, created_at) VALUES ('leader_lecture_yearly', 1, 'leader_lecture', '{"types":["party_lecture","special_briefing","report_meeting"],"per":"year","min":1}', '2000-01-01', '市直机关工委工作报告 (the seed)', '领导干部每年讲党课或作形势报告至少1次', 'Leading cadres give a party lecture yearly', 1, 0);
INSERT INTO rules (code, version, kind, params, effective_from, source, label_zh, label_en, enabled, created_at) VALUES ('leader_branch_life_quarterly', 1, 'leader_branch_life', '{"per":"quarter","min":1}', '2000-01-01', '党员教育管理工作条例 2019 §16', '领导干部每季度以普通党员身份参加支部组织生活至少1次', 'Leading cadres attend branch life quarterly', 1, 0);
INSERT INTO rules (code, version, kind, params, effective_from, source, label_zh, label_en, enabled, created_at) VALUES ('member_hours_yearly', 1, 'person_hours', '{"per":"year","min_hours":32,"exempt_infirm":true}', '2000-01-01', '党员教育管理工作条例 2019 §20, §23', '党员每年集中学习不少于32学时', 'Members study at least 32 hours a year', 1, 0);
INSERT INTO rules (code, version, kind, params, effective_from, source, label_zh, label_en, enabled, created_at) VALUES ('cadre_hours_yearly', 1, 'person_hours', '{"per":"year","min_hours":56,"exempt_infirm":true,"posts":["secretary","deputy_secretary","committee_member"]}', '2000-01-01', '全国党员教育培训工作规划', '书记、支委每年学习不少于56学时', 'Secretaries and committee members: 56 hours a year', 1, 0);
INSERT INTO rules (code, version, kind, params, effective_from, source, label_zh, label_en, enabled, created_at) VALUES ('silent_branch', 1, 'silence_org', '{"days":30,"org_types":["branch"]}', '2000-01-01', '本地做法 (local practice)', '支部30天无活动预警', 'Branch without activity for 30 days', 1, 0);
INSERT INTO rules (code, version, kind, params, effective_from, source, label_zh, label_en, enabled, created_at) VALUES ('member_no_org_life', 1, 'silence_member', '{"months":6}', '2000-01-01', '党员教育管理工作条例 2019 §31(6)', '党员6个月未参加组织生活预警', 'Member without organizational life for 6 months', 1, 0);
)SQL"},
    {.version = 3, .name = "attachments", .sql = R"SQL(
-- Files of an activity (photos, PDF): the bytes live content-addressed under
-- the data directory (blobs/ab/abcdef...), this row says what they are.
CREATE TABLE attachments (
  id {id},
  activity_id BIGINT NOT NULL REFERENCES activities(id),
  sha256 TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size BIGINT NOT NULL,
  filename TEXT NOT NULL,
  deleted_at BIGINT,
  created_at BIGINT NOT NULL,
  created_by BIGINT
);
CREATE INDEX attachments_activity ON attachments(activity_id);
)SQL"},
    {.version = 6,
     .name = "reconcile_activities",
     .sql = R"SQL(
CREATE TABLE IF NOT EXISTS hour_totals (
  member_id BIGINT NOT NULL REFERENCES members(id),
  year INTEGER NOT NULL,
  hours_tenths BIGINT NOT NULL,
  PRIMARY KEY (member_id, year)
);
INSERT INTO hour_totals (member_id, year, hours_tenths)
  SELECT member_id, year, SUM(hours_tenths) FROM hour_entries
  WHERE NOT EXISTS (SELECT 1 FROM hour_totals) GROUP BY member_id, year;
DROP INDEX IF EXISTS activities_held;
CREATE INDEX activities_held ON activities(held_on, org_id, type, deleted_at, subtype, method,
                                           off_site, late_entry, present_count, tags);
DROP INDEX IF EXISTS attendance_member;
CREATE INDEX attendance_member ON attendance(member_id, held_on, org_life, branch_level, status);
CREATE INDEX IF NOT EXISTS members_rank ON members(cadre_rank);
)SQL",
     .columns = kAttendanceRepeats},
};

}  // namespace

std::span<const store::Migration> migrations() { return kMigrations; }

}  // namespace dj::activity
