// The organization capability's migrations. Shipped ones never change (their
// checksums are checked at every start): add a new one with the next free
// version number (domain/schema.cc lists who holds which).
#include "domain/org/org.h"

namespace dj::org {
namespace {

// Version 1 is the foundation the first capabilities share: organizations,
// members and their history, accounts and sessions, the audit trail.
constexpr store::Migration kMigrations[] = {
    {.version = 1, .name = "foundation", .sql = R"SQL(
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
};

}  // namespace

std::span<const store::Migration> migrations() { return kMigrations; }

}  // namespace dj::org
