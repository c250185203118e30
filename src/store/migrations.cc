#include "store/migrations.h"

#include <spdlog/spdlog.h>

#include <string>

namespace dj::store {
namespace {

struct Migration {
  int version;
  const char* name;
  // Written once for both dialects; {id} is the identity primary key and
  // {path} a byte-ordered text column for materialized paths.
  const char* sql;
};

constexpr Migration kMigrations[] = {
    {1, "foundation", R"SQL(
CREATE TABLE orgs (
  id {id},
  parent_id BIGINT REFERENCES orgs(id),
  path TEXT {path} NOT NULL,
  depth INTEGER NOT NULL,
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  leader TEXT,
  department TEXT,
  founded_on TEXT,
  term_start TEXT,
  term_end TEXT,
  deleted_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by BIGINT,
  updated_by BIGINT
);
CREATE UNIQUE INDEX orgs_code ON orgs(code);
CREATE INDEX orgs_path ON orgs(path);
CREATE INDEX orgs_parent ON orgs(parent_id);

CREATE TABLE members (
  id {id},
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  name TEXT NOT NULL,
  gender TEXT NOT NULL,
  ethnicity TEXT,
  birth_date TEXT,
  education TEXT,
  citizen_id_enc TEXT NOT NULL,
  citizen_id_hash TEXT NOT NULL,
  phone_enc TEXT,
  joined_on TEXT,
  full_member_on TEXT,
  political_status TEXT NOT NULL,
  work_unit TEXT,
  job_title TEXT,
  cadre_rank TEXT NOT NULL,
  standing TEXT NOT NULL,
  retired INTEGER NOT NULL DEFAULT 0,
  infirm INTEGER NOT NULL DEFAULT 0,
  party_worker INTEGER NOT NULL DEFAULT 0,
  post TEXT NOT NULL,
  tags TEXT NOT NULL DEFAULT '[]',
  deleted_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by BIGINT,
  updated_by BIGINT
);
CREATE UNIQUE INDEX members_citizen_id ON members(citizen_id_hash);
CREATE INDEX members_org ON members(org_id, name);

CREATE TABLE member_org_history (
  id {id},
  member_id BIGINT NOT NULL REFERENCES members(id),
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  from_date TEXT NOT NULL,
  to_date TEXT,
  reason TEXT,
  created_at BIGINT NOT NULL,
  created_by BIGINT
);
CREATE INDEX member_org_history_member ON member_org_history(member_id, from_date);
CREATE INDEX member_org_history_org ON member_org_history(org_id, from_date);

CREATE TABLE users (
  id {id},
  username TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  org_id BIGINT REFERENCES orgs(id),
  member_id BIGINT REFERENCES members(id),
  must_change_password INTEGER NOT NULL DEFAULT 1,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until BIGINT NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by BIGINT,
  updated_by BIGINT
);
CREATE UNIQUE INDEX users_username ON users(username);

CREATE TABLE sessions (
  id {id},
  user_id BIGINT NOT NULL REFERENCES users(id),
  token_hash TEXT NOT NULL,
  csrf_token TEXT NOT NULL,
  client_ip TEXT,
  user_agent TEXT,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  ended_at BIGINT
);
CREATE UNIQUE INDEX sessions_token ON sessions(token_hash);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE audit_log (
  id BIGINT PRIMARY KEY,
  at BIGINT NOT NULL,
  user_id BIGINT,
  username TEXT,
  client_ip TEXT,
  route TEXT,
  action TEXT NOT NULL,
  entity TEXT,
  entity_id TEXT,
  org_path TEXT {path},
  before_json TEXT,
  after_json TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);

CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY,
  seq BIGINT NOT NULL,
  last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, last_hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
)SQL"},
    {2, "activities", R"SQL(
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
    {3, "attachments", R"SQL(
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
    {4, "training", R"SQL(
CREATE TABLE trainings (
  id {id},
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  title TEXT NOT NULL,
  level TEXT NOT NULL,
  target_groups TEXT NOT NULL DEFAULT '[]',
  starts_on TEXT NOT NULL,
  ends_on TEXT NOT NULL,
  venue TEXT,
  capacity INTEGER NOT NULL,
  off_site INTEGER NOT NULL DEFAULT 0,
  itinerary TEXT,
  attendance_threshold INTEGER NOT NULL DEFAULT 80,
  exam_required INTEGER NOT NULL DEFAULT 0,
  pass_score INTEGER NOT NULL DEFAULT 60,
  completed_at BIGINT,
  deleted_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by BIGINT,
  updated_by BIGINT
);
CREATE INDEX trainings_org ON trainings(org_id, starts_on);

CREATE TABLE training_sessions (
  id {id},
  training_id BIGINT NOT NULL REFERENCES trainings(id),
  title TEXT NOT NULL,
  lecturer_name TEXT,
  started_at BIGINT NOT NULL,
  ended_at BIGINT NOT NULL,
  hours_tenths INTEGER NOT NULL,
  method TEXT,
  required INTEGER NOT NULL DEFAULT 0,
  first_course INTEGER NOT NULL DEFAULT 0,
  venue TEXT,
  latitude DOUBLE PRECISION,
  longitude DOUBLE PRECISION,
  radius_m INTEGER,
  created_at BIGINT NOT NULL,
  created_by BIGINT
);
CREATE INDEX training_sessions_training ON training_sessions(training_id, started_at);

CREATE TABLE training_quotas (
  training_id BIGINT NOT NULL REFERENCES trainings(id),
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  seats INTEGER NOT NULL,
  PRIMARY KEY (training_id, org_id)
);

CREATE TABLE enrolments (
  training_id BIGINT NOT NULL REFERENCES trainings(id),
  member_id BIGINT NOT NULL REFERENCES members(id),
  quota_org_id BIGINT REFERENCES orgs(id),
  status TEXT NOT NULL,
  override_reason TEXT,
  exam_score INTEGER,
  completed INTEGER NOT NULL DEFAULT 0,
  hours_tenths INTEGER NOT NULL DEFAULT 0,
  certificate_serial TEXT,
  completed_on TEXT,
  created_at BIGINT NOT NULL,
  created_by BIGINT,
  PRIMARY KEY (training_id, member_id)
);
CREATE INDEX enrolments_member ON enrolments(member_id);
CREATE UNIQUE INDEX enrolments_certificate ON enrolments(certificate_serial);

CREATE TABLE checkins (
  session_id BIGINT NOT NULL REFERENCES training_sessions(id),
  member_id BIGINT NOT NULL REFERENCES members(id),
  status TEXT NOT NULL,
  method TEXT NOT NULL,
  at BIGINT NOT NULL,
  idempotency_key TEXT,
  reason TEXT,
  PRIMARY KEY (session_id, member_id)
);

-- Learning delivered at home (送学上门) for infirm and retired members.
CREATE TABLE home_deliveries (
  id {id},
  member_id BIGINT NOT NULL REFERENCES members(id),
  delivered_by TEXT NOT NULL,
  delivered_on TEXT NOT NULL,
  content TEXT NOT NULL,
  hours_tenths INTEGER NOT NULL,
  deleted_at BIGINT,
  created_at BIGINT NOT NULL,
  created_by BIGINT
);
CREATE INDEX home_deliveries_member ON home_deliveries(member_id, delivered_on);
)SQL"},
    {5, "training_plans", R"SQL(
-- Multi-year (e.g. 2019-2023) and annual training plans with targets (JSON:
-- classes per level, people per target group, hours).
CREATE TABLE training_plans (
  id {id},
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  title TEXT NOT NULL,
  kind TEXT NOT NULL,
  from_year INTEGER NOT NULL,
  to_year INTEGER NOT NULL,
  targets TEXT NOT NULL,
  deleted_at BIGINT,
  created_at BIGINT NOT NULL,
  created_by BIGINT
);
)SQL"},
};

std::string render(const char* sql, Dialect d) {
  std::string s = sql;
  auto replace_all = [&s](const std::string& from, const std::string& to) {
    for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) {
      s.replace(pos, from.size(), to);
    }
  };
  if (d == Dialect::sqlite) {
    replace_all("{id}", "INTEGER PRIMARY KEY");
    replace_all("{path}", "");
  } else {
    replace_all("{id}", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
    replace_all("{path}", "COLLATE \"C\"");
  }
  return s;
}

}  // namespace

int latest_schema_version() { return std::end(kMigrations)[-1].version; }

Result<int> migrate(Db& db) {
  DJ_ASSIGN(auto lease, db.acquire());
  Conn& c = *lease;
  const bool pg = db.dialect() == Dialect::postgres;
  if (pg) DJ_TRY(c.exec_script("SELECT pg_advisory_lock(770421)"));
  auto run = [&]() -> Result<int> {
    DJ_TRY(
        c.exec_script("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                      "name TEXT NOT NULL, applied_at BIGINT NOT NULL)"));
    DJ_ASSIGN(auto rows, c.query("SELECT version FROM schema_migrations"));
    int applied = 0;
    for (const auto& m : kMigrations) {
      bool done = false;
      for (const auto& r : rows) done = done || r.i64(0) == m.version;
      if (done) continue;
      DJ_TRY(c.begin());
      auto step = [&]() -> Status {
        DJ_TRY(c.exec_script(render(m.sql, db.dialect())));
        DJ_TRY(c.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                      {m.version, m.name, static_cast<int64_t>(std::time(nullptr)) * 1000}));
        return {};
      }();
      if (!step) {
        c.rollback();
        return step.take_error();
      }
      DJ_TRY(c.commit());
      spdlog::info("applied migration {} ({})", m.version, m.name);
      ++applied;
    }
    return applied;
  };
  auto r = run();
  if (pg) (void)c.exec_script("SELECT pg_advisory_unlock(770421)");
  return r;
}

}  // namespace dj::store
