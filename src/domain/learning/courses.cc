// Courses and their lessons, kept by the organizations that publish them
// (learning.h).
#include <boost/json.hpp>

#include "common/json.h"
#include "common/time.h"
#include "common/validate.h"
#include "domain/audit/audit.h"
#include "domain/learning/internal.h"
#include "domain/org/org.h"

namespace dj::learning {

namespace json = boost::json;
using auth::Perm;
using auth::Principal;

namespace {

constexpr const char* kCourseSelect =
    "SELECT c.id, c.org_id, o.path, c.title, c.status, c.description, c.tags, c.hours_tenths, "
    "c.cover_media_id, c.lecturer_user_id, c.updated_at, (SELECT COUNT(*) FROM lessons l WHERE "
    "l.course_id = c.id AND l.deleted_at IS NULL) FROM courses c JOIN orgs o ON o.id = c.org_id "
    "WHERE c.deleted_at IS NULL";

// A course p may manage: course:manage and its owner in p's subtree, or
// (a lecturer) the course's own lecturer.
Result<Course> managed_course(store::Conn& c, const Principal& p, int64_t id) {
  DJ_TRY(auth::require(p, Perm::course_manage));
  DJ_ASSIGN(auto k, detail::load_course(c, id));
  const bool own = p.role == auth::Role::lecturer ? k.lecturer_user_id == p.user_id
                                                  : auth::in_scope(p, k.org_path);
  if (!own) return Error::not_found("course " + std::to_string(id));
  return k;
}

std::string tags_text(const std::vector<std::string>& tags) {
  json::array a;
  for (const auto& t : tags) a.emplace_back(t);
  return json::serialize(a);
}

// Whose files a course may use: p's organizations' (a lecturer: the course
// owner's, for whom he uploads).
Principal files_for(const Principal& p, const Course& k) {
  Principal as = p;
  if (p.role == auth::Role::lecturer) as.scope_path = k.org_path;
  return as;
}

Status check_course(store::Conn& c, const Principal& p, const Course& k) {
  Validator v;
  v.text("title", k.title, 100);
  v.text("description", k.description, 2000, false);
  v.tags("tags", k.tags);
  if (!one_of(k.status, kCourseStatuses))
    v.add("status", "unknown_code", "must be draft or published");
  if (k.hours_tenths < 0 || k.hours_tenths > 1000) {
    v.add("hours_tenths", "range", "must be 0 to 1000 (tenths of an hour)");
  }
  if (k.status == "published" && k.lessons == 0) {
    v.add("status", "no_lessons", "a course is published with at least one lesson");
  }
  if (k.cover_media_id) {
    auto m = media_in_scope(c, files_for(p, k), *k.cover_media_id, "cover_media_id");
    if (!m) return m.error();
    if (m->kind != "image") v.add("cover_media_id", "kind", "the cover is an image");
  }
  if (k.lecturer_user_id) {
    DJ_ASSIGN(auto u, c.query_opt("SELECT role FROM users WHERE id = ? AND disabled = 0",
                                  {*k.lecturer_user_id}));
    if (!u || u->str(0) != "lecturer") {
      v.add("lecturer_user_id", "not_found", "no such lecturer account");
    }
  }
  DJ_TRY(v.status());
  if (p.role != auth::Role::lecturer) DJ_TRY(org::OrgService::subtree(c, p, k.org_id));
  return {};
}

Status check_lesson(store::Conn& c, const Principal& p, const Course& k, const Lesson& l) {
  Validator v;
  v.text("title", l.title, 100);
  v.text("chapter", l.chapter, 100, false);
  if (!one_of(l.kind, kLessonKinds)) {
    v.add("kind", "unknown_code", "must be video, audio, document, article or link");
  }
  const bool file = l.kind == "video" || l.kind == "audio" || l.kind == "document";
  if (file && !l.media_id) v.add("media_id", "required", "a " + l.kind + " lesson needs its file");
  if (l.kind == "article") v.text("body", l.body, 50000);
  if (l.kind == "link") {
    v.text("url", l.url, 500);
    if (l.url && !l.url->starts_with("https://") && !l.url->starts_with("http://")) {
      v.add("url", "format", "must be an http(s) address");
    }
  }
  DJ_TRY(v.status());
  if (file) {
    DJ_ASSIGN(auto m, media_in_scope(c, files_for(p, k), *l.media_id, "media_id"));
    if (m.kind != l.kind) {
      return Error::invalid("media_id", "kind", "the file is " + m.kind + ", not " + l.kind);
    }
  }
  return {};
}

}  // namespace

namespace detail {

Result<std::vector<Course>> select_courses(store::Conn& c, const std::string& and_where,
                                           const store::Params& params) {
  DJ_ASSIGN(auto rows, c.query(std::string(kCourseSelect) + and_where, params));
  std::vector<Course> out;
  for (const auto& r : rows) {
    Course k;
    k.id = r.i64(0);
    k.org_id = r.i64(1);
    k.org_path = r.str(2);
    k.title = r.str(3);
    k.status = r.str(4);
    k.description = r.opt_str(5);
    const json::value tags = json::parse(r.str(6));
    for (const auto& t : tags.as_array()) k.tags.emplace_back(t.as_string());
    k.hours_tenths = r.i64(7);
    k.cover_media_id = r.opt_i64(8);
    k.lecturer_user_id = r.opt_i64(9);
    k.updated_at = r.i64(10);
    k.lessons = r.i64(11);
    out.push_back(std::move(k));
  }
  DJ_TRY(org::name_paths(c, out));
  return out;
}

Result<Course> load_course(store::Conn& c, int64_t id) {
  DJ_ASSIGN(auto list, detail::select_courses(c, " AND c.id = ?", {id}));
  if (list.empty()) return Error::not_found("course " + std::to_string(id));
  return list[0];
}

Result<std::pair<Course, Lesson>> find_lesson(
    store::Conn& c, int64_t id, const std::function<Result<Course>(int64_t course_id)>& course_of) {
  const auto gone = [&] { return Error::not_found("lesson " + std::to_string(id)); };
  DJ_ASSIGN(auto row,
            c.query_opt("SELECT course_id FROM lessons WHERE id = ? AND deleted_at IS NULL", {id}));
  if (!row) return gone();
  auto k = course_of(row->i64(0));
  if (!k) return gone();
  DJ_ASSIGN(auto lessons, load_lessons(c, k->id));
  for (auto& l : lessons) {
    if (l.id == id) return std::make_pair(*k, std::move(l));
  }
  return gone();
}

Result<std::vector<Lesson>> load_lessons(store::Conn& c, int64_t course_id) {
  DJ_ASSIGN(auto rows, c.query("SELECT id, course_id, chapter, title, kind, position, media_id, "
                               "body, url FROM lessons WHERE course_id = ? AND deleted_at IS NULL "
                               "ORDER BY position, id",
                               {course_id}));
  std::vector<Lesson> out;
  for (const auto& r : rows) {
    Lesson l{r.i64(0), r.i64(1),     r.str(2), r.str(3),     r.str(4),
             r.i64(5), r.opt_i64(6), {},       r.opt_str(7), r.opt_str(8)};
    DJ_ASSIGN(l.media, load_media(c, l.media_id));
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace detail

json::value to_json(const Course& k) {
  json::array tags;
  for (const auto& t : k.tags) tags.emplace_back(t);
  return json::object{{"id", k.id},
                      {"org_id", k.org_id},
                      {"org_path_name", k.org_path_name},
                      {"title", k.title},
                      {"status", k.status},
                      {"description", or_null(k.description)},
                      {"tags", std::move(tags)},
                      {"hours_tenths", k.hours_tenths},
                      {"cover_media_id", or_null(k.cover_media_id)},
                      {"cover_url", or_null(k.cover_url)},
                      {"lecturer_user_id", or_null(k.lecturer_user_id)},
                      {"lessons", k.lessons},
                      {"updated_at", format_instant(k.updated_at)}};
}

json::value to_json(const Lesson& l) {
  return json::object{{"id", l.id},
                      {"course_id", l.course_id},
                      {"chapter", l.chapter},
                      {"title", l.title},
                      {"kind", l.kind},
                      {"position", l.position},
                      {"media", l.media ? to_json(*l.media) : json::value(nullptr)},
                      {"body", or_null(l.body)},
                      {"url", or_null(l.url)}};
}

void LearningService::sign_cover(Course& k) const {
  if (k.cover_media_id) k.cover_url = media_url(*k.cover_media_id, false);
}

Result<CoursePage> LearningService::list_courses(const Principal& p, const CourseQuery& q) {
  DJ_TRY(auth::require(p, Perm::course_manage));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<CoursePage> {
    std::string where;
    store::Params params;
    if (p.role == auth::Role::lecturer) {
      where += " AND c.lecturer_user_id = ?";
      params.emplace_back(p.user_id);
    } else {
      DJ_ASSIGN(auto path, org::OrgService::subtree(c, p, q.org_id));
      where += " AND o.path LIKE ?";
      params.emplace_back(path + "%");
    }
    if (q.status) {
      if (!one_of(*q.status, kCourseStatuses)) {
        return Error::invalid("status", "unknown_code", "must be draft or published");
      }
      where += " AND c.status = ?";
      params.emplace_back(*q.status);
    }
    if (q.q && !q.q->empty()) {
      where += " AND c.title LIKE ?";
      params.emplace_back("%" + *q.q + "%");
    }
    CoursePage page;
    DJ_ASSIGN(auto n, c.query_one("SELECT COUNT(*) FROM courses c JOIN orgs o ON o.id = c.org_id "
                                  "WHERE c.deleted_at IS NULL" +
                                      where,
                                  params));
    page.total = n.i64(0);
    params.emplace_back(q.page_size);
    params.emplace_back((q.page - 1) * q.page_size);
    DJ_ASSIGN(page.items,
              detail::select_courses(
                  c, where + " ORDER BY c.updated_at DESC, c.id DESC LIMIT ? OFFSET ?", params));
    return page;
  });
}

Result<Course> LearningService::create_course(const Principal& p, const CourseInput& in) {
  DJ_TRY(auth::require(p, Perm::course_manage));
  if (p.role == auth::Role::lecturer) {
    return Error::forbidden("a lecturer works on the courses he is given");
  }
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Course> {
    Course k;
    k.org_id = in.org_id.value_or(p.org_id.value_or(0));
    k.title = in.title.value_or("");
    k.status = in.status.value_or("draft");
    k.description = in.description;
    k.tags = in.tags.value_or(std::vector<std::string>{});
    k.hours_tenths = in.hours_tenths.value_or(0);
    k.cover_media_id = in.cover_media_id;
    k.lecturer_user_id = in.lecturer_user_id;
    DJ_TRY(check_course(c, p, k));
    const int64_t now = now_ms();
    DJ_ASSIGN(auto row, c.query_one("INSERT INTO courses (org_id, title, description, tags, "
                                    "hours_tenths, status, cover_media_id, lecturer_user_id, "
                                    "created_at, updated_at, created_by, updated_by) VALUES (?, ?, "
                                    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                    {k.org_id, k.title, k.description, tags_text(k.tags),
                                     k.hours_tenths, k.status, k.cover_media_id, k.lecturer_user_id,
                                     now, now, p.user_id, p.user_id}));
    DJ_ASSIGN(auto after, detail::load_course(c, row.i64(0)));
    DJ_TRY(audit::record(
        c, p.actor(),
        {"course.create", "course", std::to_string(after.id), after.org_path, {}, to_json(after)}));
    return after;
  });
}

Result<Course> LearningService::update_course(const Principal& p, int64_t id,
                                              const CourseInput& in) {
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Course> {
    DJ_ASSIGN(auto before, managed_course(c, p, id));
    Course k = before;
    if (in.org_id) {
      if (p.role == auth::Role::lecturer) {
        return Error::forbidden("a lecturer does not change who owns a course");
      }
      k.org_id = *in.org_id;
    }
    if (in.title) k.title = *in.title;
    if (in.status) k.status = *in.status;
    if (in.description) k.description = in.description->empty() ? std::nullopt : in.description;
    if (in.tags) k.tags = *in.tags;
    if (in.hours_tenths) k.hours_tenths = *in.hours_tenths;
    if (in.cover_media_id) k.cover_media_id = in.cover_media_id;
    if (in.lecturer_user_id) k.lecturer_user_id = in.lecturer_user_id;
    DJ_TRY(check_course(c, p, k));
    DJ_TRY(
        c.exec("UPDATE courses SET org_id = ?, title = ?, description = ?, tags = ?, "
               "hours_tenths = ?, status = ?, cover_media_id = ?, lecturer_user_id = ?, "
               "updated_at = ?, updated_by = ? WHERE id = ?",
               {k.org_id, k.title, k.description, tags_text(k.tags), k.hours_tenths, k.status,
                k.cover_media_id, k.lecturer_user_id, now_ms(), p.user_id, id}));
    DJ_ASSIGN(auto after, detail::load_course(c, id));
    DJ_TRY(audit::record(c, p.actor(),
                         {"course.update", "course", std::to_string(id), after.org_path,
                          to_json(before), to_json(after)}));
    return after;
  });
}

Status LearningService::delete_course(const Principal& p, int64_t id) {
  return store::with_tx(db_, [&](store::Conn& c) -> Status {
    DJ_ASSIGN(auto before, managed_course(c, p, id));
    if (p.role == auth::Role::lecturer)
      return Error::forbidden("a lecturer does not remove courses");
    DJ_ASSIGN(auto done,
              c.query_one("SELECT COUNT(*) FROM course_completions WHERE course_id = ?", {id}));
    if (done.i64(0) > 0) {
      return Error{ErrorCode::conflict,
                   std::to_string(done.i64(0)) +
                       " members completed the course and hold its hours; unpublish it instead",
                   {{"id", "completed", "members hold its hours"}}};
    }
    DJ_TRY(c.exec("UPDATE courses SET deleted_at = ?, updated_by = ? WHERE id = ?",
                  {now_ms(), p.user_id, id}));
    return audit::record(
        c, p.actor(),
        {"course.delete", "course", std::to_string(id), before.org_path, to_json(before), {}});
  });
}

Result<Study> LearningService::course(const Principal& p, int64_t id) {
  return store::with_conn(db_, [&](store::Conn& c) -> Result<Study> {
    Study s;
    DJ_ASSIGN(s.course, managed_course(c, p, id));
    sign_cover(s.course);
    DJ_ASSIGN(s.lessons, detail::load_lessons(c, id));
    return s;
  });
}

Result<Lesson> LearningService::add_lesson(const Principal& p, int64_t course_id,
                                           const LessonInput& in) {
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Lesson> {
    DJ_ASSIGN(auto k, managed_course(c, p, course_id));
    DJ_ASSIGN(auto last, c.query_one("SELECT COALESCE(MAX(position), 0) FROM lessons WHERE "
                                     "course_id = ? AND deleted_at IS NULL",
                                     {course_id}));
    Lesson l{0,
             course_id,
             in.chapter.value_or(""),
             in.title.value_or(""),
             in.kind.value_or(""),
             in.position.value_or(last.i64(0) + 1),
             in.media_id,
             {},
             in.kind == "article" ? in.body : std::nullopt,
             in.kind == "link" ? in.url : std::nullopt};
    DJ_TRY(check_lesson(c, p, k, l));
    const int64_t now = now_ms();
    DJ_ASSIGN(auto row, c.query_one("INSERT INTO lessons (course_id, chapter, title, kind, "
                                    "position, media_id, body, url, created_at, updated_at) "
                                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                    {course_id, l.chapter, l.title, l.kind, l.position, l.media_id,
                                     l.body, l.url, now, now}));
    l.id = row.i64(0);
    DJ_ASSIGN(l.media, load_media(c, l.media_id));
    DJ_TRY(c.exec("UPDATE courses SET updated_at = ? WHERE id = ?", {now, course_id}));
    DJ_TRY(audit::record(
        c, p.actor(),
        {"lesson.create", "lesson", std::to_string(l.id), k.org_path, {}, to_json(l)}));
    return l;
  });
}

