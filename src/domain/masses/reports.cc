// 双报告 (communities.h): a member's yearly report to his branch and an
// organization's to its community, drafted in Chinese from the year's
// registrations, services, matters and commitment; edited; sent.
#include <fmt/format.h>

#include <boost/json.hpp>

#include "common/json.h"
#include "common/time.h"
#include "common/validate.h"
#include "domain/audit/audit.h"
#include "domain/masses/communities.h"
#include "domain/masses/internal.h"
#include "domain/org/org.h"

namespace dj::masses {

namespace json = boost::json;
using auth::Perm;
using auth::Principal;
using detail::is_admin;

namespace {

// Hours from tenths, as the text writes them ("2", "1.5").
std::string hours_text(int64_t tenths) {
  return tenths % 10 == 0 ? std::to_string(tenths / 10) : fmt::format("{:.1f}", tenths / 10.0);
}

struct Subject {
  int64_t org_id = 0;
  std::string org_path, org_name;
  std::optional<int64_t> member_id;
  std::optional<std::string> member_name;
};

// Whose report it is, and whether p may write it.
Result<Subject> subject_of(store::Conn& c, const Principal& p, std::optional<int64_t> org_id,
                           bool write) {
  if (!org_id) {
    if (!p.member_id) return Error::invalid("org_id", "required", "give the organization");
    DJ_ASSIGN(auto m, c.query_opt("SELECT m.org_id, o.path, o.name, m.name FROM members m JOIN "
                                  "orgs o ON o.id = m.org_id WHERE m.id = ? AND m.deleted_at IS "
                                  "NULL",
                                  {*p.member_id}));
    if (!m) return Error::forbidden("a member's report is his own");
    return Subject{m->i64(0), m->str(1), m->str(2), p.member_id, m->str(3)};
  }
  auto o = org::OrgService::load(c, *org_id);
  if (!o || !is_admin(p) || !auth::in_scope(p, o->path) ||
      (write && !auth::has(p, Perm::org_write))) {
    return Error::invalid("org_id", "unknown", "no such organization in your scope");
  }
  return Subject{o->id, o->path, o->name, std::nullopt, std::nullopt};
}

// The figures of the year and the text they make.
Result<std::pair<json::object, std::string>> draft(store::Conn& c, const Subject& s, int64_t year) {
  const std::string from = fmt::format("{}-01-01", year), to = fmt::format("{}-12-31", year);
  json::object f;
  std::string text;
  // The registration open in the year (the latest).
  DJ_ASSIGN(
      auto reg,
      c.query_opt(std::string("SELECT k.id, k.name, r.registered_on, r.status FROM "
                              "community_registrations r JOIN communities k ON k.id = "
                              "r.community_id WHERE ") +
                      (s.member_id ? "r.member_id = ?" : "r.member_id IS NULL AND r.org_id = ?") +
                      " AND r.status <> 'rejected' AND r.registered_on <= ? AND "
                      "(r.ended_on IS NULL OR r.ended_on >= ?) ORDER BY r.registered_on "
                      "DESC LIMIT 1",
                  {s.member_id ? *s.member_id : s.org_id, to, from}));
  const std::string who = s.member_id ? "本人" : s.org_name;
  if (reg) {
    f["community_id"] = reg->i64(0);
    f["community_name"] = reg->str(1);
    f["registered_on"] = reg->str(2);
    text += fmt::format("{}年，{}于{}到{}报到{}。", year, who, reg->str(2), reg->str(1),
                        reg->str(3) == "confirmed" ? "，已经社区确认" : "，待社区确认");
  } else {
    text += fmt::format("{}年，{}尚未到社区报到。", year, who);
  }
  // Services confirmed by the communities in the year.
  DJ_ASSIGN(auto served,
            c.query_one(std::string("SELECT COUNT(*), COALESCE(SUM(hours_tenths), 0), "
                                    "COALESCE(SUM(CASE WHEN category = 'vaccination' THEN 1 ELSE "
                                    "0 END), 0) FROM community_services WHERE status = "
                                    "'confirmed' AND served_on >= ? AND served_on <= ? AND ") +
                            (s.member_id ? "member_id = ?" : "member_id IS NULL AND org_id = ?"),
                        {from, to, s.member_id ? *s.member_id : s.org_id}));
  f["services"] = served.i64(0);
  f["service_hours"] = static_cast<double>(served.i64(1)) / 10;
  f["vaccination_services"] = served.i64(2);
  if (served.i64(0) > 0) {
    text += fmt::format("全年{}到社区服务{}次、累计{}小时", s.member_id ? "" : "组织",
                        served.i64(0), hours_text(served.i64(1)));
    text += served.i64(2) > 0 ? fmt::format("，其中协助开展疫苗接种服务{}次。", served.i64(2))
                              : std::string("。");
  } else {
    text += "全年没有经社区确认的服务记录。";
  }
  if (!s.member_id) {
    // The organization's members at their communities.
    const std::string hi = auth::subtree_end(s.org_path);
    DJ_ASSIGN(auto ms, c.query_one("SELECT COUNT(*) FROM community_services x JOIN orgs o ON o.id "
                                   "= x.org_id WHERE x.member_id IS NOT NULL AND x.status = "
                                   "'confirmed' AND x.served_on >= ? AND x.served_on <= ? AND "
                                   "o.path >= ? AND o.path < ?",
                                   {from, to, s.org_path, hi}));
    f["member_services"] = ms.i64(0);
    if (ms.i64(0) > 0) text += fmt::format("本单位党员到居住地社区开展服务{}次。", ms.i64(0));
  }
  // 办实事 planned in the year.
  DJ_ASSIGN(auto mt,
            c.query_one(std::string("SELECT COUNT(*), COALESCE(SUM(CASE WHEN status = "
                                    "'done' THEN 1 ELSE 0 END), 0) FROM matters WHERE "
                                    "deleted_at IS NULL AND planned_on >= ? AND "
                                    "planned_on <= ? AND ") +
                            (s.member_id ? "member_id = ?" : "member_id IS NULL AND org_id = ?"),
                        {from, to, s.member_id ? *s.member_id : s.org_id}));
  f["matters_planned"] = mt.i64(0);
  f["matters_done"] = mt.i64(1);
  text += mt.i64(0) > 0
              ? fmt::format("{}为群众办实事{}件，已办结{}件。",
                            s.member_id ? "制定" : "制定民生实事计划，", mt.i64(0), mt.i64(1))
              : std::string("本年度没有登记为群众办实事。");
  if (s.member_id) {
    DJ_ASSIGN(auto k, c.query_opt("SELECT pledge, review FROM commitments WHERE member_id = ? AND "
                                  "year = ?",
                                  {*s.member_id, year}));
    static const std::map<std::string, std::string> kReview = {
        {"fulfilled", "已兑现"}, {"partly", "部分兑现"}, {"not", "未兑现"}};
    if (k) {
      f["pledge"] = k->str(0);
      f["review"] = or_null(k->opt_str(1));
      text += "年度承诺：" + k->str(0) +
              (k->null(1) ? "（待支部评议）。" : "，经支部评议" + kReview.at(k->str(1)) + "。");
    } else {
      text += "本年度没有作出承诺。";
    }
  }
  return std::pair{std::move(f), std::move(text)};
}

constexpr const char* kReportColumns =
    "d.id, d.year, d.org_id, o.path, d.member_id, m.name, d.community_id, k.name, d.body, "
    "d.figures, d.sent_at, d.updated_at FROM dual_reports d JOIN orgs o ON o.id = d.org_id LEFT "
    "JOIN members m ON m.id = d.member_id LEFT JOIN communities k ON k.id = d.community_id";

DualReport report_from(const store::Row& r) {
  DualReport x;
  x.id = r.i64(0);
  x.year = r.i64(1);
  x.org_id = r.i64(2);
  x.org_path = r.str(3);
  x.member_id = r.opt_i64(4);
  x.member_name = r.opt_str(5);
  x.community_id = r.opt_i64(6);
  x.community_name = r.opt_str(7);
  x.body = r.str(8);
  boost::system::error_code ec;
  auto v = json::parse(r.str(9), ec);
  if (!ec && v.is_object()) x.figures = v.as_object();
  x.sent_at = r.opt_i64(10);
  x.updated_at = r.i64(11);
  return x;
}

Result<std::optional<DualReport>> saved(store::Conn& c, const Subject& s, int64_t year) {
  DJ_ASSIGN(auto r, c.query_opt(std::string("SELECT ") + kReportColumns + " WHERE d.year = ? AND " +
                                    (s.member_id ? "d.member_id = ?"
                                                 : "d.member_id IS NULL AND d.org_id = ?"),
                                {year, s.member_id ? *s.member_id : s.org_id}));
  if (!r) return std::optional<DualReport>();
  return std::optional<DualReport>(report_from(*r));
}

}  // namespace

Result<DualReport> CommunityService::dual_report(const Principal& p, int64_t year,
                                                 std::optional<int64_t> org_id) {
  DJ_TRY(detail::check_year(year, false));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<DualReport> {
    DJ_ASSIGN(auto s, subject_of(c, p, org_id, false));
    DJ_ASSIGN(auto d, draft(c, s, year));
    DJ_ASSIGN(auto found, saved(c, s, year));
    DualReport out;
    if (found) {
      out = std::move(*found);
    } else {
      out.year = year;
      out.org_id = s.org_id;
      out.org_path = s.org_path;
      out.member_id = s.member_id;
      out.member_name = s.member_name;
      out.body = d.second;
      out.figures = d.first;
      if (auto k = d.first.if_contains("community_id")) out.community_id = k->as_int64();
      if (auto k = d.first.if_contains("community_name")) {
        out.community_name = std::string(k->as_string());
      }
    }
    out.draft = std::move(d.second);
    std::vector<DualReport> one{std::move(out)};
    DJ_TRY(org::name_paths(c, one));
    return one[0];
  });
}

