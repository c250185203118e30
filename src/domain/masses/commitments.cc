// 亮身份、亮职责、亮承诺: each member's yearly commitment, shown within his
// organization and reviewed by it at year end.
#include <boost/json.hpp>

#include "common/json.h"
#include "common/time.h"
#include "common/validate.h"
#include "domain/audit/audit.h"
#include "domain/masses/internal.h"
#include "domain/masses/masses.h"
#include "domain/org/org.h"
#include "store/query.h"

namespace dj::masses {

namespace json = boost::json;
using auth::Perm;
using auth::Principal;

namespace {

constexpr const char* kCommitmentColumns =
    "k.id, k.member_id, m.name, k.org_id, o.path, k.year, k.identity, k.duty, k.pledge, "
    "k.review, k.review_note, k.updated_at FROM commitments k JOIN members m ON m.id = "
    "k.member_id JOIN orgs o ON o.id = k.org_id";

Commitment commitment_from(const store::Row& r) {
  Commitment k;
  k.id = r.i64(0);
  k.member_id = r.i64(1);
  k.member_name = r.str(2);
  k.org_id = r.i64(3);
  k.org_path = r.str(4);
  k.year = r.i64(5);
  k.identity = r.str(6);
  k.duty = r.str(7);
  k.pledge = r.str(8);
  k.review = r.opt_str(9);
  k.review_note = r.opt_str(10);
  k.updated_at = r.i64(11);
  return k;
}

Result<std::vector<Commitment>> select(store::Conn& c, const std::string& where,
                                       const store::Params& params) {
  DJ_ASSIGN(auto rows, c.query(std::string("SELECT ") + kCommitmentColumns + " WHERE " + where +
                                   " ORDER BY o.path, m.name, k.id",
                               params));
  std::vector<Commitment> out;
  for (const auto& r : rows) out.push_back(commitment_from(r));
  DJ_TRY(org::name_paths(c, out));
  return out;
}

}  // namespace

Result<Commitment> MassesService::commit(const Principal& p, int64_t year,
                                         const CommitmentInput& in) {
  if (!p.member_id) return Error::forbidden("a commitment is a member's own");
  DJ_TRY(detail::check_year(year, true));
  Validator v;
  v.text("identity", in.identity, 200);
  v.text("duty", in.duty, 1000);
  v.text("pledge", in.pledge, 2000);
  DJ_TRY(v.status());
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Commitment> {
    DJ_ASSIGN(auto before, select(c, "k.member_id = ? AND k.year = ?", {*p.member_id, year}));
    const int64_t now = now_ms();
    if (!before.empty() && before[0].review) {
      const std::string why = "the commitment is reviewed; it stays as reviewed";
      return Error{ErrorCode::conflict, why, {{"review", "reviewed", why}}};
    }
    if (before.empty()) {
      DJ_ASSIGN(auto m,
                c.query_opt("SELECT org_id FROM members WHERE id = ? AND deleted_at IS NULL",
                            {*p.member_id}));
      if (!m) return Error::forbidden("a commitment is a member's own");
      DJ_TRY(
          c.exec("INSERT INTO commitments (member_id, org_id, year, identity, duty, pledge, "
                 "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 {*p.member_id, m->i64(0), year, *in.identity, *in.duty, *in.pledge, now, now}));
    } else {
      DJ_TRY(
          c.exec("UPDATE commitments SET identity = ?, duty = ?, pledge = ?, updated_at = ? "
                 "WHERE id = ?",
                 {*in.identity, *in.duty, *in.pledge, now, before[0].id}));
    }
    DJ_ASSIGN(auto after, select(c, "k.member_id = ? AND k.year = ?", {*p.member_id, year}));
    DJ_TRY(audit::record(
        c, p.actor(),
        {"commitment.commit", "commitment", std::to_string(after[0].id), after[0].org_path,
         before.empty() ? json::object{} : to_json(before[0]), to_json(after[0])}));
    return after[0];
  });
}

Result<std::vector<Commitment>> MassesService::commitments(const Principal& p,
                                                           std::optional<int64_t> org_id,
                                                           int64_t year) {
  DJ_TRY(detail::check_year(year, true));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<std::vector<Commitment>> {
    std::string scope;
    if (p.role == auth::Role::member || !auth::has(p, Perm::member_read)) {
      // 公示: a member sees his own organization's commitments.
      if (!p.member_id) return std::vector<Commitment>{};
      DJ_ASSIGN(auto m, c.query_opt("SELECT o.path FROM members m JOIN orgs o ON o.id = m.org_id "
                                    "WHERE m.id = ?",
                                    {*p.member_id}));
      if (!m) return std::vector<Commitment>{};
      return select(c, "o.path = ? AND k.year = ?", {m->str(0), year});
    }
    DJ_ASSIGN(scope, org::OrgService::subtree(c, p, org_id));
    return select(c, "o.path >= ? AND o.path < ? AND k.year = ?",
                  {scope, auth::subtree_end(scope), year});
  });
}

Result<Commitment> MassesService::review(const Principal& p, int64_t id, const std::string& result,
                                         const std::optional<std::string>& note) {
  DJ_TRY(auth::require(p, Perm::org_write));
  Validator v;
  if (std::find(std::begin(kReviews), std::end(kReviews), result) == std::end(kReviews)) {
    v.add("result", "unknown_code", "must be fulfilled, partly or not");
  }
  v.text("note", note, 500, false);
  DJ_TRY(v.status());
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Commitment> {
    DJ_ASSIGN(auto before, select(c, "k.id = ?", {id}));
    if (before.empty() || !auth::in_scope(p, before[0].org_path)) {
      return Error::not_found("commitment " + std::to_string(id));
    }
    DJ_TRY(
        c.exec("UPDATE commitments SET review = ?, review_note = ?, reviewed_at = ?, "
               "reviewed_by = ? WHERE id = ?",
               {result, note, now_ms(), p.user_id, id}));
    DJ_ASSIGN(auto after, select(c, "k.id = ?", {id}));
    DJ_TRY(audit::record(c, p.actor(),
                         {"commitment.review", "commitment", std::to_string(id), after[0].org_path,
                          to_json(before[0]), to_json(after[0])}));
    return after[0];
  });
}

