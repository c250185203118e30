// The audit trail: append-only, hash-chained. Each row carries
// SHA-256(previous row's hash || its own content), so an edited, removed or
// inserted row breaks the chain at that point and `verify` names it.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "store/db.h"

namespace dj::audit {

// Who did it, from where, through which route.
struct Actor {
  std::optional<int64_t> user_id;
  std::string username;
  std::string client_ip;
  std::string route;
};

struct Entry {
  std::string action;     // e.g. org.create, auth.login_failed
  std::string entity;     // e.g. org, member, user, session
  std::string entity_id;  // empty when not about one record
  std::string org_path;   // the organization it belongs to, for scoped reading
  boost::json::value before;
  boost::json::value after;
};

// Appends one entry inside the caller's transaction (so a write and its audit
// row commit or roll back together).
Status record(store::Conn& c, const Actor& actor, const Entry& entry);

// Appends one entry in a transaction of its own (logins, denials).
Status record_now(store::Db& db, const Actor& actor, const Entry& entry);

struct VerifyReport {
  int64_t rows_checked = 0;
  std::optional<int64_t> first_broken_id;  // empty when the chain is whole
  std::string problem;
};

// Walks the whole chain in order.
Result<VerifyReport> verify(store::Db& db);

struct Row {
  int64_t id;
  int64_t at;
  std::optional<int64_t> user_id;
  std::string username, client_ip, route, action, entity, entity_id, org_path;
  std::string before_json, after_json;
};

struct Query {
  std::string scope_path;  // "/" for everything
  std::optional<int64_t> from_ms, to_ms, user_id;
  std::string action, entity, entity_id, username;
  int64_t page = 1, page_size = 50;
};

struct Page {
  std::vector<Row> items;
  int64_t total = 0;
};

// Rows in scope, newest first. Entries without an organization (logins) are
// visible only to an unscoped reader.
Result<Page> list(store::Db& db, const Query& q);

}  // namespace dj::audit