Result<DualReport> CommunityService::save_dual_report(const Principal& p, int64_t year,
                                                      std::optional<int64_t> org_id,
                                                      const std::string& body) {
  DJ_TRY(detail::check_year(year, false));
  Validator v;
  v.text("body", std::optional<std::string>(body), 10000);
  DJ_TRY(v.status());
  return store::with_tx(db_, [&](store::Conn& c) -> Result<DualReport> {
    DJ_ASSIGN(auto s, subject_of(c, p, org_id, true));
    DJ_ASSIGN(auto d, draft(c, s, year));
    DJ_ASSIGN(auto found, saved(c, s, year));
    const int64_t now = now_ms();
    if (found && found->sent_at) {
      const std::string why = "the report is sent; it stays as sent";
      return Error{ErrorCode::conflict, why, {{"body", "sent", why}}};
    }
    const std::string figures = json::serialize(d.first);
    const store::Value community = d.first.contains("community_id")
                                       ? store::Value(d.first.at("community_id").as_int64())
                                       : store::Value();
    if (found) {
      DJ_TRY(
          c.exec("UPDATE dual_reports SET body = ?, figures = ?, community_id = ?, updated_at "
                 "= ?, updated_by = ? WHERE id = ?",
                 {body, figures, community, now, p.user_id, found->id}));
    } else {
      DJ_TRY(c.exec(
          "INSERT INTO dual_reports (year, org_id, member_id, community_id, body, "
          "figures, created_at, updated_at, created_by, updated_by) VALUES (?, ?, ?, ?, "
          "?, ?, ?, ?, ?, ?)",
          {year, s.org_id, s.member_id, community, body, figures, now, now, p.user_id, p.user_id}));
    }
    DJ_ASSIGN(auto after, saved(c, s, year));
    DJ_TRY(audit::record(c, p.actor(),
                         {"dual_report.save", "dual_report", std::to_string(after->id), s.org_path,
                          found ? to_json(*found) : json::object{}, to_json(*after)}));
    after->draft = std::move(d.second);
    std::vector<DualReport> one{std::move(*after)};
    DJ_TRY(org::name_paths(c, one));
    return one[0];
  });
}

