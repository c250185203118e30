// Learning delivered at home (送学上门) to infirm and retired members, with
// its hours to the ledger.
#include <boost/json.hpp>
#include <cmath>

#include "common/time.h"
#include "common/validate.h"
#include "domain/audit/audit.h"
#include "domain/ledger/ledger.h"
#include "domain/org/org.h"
#include "domain/training/internal.h"

namespace dj::training {

namespace json = boost::json;
using auth::Perm;
using auth::Principal;

Result<Delivery> TrainingService::deliver(const Principal& p, const DeliveryInput& in) {
  DJ_TRY(auth::require(p, Perm::member_write));
  Validator v;
  if (!in.member_id) v.add("member_id", "required", "is required");
  v.text("delivered_by", in.delivered_by, 50);
  v.date("delivered_on", in.delivered_on, true);
  if (in.delivered_on && is_valid_date(*in.delivered_on) && *in.delivered_on > today()) {
    v.add("delivered_on", "in_future", "must not be in the future");
  }
  v.text("content", in.content, 2000);
  if (!in.hours || !std::isfinite(*in.hours) || *in.hours <= 0 || *in.hours > 24) {
    v.add("hours", "range", "must be more than 0 and at most 24");
  }
  DJ_TRY(v.status());
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Delivery> {
    DJ_ASSIGN(auto m, c.query_opt("SELECT o.path, m.infirm, m.retired, m.name FROM members m JOIN "
                                  "orgs o ON o.id = m.org_id WHERE m.id = ? AND "
                                  "m.deleted_at IS NULL",
                                  {*in.member_id}));
    if (!m || !auth::in_scope(p, m->str(0))) {
      return Error::invalid("member_id", "unknown", "no such member in your scope");
    }
    if (!m->flag(1) && !m->flag(2)) {
      return Error::invalid("member_id", "not_eligible",
                            "learning is delivered at home to infirm or retired members");
    }
    const int64_t hours = std::llround(*in.hours * 10);
    DJ_ASSIGN(auto ins, c.query_one("INSERT INTO home_deliveries (member_id, delivered_by, "
                                    "delivered_on, content, hours_tenths, created_at, created_by) "
                                    "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                    {*in.member_id, *in.delivered_by, *in.delivered_on, *in.content,
                                     hours, now_ms(), p.user_id}));
    const int64_t id = ins.i64(0);
    DJ_TRY(ledger::post(c, "home_delivery", id, "送学上门",
                        {{*in.member_id, *in.delivered_on, hours}}));
    Delivery out{id,          *in.member_id, m->str(3), *in.delivered_by, *in.delivered_on,
                 *in.content, hours};
    DJ_TRY(audit::record(c, p.actor(),
                         {"home_delivery.create",
                          "home_delivery",
                          std::to_string(id),
                          m->str(0),
                          {},
                          to_json(out)}));
    return out;
  });
}

Result<std::vector<Delivery>> TrainingService::deliveries(const Principal& p,
                                                          std::optional<int64_t> org_id, int year) {
  DJ_TRY(auth::require(p, Perm::member_read));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<std::vector<Delivery>> {
    DJ_ASSIGN(const std::string scope, org::OrgService::subtree(c, p, org_id));
    DJ_ASSIGN(auto rows, c.query("SELECT d.id, d.member_id, m.name, d.delivered_by, "
                                 "d.delivered_on, d.content, d.hours_tenths FROM home_deliveries d "
                                 "JOIN members m ON m.id = d.member_id JOIN orgs o ON "
                                 "o.id = m.org_id WHERE o.path >= ? AND o.path < ? AND "
                                 "d.delivered_on >= ? AND d.delivered_on <= ? AND "
                                 "d.deleted_at IS NULL ORDER BY d.delivered_on DESC, d.id DESC",
                                 {scope, auth::subtree_end(scope), std::to_string(year) + "-01-01",
                                  std::to_string(year) + "-12-31"}));
    std::vector<Delivery> out;
    for (const auto& r : rows) {
      out.push_back({r.i64(0), r.i64(1), r.str(2), r.str(3), r.str(4), r.str(5), r.i64(6)});
    }
    return out;
  });
}

json::object to_json(const Delivery& d) {
  return json::object{{"id", d.id},
                      {"member_id", d.member_id},
                      {"name", d.name},
                      {"delivered_by", d.delivered_by},
                      {"delivered_on", d.delivered_on},
                      {"content", d.content},
                      {"hours", static_cast<double>(d.hours_tenths) / 10.0}};
}

json::object to_json(const std::vector<Delivery>& deliveries) {
  json::array items;
  for (const auto& d : deliveries) items.push_back(to_json(d));
  const auto n = static_cast<int64_t>(items.size());
  return json::object{{"items", std::move(items)}, {"total", n}};
}

}  // namespace dj::training
