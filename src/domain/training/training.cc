#include "domain/training/training.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <map>
#include <set>

#include "common/time.h"
#include "common/validate.h"
#include "domain/audit/audit.h"
#include "domain/ledger/ledger.h"
#include "domain/member/member.h"
#include "domain/org/org.h"
#include "store/group_commit.h"
#include "store/query.h"

namespace dj::training {
namespace {

namespace json = boost::json;
using auth::Perm;
using auth::Principal;

// Target groups whose classes open with the theory course (首课/必修课).
constexpr const char* kTheoryFirst[] = {"new_members", "activists", "development_targets"};

template <size_t N>
bool one_of(const std::string& v, const char* const (&codes)[N]) {
  return std::any_of(std::begin(codes), std::end(codes), [&](const char* c) { return v == c; });
}

std::vector<std::string> parse_list(const std::string& text) {
  std::vector<std::string> out;
  json::error_code ec;
  auto v = json::parse(text, ec);
  if (!ec && v.is_array()) {
    for (const auto& x : v.as_array()) {
      if (x.is_string()) out.emplace_back(x.as_string());
    }
  }
  return out;
}

json::array to_array(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

struct Training {
  int64_t id, org_id;
  std::string org_path, title, level;
  std::vector<std::string> groups;
  std::string starts_on, ends_on;
  std::optional<std::string> venue, itinerary;
  int64_t capacity, threshold, pass_score;
  bool off_site, exam_required;
};

constexpr const char* kTrainingColumns =
    "t.id, t.org_id, o.path, t.title, t.level, t.target_groups, t.starts_on, t.ends_on, "
    "t.venue, t.itinerary, t.capacity, t.attendance_threshold, t.pass_score, t.off_site, "
    "t.exam_required";

Training training_from(const store::Row& r) {
  return Training{
      r.i64(0),  r.i64(1),   r.str(2),     r.str(3),     r.str(4),  parse_list(r.str(5)),
      r.str(6),  r.str(7),   r.opt_str(8), r.opt_str(9), r.i64(10), r.i64(11),
      r.i64(12), r.flag(13), r.flag(14)};
}

Result<Training> load(store::Conn& c, int64_t id) {
  DJ_ASSIGN(auto r, c.query_opt(std::string("SELECT ") + kTrainingColumns +
                                    " FROM trainings t JOIN orgs o ON o.id = t.org_id "
                                    "WHERE t.id = ? AND t.deleted_at IS NULL",
                                {id}));
  if (!r) return Error::not_found("training " + std::to_string(id));
  return training_from(*r);
}

// A class the caller may see: organized in his scope, or one he is enrolled in.
Result<Training> readable(store::Conn& c, const Principal& p, int64_t id) {
  auto t = load(c, id);
  if (!t) return t;
  // Administrators inside the organizing subtree, and those below the
  // organizing organization (who enrol their members into its classes).
  if (auth::has(p, Perm::org_read) &&
      (auth::in_scope(p, t->org_path) || p.scope_path.starts_with(t->org_path))) {
    return t;
  }
  if (p.member_id) {
    DJ_ASSIGN(auto e, c.query_opt("SELECT 1 FROM enrolments WHERE training_id = ? AND "
                                  "member_id = ?",
                                  {id, *p.member_id}));
    if (e) return t;
  }
  return Error::not_found("training " + std::to_string(id));
}

Result<Training> writable(store::Conn& c, const Principal& p, int64_t id) {
  DJ_TRY(auth::require(p, Perm::org_write));
  auto t = load(c, id);
  if (!t || !auth::in_scope(p, t->org_path)) {
    return Error::not_found("training " + std::to_string(id));
  }
  return t;
}

json::object training_json(const Training& t) {
  auto opt = [](const std::optional<std::string>& s) {
    return s ? json::value(*s) : json::value(nullptr);
  };
  return json::object{{"id", t.id},
                      {"org_id", t.org_id},
                      {"title", t.title},
                      {"level", t.level},
                      {"target_groups", to_array(t.groups)},
                      {"starts_on", t.starts_on},
                      {"ends_on", t.ends_on},
                      {"venue", opt(t.venue)},
                      {"itinerary", opt(t.itinerary)},
                      {"capacity", t.capacity},
                      {"off_site", t.off_site},
                      {"attendance_threshold", t.threshold},
                      {"exam_required", t.exam_required},
                      {"pass_score", t.pass_score}};
}

struct Session {
  int64_t id, training_id;
  std::string title;
  std::optional<std::string> lecturer_name, method, venue;
  int64_t started_at, ended_at, hours_tenths;
  bool required, first_course;
  std::optional<double> latitude, longitude;
  std::optional<int64_t> radius_m;
};

Result<std::vector<Session>> sessions_of(store::Conn& c, int64_t training_id) {
  DJ_ASSIGN(auto rows,
            c.query("SELECT id, training_id, title, lecturer_name, method, venue, "
                    "started_at, ended_at, hours_tenths, required, first_course, "
                    "latitude, longitude, radius_m FROM training_sessions WHERE training_id = ? "
                    "ORDER BY started_at, id",
                    {training_id}));
  std::vector<Session> out;
  for (const auto& r : rows) {
    Session x{r.i64(0), r.i64(1), r.str(2), r.opt_str(3), r.opt_str(4), r.opt_str(5),
              r.i64(6), r.i64(7), r.i64(8), r.flag(9),    r.flag(10)};
    if (!r.null(11)) x.latitude = r.f64(11);
    if (!r.null(12)) x.longitude = r.f64(12);
    x.radius_m = r.opt_i64(13);
    out.push_back(std::move(x));
  }
  return out;
}

json::object session_json(const Session& s) {
  auto opt = [](const std::optional<std::string>& v) {
    return v ? json::value(*v) : json::value(nullptr);
  };
  return json::object{
      {"id", s.id},
      {"title", s.title},
      {"lecturer_name", opt(s.lecturer_name)},
      {"method", opt(s.method)},
      {"venue", opt(s.venue)},
      {"started_at", format_instant(s.started_at)},
      {"ended_at", format_instant(s.ended_at)},
      {"hours", static_cast<double>(s.hours_tenths) / 10.0},
      {"required", s.required},
      {"first_course", s.first_course},
      {"geofence", s.radius_m ? json::value(json::object{{"latitude", *s.latitude},
                                                         {"longitude", *s.longitude},
                                                         {"radius_m", *s.radius_m}})
                              : json::value(nullptr)}};
}

// Great-circle distance in metres.
double distance_m(double lat1, double lng1, double lat2, double lng2) {
  constexpr double kRad = 3.14159265358979323846 / 180.0;
  const double dlat = (lat2 - lat1) * kRad, dlng = (lng2 - lng1) * kRad;
  const double a =
      std::sin(dlat / 2) * std::sin(dlat / 2) +
      std::cos(lat1 * kRad) * std::cos(lat2 * kRad) * std::sin(dlng / 2) * std::sin(dlng / 2);
  return 2 * 6371000.0 * std::asin(std::min(1.0, std::sqrt(a)));
}

bool needs_theory_first(const Training& t) {
  return std::any_of(t.groups.begin(), t.groups.end(),
                     [](const std::string& g) { return one_of(g, kTheoryFirst); });
}

// The directly affiliated organization (depth 1) above a path, if any.
std::optional<int64_t> affiliated_of(const std::string& path) {
  // "/1/12/305/" -> 12
  const size_t a = path.find('/', 1);
  if (a == std::string::npos || a + 1 >= path.size()) return std::nullopt;
  const size_t b = path.find('/', a + 1);
  if (b == std::string::npos) return std::nullopt;
  return std::stoll(path.substr(a + 1, b - a - 1));
}

// Whether a member belongs to one of the target groups.
bool in_target(const std::vector<std::string>& groups, const store::Row& m, int new_months) {
  const std::string status = m.str(1), rank = m.str(2);
  const bool party_worker = m.flag(3);
  const std::optional<std::string> joined = m.opt_str(4);
  for (const auto& g : groups) {
    if (g == "all_members" && (status == "full" || status == "probationary")) return true;
    if (g == "activists" && status == "activist") return true;
    if (g == "development_targets" && status == "development_target") return true;
    if (g == "party_workers" && party_worker) return true;
    if (g == "leading_cadres" && member::is_leading_cadre(rank)) return true;
    if (g == "new_members" && joined && *joined >= months_before(today(), new_months)) return true;
  }
  return groups.empty();
}

}  // namespace

std::string TrainingService::token_for(int64_t session_id, int64_t slot) const {
  return base64url(
             hmac_sha256(qr_key_, "qr:" + std::to_string(session_id) + ":" + std::to_string(slot)))
      .substr(0, 22);
}

std::string TrainingService::code_for(int64_t session_id, int64_t slot) const {
  const std::string mac =
      hmac_sha256(qr_key_, "code:" + std::to_string(session_id) + ":" + std::to_string(slot));
  uint32_t n = 0;
  for (int i = 0; i < 4; ++i) n = (n << 8) | static_cast<unsigned char>(mac[i]);
  return fmt::format("{:06}", n % 1000000);
}

Result<json::object> TrainingService::create(const Principal& p, const TrainingInput& in) {
  DJ_TRY(auth::require(p, Perm::org_write));
  Validator v;
  if (!in.org_id) v.add("org_id", "required", "is required");
  v.text("title", in.title, 200);
  if (!in.level || !one_of(*in.level, kLevels)) {
    v.add("level", "unknown_code", "must be one of demonstration, unit, party_school");
  }
  if (in.target_groups) {
    for (const auto& g : *in.target_groups) {
      if (!one_of(g, kGroups)) {
        v.add("target_groups", "unknown_code",
              "each is one of new_members, activists, development_targets, party_workers, "
              "leading_cadres, all_members");
        break;
      }
    }
  }
  v.date("starts_on", in.starts_on, true);
  v.date("ends_on", in.ends_on, true);
  if (in.starts_on && in.ends_on && is_valid_date(*in.starts_on) && is_valid_date(*in.ends_on) &&
      *in.ends_on < *in.starts_on) {
    v.add("ends_on", "before_start", "must not be before starts_on");
  }
  v.text("venue", in.venue, 200, false);
  v.text("itinerary", in.itinerary, 5000, false);
  if (!in.capacity || *in.capacity < 1 || *in.capacity > 100000) {
    v.add("capacity", "range", "must be from 1 to 100000");
  }
  if (in.attendance_threshold && (*in.attendance_threshold < 0 || *in.attendance_threshold > 100)) {
    v.add("attendance_threshold", "range", "is a percentage from 0 to 100");
  }
  if (in.pass_score && (*in.pass_score < 0 || *in.pass_score > 100)) {
    v.add("pass_score", "range", "must be from 0 to 100");
  }
  if (in.off_site.value_or(false) && !in.itinerary) {
    v.add("itinerary", "required", "an off-site study trip needs an itinerary");
  }
  DJ_TRY(v.status());
  return store::with_tx(db_, [&](store::Conn& c) -> Result<json::object> {
    auto org = org::OrgService::load(c, *in.org_id);
    if (!org || !auth::in_scope(p, org->path)) {
      return Error::invalid("org_id", "unknown", "no such organization in your scope");
    }
    const int64_t now = now_ms();
    json::array groups = to_array(in.target_groups.value_or(std::vector<std::string>{}));
    DJ_ASSIGN(
        auto ins,
        c.query_one("INSERT INTO trainings (org_id, title, level, target_groups, starts_on, "
                    "ends_on, venue, capacity, off_site, itinerary, attendance_threshold, "
                    "exam_required, pass_score, created_at, updated_at, created_by, "
                    "updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "RETURNING id",
                    {org->id, *in.title, *in.level, json::serialize(groups), *in.starts_on,
                     *in.ends_on, in.venue, *in.capacity, in.off_site.value_or(false), in.itinerary,
                     in.attendance_threshold.value_or(80), in.exam_required.value_or(false),
                     in.pass_score.value_or(60), now, now, p.user_id, p.user_id}));
    DJ_ASSIGN(auto t, load(c, ins.i64(0)));
    auto out = training_json(t);
    DJ_TRY(audit::record(
        c, p.actor(), {"training.create", "training", std::to_string(t.id), t.org_path, {}, out}));
    return out;
  });
}

Result<json::object> TrainingService::get(const Principal& p, int64_t id) {
  return store::with_conn(db_, [&](store::Conn& c) -> Result<json::object> {
    DJ_ASSIGN(auto t, readable(c, p, id));
    auto out = training_json(t);
    DJ_ASSIGN(auto sessions, sessions_of(c, id));
    json::array list;
    for (const auto& s : sessions) list.push_back(session_json(s));
    out["sessions"] = std::move(list);
    DJ_ASSIGN(auto quotas,
              c.query("SELECT q.org_id, o.name, q.seats, (SELECT COUNT(*) FROM enrolments e WHERE "
                      "e.training_id = q.training_id AND e.quota_org_id = q.org_id AND "
                      "e.status = 'enrolled') FROM training_quotas q JOIN orgs o ON "
                      "o.id = q.org_id WHERE q.training_id = ? ORDER BY o.code",
                      {id}));
    json::array qs;
    for (const auto& r : quotas) {
      qs.push_back(json::object{{"org_id", r.i64(0)},
                                {"org_name", r.str(1)},
                                {"seats", r.i64(2)},
                                {"enrolled", r.i64(3)},
                                {"left", std::max<int64_t>(0, r.i64(2) - r.i64(3))}});
    }
    out["quotas"] = std::move(qs);
    DJ_ASSIGN(auto counts, c.query_one("SELECT COALESCE(SUM(CASE WHEN status = 'enrolled' THEN 1 "
                                       "ELSE 0 END), 0), COALESCE(SUM(CASE WHEN status = "
                                       "'waitlisted' THEN 1 ELSE 0 END), 0), "
                                       "COALESCE(SUM(completed), 0) FROM enrolments "
                                       "WHERE training_id = ?",
                                       {id}));
    out["enrolled"] = counts.i64(0);
    out["waitlisted"] = counts.i64(1);
    out["completed"] = counts.i64(2);
    return out;
  });
}

Result<json::object> TrainingService::list(const Principal& p, int64_t page, int64_t page_size) {
  DJ_TRY(auth::require(p, Perm::org_read));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<json::object> {
    const store::Filter f(
        " FROM trainings t JOIN orgs o ON o.id = t.org_id WHERE t.deleted_at IS NULL AND "
        "((o.path >= ? AND o.path < ?) OR ? LIKE (o.path || '%'))",
        {p.scope_path, auth::subtree_end(p.scope_path), p.scope_path});
    DJ_ASSIGN(auto found, store::query_page(c, kTrainingColumns, f, "t.starts_on DESC, t.id DESC",
                                            page, page_size));
    json::array items;
    for (const auto& r : found.rows) items.push_back(training_json(training_from(r)));
    return json::object{{"items", std::move(items)}, {"total", found.total}};
  });
}

Result<json::object> TrainingService::add_session(const Principal& p, int64_t id,
                                                  const SessionInput& in) {
  Validator v;
  v.text("title", in.title, 200);
  v.text("lecturer_name", in.lecturer_name, 50, false);
  v.text("venue", in.venue, 200, false);
  if (in.method && !one_of(*in.method, kMethods)) {
    v.add("method", "unknown_code", "must be one of lecture, case, discussion, observation");
  }
  std::optional<int64_t> start, end;
  if (!in.started_at || !(start = parse_instant(*in.started_at))) {
    v.add("started_at", "format", "must be ISO 8601 with an offset");
  }
  if (!in.ended_at || !(end = parse_instant(*in.ended_at))) {
    v.add("ended_at", "format", "must be ISO 8601 with an offset");
  }
  if (start && end && *end <= *start) v.add("ended_at", "before_start", "must be after started_at");
  if (in.hours && (!std::isfinite(*in.hours) || *in.hours < 0 || *in.hours > 24)) {
    v.add("hours", "range", "must be between 0 and 24");
  }
  const int geo = in.latitude.has_value() + in.longitude.has_value() + in.radius_m.has_value();
  if (geo != 0 && geo != 3) {
    v.add("radius_m", "incomplete", "a geofence needs latitude, longitude and radius_m");
  } else if (geo == 3 && (*in.latitude < -90 || *in.latitude > 90 || *in.longitude < -180 ||
                          *in.longitude > 180 || *in.radius_m < 10 || *in.radius_m > 100000)) {
    v.add("radius_m", "range", "latitude -90..90, longitude -180..180, radius 10..100000 m");
  }
  DJ_TRY(v.status());
  return store::with_tx(db_, [&](store::Conn& c) -> Result<json::object> {
    DJ_ASSIGN(auto t, writable(c, p, id));
    const std::string day = date_of_instant(*start);
    if (day < t.starts_on || date_of_instant(*end) > t.ends_on) {
      return Error::invalid(
          "started_at", "outside_class",
          "the session must lie within the class dates " + t.starts_on + " to " + t.ends_on);
    }
    DJ_ASSIGN(auto existing, sessions_of(c, id));
    if (needs_theory_first(t)) {
      // The theory course (first_course) must be the earliest session.
      const Session* first = existing.empty() ? nullptr : &existing.front();
      const bool new_is_first = !first || *start < first->started_at;
      if (new_is_first ? !in.first_course.value_or(false) : false) {
        return Error::invalid("first_course", "theory_first",
                              "this class's target group starts with the theory course: add the "
                              "session marked first_course first");
      }
      if (in.first_course.value_or(false) && first && *start > first->started_at) {
        return Error::invalid("started_at", "out_of_order",
                              "the first course must come before every other session");
      }
    }
    json::array warnings;
    if (in.venue) {
      DJ_ASSIGN(auto clash,
                c.query("SELECT s.id, t.title FROM training_sessions s JOIN trainings t ON "
                        "t.id = s.training_id WHERE s.venue = ? AND s.started_at < ? AND "
                        "s.ended_at > ? AND t.deleted_at IS NULL",
                        {*in.venue, *end, *start}));
      for (const auto& r : clash) {
        warnings.push_back(
            json::object{{"code", "venue_busy"},
                         {"message", "the venue is booked at that time by " + r.str(1)},
                         {"session_id", r.i64(0)}});
      }
    }
    const int64_t hours =
        in.hours ? std::llround(*in.hours * 10) : std::llround((*end - *start) / 360000.0);
    DJ_ASSIGN(
        auto ins,
        c.query_one("INSERT INTO training_sessions (training_id, title, "
                    "lecturer_name, started_at, ended_at, hours_tenths, method, "
                    "required, first_course, venue, latitude, longitude, "
                    "radius_m, created_at, created_by) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "RETURNING id",
                    {id, *in.title, in.lecturer_name, *start, *end, hours, in.method,
                     in.required.value_or(false), in.first_course.value_or(false), in.venue,
                     in.latitude ? store::Value(std::to_string(*in.latitude)) : store::Value(),
                     in.longitude ? store::Value(std::to_string(*in.longitude)) : store::Value(),
                     in.radius_m, now_ms(), p.user_id}));
    Session s{ins.i64(0),
              id,
              *in.title,
              in.lecturer_name,
              in.method,
              in.venue,
              *start,
              *end,
              hours,
              in.required.value_or(false),
              in.first_course.value_or(false),
              in.latitude,
              in.longitude,
              in.radius_m};
    auto out = session_json(s);
    DJ_TRY(audit::record(
        c, p.actor(),
        {"training.session_add", "training", std::to_string(id), t.org_path, {}, out}));
    out["warnings"] = std::move(warnings);
    return out;
  });
}

Result<json::object> TrainingService::set_quotas(
    const Principal& p, int64_t id, const std::vector<std::pair<int64_t, int64_t>>& quotas) {
  DJ_TRY(auth::require(p, Perm::quota_manage));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<json::object> {
    DJ_ASSIGN(auto t, writable(c, p, id));
    Validator v;
    int64_t total = 0;
    std::set<int64_t> seen;
    for (size_t i = 0; i < quotas.size(); ++i) {
      const auto& [org_id, seats] = quotas[i];
      const std::string f = "quotas[" + std::to_string(i) + "]";
      auto o = org::OrgService::load(c, org_id);
      if (!o || o->depth != 1) {
        v.add(f + ".org_id", "not_affiliated", "must be a directly affiliated organization");
      }
      if (!seen.insert(org_id).second) v.add(f + ".org_id", "duplicate", "is listed twice");
      if (seats < 0) v.add(f + ".seats", "range", "must not be negative");
      total += seats;
    }
    if (total > t.capacity) {
      v.add("quotas", "over_capacity",
            "the seats add up to " + std::to_string(total) + ", more than the capacity of " +
                std::to_string(t.capacity));
    }
    DJ_TRY(v.status());
    DJ_TRY(c.exec("DELETE FROM training_quotas WHERE training_id = ?", {id}));
    json::array out;
    for (const auto& [org_id, seats] : quotas) {
      DJ_TRY(c.exec("INSERT INTO training_quotas (training_id, org_id, seats) VALUES (?, ?, ?)",
                    {id, org_id, seats}));
      out.push_back(json::object{{"org_id", org_id}, {"seats", seats}});
    }
    DJ_TRY(audit::record(c, p.actor(),
                         {"training.quotas",
                          "training",
                          std::to_string(id),
                          t.org_path,
                          {},
                          json::object{{"quotas", out}}}));
    return json::object{{"quotas", std::move(out)}, {"total", total}, {"capacity", t.capacity}};
  });
}

