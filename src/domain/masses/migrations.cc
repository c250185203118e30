// The masses capability's migrations. Shipped ones never change: add a new
// one with the next free version number (domain/schema.cc lists who holds which).
#include "domain/masses/masses.h"

namespace dj::masses {
namespace {

constexpr store::Migration kMigrations[] = {
    {.version = 9, .name = "masses", .sql = R"SQL(
CREATE TABLE matter_categories (
  code TEXT PRIMARY KEY,
  label_zh TEXT NOT NULL,
  label_en TEXT NOT NULL,
  builtin INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
INSERT INTO matter_categories (code, label_zh, label_en, builtin, created_at) VALUES
  ('livelihood', '民生保障', 'Livelihood', 1, 0),
  ('employment', '就业帮扶', 'Employment help', 1, 0),
  ('elderly_care', '为老服务', 'Care for the elderly', 1, 0),
  ('education', '助学助教', 'Education help', 1, 0),
  ('health', '医疗健康', 'Health', 1, 0),
  ('vaccination', '疫苗接种服务', 'Vaccination support', 1, 0),
  ('environment', '环境整治', 'Environment', 1, 0),
  ('policy_service', '政策咨询与办事', 'Policy help and errands', 1, 0),
  ('other', '其他', 'Other', 1, 0);

CREATE TABLE matters (
  id {id},
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  member_id BIGINT REFERENCES members(id),
  title TEXT NOT NULL,
  category TEXT NOT NULL REFERENCES matter_categories(code),
  beneficiaries TEXT,
  planned_on TEXT NOT NULL,
  responsible TEXT,
  status TEXT NOT NULL,
  done_on TEXT,
  evidence TEXT,
  feedback TEXT,
  deleted_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by BIGINT,
  updated_by BIGINT
);
CREATE INDEX matters_org ON matters(org_id, planned_on);
CREATE INDEX matters_member ON matters(member_id, planned_on);
)SQL"},
    {.version = 10, .name = "matter_files", .sql = R"SQL(
CREATE TABLE matter_files (
  id {id},
  matter_id BIGINT NOT NULL REFERENCES matters(id),
  sha256 TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size BIGINT NOT NULL,
  filename TEXT NOT NULL,
  deleted_at BIGINT,
  created_at BIGINT NOT NULL,
  created_by BIGINT
);
CREATE INDEX matter_files_matter ON matter_files(matter_id);
)SQL"},
    {.version = 11, .name = "commitments", .sql = R"SQL(
CREATE TABLE commitments (
  id {id},
  member_id BIGINT NOT NULL REFERENCES members(id),
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  year INTEGER NOT NULL,
  identity TEXT NOT NULL,
  duty TEXT NOT NULL,
  pledge TEXT NOT NULL,
  review TEXT,
  review_note TEXT,
  reviewed_at BIGINT,
  reviewed_by BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX commitments_member_year ON commitments(member_id, year);
CREATE INDEX commitments_org_year ON commitments(org_id, year);
)SQL"},
    {.version = 12, .name = "communities", .sql = R"SQL(
CREATE TABLE communities (
  id {id},
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  street TEXT NOT NULL,
  district TEXT NOT NULL,
  contact TEXT,
  phone TEXT,
  qr_token TEXT NOT NULL,
  deleted_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by BIGINT,
  updated_by BIGINT
);
CREATE UNIQUE INDEX communities_code ON communities(code);
CREATE UNIQUE INDEX communities_qr_token ON communities(qr_token);

ALTER TABLE users ADD COLUMN community_id BIGINT REFERENCES communities(id);

-- 双报到: an organization (member_id NULL) or a member reporting to a
-- community; open while ended_on is NULL. At most one open registration
-- each that is not rejected.
CREATE TABLE community_registrations (
  id {id},
  community_id BIGINT NOT NULL REFERENCES communities(id),
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  member_id BIGINT REFERENCES members(id),
  registered_on TEXT NOT NULL,
  channel TEXT NOT NULL,
  agreement TEXT,
  contacts TEXT,
  status TEXT NOT NULL,
  reply TEXT,
  decided_at BIGINT,
  decided_by BIGINT,
  ended_on TEXT,
  end_reason TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by BIGINT,
  updated_by BIGINT
);
CREATE UNIQUE INDEX community_registrations_open_member ON community_registrations(member_id)
  WHERE member_id IS NOT NULL AND ended_on IS NULL AND status <> 'rejected';
CREATE UNIQUE INDEX community_registrations_open_org ON community_registrations(org_id)
  WHERE member_id IS NULL AND ended_on IS NULL AND status <> 'rejected';
CREATE INDEX community_registrations_community ON community_registrations(community_id, status);
CREATE INDEX community_registrations_member ON community_registrations(member_id, registered_on);
CREATE INDEX community_registrations_org ON community_registrations(org_id, registered_on);
)SQL"},
    {.version = 13, .name = "community_services", .sql = R"SQL(
CREATE TABLE community_posts (
  id {id},
  community_id BIGINT NOT NULL REFERENCES communities(id),
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  category TEXT NOT NULL REFERENCES matter_categories(code),
  description TEXT,
  place TEXT NOT NULL,
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  slots INTEGER,
  hours_tenths INTEGER NOT NULL,
  cancelled_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by BIGINT,
  updated_by BIGINT
);
CREATE INDEX community_posts_community ON community_posts(community_id, starts_at);
CREATE INDEX community_posts_starts ON community_posts(starts_at);

-- A service to a community: an organization's (member_id NULL) or a
-- member's, at a post (signed up, checked in) or recorded after the fact.
CREATE TABLE community_services (
  id {id},
  community_id BIGINT NOT NULL REFERENCES communities(id),
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  member_id BIGINT REFERENCES members(id),
  post_id BIGINT REFERENCES community_posts(id),
  title TEXT NOT NULL,
  category TEXT NOT NULL REFERENCES matter_categories(code),
  served_on TEXT NOT NULL,
  hours_tenths INTEGER NOT NULL,
  status TEXT NOT NULL,
  checkin_method TEXT,
  checked_in_at BIGINT,
  scan_pass TEXT,
  note TEXT,
  reply TEXT,
  decided_at BIGINT,
  decided_by BIGINT,
  rating INTEGER,
  rating_comment TEXT,
  rated_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by BIGINT,
  updated_by BIGINT
);
CREATE UNIQUE INDEX community_services_post_member ON community_services(post_id, member_id)
  WHERE post_id IS NOT NULL;
CREATE UNIQUE INDEX community_services_scan_pass ON community_services(scan_pass)
  WHERE scan_pass IS NOT NULL;
CREATE INDEX community_services_community ON community_services(community_id, status);
CREATE INDEX community_services_org ON community_services(org_id, served_on);
CREATE INDEX community_services_member ON community_services(member_id, served_on);
CREATE INDEX community_services_served ON community_services(served_on);
)SQL"},
    {.version = 14, .name = "dual_reports", .sql = R"SQL(
-- 双报告: a member's yearly report to his branch (member_id set) and an
-- organization's to its community, drafted from the records, edited, sent.
CREATE TABLE dual_reports (
  id {id},
  year INTEGER NOT NULL,
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  member_id BIGINT REFERENCES members(id),
  community_id BIGINT REFERENCES communities(id),
  body TEXT NOT NULL,
  figures TEXT NOT NULL,
  sent_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by BIGINT,
  updated_by BIGINT
);
CREATE UNIQUE INDEX dual_reports_member_year ON dual_reports(member_id, year)
  WHERE member_id IS NOT NULL;
CREATE UNIQUE INDEX dual_reports_org_year ON dual_reports(org_id, year) WHERE member_id IS NULL;
CREATE INDEX dual_reports_community ON dual_reports(community_id, year);
)SQL"},
    {.version = 15, .name = "model_plans", .sql = R"SQL(
CREATE TABLE model_plans (
  id {id},
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  year INTEGER NOT NULL,
  title TEXT NOT NULL,
  status TEXT NOT NULL,
  self_assessment TEXT,
  review_note TEXT,
  submitted_at BIGINT,
  reviewed_at BIGINT,
  reviewed_by BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by BIGINT,
  updated_by BIGINT
);
CREATE UNIQUE INDEX model_plans_org_year ON model_plans(org_id, year);
CREATE TABLE model_items (
  id {id},
  plan_id BIGINT NOT NULL REFERENCES model_plans(id),
  position INTEGER NOT NULL,
  standard TEXT NOT NULL,
  present_state TEXT NOT NULL,
  measures TEXT NOT NULL,
  due_on TEXT NOT NULL,
  result TEXT,
  result_note TEXT
);
CREATE INDEX model_items_plan ON model_items(plan_id, position);
)SQL"},
};

}  // namespace

std::span<const store::Migration> migrations() { return kMigrations; }

}  // namespace dj::masses
