// The training capability's migrations. Shipped ones never change (their
// checksums are checked at every start): add a new one with the next free
// version number (domain/schema.cc lists who holds which).
#include "domain/training/training.h"

namespace dj::training {
namespace {

// Databases made while version 4 was still being written lack the geofence,
// the leave reason and learning delivered at home; version 7 adds them.
constexpr store::AddedColumn kCheckinFields[] = {
    {.table = "training_sessions", .column = "latitude", .decl = "DOUBLE PRECISION"},
    {.table = "training_sessions", .column = "longitude", .decl = "DOUBLE PRECISION"},
    {.table = "training_sessions", .column = "radius_m", .decl = "INTEGER"},
    {.table = "checkins", .column = "reason", .decl = "TEXT"},
};

// A scan's pass checks in once: its hash is kept on the check-in (version 8).
constexpr store::AddedColumn kScanPass[] = {
    {.table = "checkins", .column = "scan_pass", .decl = "TEXT"},
};

constexpr store::Migration kMigrations[] = {
    {.version = 4, .name = "training", .sql = R"SQL(
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
    {.version = 5, .name = "training_plans", .sql = R"SQL(
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
    {.version = 7,
     .name = "reconcile_training",
     .sql = R"SQL(
CREATE TABLE IF NOT EXISTS home_deliveries (
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
CREATE INDEX IF NOT EXISTS home_deliveries_member ON home_deliveries(member_id, delivered_on);
)SQL",
     .columns = kCheckinFields},
    {.version = 8,
     .name = "checkin_scan_pass",
     .sql = "CREATE UNIQUE INDEX IF NOT EXISTS checkins_scan_pass ON checkins(scan_pass);",
     .columns = kScanPass},
};

}  // namespace

std::span<const store::Migration> migrations() { return kMigrations; }

}  // namespace dj::training
