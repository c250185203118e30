#include "domain/audit/audit.h"

#include <boost/json/serialize.hpp>

#include "common/crypto.h"
#include "common/time.h"
#include "store/query.h"

namespace dj::audit {
namespace {

std::string content_of(const Row& r) {
  std::string s;
  auto add = [&s](const std::string& part) {
    s += part;
    s += '\x1f';
  };
  add(std::to_string(r.id));
  add(std::to_string(r.at));
  add(r.user_id ? std::to_string(*r.user_id) : "");
  add(r.username);
  add(r.client_ip);
  add(r.route);
  add(r.action);
  add(r.entity);
  add(r.entity_id);
  add(r.org_path);
  add(r.before_json);
  add(r.after_json);
  return s;
}

std::string json_or_empty(const boost::json::value& v) {
  return v.is_null() ? std::string() : boost::json::serialize(v);
}

constexpr const char* kColumns =
    "id, at, user_id, username, client_ip, route, action, entity, entity_id, org_path, "
    "before_json, after_json";

Row row_from(const store::Row& r) {
  return Row{r.i64(0), r.i64(1), r.opt_i64(2), r.str(3), r.str(4),  r.str(5),
             r.str(6), r.str(7), r.str(8),     r.str(9), r.str(10), r.str(11)};
}

}  // namespace

Status record(store::Conn& c, const Actor& actor, const Entry& entry) {
  // FOR UPDATE takes the chain head's row lock (PostgreSQL); SQLite's write
  // transactions hold the database's write lock. Either way appends are
  // serialized. (A read then one write: cheaper than UPDATE ... RETURNING.)
  DJ_ASSIGN(auto head,
            c.query_one(c.dialect() == store::Dialect::postgres
                            ? "SELECT seq + 1, last_hash FROM audit_head WHERE id = 1 FOR UPDATE"
                            : "SELECT seq + 1, last_hash FROM audit_head WHERE id = 1"));
  Row r{head.i64(0),
        now_ms(),
        actor.user_id,
        actor.username,
        actor.client_ip,
        actor.route,
        entry.action,
        entry.entity,
        entry.entity_id,
        entry.org_path,
        json_or_empty(entry.before),
        json_or_empty(entry.after)};
  const std::string hash = sha256_hex(head.str(1) + content_of(r));
  DJ_TRY(
      c.exec("INSERT INTO audit_log (id, at, user_id, username, client_ip, route, action, entity, "
             "entity_id, org_path, before_json, after_json, prev_hash, hash) "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
             {r.id, r.at, r.user_id, r.username, r.client_ip, r.route, r.action, r.entity,
              r.entity_id, r.org_path, r.before_json, r.after_json, head.str(1), hash}));
  DJ_TRY(c.exec("UPDATE audit_head SET seq = ?, last_hash = ? WHERE id = 1", {r.id, hash}));
  return {};
}

Status record_now(store::Db& db, const Actor& actor, const Entry& entry) {
  return store::with_tx(db, [&](store::Conn& c) { return record(c, actor, entry); });
}

Result<VerifyReport> verify(store::Db& db) {
  return store::with_conn(db, [](store::Conn& c) -> Result<VerifyReport> {
    VerifyReport rep;
    std::string prev(64, '0');
    int64_t expected_id = 1;
    int64_t after = 0;
    for (;;) {
      DJ_ASSIGN(auto rows,
                c.query(std::string("SELECT ") + kColumns +
                            ", prev_hash, hash FROM audit_log WHERE id > ? ORDER BY id LIMIT 5000",
                        {after}));
      if (rows.empty()) break;
      for (const auto& raw : rows) {
        Row r = row_from(raw);
        ++rep.rows_checked;
        auto broken = [&](std::string why) {
          rep.first_broken_id = r.id;
          rep.problem = std::move(why);
        };
        if (r.id != expected_id) {
          broken("row " + std::to_string(expected_id) + " is missing");
        } else if (raw.str(12) != prev) {
          broken("previous-hash link does not match row " + std::to_string(r.id - 1));
        } else if (sha256_hex(prev + content_of(r)) != raw.str(13)) {
          broken("content does not match its hash");
        }
        if (rep.first_broken_id) return rep;
        prev = raw.str(13);
        ++expected_id;
        after = r.id;
      }
    }
    DJ_ASSIGN(auto head, c.query_one("SELECT seq, last_hash FROM audit_head WHERE id = 1"));
    if (head.i64(0) != expected_id - 1 || head.str(1) != prev) {
      rep.first_broken_id = expected_id;
      rep.problem = "rows after " + std::to_string(expected_id - 1) + " were removed";
    }
    return rep;
  });
}

Result<Page> list(store::Db& db, const Query& q) {
  store::Filter f(" FROM audit_log WHERE 1=1", {});
  if (q.scope_path != "/") {
    f.add("org_path >= ?", q.scope_path);
    f.add("org_path < ?", q.scope_path.substr(0, q.scope_path.size() - 1) + "0");
  }
  f.add_if("at >= ?", q.from_ms);
  f.add_if("at < ?", q.to_ms);
  f.add_if("user_id = ?", q.user_id);
  for (auto [clause, val] :
       {std::pair{"action = ?", &q.action}, std::pair{"entity = ?", &q.entity},
        std::pair{"entity_id = ?", &q.entity_id}, std::pair{"username = ?", &q.username}}) {
    if (!val->empty()) f.add(clause, *val);
  }
  return store::with_conn(db, [&](store::Conn& c) -> Result<Page> {
    DJ_ASSIGN(auto found, store::query_page(c, kColumns, f, "id DESC", q.page, q.page_size));
    Page page;
    page.total = found.total;
    for (const auto& r : found.rows) page.items.push_back(row_from(r));
    return page;
  });
}

}  // namespace dj::audit