namespace {

Result<std::pair<Course, Lesson>> managed_lesson(store::Conn& c, const Principal& p, int64_t id) {
  return detail::find_lesson(c, id, [&](int64_t k) { return managed_course(c, p, k); });
}

}  // namespace

Result<Lesson> LearningService::update_lesson(const Principal& p, int64_t id,
                                              const LessonInput& in) {
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Lesson> {
    DJ_ASSIGN(auto found, managed_lesson(c, p, id));
    auto& [k, before] = found;
    Lesson l = before;
    if (in.chapter) l.chapter = *in.chapter;
    if (in.title) l.title = *in.title;
    if (in.kind) l.kind = *in.kind;
    if (in.position) l.position = *in.position;
    if (in.media_id) l.media_id = in.media_id;
    if (in.body) l.body = in.body;
    if (in.url) l.url = in.url;
    if (l.kind != "article") l.body.reset();
    if (l.kind != "link") l.url.reset();
    if (l.kind == "article" || l.kind == "link") l.media_id.reset();
    DJ_TRY(check_lesson(c, p, k, l));
    // Progress is kept by lesson: a new file keeps what learners played
    // (clipped to the new length when they next report).
    DJ_TRY(
        c.exec("UPDATE lessons SET chapter = ?, title = ?, kind = ?, position = ?, media_id = "
               "?, body = ?, url = ?, updated_at = ? WHERE id = ?",
               {l.chapter, l.title, l.kind, l.position, l.media_id, l.body, l.url, now_ms(), id}));
    DJ_ASSIGN(l.media, load_media(c, l.media_id));
    DJ_TRY(audit::record(
        c, p.actor(),
        {"lesson.update", "lesson", std::to_string(id), k.org_path, to_json(before), to_json(l)}));
    return l;
  });
}