Result<json::object> TrainingService::enrol(const Principal& p, int64_t id, const EnrolInput& in) {
  DJ_TRY(auth::require(p, Perm::member_write));
  if (!in.member_id) return Error::invalid("member_id", "required", "is required");
  if (in.override_reason && !auth::has(p, Perm::enrolment_override)) {
    return Error::forbidden("only a committee_admin overrides the target group");
  }
  return store::with_tx(db_, [&](store::Conn& c) -> Result<json::object> {
    DJ_ASSIGN(auto t, load(c, id));
    // Classes organized above the caller (the committee's) or inside his scope.
    if (!p.scope_path.starts_with(t.org_path) && !auth::in_scope(p, t.org_path)) {
      return Error::not_found("training " + std::to_string(id));
    }
    DJ_ASSIGN(auto m, c.query_opt("SELECT o.path, m.political_status, m.cadre_rank, "
                                  "m.party_worker, m.joined_on, m.name FROM members m JOIN orgs o "
                                  "ON o.id = m.org_id WHERE m.id = ? AND m.deleted_at IS NULL",
                                  {*in.member_id}));
    if (!m || !auth::in_scope(p, m->str(0))) {
      return Error::invalid("member_id", "unknown", "no such member in your scope");
    }
    DJ_ASSIGN(auto dup, c.query_opt("SELECT status FROM enrolments WHERE training_id = ? AND "
                                    "member_id = ?",
                                    {id, *in.member_id}));
    if (dup) {
      return Error{ErrorCode::conflict,
                   "already " + dup->str(0),
                   {{"member_id", "already_enrolled", "is already " + dup->str(0)}}};
    }
    if (!in_target(t.groups, *m, cfg_.new_member_months) &&
        (!in.override_reason || in.override_reason->empty())) {
      return Error{ErrorCode::invalid,
                   "the member is not in the class's target groups",
                   {{"member_id", "target_group",
                     "is not in the target groups; a committee_admin may override with a reason"}}};
    }
    // Seats: the quota of the member's directly affiliated organization, or
    // the capacity when the class has no quotas.
    const auto affiliated = affiliated_of(m->str(0));
    DJ_ASSIGN(auto quota_rows, c.query("SELECT org_id, seats FROM training_quotas WHERE "
                                       "training_id = ?",
                                       {id}));
    std::optional<int64_t> quota_org;
    int64_t seats = t.capacity;
    std::string taken_sql =
        "SELECT COUNT(*) FROM enrolments WHERE training_id = ? AND "
        "status = 'enrolled'";
    store::Params taken_params{id};
    if (!quota_rows.empty()) {
      seats = 0;
      for (const auto& r : quota_rows) {
        if (affiliated && r.i64(0) == *affiliated) {
          quota_org = r.i64(0);
          seats = r.i64(1);
        }
      }
      taken_sql += " AND quota_org_id = ?";
      taken_params.emplace_back(quota_org.value_or(0));
    }
    DJ_ASSIGN(auto taken, c.query_one(taken_sql, taken_params));
    const int64_t left = std::max<int64_t>(0, seats - taken.i64(0));
    std::string status = "enrolled";
    if (left == 0) {
      if (!in.waitlist.value_or(false)) {
        return Error{ErrorCode::conflict,
                     "no seats left in this quota (0 of " + std::to_string(seats) +
                         "); ask to join the waitlist",
                     {{"quota", "full", "0 seats left of " + std::to_string(seats)}}};
      }
      status = "waitlisted";
    }
    DJ_TRY(
        c.exec("INSERT INTO enrolments (training_id, member_id, quota_org_id, status, "
               "override_reason, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
               {id, *in.member_id, quota_org, status, in.override_reason, now_ms(), p.user_id}));
    json::object out{{"training_id", id},
                     {"member_id", *in.member_id},
                     {"name", m->str(5)},
                     {"status", status},
                     {"seats_left", status == "enrolled" ? left - 1 : 0}};
    DJ_TRY(audit::record(c, p.actor(),
                         {"training.enrol", "training", std::to_string(id), t.org_path, {}, out}));
    return out;
  });
}

