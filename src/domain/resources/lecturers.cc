// The lecturer pool (师资库, resources.h): internal and external lecturers,
// their history from the records, and the attendees' anonymous ratings.
#include <boost/json.hpp>
#include <cmath>

#include "common/json.h"
#include "common/time.h"
#include "common/validate.h"
#include "domain/audit/audit.h"
#include "domain/resources/resources.h"
#include "store/db.h"

namespace dj::resources {

namespace json = boost::json;
using auth::Perm;
using auth::Principal;

namespace {

constexpr int64_t kDayMs = 24 * 3600 * 1000;

constexpr const char* kLecturerSelect =
    "SELECT l.id, l.kind, l.name, l.member_id, l.user_id, l.point_id, x.name, l.title, "
    "l.employer, l.fields, l.courses, l.intro, l.updated_at, (SELECT COUNT(*) FROM "
    "training_sessions s WHERE s.lecturer_id = l.id), (SELECT COUNT(*) FROM activities a WHERE "
    "l.member_id IS NOT NULL AND a.lecturer_member_id = l.member_id AND a.deleted_at IS NULL), "
    "(SELECT COUNT(*) FROM lecturer_ratings r WHERE r.lecturer_id = l.id), (SELECT AVG(r.score * "
    "1.0) FROM lecturer_ratings r WHERE r.lecturer_id = l.id) FROM lecturers l LEFT JOIN "
    "teaching_points x ON x.id = l.point_id WHERE l.deleted_at IS NULL";

Result<std::vector<Lecturer>> select_lecturers(store::Conn& c, const std::string& and_where,
                                               const store::Params& params) {
  DJ_ASSIGN(auto rows, c.query(std::string(kLecturerSelect) + and_where +
                                   " ORDER BY CASE l.kind WHEN 'internal' THEN 0 ELSE 1 END, "
                                   "l.name, l.id",
                               params));
  std::vector<Lecturer> out;
  for (const auto& r : rows) {
    Lecturer l;
    l.id = r.i64(0);
    l.kind = r.str(1);
    l.name = r.str(2);
    l.member_id = r.opt_i64(3);
    l.user_id = r.opt_i64(4);
    l.point_id = r.opt_i64(5);
    l.point_name = r.opt_str(6);
    l.title = r.opt_str(7);
    l.employer = r.opt_str(8);
    l.fields = r.opt_str(9);
    l.courses = r.opt_str(10);
    l.intro = r.opt_str(11);
    l.updated_at = r.i64(12);
    l.sessions = r.i64(13);
    l.lectures = r.i64(14);
    l.ratings = r.i64(15);
    if (!r.null(16)) l.rating = std::round(r.f64(16) * 100) / 100;
    out.push_back(std::move(l));
  }
  return out;
}

Result<Lecturer> load_lecturer(store::Conn& c, int64_t id) {
  DJ_ASSIGN(auto list, select_lecturers(c, " AND l.id = ?", {id}));
  if (list.empty()) return Error::not_found("lecturer " + std::to_string(id));
  return list[0];
}

Result<LecturerDetail> detail_of(store::Conn& c, Lecturer l) {
  LecturerDetail d;
  DJ_ASSIGN(auto rows, c.query("SELECT s.id, s.training_id, t.title, s.title, s.started_at, "
                               "s.ended_at FROM training_sessions s JOIN trainings t ON t.id = "
                               "s.training_id WHERE s.lecturer_id = ? ORDER BY s.started_at DESC, "
                               "s.id DESC LIMIT 100",
                               {l.id}));
  for (const auto& r : rows) {
    d.sessions.push_back({r.i64(0), r.i64(1), r.str(2), r.str(3), r.i64(4), r.i64(5)});
  }
  d.scores.assign(5, 0);
  DJ_ASSIGN(auto scores, c.query("SELECT score, COUNT(*) FROM lecturer_ratings WHERE "
                                 "lecturer_id = ? GROUP BY score",
                                 {l.id}));
  for (const auto& r : scores) d.scores[static_cast<size_t>(r.i64(0) - 1)] = r.i64(1);
  DJ_ASSIGN(auto comments, c.query("SELECT score, comment FROM lecturer_ratings WHERE "
                                   "lecturer_id = ? AND comment IS NOT NULL ORDER BY created_at "
                                   "DESC, id DESC LIMIT 100",
                                   {l.id}));
  for (const auto& r : comments) d.comments.emplace_back(r.i64(0), r.str(1));
  d.lecturer = std::move(l);
  return d;
}

// Checks a whole record (kind, the member or the name, the account, the
// point); fills an internal lecturer's name from the roster.
Status check_lecturer(store::Conn& c, Lecturer& l, std::optional<int64_t> except) {
  Validator v;
  if (!one_of(l.kind, kLecturerKinds)) {
    v.add("kind", "unknown_code", "must be internal or external");
  }
  if (l.kind == "internal" && !l.member_id) v.add("member_id", "required", "is required");
  if (l.kind == "external") {
    l.member_id.reset();
    v.text("name", l.name, 50);
  }
  v.text("title", l.title, 50, false);
  v.text("employer", l.employer, 100, false);
  v.text("fields", l.fields, 500, false);
  v.text("courses", l.courses, 1000, false);
  v.text("intro", l.intro, 2000, false);
  DJ_TRY(v.status());
  if (l.member_id) {
    DJ_ASSIGN(auto m, c.query_opt("SELECT name FROM members WHERE id = ? AND deleted_at IS NULL",
                                  {*l.member_id}));
    if (!m) return Error::invalid("member_id", "unknown", "no such member");
    l.name = m->str(0);
    DJ_ASSIGN(auto twice, c.query_opt("SELECT id FROM lecturers WHERE member_id = ? AND "
                                      "deleted_at IS NULL AND id <> ?",
                                      {*l.member_id, except.value_or(0)}));
    if (twice) return Error::invalid("member_id", "taken", "the member is in the pool already");
  }
  if (l.user_id) {
    DJ_ASSIGN(auto u, c.query_opt("SELECT role FROM users WHERE id = ?", {*l.user_id}));
    if (!u || u->str(0) != "lecturer") {
      return Error::invalid("user_id", "unknown", "must be a lecturer account");
    }
    DJ_ASSIGN(auto twice, c.query_opt("SELECT id FROM lecturers WHERE user_id = ? AND "
                                      "deleted_at IS NULL AND id <> ?",
                                      {*l.user_id, except.value_or(0)}));
    if (twice) return Error::invalid("user_id", "taken", "the account is another lecturer's");
  }
  if (l.point_id) {
    DJ_ASSIGN(auto x, c.query_opt("SELECT id FROM teaching_points WHERE id = ? AND deleted_at IS "
                                  "NULL",
                                  {*l.point_id}));
    if (!x) return Error::invalid("point_id", "unknown", "no such teaching point");
  }
  return {};
}

}  // namespace

Result<std::vector<Lecturer>> ResourceService::lecturers(const Principal& p,
                                                         const std::optional<std::string>& q) {
  DJ_TRY(auth::require(p, Perm::member_read));
  return store::with_conn(db_, [&](store::Conn& c) {
    if (!q || q->empty()) return select_lecturers(c, "", {});
    const std::string like = store::like_contains(*q);
    return select_lecturers(c,
                            " AND (l.name LIKE ? ESCAPE '\\' OR l.fields LIKE ? ESCAPE '\\' OR "
                            "l.courses LIKE ? ESCAPE '\\' OR l.employer LIKE ? ESCAPE '\\')",
                            {like, like, like, like});
  });
}

Result<LecturerDetail> ResourceService::lecturer(const Principal& p, int64_t id) {
  return store::with_conn(db_, [&](store::Conn& c) -> Result<LecturerDetail> {
    DJ_ASSIGN(auto l, load_lecturer(c, id));
    if (!auth::has(p, Perm::member_read) && l.user_id != p.user_id) {
      return Error::not_found("lecturer " + std::to_string(id));
    }
    return detail_of(c, std::move(l));
  });
}

Result<LecturerDetail> ResourceService::my_lecturer(const Principal& p) {
  return store::with_conn(db_, [&](store::Conn& c) -> Result<LecturerDetail> {
    DJ_ASSIGN(auto list, select_lecturers(c, " AND l.user_id = ?", {p.user_id}));
    if (list.empty()) return Error::not_found("this account is no lecturer of the pool");
    return detail_of(c, std::move(list[0]));
  });
}

Result<Lecturer> ResourceService::create_lecturer(const Principal& p, const LecturerInput& in) {
  DJ_TRY(auth::require(p, Perm::resource_manage));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Lecturer> {
    Lecturer l;
    l.kind = in.kind.value_or(in.member_id ? "internal" : "external");
    l.member_id = in.member_id;
    l.user_id = in.user_id;
    l.point_id = in.point_id;
    l.name = in.name.value_or("");
    l.title = in.title;
    l.employer = in.employer;
    l.fields = in.fields;
    l.courses = in.courses;
    l.intro = in.intro;
    DJ_TRY(check_lecturer(c, l, std::nullopt));
    const int64_t now = now_ms();
    DJ_ASSIGN(auto row,
              c.query_one("INSERT INTO lecturers (kind, member_id, user_id, name, title, "
                          "employer, fields, courses, point_id, intro, created_at, "
                          "updated_at, created_by, updated_by) VALUES (?, ?, ?, ?, ?, "
                          "?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          {l.kind, l.member_id, l.user_id, l.name, l.title, l.employer, l.fields,
                           l.courses, l.point_id, l.intro, now, now, p.user_id, p.user_id}));
    DJ_ASSIGN(auto after, load_lecturer(c, row.i64(0)));
    DJ_TRY(audit::record(
        c, p.actor(),
        {"lecturer.create", "lecturer", std::to_string(after.id), "/", {}, to_json(after)}));
    return after;
  });
}