Result<CommitmentFigures> MassesService::commitment_figures(const Principal& p,
                                                            std::optional<int64_t> org_id,
                                                            int64_t year) {
  DJ_TRY(auth::require(p, Perm::org_read));
  DJ_TRY(detail::check_year(year, true));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<CommitmentFigures> {
    DJ_ASSIGN(const std::string scope, org::OrgService::subtree(c, p, org_id));
    const std::string end = auth::subtree_end(scope);
    DJ_ASSIGN(auto members, c.query_one("SELECT COUNT(*) FROM members m JOIN orgs o ON o.id = "
                                        "m.org_id WHERE m.deleted_at IS NULL AND o.path >= ? AND "
                                        "o.path < ? AND m.political_status IN ('full', "
                                        "'probationary')",
                                        {scope, end}));
    DJ_ASSIGN(auto k, c.query_one("SELECT COUNT(*), COALESCE(SUM(CASE WHEN k.review = 'fulfilled' "
                                  "THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN k.review = "
                                  "'partly' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN "
                                  "k.review = 'not' THEN 1 ELSE 0 END), 0) FROM commitments k "
                                  "JOIN orgs o ON o.id = k.org_id WHERE o.path >= ? AND o.path "
                                  "< ? AND k.year = ?",
                                  {scope, end, year}));
    return CommitmentFigures{year, members.i64(0), k.i64(0), k.i64(1), k.i64(2), k.i64(3)};
  });
}

json::object to_json(const Commitment& k) {
  return json::object{{"id", k.id},
                      {"member_id", k.member_id},
                      {"member_name", k.member_name},
                      {"org_id", k.org_id},
                      {"org_path_name", k.org_path_name},
                      {"year", k.year},
                      {"identity", k.identity},
                      {"duty", k.duty},
                      {"pledge", k.pledge},
                      {"review", or_null(k.review)},
                      {"review_note", or_null(k.review_note)},
                      {"updated_at", format_instant(k.updated_at)}};
}

json::object to_json(const CommitmentFigures& f) {
  return json::object{{"year", f.year},           {"members", f.members},
                      {"committed", f.committed}, {"fulfilled", f.fulfilled},
                      {"partly", f.partly},       {"not_kept", f.not_kept}};
}

}  // namespace dj::masses