Result<json::object> TrainingService::enrolments(const Principal& p, int64_t id) {
  return store::with_conn(db_, [&](store::Conn& c) -> Result<json::object> {
    DJ_ASSIGN(auto t, readable(c, p, id));
    DJ_TRY(auth::require(p, Perm::member_read));
    // Administrators below the organizing organization see their own people.
    DJ_ASSIGN(auto rows, c.query("SELECT e.member_id, m.name, e.status, e.exam_score, e.completed, "
                                 "e.hours_tenths, e.certificate_serial, e.quota_org_id FROM "
                                 "enrolments e JOIN members m ON m.id = e.member_id JOIN orgs mo "
                                 "ON mo.id = m.org_id WHERE e.training_id = ? AND mo.path >= ? "
                                 "AND mo.path < ? ORDER BY e.created_at, e.member_id",
                                 {id, p.scope_path, auth::subtree_end(p.scope_path)}));
    json::array items;
    for (const auto& r : rows) {
      items.push_back(json::object{
          {"member_id", r.i64(0)},
          {"name", r.str(1)},
          {"status", r.str(2)},
          {"exam_score", r.null(3) ? json::value(nullptr) : json::value(r.i64(3))},
          {"completed", r.flag(4)},
          {"hours", static_cast<double>(r.i64(5)) / 10.0},
          {"certificate_serial", r.null(6) ? json::value(nullptr) : json::value(r.str(6))},
          {"quota_org_id", r.null(7) ? json::value(nullptr) : json::value(r.i64(7))}});
    }
    const auto n = static_cast<int64_t>(items.size());
    return json::object{{"items", std::move(items)}, {"total", n}};
  });
}