Result<Lecturer> ResourceService::update_lecturer(const Principal& p, int64_t id,
                                                  const LecturerInput& patch) {
  DJ_TRY(auth::require(p, Perm::resource_manage));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Lecturer> {
    DJ_ASSIGN(const auto before, load_lecturer(c, id));
    Lecturer l = before;
    if (patch.kind) l.kind = *patch.kind;
    if (patch.member_id) l.member_id = *patch.member_id;
    if (patch.user_id) l.user_id = *patch.user_id;
    if (patch.point_id) l.point_id = *patch.point_id;
    if (patch.name) l.name = *patch.name;
    if (patch.title) l.title = *patch.title;
    if (patch.employer) l.employer = *patch.employer;
    if (patch.fields) l.fields = *patch.fields;
    if (patch.courses) l.courses = *patch.courses;
    if (patch.intro) l.intro = *patch.intro;
    DJ_TRY(check_lecturer(c, l, id));
    DJ_TRY(
        c.exec("UPDATE lecturers SET kind = ?, member_id = ?, user_id = ?, name = ?, title = ?, "
               "employer = ?, fields = ?, courses = ?, point_id = ?, intro = ?, updated_at = ?, "
               "updated_by = ? WHERE id = ?",
               {l.kind, l.member_id, l.user_id, l.name, l.title, l.employer, l.fields, l.courses,
                l.point_id, l.intro, now_ms(), p.user_id, id}));
    DJ_ASSIGN(auto after, load_lecturer(c, id));
    DJ_TRY(audit::record(
        c, p.actor(),
        {"lecturer.update", "lecturer", std::to_string(id), "/", to_json(before), to_json(after)}));
    return after;
  });
}