Result<DualReport> CommunityService::send_dual_report(const Principal& p, int64_t id) {
  return store::with_tx(db_, [&](store::Conn& c) -> Result<DualReport> {
    DJ_ASSIGN(auto r,
              c.query_opt(std::string("SELECT ") + kReportColumns + " WHERE d.id = ?", {id}));
    if (!r) return Error::not_found("report " + std::to_string(id));
    auto before = report_from(*r);
    const bool own = before.member_id && before.member_id == p.member_id;
    const bool admin = !before.member_id && auth::has(p, Perm::org_write) && is_admin(p) &&
                       auth::in_scope(p, before.org_path);
    if (!own && !admin) return Error::not_found("report " + std::to_string(id));
    if (before.sent_at) return Error::conflict("the report is sent already");
    if (!before.member_id && !before.community_id) {
      const std::string why = "the organization has not reported to a community to send it to";
      return Error{ErrorCode::conflict, why, {{"community_id", "required", why}}};
    }
    const int64_t now = now_ms();
    DJ_TRY(
        c.exec("UPDATE dual_reports SET sent_at = ?, updated_at = ?, updated_by = ? WHERE id = ?",
               {now, now, p.user_id, id}));
    DJ_ASSIGN(auto a,
              c.query_one(std::string("SELECT ") + kReportColumns + " WHERE d.id = ?", {id}));
    std::vector<DualReport> one{report_from(a)};
    DJ_TRY(org::name_paths(c, one));
    DJ_TRY(audit::record(c, p.actor(),
                         {"dual_report.send", "dual_report", std::to_string(id), before.org_path,
                          to_json(before), to_json(one[0])}));
    return one[0];
  });
}