Result<json::object> TrainingService::mine(const Principal& p) {
  if (!p.member_id) return json::object{{"items", json::array{}}, {"total", 0}};
  return store::with_conn(db_, [&](store::Conn& c) -> Result<json::object> {
    DJ_ASSIGN(auto rows, c.query("SELECT training_id, status, completed, certificate_serial FROM "
                                 "enrolments WHERE member_id = ? ORDER BY created_at DESC",
                                 {*p.member_id}));
    json::array items;
    for (const auto& r : rows) {
      DJ_ASSIGN(auto t, load(c, r.i64(0)));
      auto o = training_json(t);
      o["status"] = r.str(1);
      o["completed"] = r.flag(2);
      o["certificate_serial"] = r.null(3) ? json::value(nullptr) : json::value(r.str(3));
      DJ_ASSIGN(auto sessions, sessions_of(c, t.id));
      // The member's own attendance of each session (a check-in or a leave).
      DJ_ASSIGN(auto mine, c.query("SELECT ch.session_id, ch.status, ch.method, ch.at FROM "
                                   "checkins ch JOIN training_sessions s ON s.id = ch.session_id "
                                   "WHERE s.training_id = ? AND ch.member_id = ?",
                                   {t.id, *p.member_id}));
      json::array list;
      for (const auto& s : sessions) {
        auto js = session_json(s);
        js["my_checkin"] = nullptr;
        for (const auto& m : mine) {
          if (m.i64(0) != s.id) continue;
          js["my_checkin"] = json::object{
              {"status", m.str(1)}, {"method", m.str(2)}, {"at", format_instant(m.i64(3))}};
        }
        list.push_back(std::move(js));
      }
      o["sessions"] = std::move(list);
      items.push_back(std::move(o));
    }
    const auto n = static_cast<int64_t>(items.size());
    return json::object{{"items", std::move(items)}, {"total", n}};
  });
}

namespace {

Result<std::pair<Training, Session>> session_in(store::Conn& c, int64_t session_id) {
  DJ_ASSIGN(auto row,
            c.query_opt("SELECT training_id FROM training_sessions WHERE id = ?", {session_id}));
  if (!row) return Error::not_found("session " + std::to_string(session_id));
  DJ_ASSIGN(auto t, load(c, row->i64(0)));
  DJ_ASSIGN(auto sessions, sessions_of(c, t.id));
  for (const auto& s : sessions) {
    if (s.id == session_id) return std::pair{t, s};
  }
  return Error::not_found("session " + std::to_string(session_id));
}

}  // namespace

