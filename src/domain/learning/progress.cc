// A member's study: the courses open to him, the player's reports checked
// against real playback, and a completed course's hours posted once
// (learning.h).
#include <algorithm>
#include <boost/json.hpp>
#include <map>

#include "common/json.h"
#include "common/time.h"
#include "domain/audit/audit.h"
#include "domain/learning/internal.h"
#include "domain/ledger/ledger.h"

namespace dj::learning {

namespace json = boost::json;
using auth::Principal;

namespace {

// What a report may exceed: a second of the media's end (players round),
// and three seconds of the wall clock (the request's own way there).
constexpr int64_t kEndSlackMs = 1000;
constexpr int64_t kClockSlackMs = 3000;

struct Learning {
  int64_t member_id = 0;
  std::string org_path;
};

// The member p studies as, with his organization's path.
Result<Learning> learner(store::Conn& c, const Principal& p) {
  if (!p.member_id) return Error::forbidden("only a member's account studies courses");
  DJ_ASSIGN(auto row, c.query_opt("SELECT o.path FROM members m JOIN orgs o ON o.id = m.org_id "
                                  "WHERE m.id = ? AND m.deleted_at IS NULL",
                                  {*p.member_id}));
  if (!row) return Error::forbidden("only a member's account studies courses");
  return Learning{*p.member_id, row->str(0)};
}

// A published course of the member's organization or one above it.
Result<Course> open_course(store::Conn& c, const Learning& me, int64_t id) {
  auto k = detail::load_course(c, id);
  if (!k || k->status != "published" || !me.org_path.starts_with(k->org_path)) {
    return Error::not_found("course " + std::to_string(id));
  }
  return *k;
}

struct Stored {
  std::vector<std::pair<int64_t, int64_t>> intervals;
  int64_t watched_ms = 0, position_ms = 0, reported_at = 0;
  std::optional<int64_t> completed_at;
};

Result<std::optional<Stored>> stored(store::Conn& c, int64_t member_id, int64_t lesson_id) {
  DJ_ASSIGN(auto row, c.query_opt("SELECT intervals, watched_ms, position_ms, reported_at, "
                                  "completed_at FROM lesson_progress WHERE member_id = ? AND "
                                  "lesson_id = ?",
                                  {member_id, lesson_id}));
  if (!row) return std::optional<Stored>();
  Stored s;
  const json::value list = json::parse(row->str(0));
  for (const auto& x : list.as_array()) {
    s.intervals.emplace_back(x.as_array().at(0).to_number<int64_t>(),
                             x.as_array().at(1).to_number<int64_t>());
  }
  s.watched_ms = row->i64(1);
  s.position_ms = row->i64(2);
  s.reported_at = row->i64(3);
  s.completed_at = row->opt_i64(4);
  return std::optional<Stored>(std::move(s));
}

LessonProgress progress_of(const Lesson& l, const std::optional<Stored>& s) {
  LessonProgress out;
  out.lesson_id = l.id;
  if (!s) return out;
  out.watched_ms = s->watched_ms;
  out.position_ms = s->position_ms;
  out.completed = s->completed_at.has_value();
  const int64_t length = l.media && l.media->duration_ms ? *l.media->duration_ms : 0;
  out.percent = length > 0 ? static_cast<int>(std::min<int64_t>(100, s->watched_ms * 100 / length))
                           : (out.completed ? 100 : 0);
  return out;
}

std::string intervals_text(const std::vector<std::pair<int64_t, int64_t>>& list) {
  json::array a;
  for (const auto& [s, e] : list) a.push_back(json::array{s, e});
  return json::serialize(a);
}

}  // namespace

int64_t merge_intervals(std::vector<std::pair<int64_t, int64_t>>& list) {
  std::sort(list.begin(), list.end());
  std::vector<std::pair<int64_t, int64_t>> out;
  for (const auto& iv : list) {
    if (!out.empty() && iv.first <= out.back().second) {
      out.back().second = std::max(out.back().second, iv.second);
    } else {
      out.push_back(iv);
    }
  }
  list = std::move(out);
  int64_t covered = 0;
  for (const auto& [s, e] : list) covered += e - s;
  return covered;
}

json::value to_json(const LessonProgress& p) {
  return json::object{{"lesson_id", p.lesson_id},
                      {"watched_ms", p.watched_ms},
                      {"position_ms", p.position_ms},
                      {"percent", p.percent},
                      {"completed", p.completed}};
}

json::value to_json(const Study& s) {
  json::array lessons;
  for (size_t i = 0; i < s.lessons.size(); ++i) {
    json::object l = to_json(s.lessons[i]).as_object();
    if (i < s.progress.size()) l["progress"] = to_json(s.progress[i]);
    lessons.push_back(std::move(l));
  }
  return json::object{{"course", to_json(s.course)},
                      {"lessons", std::move(lessons)},
                      {"completed_at", s.completed_at ? json::value(format_instant(*s.completed_at))
                                                      : json::value(nullptr)}};
}

json::value to_json(const MyCourse& m) {
  return json::object{{"course", to_json(m.course)},
                      {"lessons_done", m.lessons_done},
                      {"due_on", or_null(m.due_on)},
                      {"completed_at", m.completed_at ? json::value(format_instant(*m.completed_at))
                                                      : json::value(nullptr)}};
}

json::value to_json(const Play& p) {
  return json::object{{"lesson", to_json(p.lesson)},
                      {"url", or_null(p.url)},
                      {"poster_url", or_null(p.poster_url)},
                      {"progress", to_json(p.progress)}};
}

Result<std::vector<MyCourse>> LearningService::my_courses(const Principal& p) {
  return store::with_conn(db_, [&](store::Conn& c) -> Result<std::vector<MyCourse>> {
    DJ_ASSIGN(auto me, learner(c, p));
    // Courses of his organization's path prefixes: the ancestors' ids are in his path.
    DJ_ASSIGN(auto courses,
              detail::select_courses(c,
                                     " AND c.status = 'published' AND ? LIKE o.path || '%' ORDER "
                                     "BY c.updated_at DESC, c.id DESC",
                                     {me.org_path}));
    // His lessons done and courses completed, each in one query.
    DJ_ASSIGN(auto done, c.query("SELECT l.course_id, COUNT(*) FROM lesson_progress lp JOIN "
                                 "lessons l ON l.id = lp.lesson_id WHERE lp.member_id = ? AND "
                                 "l.deleted_at IS NULL AND lp.completed_at IS NOT NULL GROUP BY "
                                 "l.course_id",
                                 {me.member_id}));
    DJ_ASSIGN(auto completed, c.query("SELECT course_id, completed_at FROM course_completions "
                                      "WHERE member_id = ?",
                                      {me.member_id}));
    std::map<int64_t, int64_t> lessons_done;
    for (const auto& r : done) lessons_done[r.i64(0)] = r.i64(1);
    std::map<int64_t, int64_t> completed_at;
    for (const auto& r : completed) completed_at[r.i64(0)] = r.i64(1);
    DJ_ASSIGN(auto due, detail::due_dates(c, me.member_id, me.org_path, cfg_.new_member_months));
    std::vector<MyCourse> out;
    for (auto& k : courses) {
      sign_cover(k);
      const int64_t id = k.id;
      MyCourse m{std::move(k), lessons_done[id], {}, {}};
      if (auto f = completed_at.find(m.course.id); f != completed_at.end())
        m.completed_at = f->second;
      if (auto d = due.find(m.course.id); d != due.end()) m.due_on = d->second;
      out.push_back(std::move(m));
    }
    // What is assigned comes first, the nearest date first.
    std::stable_sort(out.begin(), out.end(), [](const MyCourse& a, const MyCourse& b) {
      return a.due_on.has_value() != b.due_on.has_value() ? a.due_on.has_value()
                                                          : a.due_on < b.due_on;
    });
    return out;
  });
}

Result<Study> LearningService::study(const Principal& p, int64_t course_id) {
  return store::with_conn(db_, [&](store::Conn& c) -> Result<Study> {
    DJ_ASSIGN(auto me, learner(c, p));
    Study s;
    DJ_ASSIGN(s.course, open_course(c, me, course_id));
    sign_cover(s.course);
    DJ_ASSIGN(s.lessons, detail::load_lessons(c, course_id));
    for (const auto& l : s.lessons) {
      DJ_ASSIGN(auto st, stored(c, me.member_id, l.id));
      s.progress.push_back(progress_of(l, st));
    }
    DJ_ASSIGN(auto done, c.query_opt("SELECT completed_at FROM course_completions WHERE "
                                     "member_id = ? AND course_id = ?",
                                     {me.member_id, course_id}));
    if (done) s.completed_at = done->i64(0);
    return s;
  });
}

namespace {

// The lesson `id` of a course open to the member, with that course.
Result<std::pair<Course, Lesson>> open_lesson(store::Conn& c, const Learning& me, int64_t id) {
  return detail::find_lesson(c, id, [&](int64_t k) { return open_course(c, me, k); });
}

}  // namespace

Result<Play> LearningService::play(const Principal& p, int64_t lesson_id) {
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Play> {
    DJ_ASSIGN(auto me, learner(c, p));
    DJ_ASSIGN(auto found, open_lesson(c, me, lesson_id));
    Play out;
    out.lesson = std::move(found.second);
    DJ_ASSIGN(auto st, stored(c, me.member_id, lesson_id));
    const int64_t now = now_ms();
    if (st) {
      DJ_TRY(
          c.exec("UPDATE lesson_progress SET reported_at = ? WHERE member_id = ? AND "
                 "lesson_id = ?",
                 {now, me.member_id, lesson_id}));
    } else {
      DJ_TRY(
          c.exec("INSERT INTO lesson_progress (member_id, lesson_id, intervals, watched_ms, "
                 "position_ms, reported_at) VALUES (?, ?, '[]', 0, 0, ?)",
                 {me.member_id, lesson_id, now}));
    }
    out.progress = progress_of(out.lesson, st);
    if (out.lesson.media) {
      out.url = media_url(out.lesson.media->id, false);
      if (out.lesson.media->poster_sha) out.poster_url = media_url(out.lesson.media->id, true);
    }
    return out;
  });
}

