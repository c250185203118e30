#include "domain/activity/stats.h"

#include <boost/json.hpp>

#include "domain/member/member.h"
#include "domain/org/org.h"

namespace dj::activity {
namespace json = boost::json;

namespace {

void add(json::object& bucket, const std::string& key, int64_t count, int64_t attendances) {
  auto& slot = bucket[key];
  if (!slot.is_object()) slot = json::object{{"count", 0}, {"attendances", 0}};
  auto& o = slot.as_object();
  o["count"] = o["count"].as_int64() + count;
  o["attendances"] = o["attendances"].as_int64() + attendances;
}

}  // namespace

Result<json::object> activity_stats(store::Db& db, const auth::Principal& p, const Period& period,
                                    std::optional<int64_t> org_id) {
  DJ_TRY(auth::require(p, auth::Perm::org_read));
  return store::with_conn(db, [&](store::Conn& c) -> Result<json::object> {
    std::string root = p.scope_path;
    int64_t root_id = 0;
    if (org_id) {
      auto o = org::OrgService::load(c, *org_id);
      if (!o || !auth::in_scope(p, o->path)) {
        return Error::invalid("org_id", "unknown", "no such organization in your scope");
      }
      root = o->path;
      root_id = o->id;
    }
    const store::Params range{root, auth::subtree_end(root), period.from, period.to};
    // The whole tree needs no organization filter: the covering index on
    // held_on answers alone.
    const bool everything = root == "/";
    const std::string from_where =
        everything ? " FROM activities a WHERE a.held_on >= ? AND a.held_on <= ?"
                   : " FROM activities a JOIN orgs o ON o.id = a.org_id WHERE o.path >= ? AND "
                     "o.path < ? AND a.held_on >= ? AND a.held_on <= ?";
    DJ_ASSIGN(auto rows,
              c.query("SELECT a.type, a.subtype, a.method, a.off_site, a.tags, a.late_entry, "
                      "COUNT(*), SUM(a.present_count)" +
                          from_where +
                          " AND a.deleted_at IS NULL GROUP BY a.type, a.subtype, a.method, "
                          "a.off_site, a.tags, a.late_entry",
                      everything ? store::Params{period.from, period.to} : range));
    json::object by_type, by_subtype, by_tag, by_method;
    json::object off_site{{"count", 0}, {"attendances", 0}};
    int64_t total = 0, attendances = 0, late = 0;
    for (const auto& r : rows) {
      const int64_t n = r.i64(6), att = r.i64(7);
      total += n;
      attendances += att;
      if (r.flag(5)) late += n;
      add(by_type, r.str(0), n, att);
      if (!r.null(1)) add(by_subtype, r.str(0) + "." + r.str(1), n, att);
      if (!r.null(2)) add(by_method, r.str(2), n, att);
      if (r.flag(3)) {
        off_site["count"] = off_site["count"].as_int64() + n;
        off_site["attendances"] = off_site["attendances"].as_int64() + att;
      }
      json::error_code ec;
      auto tags = json::parse(r.str(4), ec);
      if (!ec && tags.is_array()) {
        for (const auto& t : tags.as_array()) {
          if (t.is_string()) add(by_tag, std::string(t.as_string()), n, att);
        }
      }
    }
    // Leading cadres at branch-level organizational life in the subtree:
    // driven from the few leaders through their attendance.
    DJ_ASSIGN(auto leaders,
              c.query_one("SELECT COUNT(DISTINCT t.member_id), COUNT(*), "
                          "COALESCE(SUM(ty.three_meetings), 0) FROM members m "
                          "CROSS JOIN attendance t CROSS JOIN activities a CROSS JOIN orgs o "
                          "JOIN activity_types ty ON ty.code = a.type "
                          "WHERE a.id = t.activity_id AND o.id = a.org_id AND t.member_id = m.id "
                          "AND m.cadre_rank IN " +
                              std::string(member::kLeadingCadreRanksSql) +
                              " "
                              "AND t.held_on >= ? AND t.held_on <= ? AND t.org_life = 1 "
                              "AND t.branch_level = 1 AND t.status IN ('present', 'late') "
                              "AND o.path >= ? AND o.path < ?",
                          {period.from, period.to, root, auth::subtree_end(root)}));
    DJ_ASSIGN(
        auto lectures,
        c.query_one("SELECT COUNT(*) FROM members m CROSS JOIN activities a "
                    "CROSS JOIN orgs o WHERE o.id = a.org_id AND a.lecturer_member_id = m.id "
                    "AND m.cadre_rank IN " +
                        std::string(member::kLeadingCadreRanksSql) +
                        " AND o.path >= ? "
                        "AND o.path < ? AND a.held_on >= ? AND a.held_on <= ? "
                        "AND a.deleted_at IS NULL "
                        "AND a.type IN ('party_lecture', 'special_briefing', 'report_meeting')",
                    range));
    return json::object{
        {"period", json::object{{"label", period.label}, {"from", period.from}, {"to", period.to}}},
        {"org_id", root_id ? json::value(root_id) : json::value(nullptr)},
        {"total", total},
        {"attendances", attendances},
        {"late_entries", late},
        {"by_type", std::move(by_type)},
        {"by_subtype", std::move(by_subtype)},
        {"by_tag", std::move(by_tag)},
        {"by_method", std::move(by_method)},
        {"off_site", std::move(off_site)},
        {"leaders", json::object{{"count", leaders.i64(0)},
                                 {"attendances", leaders.i64(1)},
                                 {"three_meetings_one_lecture", leaders.i64(2)},
                                 {"lectures_given", lectures.i64(0)}}},
    };
  });
}

}  // namespace dj::activity