Result<json::object> TrainingService::attendance(const Principal& p, int64_t id,
                                                 int64_t session_id) {
  return store::with_conn(db_, [&](store::Conn& c) -> Result<json::object> {
    DJ_ASSIGN(auto t, readable(c, p, id));
    DJ_TRY(auth::require(p, Perm::member_read));
    DJ_ASSIGN(auto ts, session_in(c, session_id));
    if (ts.first.id != t.id) return Error::not_found("session " + std::to_string(session_id));
    DJ_ASSIGN(auto rows,
              c.query("SELECT e.member_id, m.name, ch.status, ch.method, ch.at, ch.reason FROM "
                      "enrolments e "
                      "JOIN members m ON m.id = e.member_id JOIN orgs mo ON mo.id = m.org_id "
                      "LEFT JOIN checkins ch ON ch.session_id = ? AND ch.member_id = e.member_id "
                      "WHERE e.training_id = ? AND e.status = 'enrolled' AND mo.path >= ? AND "
                      "mo.path < ? ORDER BY m.name, e.member_id",
                      {session_id, id, p.scope_path, auth::subtree_end(p.scope_path)}));
    json::array items;
    int64_t checked_in = 0;
    for (const auto& r : rows) {
      json::value checkin = nullptr;
      if (!r.null(2)) {
        checkin =
            json::object{{"status", r.str(2)},
                         {"method", r.str(3)},
                         {"at", format_instant(r.i64(4))},
                         {"reason", r.null(5) ? json::value(nullptr) : json::value(r.str(5))}};
        checked_in += r.str(2) == "present" || r.str(2) == "late";
      }
      items.push_back(
          json::object{{"member_id", r.i64(0)}, {"name", r.str(1)}, {"checkin", checkin}});
    }
    const auto n = static_cast<int64_t>(items.size());
    return json::object{{"session_id", session_id},
                        {"items", std::move(items)},
                        {"enrolled", n},
                        {"checked_in", checked_in}};
  });
}

Result<json::object> TrainingService::qr(const Principal& p, int64_t id, int64_t session_id,
                                         const std::string& base_url) {
  return store::with_conn(db_, [&](store::Conn& c) -> Result<json::object> {
    DJ_ASSIGN(auto t, writable(c, p, id));
    DJ_ASSIGN(auto ts, session_in(c, session_id));
    if (ts.first.id != t.id) return Error::not_found("session " + std::to_string(session_id));
    const int64_t now = now_ms();
    const int64_t slot = slot_at(now);
    const std::string token = token_for(session_id, slot);
    return json::object{
        {"session_id", session_id},
        {"slot", slot},
        {"token", token},
        {"code", code_for(session_id, slot)},
        {"url", base_url + "/checkin?session=" + std::to_string(session_id) +
                    "&slot=" + std::to_string(slot) + "&token=" + token},
        {"expires_in_ms", (slot + 1) * cfg_.slot_ms - now},
    };
  });
}

namespace {

// A check-in on its way through the group commit, and what its checks found.
struct Attempt {
  audit::Actor actor;
  int64_t member_id, session_id, now;
  std::string method, key;
  std::optional<Location> where;
  std::string status;           // present or late, once checked
  std::string org_path;         // of the class's organizer, for the audit row
  bool replaces_leave = false;  // the member had asked leave, and came
};

// An earlier check-in of the member: its first result again for a repeat
// with the same Idempotency-Key, 409 otherwise.
Result<json::object> earlier(const Attempt& a, const std::string& status, const std::string& method,
                             int64_t at, const std::string& key) {
  if (!a.key.empty() && key == a.key) {
    return json::object{{"session_id", a.session_id}, {"member_id", a.member_id},
                        {"status", status},           {"method", method},
                        {"at", format_instant(at)},   {"repeated", true}};
  }
  return Error{ErrorCode::conflict,
               "already checked in at " + format_instant(at),
               {{"session_id", "already_checked_in", "already checked in"}}};
}

}  // namespace

void TrainingService::check_in(const Principal& p, const CheckIn& in,
                               std::function<void(Result<json::object>)> done) {
  if (!p.member_id) {
    return done(Error::forbidden("check-in is for members: log in with a member's account"));
  }
  const int64_t now = now_ms();
  const int64_t current = slot_at(now);
  // A token or a code of the current or the previous slot.
  if (in.token) {
    if (!in.slot) return done(Error::invalid("slot", "required", "comes with the token"));
    if ((*in.slot != current && *in.slot != current - 1) ||
        *in.token != token_for(in.session_id, *in.slot)) {
      return done(Error::invalid("token", "expired_or_forged",
                                 "the code is old or not this session's; scan the screen again"));
    }
  } else if (in.code) {
    if (*in.code != code_for(in.session_id, current) &&
        *in.code != code_for(in.session_id, current - 1)) {
      return done(Error::invalid("code", "wrong", "the code is wrong or has changed"));
    }
  } else {
    return done(Error::invalid("token", "required", "send the QR token or the numeric code"));
  }
  auto a =
      std::make_shared<Attempt>(Attempt{p.actor(), *p.member_id, in.session_id, now,
                                        in.token ? "qr" : "code", in.idempotency_key, in.where});
  // The checks read on the request's thread; only the insert and its audit
  // row join the group commit, so a burst of check-ins takes one transaction
  // a batch. A repeat racing its first (a double tap) meets the unique key
  // and is answered as a repeat.
  auto checked = store::with_conn(db_, [&](store::Conn& c) -> Result<std::optional<json::object>> {
    // The session, the member's enrolment and any earlier check-in, in one statement.
    DJ_ASSIGN(
        auto row,
        c.query_opt("SELECT s.started_at, s.ended_at, s.latitude, s.longitude, s.radius_m, "
                    "(SELECT e.status FROM enrolments e WHERE e.training_id = s.training_id "
                    "AND e.member_id = ?), ch.status, ch.method, ch.at, ch.idempotency_key, "
                    "o.path FROM training_sessions s JOIN trainings t ON t.id = s.training_id "
                    "JOIN orgs o ON o.id = t.org_id LEFT JOIN checkins ch ON ch.session_id = s.id "
                    "AND ch.member_id = ? "
                    "WHERE s.id = ? AND t.deleted_at IS NULL",
                    {a->member_id, a->member_id, a->session_id}));
    if (!row) return Error::not_found("session " + std::to_string(a->session_id));
    // A leave request gives way to the member's own check-in: he came after all.
    if (!row->null(8) && row->str(7) != "leave_request") {
      DJ_ASSIGN(auto repeat, earlier(*a, row->str(6), row->str(7), row->i64(8), row->str(9)));
      return std::optional<json::object>(std::move(repeat));
    }
    if (row->str(5) != "enrolled") return Error::forbidden("you are not enrolled in this class");
    const int64_t start = row->i64(0), end = row->i64(1);
    if (a->now < start - cfg_.open_before_ms || a->now > end) {
      return Error::invalid(
          "session_id", "outside_window",
          fmt::format("check-in is open from {} minutes before the start to the end ({} – {})",
                      cfg_.open_before_ms / 60000, format_instant(start), format_instant(end)));
    }
    if (!row->null(4) && a->where) {
      const double d =
          distance_m(row->f64(2), row->f64(3), a->where->latitude, a->where->longitude);
      if (d > static_cast<double>(row->i64(4))) {
        return Error::invalid("location", "too_far",
                              fmt::format("you are {:.0f} m from the venue; check in there", d));
      }
    }
    a->status = a->now > start + cfg_.grace_ms ? "late" : "present";
    a->org_path = row->str(10);
    a->replaces_leave = !row->null(8);
    return std::optional<json::object>();
  });
  if (!checked) return done(checked.take_error());
  if (*checked) return done(std::move(**checked));
  auto work = [a](store::Conn& c) -> Status {
    const store::Value key = a->key.empty() ? store::Value() : store::Value(a->key);
    if (a->replaces_leave) {
      // Only a leave request is replaced; a check-in racing this one wins.
      DJ_ASSIGN(auto replaced,
                c.exec("UPDATE checkins SET status = ?, method = ?, at = ?, idempotency_key = ?, "
                       "reason = NULL WHERE session_id = ? AND member_id = ? AND method = "
                       "'leave_request'",
                       {a->status, a->method, a->now, key, a->session_id, a->member_id}));
      if (replaced == 0) return Error::conflict("already checked in");
    } else {
      DJ_TRY(
          c.exec("INSERT INTO checkins (session_id, member_id, status, method, at, "
                 "idempotency_key) VALUES (?, ?, ?, ?, ?, ?)",
                 {a->session_id, a->member_id, a->status, a->method, a->now, key}));
    }
    return audit::record(
        c, a->actor,
        {"training.check_in",
         "session",
         std::to_string(a->session_id),
         a->org_path,
         {},
         json::object{{"member_id", a->member_id}, {"status", a->status}, {"method", a->method}}});
  };
  auto answer = [this, a, done = std::move(done)](Status s) {
    if (!s && s.error().code == ErrorCode::conflict) {
      // A concurrent repeat won the race: answer as for any repeat.
      return done(store::with_conn(db_, [&](store::Conn& c) -> Result<json::object> {
        DJ_ASSIGN(auto ch, c.query_opt("SELECT status, method, at, idempotency_key FROM checkins "
                                       "WHERE session_id = ? AND member_id = ?",
                                       {a->session_id, a->member_id}));
        if (!ch) return Error::conflict("already checked in");
        return earlier(*a, ch->str(0), ch->str(1), ch->i64(2), ch->str(3));
      }));
    }
    if (!s) return done(s.take_error());
    done(json::object{{"session_id", a->session_id},
                      {"member_id", a->member_id},
                      {"status", a->status},
                      {"method", a->method},
                      {"at", format_instant(a->now)}});
  };
  db_.group_commit().submit(std::move(work), std::move(answer));
}