Status ResourceService::remove_lecturer(const Principal& p, int64_t id) {
  DJ_TRY(auth::require(p, Perm::resource_manage));
  return store::with_tx(db_, [&](store::Conn& c) -> Status {
    DJ_ASSIGN(const auto before, load_lecturer(c, id));
    DJ_TRY(c.exec("UPDATE lecturers SET deleted_at = ?, updated_by = ? WHERE id = ?",
                  {now_ms(), p.user_id, id}));
    return audit::record(
        c, p.actor(),
        {"lecturer.remove", "lecturer", std::to_string(id), "/", to_json(before), {}});
  });
}

Status ResourceService::rate(const Principal& p, int64_t session_id, int64_t score,
                             const std::optional<std::string>& comment) {
  if (!p.member_id) return Error::forbidden("a rating is an attendee's own");
  Validator v;
  if (score < 1 || score > 5) v.add("score", "range", "must be 1 to 5");
  v.text("comment", comment, 500, false);
  DJ_TRY(v.status());
  return store::with_tx(db_, [&](store::Conn& c) -> Status {
    DJ_ASSIGN(auto s, c.query_opt("SELECT s.lecturer_id, s.ended_at, t.org_id FROM "
                                  "training_sessions s JOIN trainings t ON t.id = s.training_id "
                                  "WHERE s.id = ?",
                                  {session_id}));
    if (!s) return Error::invalid("session_id", "unknown", "no such session");
    if (s->null(0)) {
      return Error::invalid("session_id", "no_lecturer", "the session has no lecturer of the pool");
    }
    if (s->i64(1) > now_ms()) {
      return Error::invalid("session_id", "not_ended", "a session is rated after it ends");
    }
    DJ_ASSIGN(auto there, c.query_opt("SELECT 1 FROM checkins WHERE session_id = ? AND member_id "
                                      "= ? AND status IN ('present', 'late')",
                                      {session_id, *p.member_id}));
    if (!there) {
      return Error{ErrorCode::forbidden,
                   "only those who attended rate the lecturer",
                   {{"session_id", "not_attended", "only those who attended rate the lecturer"}}};
    }
    auto ins = c.exec(
        "INSERT INTO lecturer_ratings (lecturer_id, session_id, member_id, score, "
        "comment, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        {s->i64(0), session_id, *p.member_id, score, comment, now_ms()});
    if (!ins && ins.error().code == ErrorCode::conflict) {
      return Error{ErrorCode::conflict,
                   "the session is rated already",
                   {{"session_id", "rated", "each attendee rates a session once"}}};
    }
    DJ_TRY(ins);
    // The audit keeps that he rated, not what (the rating is anonymous).
    return audit::record(c, p.actor(),
                         {"lecturer.rate",
                          "lecturer",
                          std::to_string(s->i64(0)),
                          "/",
                          {},
                          json::object{{"session_id", session_id}}});
  });
}

Result<std::vector<ToRate>> ResourceService::to_rate(const Principal& p) {
  if (!p.member_id) return std::vector<ToRate>{};
  return store::with_conn(db_, [&](store::Conn& c) -> Result<std::vector<ToRate>> {
    const int64_t now = now_ms();
    DJ_ASSIGN(auto rows, c.query("SELECT s.id, s.training_id, t.title, s.title, s.started_at, "
                                 "s.ended_at, l.id, l.name FROM checkins k JOIN training_sessions "
                                 "s ON s.id = k.session_id JOIN trainings t ON t.id = "
                                 "s.training_id JOIN lecturers l ON l.id = s.lecturer_id WHERE "
                                 "k.member_id = ? AND k.status IN ('present', 'late') AND "
                                 "s.ended_at <= ? AND s.ended_at > ? AND NOT EXISTS (SELECT 1 "
                                 "FROM lecturer_ratings r WHERE r.session_id = s.id AND "
                                 "r.member_id = k.member_id) ORDER BY s.ended_at DESC",
                                 {*p.member_id, now, now - 30 * kDayMs}));
    std::vector<ToRate> out;
    for (const auto& r : rows) {
      out.push_back(
          {{r.i64(0), r.i64(1), r.str(2), r.str(3), r.i64(4), r.i64(5)}, r.i64(6), r.str(7)});
    }
    return out;
  });
}

json::object to_json(const Lecturer& l) {
  return json::object{{"id", l.id},
                      {"kind", l.kind},
                      {"name", l.name},
                      {"member_id", or_null(l.member_id)},
                      {"user_id", or_null(l.user_id)},
                      {"point_id", or_null(l.point_id)},
                      {"point_name", or_null(l.point_name)},
                      {"title", or_null(l.title)},
                      {"employer", or_null(l.employer)},
                      {"fields", or_null(l.fields)},
                      {"courses", or_null(l.courses)},
                      {"intro", or_null(l.intro)},
                      {"sessions", l.sessions},
                      {"lectures", l.lectures},
                      {"ratings", l.ratings},
                      {"rating", l.rating ? json::value(*l.rating) : nullptr},
                      {"updated_at", format_instant(l.updated_at)}};
}

namespace {
json::object taught_json(const Taught& t) {
  return json::object{{"session_id", t.session_id},
                      {"training_id", t.training_id},
                      {"training_title", t.training_title},
                      {"title", t.title},
                      {"started_at", format_instant(t.started_at)},
                      {"ended_at", format_instant(t.ended_at)}};
}
}  // namespace

json::object to_json(const LecturerDetail& d) {
  json::object out = to_json(d.lecturer);
  json::array sessions, comments;
  for (const auto& t : d.sessions) sessions.push_back(taught_json(t));
  for (const auto& [score, text] : d.comments) {
    comments.push_back(json::object{{"score", score}, {"comment", text}});
  }
  out["taught"] = std::move(sessions);
  out["scores"] = json::array(d.scores.begin(), d.scores.end());
  out["comments"] = std::move(comments);
  return out;
}

json::object to_json(const ToRate& x) {
  json::object out = taught_json(x.session);
  out["lecturer_id"] = x.lecturer_id;
  out["lecturer_name"] = x.lecturer_name;
  return out;
}

}  // namespace dj::resources