Result<Reported> LearningService::report(const Principal& p, int64_t lesson_id,
                                         const ProgressInput& in) {
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Reported> {
    DJ_ASSIGN(auto me, learner(c, p));
    DJ_ASSIGN(auto found, open_lesson(c, me, lesson_id));
    const auto& [course, lesson] = found;
    DJ_ASSIGN(auto st, stored(c, me.member_id, lesson_id));
    if (!st) {
      return Error{ErrorCode::conflict,
                   "open the lesson first",
                   {{"lesson_id", "not_started", "the lesson was not opened to play"}}};
    }
    const bool timed = lesson.kind == "video" || lesson.kind == "audio";
    const int64_t length =
        timed && lesson.media && lesson.media->duration_ms ? *lesson.media->duration_ms : 0;
    const int64_t now = now_ms();
    Stored next = *st;
    if (!in.intervals.empty()) {
      if (!timed) {
        return Error::invalid("intervals", "not_media",
                              "a " + lesson.kind + " lesson has no playback");
      }
      auto fresh = in.intervals;
      for (const auto& [s, e] : fresh) {
        if (s < 0 || e <= s) {
          return Error::invalid("intervals", "format",
                                "each interval is [start, end) with start < end");
        }
        if (e > length + kEndSlackMs) {
          return Error::invalid("intervals", "beyond_duration",
                                "the media is " + std::to_string(length) + " ms long");
        }
      }
      const int64_t played = merge_intervals(fresh);
      const int64_t elapsed = std::max<int64_t>(0, now - st->reported_at);
      if (played > 2 * elapsed + kClockSlackMs) {
        return Error::invalid("intervals", "faster_than_playback",
                              std::to_string(played) + " ms played in " + std::to_string(elapsed) +
                                  " ms is faster than twice the normal speed");
      }
      next.intervals.insert(next.intervals.end(), fresh.begin(), fresh.end());
      for (auto& iv : next.intervals) iv.second = std::min(iv.second, length);
      next.watched_ms = merge_intervals(next.intervals);
    }
    if (in.position_ms) {
      if (*in.position_ms < 0) return Error::invalid("position_ms", "range", "must be at least 0");
      next.position_ms = timed ? std::min(*in.position_ms, length) : 0;
    }
    const bool complete_now =
        timed ? next.watched_ms * 100 >= length * cfg_.complete_percent : in.reached_end;
    if (!next.completed_at && complete_now) next.completed_at = now;
    // The clock moves only if no other report moved it meanwhile (two tabs).
    DJ_ASSIGN(auto n, c.exec("UPDATE lesson_progress SET intervals = ?, watched_ms = ?, "
                             "position_ms = ?, reported_at = ?, completed_at = ? WHERE member_id = "
                             "? AND lesson_id = ? AND reported_at = ?",
                             {intervals_text(next.intervals), next.watched_ms, next.position_ms,
                              now, next.completed_at, me.member_id, lesson_id, st->reported_at}));
    if (n != 1) {
      return Error{ErrorCode::conflict,
                   "another report of this lesson came in meanwhile",
                   {{"lesson_id", "concurrent", "the lesson is playing elsewhere"}}};
    }
    Reported out;
    out.progress = progress_of(lesson, next);
    if (!next.completed_at || st->completed_at) return out;
    // A lesson completed now: the course, when every lesson is.
    DJ_ASSIGN(auto left,
              c.query_one("SELECT COUNT(*) FROM lessons l WHERE l.course_id = ? AND l.deleted_at "
                          "IS NULL AND NOT EXISTS (SELECT 1 FROM lesson_progress lp WHERE "
                          "lp.lesson_id = l.id AND lp.member_id = ? AND lp.completed_at IS NOT "
                          "NULL)",
                          {course.id, me.member_id}));
    DJ_ASSIGN(auto had, c.query_opt("SELECT id FROM course_completions WHERE member_id = ? AND "
                                    "course_id = ?",
                                    {me.member_id, course.id}));
    if (left.i64(0) > 0 || had) return out;
    DJ_ASSIGN(auto row, c.query_one("INSERT INTO course_completions (member_id, course_id, "
                                    "hours_tenths, completed_at) VALUES (?, ?, ?, ?) RETURNING id",
                                    {me.member_id, course.id, course.hours_tenths, now}));
    if (course.hours_tenths > 0) {
      DJ_TRY(ledger::post(c, "online", row.i64(0), course.title,
                          {{me.member_id, today(), course.hours_tenths}}));
    }
    DJ_TRY(audit::record(
        c, p.actor(),
        {"course.complete",
         "course",
         std::to_string(course.id),
         me.org_path,
         {},
         json::object{{"member_id", me.member_id}, {"hours_tenths", course.hours_tenths}}}));
    out.course_completed = true;
    return out;
  });
}

}  // namespace dj::learning