Result<json::object> TrainingService::mark_roster(const Principal& p, int64_t id,
                                                  int64_t session_id,
                                                  const std::vector<Mark>& marks) {
  Validator v;
  for (size_t i = 0; i < marks.size(); ++i) {
    const std::string f = "checkins[" + std::to_string(i) + "]";
    if (!marks[i].member_id) v.add(f + ".member_id", "required", "is required");
    if (!marks[i].status || !one_of(*marks[i].status, ledger::kAttendanceMarks)) {
      v.add(f + ".status", "unknown_code", "must be one of present, late, leave, absent");
    }
  }
  DJ_TRY(v.status());
  return store::with_tx(db_, [&](store::Conn& c) -> Result<json::object> {
    DJ_ASSIGN(auto t, writable(c, p, id));
    DJ_ASSIGN(auto ts, session_in(c, session_id));
    if (ts.first.id != t.id) return Error::not_found("session " + std::to_string(session_id));
    const int64_t now = now_ms();
    for (size_t i = 0; i < marks.size(); ++i) {
      DJ_ASSIGN(auto e, c.query_opt("SELECT 1 FROM enrolments WHERE training_id = ? AND "
                                    "member_id = ? AND status = 'enrolled'",
                                    {id, *marks[i].member_id}));
      if (!e) {
        return Error::invalid("checkins[" + std::to_string(i) + "].member_id", "not_enrolled",
                              "is not enrolled in this class");
      }
      // A mark that only repeats the recorded status keeps the record (a QR
      // check-in keeps its method and time); a different one replaces it.
      DJ_TRY(
          c.exec("INSERT INTO checkins (session_id, member_id, status, method, at) VALUES "
                 "(?, ?, ?, 'roster', ?) ON CONFLICT (session_id, member_id) DO UPDATE SET "
                 "status = excluded.status, method = excluded.method, at = excluded.at, "
                 "reason = NULL, idempotency_key = NULL "
                 "WHERE checkins.status <> excluded.status",
                 {session_id, *marks[i].member_id, *marks[i].status, now}));
    }
    DJ_TRY(audit::record(c, p.actor(),
                         {"training.roster",
                          "training",
                          std::to_string(id),
                          t.org_path,
                          {},
                          json::object{{"session_id", session_id},
                                       {"marked", static_cast<int64_t>(marks.size())}}}));
    return json::object{{"session_id", session_id}, {"marked", static_cast<int64_t>(marks.size())}};
  });
}

Status TrainingService::set_exam_score(const Principal& p, int64_t id, int64_t member_id,
                                       int64_t score) {
  if (score < 0 || score > 100) return Error::invalid("score", "range", "must be from 0 to 100");
  return store::with_tx(db_, [&](store::Conn& c) -> Status {
    DJ_ASSIGN(auto t, writable(c, p, id));
    DJ_ASSIGN(auto n, c.exec("UPDATE enrolments SET exam_score = ? WHERE training_id = ? AND "
                             "member_id = ?",
                             {score, id, member_id}));
    if (n == 0) return Error::not_found("enrolment of member " + std::to_string(member_id));
    return audit::record(c, p.actor(),
                         {"training.exam",
                          "training",
                          std::to_string(id),
                          t.org_path,
                          {},
                          json::object{{"member_id", member_id}, {"score", score}}});
  });
}

Result<json::object> TrainingService::complete(const Principal& p, int64_t id) {
  return store::with_tx(db_, [&](store::Conn& c) -> Result<json::object> {
    DJ_ASSIGN(auto t, writable(c, p, id));
    DJ_ASSIGN(auto sessions, sessions_of(c, id));
    int64_t total = 0;
    std::map<int64_t, int64_t> hours_of;
    for (const auto& s : sessions) {
      total += s.hours_tenths;
      hours_of[s.id] = s.hours_tenths;
    }
    if (total == 0)
      return Error::invalid("sessions", "none", "the class has no sessions with hours");
    DJ_ASSIGN(auto checks, c.query("SELECT k.member_id, k.session_id FROM checkins k JOIN "
                                   "training_sessions s ON s.id = k.session_id WHERE "
                                   "s.training_id = ? AND k.status IN ('present', 'late')",
                                   {id}));
    std::map<int64_t, int64_t> attended;
    for (const auto& r : checks) attended[r.i64(0)] += hours_of[r.i64(1)];
    DJ_ASSIGN(auto people, c.query("SELECT member_id, exam_score, certificate_serial FROM "
                                   "enrolments WHERE training_id = ? AND status = 'enrolled'",
                                   {id}));
    const std::string on = today();
    std::vector<ledger::Entry> hours;
    int64_t completed = 0;
    for (const auto& r : people) {
      const int64_t member = r.i64(0);
      const int64_t got = attended[member];
      const bool enough = got * 100 >= total * t.threshold;
      const bool passed = !t.exam_required || (!r.null(1) && r.i64(1) >= t.pass_score);
      const bool done = enough && passed;
      std::optional<std::string> serial = r.opt_str(2);
      if (done && !serial) {
        serial = "DJ" + on.substr(0, 4) + "-" + base64url(random_token()).substr(0, 10);
        for (auto& ch : *serial)
          ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      }
      if (!done) serial.reset();
      DJ_TRY(
          c.exec("UPDATE enrolments SET completed = ?, hours_tenths = ?, certificate_serial = ?, "
                 "completed_on = ? WHERE training_id = ? AND member_id = ?",
                 {done, got, serial, done ? store::Value(on) : store::Value(), id, member}));
      if (done) {
        ++completed;
        hours.push_back({member, on, got});
      }
    }
    DJ_TRY(ledger::post(c, "training", id, t.title, hours));
    json::object out{{"training_id", id},
                     {"enrolled", static_cast<int64_t>(people.size())},
                     {"completed", completed},
                     {"total_hours", static_cast<double>(total) / 10.0}};
    DJ_TRY(audit::record(
        c, p.actor(), {"training.complete", "training", std::to_string(id), t.org_path, {}, out}));
    return out;
  });
}