Status LearningService::delete_lesson(const Principal& p, int64_t id) {
  return store::with_tx(db_, [&](store::Conn& c) -> Status {
    DJ_ASSIGN(auto found, managed_lesson(c, p, id));
    auto& [k, before] = found;
    if (k.status == "published" && k.lessons <= 1) {
      return Error{ErrorCode::conflict,
                   "a published course keeps at least one lesson",
                   {{"id", "last_lesson", "unpublish the course first"}}};
    }
    DJ_TRY(c.exec("UPDATE lessons SET deleted_at = ? WHERE id = ?", {now_ms(), id}));
    return audit::record(
        c, p.actor(),
        {"lesson.delete", "lesson", std::to_string(id), k.org_path, to_json(before), {}});
  });
}

Result<std::vector<Learner>> LearningService::learners(const Principal& p, int64_t course_id) {
  return store::with_conn(db_, [&](store::Conn& c) -> Result<std::vector<Learner>> {
    DJ_ASSIGN(auto k, managed_course(c, p, course_id));
    (void)k;
    // Members in p's scope who played any lesson, with the lessons they completed.
    DJ_ASSIGN(auto rows,
              c.query("SELECT m.id, m.name, o.path, SUM(CASE WHEN lp.completed_at IS NULL THEN 0 "
                      "ELSE 1 END), (SELECT cc.completed_at FROM course_completions cc WHERE "
                      "cc.member_id = m.id AND cc.course_id = ?) FROM lesson_progress lp JOIN "
                      "lessons l ON l.id = lp.lesson_id AND l.deleted_at IS NULL JOIN members m ON "
                      "m.id = lp.member_id JOIN orgs o ON o.id = m.org_id WHERE l.course_id = ? "
                      "AND o.path LIKE ? GROUP BY m.id, m.name, o.path ORDER BY o.path, m.name",
                      {course_id, course_id,
                       (p.role == auth::Role::lecturer ? std::string("/") : p.scope_path) + "%"}));
    std::vector<Learner> out;
    for (const auto& r : rows) {
      out.push_back({r.i64(0), r.str(1), r.str(2), "", r.i64(3), r.opt_i64(4)});
    }
    DJ_TRY(org::name_paths(c, out));
    return out;
  });
}

json::value to_json(const Learner& l) {
  return json::object{{"member_id", l.member_id},
                      {"name", l.name},
                      {"org_path_name", l.org_path_name},
                      {"lessons_done", l.lessons_done},
                      {"completed_at", l.completed_at ? json::value(format_instant(*l.completed_at))
                                                      : json::value(nullptr)}};
}

}  // namespace dj::learning