Result<std::vector<DualReport>> CommunityService::dual_reports(const Principal& p, int64_t year,
                                                               std::optional<int64_t> org_id) {
  DJ_TRY(detail::check_year(year, false));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<std::vector<DualReport>> {
    std::string where = " WHERE d.year = ?";
    store::Params params{year};
    if (p.role == auth::Role::community) {
      // An organization's report, once sent to this community.
      where += " AND d.member_id IS NULL AND d.sent_at IS NOT NULL AND d.community_id = ?";
      params.push_back(p.community_id.value_or(0));
    } else if (!is_admin(p)) {
      if (!p.member_id) return std::vector<DualReport>{};
      where += " AND d.member_id = ?";
      params.push_back(*p.member_id);
    } else {
      DJ_ASSIGN(const std::string scope, org::OrgService::subtree(c, p, org_id));
      where += " AND o.path >= ? AND o.path < ?";
      params.push_back(scope);
      params.push_back(auth::subtree_end(scope));
    }
    DJ_ASSIGN(auto rows, c.query(std::string("SELECT ") + kReportColumns + where +
                                     " ORDER BY o.path, m.name, d.id LIMIT 5000",
                                 params));
    std::vector<DualReport> out;
    for (const auto& r : rows) out.push_back(report_from(r));
    DJ_TRY(org::name_paths(c, out));
    return out;
  });
}

json::object to_json(const DualReport& r) {
  return {{"id", r.id ? json::value(r.id) : json::value(nullptr)},
          {"kind", r.member_id ? "member" : "org"},
          {"year", r.year},
          {"org_id", r.org_id},
          {"org_path_name", r.org_path_name},
          {"member_id", or_null(r.member_id)},
          {"member_name", or_null(r.member_name)},
          {"community_id", or_null(r.community_id)},
          {"community_name", or_null(r.community_name)},
          {"body", r.body},
          {"draft", r.draft},
          {"figures", r.figures},
          {"sent_at", r.sent_at ? json::value(format_instant(*r.sent_at)) : json::value(nullptr)},
          {"updated_at",
           r.updated_at ? json::value(format_instant(r.updated_at)) : json::value(nullptr)}};
}

}  // namespace dj::masses