Result<json::object> TrainingService::verify(const std::string& serial) {
  if (serial.empty() || serial.size() > 40) return Error::not_found("certificate");
  return store::with_conn(db_, [&](store::Conn& c) -> Result<json::object> {
    DJ_ASSIGN(auto r,
              c.query_opt("SELECT m.name, t.title, t.level, e.hours_tenths, e.completed_on, "
                          "t.starts_on, t.ends_on FROM enrolments e JOIN members m ON "
                          "m.id = e.member_id JOIN trainings t ON t.id = e.training_id "
                          "WHERE e.certificate_serial = ? AND e.completed = 1",
                          {serial}));
    if (!r) return Error::not_found("no certificate with this serial");
    // The name masked: the first character, the rest as '*'.
    const std::string name = r->str(0);
    size_t first = 1;
    while (first < name.size() && (static_cast<unsigned char>(name[first]) & 0xC0) == 0x80) ++first;
    std::string masked = name.substr(0, first);
    for (size_t n = utf8_length(name); n > 1; --n) masked += "*";
    return json::object{{"serial", serial},
                        {"name", masked},
                        {"training", r->str(1)},
                        {"level", r->str(2)},
                        {"hours", static_cast<double>(r->i64(3)) / 10.0},
                        {"completed_on", r->str(4)},
                        {"from", r->str(5)},
                        {"to", r->str(6)}};
  });
}

Result<json::object> TrainingService::request_leave(const Principal& p, int64_t session_id,
                                                    const std::string& reason) {
  if (!p.member_id) return Error::forbidden("leave requests are for members");
  Validator v;
  v.text("reason", reason.empty() ? std::nullopt : std::optional<std::string>(reason), 200);
  DJ_TRY(v.status());
  return store::with_tx(db_, [&](store::Conn& c) -> Result<json::object> {
    DJ_ASSIGN(auto ts, session_in(c, session_id));
    DJ_ASSIGN(auto e, c.query_opt("SELECT status FROM enrolments WHERE training_id = ? AND "
                                  "member_id = ?",
                                  {ts.first.id, *p.member_id}));
    if (!e || e->str(0) != "enrolled")
      return Error::forbidden("you are not enrolled in this class");
    if (now_ms() > ts.second.ended_at) {
      return Error::invalid("session_id", "over", "the session is over");
    }
    DJ_ASSIGN(auto existing, c.query_opt("SELECT status FROM checkins WHERE session_id = ? AND "
                                         "member_id = ?",
                                         {session_id, *p.member_id}));
    if (existing) {
      return Error{ErrorCode::conflict,
                   "already " + existing->str(0),
                   {{"session_id", "already_recorded", "attendance is already recorded"}}};
    }
    DJ_TRY(
        c.exec("INSERT INTO checkins (session_id, member_id, status, method, at, reason) "
               "VALUES (?, ?, 'leave', 'leave_request', ?, ?)",
               {session_id, *p.member_id, now_ms(), reason}));
    json::object out{{"session_id", session_id},
                     {"member_id", *p.member_id},
                     {"status", "leave"},
                     {"reason", reason}};
    DJ_TRY(audit::record(
        c, p.actor(),
        {"training.leave", "training", std::to_string(ts.first.id), ts.first.org_path, {}, out}));
    return out;
  });
}

Result<json::object> TrainingService::deliver(const Principal& p, const DeliveryInput& in) {
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
  return store::with_tx(db_, [&](store::Conn& c) -> Result<json::object> {
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
    json::object out{{"id", id},
                     {"member_id", *in.member_id},
                     {"name", m->str(3)},
                     {"delivered_by", *in.delivered_by},
                     {"delivered_on", *in.delivered_on},
                     {"content", *in.content},
                     {"hours", static_cast<double>(hours) / 10.0}};
    DJ_TRY(audit::record(
        c, p.actor(),
        {"home_delivery.create", "home_delivery", std::to_string(id), m->str(0), {}, out}));
    return out;
  });
}

Result<json::object> TrainingService::deliveries(const Principal& p, std::optional<int64_t> org_id,
                                                 int year) {
  DJ_TRY(auth::require(p, Perm::member_read));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<json::object> {
    DJ_ASSIGN(const std::string scope, org::OrgService::subtree(c, p, org_id));
    DJ_ASSIGN(auto rows, c.query("SELECT d.id, d.member_id, m.name, d.delivered_by, "
                                 "d.delivered_on, d.content, d.hours_tenths FROM home_deliveries d "
                                 "JOIN members m ON m.id = d.member_id JOIN orgs o ON "
                                 "o.id = m.org_id WHERE o.path >= ? AND o.path < ? AND "
                                 "d.delivered_on >= ? AND d.delivered_on <= ? AND "
                                 "d.deleted_at IS NULL ORDER BY d.delivered_on DESC, d.id DESC",
                                 {scope, auth::subtree_end(scope), std::to_string(year) + "-01-01",
                                  std::to_string(year) + "-12-31"}));
    json::array items;
    for (const auto& r : rows) {
      items.push_back(json::object{{"id", r.i64(0)},
                                   {"member_id", r.i64(1)},
                                   {"name", r.str(2)},
                                   {"delivered_by", r.str(3)},
                                   {"delivered_on", r.str(4)},
                                   {"content", r.str(5)},
                                   {"hours", static_cast<double>(r.i64(6)) / 10.0}});
    }
    const auto n = static_cast<int64_t>(items.size());
    return json::object{{"items", std::move(items)}, {"total", n}};
  });
}

Result<json::object> TrainingService::stats(const Principal& p, const std::string& from,
                                            const std::string& to, std::optional<int64_t> org_id) {
  DJ_TRY(auth::require(p, Perm::org_read));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<json::object> {
    DJ_ASSIGN(const std::string scope, org::OrgService::subtree(c, p, org_id));
    const store::Params range{scope, auth::subtree_end(scope), from, to};
    DJ_ASSIGN(auto classes, c.query("SELECT t.level, COUNT(*) FROM trainings t JOIN orgs o ON "
                                    "o.id = t.org_id WHERE o.path >= ? AND o.path < ? AND "
                                    "t.starts_on >= ? AND t.starts_on <= ? AND "
                                    "t.deleted_at IS NULL GROUP BY t.level",
                                    range));
    json::object by_level;
    int64_t class_count = 0;
    for (const auto& r : classes) {
      by_level[r.str(0)] = r.i64(1);
      class_count += r.i64(1);
    }
    DJ_ASSIGN(auto rows, c.query("SELECT e.member_id, t.target_groups, mo.path, e.completed, "
                                 "e.hours_tenths FROM enrolments e JOIN trainings t ON "
                                 "t.id = e.training_id JOIN orgs o ON o.id = t.org_id "
                                 "JOIN members m ON m.id = e.member_id JOIN orgs mo ON "
                                 "mo.id = m.org_id WHERE o.path >= ? AND o.path < ? AND "
                                 "t.starts_on >= ? AND t.starts_on <= ? AND "
                                 "t.deleted_at IS NULL AND e.status = 'enrolled'",
                                 range));
    std::set<int64_t> people;
    std::map<std::string, std::set<int64_t>> by_group;
    std::map<int64_t, std::set<int64_t>> by_affiliated;
    int64_t completed = 0, hours = 0;
    for (const auto& r : rows) {
      people.insert(r.i64(0));
      for (const auto& g : parse_list(r.str(1))) by_group[g].insert(r.i64(0));
      if (auto a = affiliated_of(r.str(2))) by_affiliated[*a].insert(r.i64(0));
      completed += r.flag(3);
      hours += r.i64(4);
    }
    json::object groups, affiliated;
    for (const auto& [g, ids] : by_group) groups[g] = static_cast<int64_t>(ids.size());
    for (const auto& [a, ids] : by_affiliated) {
      affiliated[std::to_string(a)] = static_cast<int64_t>(ids.size());
    }
    const auto enrolments = static_cast<int64_t>(rows.size());
    return json::object{
        {"from", from},
        {"to", to},
        {"classes", class_count},
        {"classes_by_level", std::move(by_level)},
        {"people_trained", static_cast<int64_t>(people.size())},
        {"people_by_target_group", std::move(groups)},
        {"people_by_affiliated_org", std::move(affiliated)},
        {"enrolments", enrolments},
        {"completed", completed},
        {"completion_rate",
         enrolments ? json::value(static_cast<double>(completed) / static_cast<double>(enrolments))
                    : json::value(nullptr)},
        {"hours", static_cast<double>(hours) / 10.0}};
  });
}

