// Helpers the training files share, and the JSON of classes and sessions.
#include <boost/json.hpp>

#include "common/json.h"
#include "common/time.h"
#include "domain/training/internal.h"

namespace dj::training {

namespace json = boost::json;

namespace detail {

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

const char* const kTrainingColumns =
    "t.id, t.org_id, o.path, t.title, t.level, t.target_groups, t.starts_on, t.ends_on, "
    "t.venue, t.itinerary, t.capacity, t.attendance_threshold, t.pass_score, t.off_site, "
    "t.exam_required";

Training training_from(const store::Row& r) {
  Training t;
  t.id = r.i64(0);
  t.org_id = r.i64(1);
  t.org_path = r.str(2);
  t.title = r.str(3);
  t.level = r.str(4);
  t.target_groups = parse_list(r.str(5));
  t.starts_on = r.str(6);
  t.ends_on = r.str(7);
  t.venue = r.opt_str(8);
  t.itinerary = r.opt_str(9);
  t.capacity = r.i64(10);
  t.attendance_threshold = r.i64(11);
  t.pass_score = r.i64(12);
  t.off_site = r.flag(13);
  t.exam_required = r.flag(14);
  return t;
}

Result<Training> load(store::Conn& c, int64_t id) {
  DJ_ASSIGN(auto r, c.query_opt(std::string("SELECT ") + kTrainingColumns +
                                    " FROM trainings t JOIN orgs o ON o.id = t.org_id "
                                    "WHERE t.id = ? AND t.deleted_at IS NULL",
                                {id}));
  if (!r) return Error::not_found("training " + std::to_string(id));
  return training_from(*r);
}

Result<Training> enrollable(store::Conn& c, const auth::Principal& p, int64_t id) {
  DJ_ASSIGN(auto t, load(c, id));
  if (!p.scope_path.starts_with(t.org_path) && !auth::in_scope(p, t.org_path)) {
    return Error::not_found("training " + std::to_string(id));
  }
  return t;
}

Result<Training> readable(store::Conn& c, const auth::Principal& p, int64_t id) {
  auto t = load(c, id);
  if (!t) return t;
  // Administrators inside the organizing subtree, and those below the
  // organizing organization (who enrol their members into its classes).
  if (auth::has(p, auth::Perm::org_read) &&
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

Result<Training> writable(store::Conn& c, const auth::Principal& p, int64_t id) {
  DJ_TRY(auth::require(p, auth::Perm::org_write));
  auto t = load(c, id);
  if (!t || !auth::in_scope(p, t->org_path)) {
    return Error::not_found("training " + std::to_string(id));
  }
  return t;
}

Result<bool> completed(store::Conn& c, int64_t id) {
  DJ_ASSIGN(auto r, c.query_one("SELECT completed_at FROM trainings WHERE id = ?", {id}));
  return !r.null(0);
}

Result<std::vector<Session>> sessions_of(store::Conn& c, int64_t training_id) {
  DJ_ASSIGN(auto rows,
            c.query("SELECT id, training_id, title, lecturer_name, method, venue, "
                    "started_at, ended_at, hours_tenths, required, first_course, "
                    "latitude, longitude, radius_m, lecturer_id FROM training_sessions WHERE "
                    "training_id = ? "
                    "ORDER BY started_at, id",
                    {training_id}));
  std::vector<Session> out;
  for (const auto& r : rows) {
    Session s;
    s.id = r.i64(0);
    s.training_id = r.i64(1);
    s.title = r.str(2);
    s.lecturer_name = r.opt_str(3);
    s.method = r.opt_str(4);
    s.venue = r.opt_str(5);
    s.started_at = r.i64(6);
    s.ended_at = r.i64(7);
    s.hours_tenths = r.i64(8);
    s.required = r.flag(9);
    s.first_course = r.flag(10);
    if (!r.null(11)) s.latitude = r.f64(11);
    if (!r.null(12)) s.longitude = r.f64(12);
    s.radius_m = r.opt_i64(13);
    s.lecturer_id = r.opt_i64(14);
    out.push_back(std::move(s));
  }
  return out;
}

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

std::optional<int64_t> affiliated_of(const std::string& path) {
  // "/1/12/305/" -> 12
  const size_t a = path.find('/', 1);
  if (a == std::string::npos || a + 1 >= path.size()) return std::nullopt;
  const size_t b = path.find('/', a + 1);
  if (b == std::string::npos) return std::nullopt;
  return std::stoll(path.substr(a + 1, b - a - 1));
}

}  // namespace detail

json::object to_json(const Training& t) {
  json::array groups;
  for (const auto& g : t.target_groups) groups.emplace_back(g);
  return json::object{{"id", t.id},
                      {"org_id", t.org_id},
                      {"title", t.title},
                      {"level", t.level},
                      {"target_groups", std::move(groups)},
                      {"starts_on", t.starts_on},
                      {"ends_on", t.ends_on},
                      {"venue", or_null(t.venue)},
                      {"itinerary", or_null(t.itinerary)},
                      {"capacity", t.capacity},
                      {"off_site", t.off_site},
                      {"attendance_threshold", t.attendance_threshold},
                      {"exam_required", t.exam_required},
                      {"pass_score", t.pass_score}};
}

json::object to_json(const Session& s) {
  return json::object{
      {"id", s.id},
      {"title", s.title},
      {"lecturer_name", or_null(s.lecturer_name)},
      {"lecturer_id", or_null(s.lecturer_id)},
      {"method", or_null(s.method)},
      {"venue", or_null(s.venue)},
      {"started_at", format_instant(s.started_at)},
      {"ended_at", format_instant(s.ended_at)},
      {"hours", static_cast<double>(s.hours_tenths) / 10.0},
      {"required", s.required},
      {"first_course", s.first_course},
      {"geofence", s.radius_m ? json::value(json::object{{"latitude", s.latitude.value_or(0)},
                                                         {"longitude", s.longitude.value_or(0)},
                                                         {"radius_m", *s.radius_m}})
                              : json::value(nullptr)}};
}

json::object to_json(const TrainingDetail& d) {
  auto out = to_json(d.training);
  json::array sessions, quotas;
  for (const auto& s : d.sessions) sessions.push_back(to_json(s));
  for (const auto& q : d.quotas) {
    quotas.push_back(json::object{{"org_id", q.org_id},
                                  {"org_name", q.org_name},
                                  {"seats", q.seats},
                                  {"enrolled", q.enrolled},
                                  {"left", std::max<int64_t>(0, q.seats - q.enrolled)}});
  }
  out["sessions"] = std::move(sessions);
  out["quotas"] = std::move(quotas);
  out["enrolled"] = d.enrolled;
  out["waitlisted"] = d.waitlisted;
  out["completed"] = d.completed;
  return out;
}

json::object to_json(const TrainingPage& p) {
  json::array items;
  for (const auto& t : p.items) items.push_back(to_json(t));
  return json::object{{"items", std::move(items)}, {"total", p.total}};
}

}  // namespace dj::training
