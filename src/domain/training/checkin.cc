// Sessions and attendance: adding sessions (the theory course first), the
// rotating QR token and numeric code, check-in from the phone through the
// group commit, leave requests and the roster.
#include <fmt/format.h>

#include <boost/json.hpp>
#include <cmath>

#include "common/time.h"
#include "common/validate.h"
#include "domain/audit/audit.h"
#include "domain/ledger/ledger.h"
#include "domain/training/internal.h"
#include "store/group_commit.h"

namespace dj::training {

namespace json = boost::json;
using auth::Principal;

namespace {

// Target groups whose classes open with the theory course (首课/必修课).
constexpr const char* kTheoryFirst[] = {"new_members", "activists", "development_targets"};

bool needs_theory_first(const Training& t) {
  return std::any_of(t.target_groups.begin(), t.target_groups.end(),
                     [](const std::string& g) { return one_of(g, kTheoryFirst); });
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

// A check-in on its way through the group commit, and what its checks found.
struct Attempt {
  audit::Actor actor;
  int64_t member_id, session_id, now;
  std::string method, key;
  std::optional<Location> where;
  store::Value pass;            // the hash of the scan's pass, kept on the check-in: used once
  std::string status;           // present or late, once checked
  std::string org_path;         // of the class's organizer, for the audit row
  bool replaces_leave = false;  // the member had asked leave, and came
};

// An earlier check-in of the member: its first result again for a repeat
// with the same Idempotency-Key, 409 otherwise.
Result<CheckInResult> earlier(const Attempt& a, const std::string& status,
                              const std::string& method, int64_t at, const std::string& key) {
  if (!a.key.empty() && key == a.key) {
    return CheckInResult{a.session_id, a.member_id, status, method, at, true};
  }
  return Error{ErrorCode::conflict,
               "already checked in at " + format_instant(at),
               {{"session_id", "already_checked_in", "already checked in"}}};
}

}  // namespace

std::string TrainingService::token_for(int64_t session_id, int64_t slot) const {
  return codes_.token(session_id, slot);
}

std::string TrainingService::code_for(int64_t session_id, int64_t slot) const {
  return codes_.code(session_id, slot);
}

namespace {

// A session's times, checked with its other fields as a whole record.
struct Span {
  int64_t start = 0, end = 0, hours_tenths = 0;
};
Result<Span> check_session(const SessionInput& in) {
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
  const int64_t hours =
      in.hours ? std::llround(*in.hours * 10) : std::llround((*end - *start) / 360000.0);
  return Span{*start, *end, hours};
}

// Whether a session fits its class among the others: within the class
// dates, and the theory course first where the target group needs it.
Status fits_class(const Training& t, const std::vector<Session>& others, const SessionInput& in,
                  const Span& span) {
  if (date_of_instant(span.start) < t.starts_on || date_of_instant(span.end) > t.ends_on) {
    return Error::invalid(
        "started_at", "outside_class",
        "the session must lie within the class dates " + t.starts_on + " to " + t.ends_on);
  }
  if (!needs_theory_first(t)) return {};
  const Session* first = others.empty() ? nullptr : &others.front();
  const bool is_first = !first || span.start < first->started_at;
  if (is_first && !in.first_course.value_or(false)) {
    return Error::invalid("first_course", "theory_first",
                          "this class's target group starts with the theory course: add the "
                          "session marked first_course first");
  }
  if (in.first_course.value_or(false) && !is_first) {
    return Error::invalid("started_at", "out_of_order",
                          "the first course must come before every other session");
  }
  return {};
}

// Warnings for other sessions in the same venue at the same time.
Result<std::vector<NewSession::Warning>> venue_clashes(store::Conn& c,
                                                       const std::optional<std::string>& venue,
                                                       const Span& span, int64_t except_id) {
  std::vector<NewSession::Warning> out;
  if (!venue) return out;
  DJ_ASSIGN(auto clash, c.query("SELECT s.id, t.title FROM training_sessions s JOIN trainings t ON "
                                "t.id = s.training_id WHERE s.venue = ? AND s.started_at < ? AND "
                                "s.ended_at > ? AND t.deleted_at IS NULL AND s.id <> ?",
                                {*venue, span.end, span.start, except_id}));
  for (const auto& r : clash) {
    out.push_back({"venue_busy", "the venue is booked at that time by " + r.str(1), r.i64(0)});
  }
  return out;
}

// A pool lecturer's name for the session (unknown naming lecturer_id when absent).
Status pool_lecturer(store::Conn& c, SessionInput& in) {
  if (!in.lecturer_id) return {};
  DJ_ASSIGN(auto r, c.query_opt("SELECT name FROM lecturers WHERE id = ? AND deleted_at IS NULL",
                                {*in.lecturer_id}));
  if (!r) return Error::invalid("lecturer_id", "unknown", "no such lecturer in the pool");
  in.lecturer_name = r->str(0);
  return {};
}

Session session_of(int64_t id, int64_t training_id, const SessionInput& in, const Span& span) {
  Session s;
  s.id = id;
  s.training_id = training_id;
  s.title = *in.title;
  s.lecturer_name = in.lecturer_name;
  s.lecturer_id = in.lecturer_id;
  s.method = in.method;
  s.venue = in.venue;
  s.started_at = span.start;
  s.ended_at = span.end;
  s.hours_tenths = span.hours_tenths;
  s.required = in.required.value_or(false);
  s.first_course = in.first_course.value_or(false);
  s.latitude = in.latitude;
  s.longitude = in.longitude;
  s.radius_m = in.radius_m;
  return s;
}

store::Value coordinate(const std::optional<double>& d) {
  return d ? store::Value(std::to_string(*d)) : store::Value();
}

// The session of the class for changing it: the class writable and not
// completed.
Result<std::pair<Training, Session>> changeable_session(store::Conn& c, const Principal& p,
                                                        int64_t id, int64_t session_id) {
  DJ_ASSIGN(auto t, detail::writable(c, p, id));
  DJ_ASSIGN(const bool done, detail::completed(c, id));
  if (done) return Error::conflict("the class is completed; its sessions stay as held");
  DJ_ASSIGN(auto ts, detail::session_in(c, session_id));
  if (ts.first.id != t.id) return Error::not_found("session " + std::to_string(session_id));
  return ts;
}

Result<int64_t> checkins_of(store::Conn& c, int64_t session_id) {
  DJ_ASSIGN(auto r,
            c.query_one("SELECT COUNT(*) FROM checkins WHERE session_id = ?", {session_id}));
  return r.i64(0);
}

}  // namespace

Result<NewSession> TrainingService::add_session(const Principal& p, int64_t id,
                                                const SessionInput& given) {
  DJ_ASSIGN(const Span span, check_session(given));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<NewSession> {
    SessionInput in = given;
    DJ_TRY(pool_lecturer(c, in));
    DJ_ASSIGN(auto t, detail::writable(c, p, id));
    DJ_ASSIGN(auto existing, detail::sessions_of(c, id));
    DJ_TRY(fits_class(t, existing, in, span));
    NewSession out;
    DJ_ASSIGN(out.warnings, venue_clashes(c, in.venue, span, 0));
    DJ_ASSIGN(auto ins,
              c.query_one("INSERT INTO training_sessions (training_id, title, "
                          "lecturer_name, started_at, ended_at, hours_tenths, method, "
                          "required, first_course, venue, latitude, longitude, "
                          "radius_m, created_at, created_by, lecturer_id) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                          "RETURNING id",
                          {id, *in.title, in.lecturer_name, span.start, span.end, span.hours_tenths,
                           in.method, in.required.value_or(false), in.first_course.value_or(false),
                           in.venue, coordinate(in.latitude), coordinate(in.longitude), in.radius_m,
                           now_ms(), p.user_id, in.lecturer_id}));
    out.session = session_of(ins.i64(0), id, in, span);
    DJ_TRY(audit::record(c, p.actor(),
                         {"training.session_add",
                          "training",
                          std::to_string(id),
                          t.org_path,
                          {},
                          to_json(out.session)}));
    return out;
  });
}

Result<NewSession> TrainingService::update_session(const Principal& p, int64_t id,
                                                   int64_t session_id, const SessionInput& patch) {
  return store::with_tx(db_, [&](store::Conn& c) -> Result<NewSession> {
    DJ_ASSIGN(auto ts, changeable_session(c, p, id, session_id));
    const auto& [t, before] = ts;
    SessionInput in;
    in.title = patch.title.value_or(before.title);
    in.lecturer_name = patch.lecturer_name ? patch.lecturer_name : before.lecturer_name;
    // A name typed over the pool's lecturer unlinks him.
    in.lecturer_id = patch.lecturer_id     ? patch.lecturer_id
                     : patch.lecturer_name ? std::nullopt
                                           : before.lecturer_id;
    DJ_TRY(pool_lecturer(c, in));
    in.method = patch.method ? patch.method : before.method;
    in.venue = patch.venue ? patch.venue : before.venue;
    in.started_at = patch.started_at.value_or(format_instant(before.started_at));
    in.ended_at = patch.ended_at.value_or(format_instant(before.ended_at));
    const bool times_changed = patch.started_at || patch.ended_at;
    in.hours = patch.hours ? patch.hours
                           : (times_changed ? std::nullopt
                                            : std::optional<double>(before.hours_tenths / 10.0));
    in.required = patch.required.value_or(before.required);
    in.first_course = patch.first_course.value_or(before.first_course);
    const bool fence_given = patch.latitude || patch.longitude || patch.radius_m;
    in.latitude = fence_given ? patch.latitude : before.latitude;
    in.longitude = fence_given ? patch.longitude : before.longitude;
    in.radius_m = fence_given ? patch.radius_m : before.radius_m;
    DJ_ASSIGN(const Span span, check_session(in));
    // Once members have checked in, the time and the hours are what they attended.
    DJ_ASSIGN(const int64_t checked, checkins_of(c, session_id));
    if (checked > 0 && (span.start != before.started_at || span.end != before.ended_at ||
                        span.hours_tenths != before.hours_tenths)) {
      const std::string why =
          std::to_string(checked) + " members have checked in; the time and hours stay as held";
      return Error{ErrorCode::conflict, why, {{"started_at", "checked_in", why}}};
    }
    DJ_ASSIGN(auto others, detail::sessions_of(c, id));
    std::erase_if(others, [&](const Session& s) { return s.id == session_id; });
    DJ_TRY(fits_class(t, others, in, span));
    NewSession out;
    DJ_ASSIGN(out.warnings, venue_clashes(c, in.venue, span, session_id));
    DJ_TRY(
        c.exec("UPDATE training_sessions SET title = ?, lecturer_name = ?, started_at = ?, "
               "ended_at = ?, hours_tenths = ?, method = ?, required = ?, first_course = ?, "
               "venue = ?, latitude = ?, longitude = ?, radius_m = ?, lecturer_id = ? WHERE id = ?",
               {*in.title, in.lecturer_name, span.start, span.end, span.hours_tenths, in.method,
                *in.required, *in.first_course, in.venue, coordinate(in.latitude),
                coordinate(in.longitude), in.radius_m, in.lecturer_id, session_id}));
    out.session = session_of(session_id, id, in, span);
    DJ_TRY(audit::record(c, p.actor(),
                         {"training.session_update", "training", std::to_string(id), t.org_path,
                          to_json(before), to_json(out.session)}));
    return out;
  });
}

Status TrainingService::remove_session(const Principal& p, int64_t id, int64_t session_id) {
  return store::with_tx(db_, [&](store::Conn& c) -> Status {
    DJ_ASSIGN(auto ts, changeable_session(c, p, id, session_id));
    DJ_ASSIGN(const int64_t checked, checkins_of(c, session_id));
    if (checked > 0) {
      const std::string why =
          std::to_string(checked) + " members have checked in or asked leave; the session stays";
      return Error{ErrorCode::conflict, why, {{"session_id", "checked_in", why}}};
    }
    DJ_TRY(c.exec("DELETE FROM training_sessions WHERE id = ?", {session_id}));
    return audit::record(c, p.actor(),
                         {"training.session_remove", "training", std::to_string(id),
                          ts.first.org_path, to_json(ts.second), json::object{{"deleted", true}}});
  });
}

Result<AttendanceSheet> TrainingService::attendance(const Principal& p, int64_t id,
                                                    int64_t session_id) {
  return store::with_conn(db_, [&](store::Conn& c) -> Result<AttendanceSheet> {
    DJ_ASSIGN(auto t, detail::readable(c, p, id));
    DJ_TRY(auth::require(p, auth::Perm::member_read));
    DJ_ASSIGN(auto ts, detail::session_in(c, session_id));
    if (ts.first.id != t.id) return Error::not_found("session " + std::to_string(session_id));
    DJ_ASSIGN(auto rows,
              c.query("SELECT e.member_id, m.name, ch.status, ch.method, ch.at, ch.reason FROM "
                      "enrolments e "
                      "JOIN members m ON m.id = e.member_id JOIN orgs mo ON mo.id = m.org_id "
                      "LEFT JOIN checkins ch ON ch.session_id = ? AND ch.member_id = e.member_id "
                      "WHERE e.training_id = ? AND e.status = 'enrolled' AND mo.path >= ? AND "
                      "mo.path < ? ORDER BY m.name, e.member_id",
                      {session_id, id, p.scope_path, auth::subtree_end(p.scope_path)}));
    AttendanceSheet out;
    out.session_id = session_id;
    for (const auto& r : rows) {
      AttendanceSheet::Row row{r.i64(0), r.str(1), std::nullopt};
      if (!r.null(2)) {
        row.checkin = Attendance{r.str(2), r.str(3), r.i64(4), r.opt_str(5)};
        out.checked_in += r.str(2) == "present" || r.str(2) == "late";
      }
      out.items.push_back(std::move(row));
    }
    return out;
  });
}

Result<CheckInCode> TrainingService::qr(const Principal& p, int64_t id, int64_t session_id,
                                        const std::string& base_url) {
  return store::with_conn(db_, [&](store::Conn& c) -> Result<CheckInCode> {
    DJ_ASSIGN(auto t, detail::writable(c, p, id));
    DJ_ASSIGN(auto ts, detail::session_in(c, session_id));
    if (ts.first.id != t.id) return Error::not_found("session " + std::to_string(session_id));
    const int64_t now = now_ms();
    const int64_t slot = slot_at(now);
    const std::string token = token_for(session_id, slot);
    return CheckInCode{session_id,
                       slot,
                       token,
                       code_for(session_id, slot),
                       base_url + "/checkin?session=" + std::to_string(session_id) +
                           "&slot=" + std::to_string(slot) + "&token=" + token,
                       (slot + 1) * cfg_.slot_ms - now};
  });
}

Result<TrainingService::ScanPass> TrainingService::scan(int64_t session_id, int64_t slot,
                                                        const std::string& token) const {
  const int64_t now = now_ms();
  if (!codes_.token_valid(session_id, slot, token, now)) {
    return Error::invalid("token", "expired_or_forged",
                          "the code is old or not this session's; scan the screen again");
  }
  return ScanPass{codes_.pass(session_id, now), now + cfg_.pass_ms};
}

void TrainingService::check_in(const Principal& p, const CheckIn& in,
                               std::function<void(Result<CheckInResult>)> done) {
  if (!p.member_id) {
    return done(Error::forbidden("check-in is for members: log in with a member's account"));
  }
  if (!in.pass && !in.code) {
    return done(Error::invalid("pass", "required", "scan the QR code, or send the numeric code"));
  }
  const int64_t now = now_ms();
  const std::string throttle_key =
      std::to_string(*p.member_id) + ":" + std::to_string(in.session_id);
  auto too_many = [](int64_t wait_ms) {
    return Error::too_many("code", "too many wrong codes", wait_ms);
  };
  if (const int64_t wait = code_failures_.wait_ms(throttle_key, now)) return done(too_many(wait));
  auto a =
      std::make_shared<Attempt>(Attempt{p.actor(), *p.member_id, in.session_id, now,
                                        in.pass ? "qr" : "code", in.idempotency_key, in.where});
  if (in.pass) a->pass = sha256_hex(*in.pass);
  // The checks read on the request's thread; only the insert and its audit
  // row join the group commit, so a burst of check-ins takes one transaction
  // a batch. A repeat racing its first (a double tap) meets the unique key
  // and is answered as a repeat.
  bool wrong_code = false;
  auto checked = store::with_conn(db_, [&](store::Conn& c) -> Result<std::optional<CheckInResult>> {
    // The session, the member's enrolment and any earlier check-in, in one statement.
    DJ_ASSIGN(auto row,
              c.query_opt("SELECT s.started_at, s.ended_at, s.latitude, s.longitude, s.radius_m, "
                          "(SELECT e.status FROM enrolments e WHERE e.training_id = s.training_id "
                          "AND e.member_id = ?), ch.status, ch.method, ch.at, ch.idempotency_key, "
                          "o.path, (SELECT COUNT(*) FROM checkins u WHERE u.scan_pass = ?) "
                          "FROM training_sessions s JOIN trainings t ON t.id = s.training_id "
                          "JOIN orgs o ON o.id = t.org_id LEFT JOIN checkins ch ON ch.session_id = "
                          "s.id AND ch.member_id = ? "
                          "WHERE s.id = ? AND t.deleted_at IS NULL",
                          {a->member_id, a->pass, a->member_id, a->session_id}));
    if (!row) return Error::not_found("session " + std::to_string(a->session_id));
    a->org_path = row->str(10);
    // Enrolment first: a member who is not enrolled learns nothing about a code.
    if (row->str(5) != "enrolled") return Error::forbidden("you are not enrolled in this class");
    // A live pass of this session, or a code of the current or the previous slot.
    if (in.pass) {
      if (!codes_.pass_valid(*in.pass, in.session_id, a->now)) {
        wrong_code = true;
        return Error::invalid("pass", "expired_or_forged",
                              "the scan is old or not this session's; scan the screen again");
      }
    } else if (!codes_.code_valid(in.session_id, *in.code, a->now)) {
      wrong_code = true;
      return Error::invalid("code", "wrong", "the code is wrong or has changed");
    }
    // A leave request gives way to the member's own check-in: he came after all.
    if (!row->null(8) && row->str(7) != "leave_request") {
      DJ_ASSIGN(auto repeat, earlier(*a, row->str(6), row->str(7), row->i64(8), row->str(9)));
      return std::optional<CheckInResult>(std::move(repeat));
    }
    if (row->i64(11) > 0) {  // another member's check-in holds this pass
      wrong_code = true;
      return Error::invalid("pass", "used",
                            "this scan has checked someone in already; scan the screen yourself");
    }
    const int64_t start = row->i64(0), end = row->i64(1);
    if (a->now < start - cfg_.open_before_ms || a->now > end) {
      return Error::invalid(
          "session_id", "outside_window",
          fmt::format("check-in is open from {} minutes before the start to the end ({} – {})",
                      cfg_.open_before_ms / 60000, format_instant(start), format_instant(end)));
    }
    if (!row->null(4)) {
      // A fenced session: the phone's location is part of the check-in.
      if (!a->where) {
        return Error::invalid("location", "required",
                              "this session checks where you are: allow the location (or ask "
                              "the organizer to mark you on the roster)");
      }
      const double d =
          distance_m(row->f64(2), row->f64(3), a->where->latitude, a->where->longitude);
      if (d > static_cast<double>(row->i64(4))) {
        return Error::invalid("location", "too_far",
                              fmt::format("you are {:.0f} m from the venue; check in there", d));
      }
    }
    a->status = a->now > start + cfg_.grace_ms ? "late" : "present";
    a->replaces_leave = !row->null(8);
    return std::optional<CheckInResult>();
  });
  if (wrong_code) {
    // Counted and audited; the failure that reaches the limit already says how long to wait.
    const int64_t wait = code_failures_.fail(throttle_key, now);
    (void)audit::record_now(db_, a->actor,
                            {"training.check_in_refused",
                             "session",
                             std::to_string(a->session_id),
                             a->org_path,
                             {},
                             json::object{{"member_id", a->member_id},
                                          {"method", a->method},
                                          {"reason", checked.error().fields.at(0).code}}});
    if (wait > 0) return done(too_many(wait));
  }
  if (!checked) return done(checked.take_error());
  if (*checked) return done(std::move(**checked));
  auto work = [a](store::Conn& c) -> Status {
    const store::Value key = a->key.empty() ? store::Value() : store::Value(a->key);
    if (a->replaces_leave) {
      // Only a leave request is replaced; a check-in racing this one wins.
      DJ_ASSIGN(auto replaced,
                c.exec("UPDATE checkins SET status = ?, method = ?, at = ?, idempotency_key = ?, "
                       "scan_pass = ?, reason = NULL WHERE session_id = ? AND member_id = ? AND "
                       "method = 'leave_request'",
                       {a->status, a->method, a->now, key, a->pass, a->session_id, a->member_id}));
      if (replaced == 0) return Error::conflict("already checked in");
    } else {
      DJ_TRY(
          c.exec("INSERT INTO checkins (session_id, member_id, status, method, at, "
                 "idempotency_key, scan_pass) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 {a->session_id, a->member_id, a->status, a->method, a->now, key, a->pass}));
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
      return done(store::with_conn(db_, [&](store::Conn& c) -> Result<CheckInResult> {
        DJ_ASSIGN(auto ch, c.query_opt("SELECT status, method, at, idempotency_key FROM checkins "
                                       "WHERE session_id = ? AND member_id = ?",
                                       {a->session_id, a->member_id}));
        if (!ch) return Error::conflict("already checked in");
        return earlier(*a, ch->str(0), ch->str(1), ch->i64(2), ch->str(3));
      }));
    }
    if (!s) return done(s.take_error());
    done(CheckInResult{a->session_id, a->member_id, a->status, a->method, a->now, false});
  };
  db_.group_commit().submit(std::move(work), std::move(answer));
}

Result<RosterResult> TrainingService::mark_roster(const Principal& p, int64_t id,
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
  return store::with_tx(db_, [&](store::Conn& c) -> Result<RosterResult> {
    DJ_ASSIGN(auto t, detail::writable(c, p, id));
    DJ_ASSIGN(auto ts, detail::session_in(c, session_id));
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
    RosterResult out{session_id, static_cast<int64_t>(marks.size())};
    DJ_TRY(audit::record(
        c, p.actor(),
        {"training.roster", "training", std::to_string(id), t.org_path, {}, to_json(out)}));
    return out;
  });
}

Result<LeaveResult> TrainingService::request_leave(const Principal& p, int64_t session_id,
                                                   const std::string& reason) {
  if (!p.member_id) return Error::forbidden("leave requests are for members");
  Validator v;
  v.text("reason", reason.empty() ? std::nullopt : std::optional<std::string>(reason), 200);
  DJ_TRY(v.status());
  return store::with_tx(db_, [&](store::Conn& c) -> Result<LeaveResult> {
    DJ_ASSIGN(auto ts, detail::session_in(c, session_id));
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
    LeaveResult out{session_id, *p.member_id, reason};
    DJ_TRY(audit::record(c, p.actor(),
                         {"training.leave",
                          "training",
                          std::to_string(ts.first.id),
                          ts.first.org_path,
                          {},
                          to_json(out)}));
    return out;
  });
}

json::object to_json(const NewSession& s) {
  auto out = to_json(s.session);
  json::array warnings;
  for (const auto& w : s.warnings) {
    warnings.push_back(
        json::object{{"code", w.code}, {"message", w.message}, {"session_id", w.session_id}});
  }
  out["warnings"] = std::move(warnings);
  return out;
}

json::object to_json(const AttendanceSheet& a) {
  json::array items;
  for (const auto& r : a.items) {
    json::value checkin = nullptr;
    if (r.checkin) {
      checkin = json::object{
          {"status", r.checkin->status},
          {"method", r.checkin->method},
          {"at", format_instant(r.checkin->at)},
          {"reason", r.checkin->reason ? json::value(*r.checkin->reason) : json::value(nullptr)}};
    }
    items.push_back(
        json::object{{"member_id", r.member_id}, {"name", r.name}, {"checkin", checkin}});
  }
  const auto n = static_cast<int64_t>(items.size());
  return json::object{{"session_id", a.session_id},
                      {"items", std::move(items)},
                      {"enrolled", n},
                      {"checked_in", a.checked_in}};
}

json::object to_json(const CheckInCode& c) {
  return json::object{{"session_id", c.session_id},
                      {"slot", c.slot},
                      {"token", c.token},
                      {"code", c.code},
                      {"url", c.url},
                      {"expires_in_ms", c.expires_in_ms}};
}

json::object to_json(const CheckInResult& r) {
  json::object out{{"session_id", r.session_id},
                   {"member_id", r.member_id},
                   {"status", r.status},
                   {"method", r.method},
                   {"at", format_instant(r.at)}};
  if (r.repeated) out["repeated"] = true;
  return out;
}

json::object to_json(const LeaveResult& r) {
  return json::object{{"session_id", r.session_id},
                      {"member_id", r.member_id},
                      {"status", "leave"},
                      {"reason", r.reason}};
}

json::object to_json(const RosterResult& r) {
  return json::object{{"session_id", r.session_id}, {"marked", r.marked}};
}

}  // namespace dj::training