namespace {

// Targets must be numbers (or objects of numbers) under the known keys.
Status validate_targets(const json::object& t) {
  Validator v;
  for (const auto& [k, val] : t) {
    const std::string key(k);
    if (key == "people_trained" || key == "hours" || key == "classes") {
      if (!val.is_number() || val.to_number<double>() < 0) {
        v.add("targets." + key, "type", "must be a number of at least 0");
      }
    } else if (key == "classes_by_level" || key == "people_by_target_group") {
      if (!val.is_object()) {
        v.add("targets." + key, "type", "must be an object of numbers");
        continue;
      }
      for (const auto& [code, n] : val.as_object()) {
        const std::string c(code);
        const bool known = key == "classes_by_level" ? one_of(c, kLevels) : one_of(c, kGroups);
        if (!known) v.add("targets." + key + "." + c, "unknown_code", "is not a known code");
        if (!n.is_number() || n.to_number<double>() < 0) {
          v.add("targets." + key + "." + c, "type", "must be a number of at least 0");
        }
      }
    } else {
      v.add("targets." + key, "unknown_field",
            "targets are classes, classes_by_level, people_trained, people_by_target_group, hours");
    }
  }
  return v.status();
}

json::object plan_json(const store::Row& r) {
  json::error_code ec;
  auto targets = json::parse(r.str(6), ec);
  return json::object{{"id", r.i64(0)},
                      {"org_id", r.i64(1)},
                      {"title", r.str(2)},
                      {"kind", r.str(3)},
                      {"from_year", r.i64(4)},
                      {"to_year", r.i64(5)},
                      {"targets", ec ? json::value(json::object{}) : targets}};
}

constexpr const char* kPlanColumns =
    "p.id, p.org_id, p.title, p.kind, p.from_year, p.to_year, p.targets";

}  // namespace

Result<json::object> TrainingService::create_plan(const Principal& p, const PlanInput& in) {
  DJ_TRY(auth::require(p, Perm::org_write));
  Validator v;
  if (!in.org_id) v.add("org_id", "required", "is required");
  v.text("title", in.title, 200);
  if (!in.kind || !one_of(*in.kind, kPlanKinds)) {
    v.add("kind", "unknown_code", "must be multi_year or annual");
  }
  if (!in.from_year || *in.from_year < 2000 || *in.from_year > 2100) {
    v.add("from_year", "range", "is a year from 2000 to 2100");
  }
  if (!in.to_year || !in.from_year || *in.to_year < *in.from_year ||
      *in.to_year > *in.from_year + 10) {
    v.add("to_year", "range", "is from from_year to ten years after it");
  } else if (in.kind && *in.kind == "annual" && *in.to_year != *in.from_year) {
    v.add("to_year", "annual", "an annual plan covers one year");
  }
  if (!in.targets) v.add("targets", "required", "is required");
  DJ_TRY(v.status());
  DJ_TRY(validate_targets(*in.targets));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<json::object> {
    auto o = org::OrgService::load(c, *in.org_id);
    if (!o || !auth::in_scope(p, o->path)) {
      return Error::invalid("org_id", "unknown", "no such organization in your scope");
    }
    DJ_ASSIGN(auto ins, c.query_one("INSERT INTO training_plans (org_id, title, kind, from_year, "
                                    "to_year, targets, created_at, created_by) VALUES "
                                    "(?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                    {o->id, *in.title, *in.kind, *in.from_year, *in.to_year,
                                     json::serialize(*in.targets), now_ms(), p.user_id}));
    DJ_ASSIGN(auto row, c.query_one(std::string("SELECT ") + kPlanColumns +
                                        " FROM training_plans p WHERE p.id = ?",
                                    {ins.i64(0)}));
    auto out = plan_json(row);
    DJ_TRY(audit::record(
        c, p.actor(),
        {"training_plan.create", "training_plan", std::to_string(ins.i64(0)), o->path, {}, out}));
    return out;
  });
}

Result<json::object> TrainingService::plans(const Principal& p) {
  DJ_TRY(auth::require(p, Perm::org_read));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<json::object> {
    DJ_ASSIGN(auto rows, c.query(std::string("SELECT ") + kPlanColumns +
                                     " FROM training_plans p JOIN orgs o ON o.id = p.org_id "
                                     "WHERE p.deleted_at IS NULL AND o.path >= ? AND o.path < ? "
                                     "ORDER BY p.from_year DESC, p.id DESC",
                                 {p.scope_path, auth::subtree_end(p.scope_path)}));
    json::array items;
    for (const auto& r : rows) items.push_back(plan_json(r));
    const auto n = static_cast<int64_t>(items.size());
    return json::object{{"items", std::move(items)}, {"total", n}};
  });
}

Result<json::object> TrainingService::plan(const Principal& p, int64_t id) {
  DJ_TRY(auth::require(p, Perm::org_read));
  DJ_ASSIGN(auto out, store::with_conn(db_, [&](store::Conn& c) -> Result<json::object> {
              DJ_ASSIGN(auto row, c.query_opt(std::string("SELECT ") + kPlanColumns +
                                                  ", o.path FROM training_plans p JOIN orgs o ON "
                                                  "o.id = p.org_id WHERE p.id = ? AND "
                                                  "p.deleted_at IS NULL",
                                              {id}));
              if (!row || !auth::in_scope(p, row->str(7))) {
                return Error::not_found("plan " + std::to_string(id));
              }
              return plan_json(*row);
            }));
  const std::string from = std::to_string(out.at("from_year").as_int64()) + "-01-01";
  const std::string to = std::to_string(out.at("to_year").as_int64()) + "-12-31";
  DJ_ASSIGN(auto actual, stats(p, from, to, out.at("org_id").as_int64()));
  // Target against actual for each figure the plan names.
  json::array rows;
  const auto& targets = out.at("targets").as_object();
  auto add = [&](const std::string& figure, const json::value& target, const json::value& got) {
    const double t = target.to_number<double>();
    const double a = got.is_number() ? got.to_number<double>() : 0.0;
    rows.push_back(json::object{{"figure", figure},
                                {"target", t},
                                {"actual", a},
                                {"share", t > 0 ? json::value(a / t) : json::value(nullptr)}});
  };
  for (const auto& [k, val] : targets) {
    const std::string key(k);
    if (val.is_number()) {
      add(key, val, actual.at(key));
    } else if (val.is_object()) {
      const auto& got = actual.at(key).as_object();
      for (const auto& [code, n] : val.as_object()) {
        const auto* g = got.if_contains(code);
        add(key + "." + std::string(code), n, g ? *g : json::value(0));
      }
    }
  }
  out["actual"] = std::move(actual);
  out["plan_vs_actual"] = std::move(rows);
  return out;
}

}  // namespace dj::training
