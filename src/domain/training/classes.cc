// Classes, seat quotas, enrolment with the waitlist, exam scores, completion
// with certificates and ledger hours, and the public certificate check.
#include <boost/json.hpp>
#include <cctype>
#include <map>
#include <set>

#include "common/json.h"
#include "common/time.h"
#include "common/validate.h"
#include "domain/audit/audit.h"
#include "domain/ledger/ledger.h"
#include "domain/member/member.h"
#include "domain/org/org.h"
#include "domain/training/internal.h"
#include "store/query.h"

namespace dj::training {

namespace json = boost::json;
using auth::Perm;
using auth::Principal;

namespace {

// Whether a member (status, rank, party_worker, joined_on in columns 1-4)
// belongs to one of the target groups.
bool in_target(const std::vector<std::string>& groups, const store::Row& m, int new_months) {
  return member::in_target_groups(groups, {m.str(1), m.str(2), m.flag(3), m.opt_str(4)},
                                  new_months);
}

}  // namespace

namespace {

// A class's fields as a whole record, as creating and changing it check them.
Status validate(const TrainingInput& in) {
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
  return v.status();
}

std::string groups_json(const std::optional<std::vector<std::string>>& groups) {
  json::array out;
  for (const auto& g : groups.value_or(std::vector<std::string>{})) out.emplace_back(g);
  return json::serialize(out);
}

}  // namespace

Result<Training> TrainingService::create(const Principal& p, const TrainingInput& in) {
  DJ_TRY(auth::require(p, Perm::org_write));
  DJ_TRY(validate(in));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Training> {
    auto org = org::OrgService::load(c, *in.org_id);
    if (!org || !auth::in_scope(p, org->path)) {
      return Error::invalid("org_id", "unknown", "no such organization in your scope");
    }
    const int64_t now = now_ms();
    DJ_ASSIGN(
        auto ins,
        c.query_one("INSERT INTO trainings (org_id, title, level, target_groups, starts_on, "
                    "ends_on, venue, capacity, off_site, itinerary, attendance_threshold, "
                    "exam_required, pass_score, created_at, updated_at, created_by, "
                    "updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "RETURNING id",
                    {org->id, *in.title, *in.level, groups_json(in.target_groups), *in.starts_on,
                     *in.ends_on, in.venue, *in.capacity, in.off_site.value_or(false), in.itinerary,
                     in.attendance_threshold.value_or(80), in.exam_required.value_or(false),
                     in.pass_score.value_or(60), now, now, p.user_id, p.user_id}));
    DJ_ASSIGN(auto t, detail::load(c, ins.i64(0)));
    DJ_TRY(audit::record(
        c, p.actor(),
        {"training.create", "training", std::to_string(t.id), t.org_path, {}, to_json(t)}));
    return t;
  });
}

Result<Training> TrainingService::update(const Principal& p, int64_t id,
                                         const TrainingInput& patch) {
  DJ_TRY(auth::require(p, Perm::org_write));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Training> {
    DJ_ASSIGN(auto before, detail::writable(c, p, id));
    DJ_ASSIGN(const bool done, detail::completed(c, id));
    if (done) return Error::conflict("the class is completed; its record stays as certified");
    if (patch.org_id && *patch.org_id != before.org_id) {
      return Error::invalid("org_id", "immutable",
                            "cancel the class and create it under the other "
                            "organization");
    }
    TrainingInput in;
    in.org_id = before.org_id;
    in.title = patch.title.value_or(before.title);
    in.level = patch.level.value_or(before.level);
    in.target_groups = patch.target_groups.value_or(before.target_groups);
    in.starts_on = patch.starts_on.value_or(before.starts_on);
    in.ends_on = patch.ends_on.value_or(before.ends_on);
    in.venue = patch.venue ? patch.venue : before.venue;
    in.itinerary = patch.itinerary ? patch.itinerary : before.itinerary;
    in.capacity = patch.capacity.value_or(before.capacity);
    in.attendance_threshold = patch.attendance_threshold.value_or(before.attendance_threshold);
    in.pass_score = patch.pass_score.value_or(before.pass_score);
    in.off_site = patch.off_site.value_or(before.off_site);
    in.exam_required = patch.exam_required.value_or(before.exam_required);
    DJ_TRY(validate(in));
    // The seats already taken and allocated, and the sessions, must still fit.
    DJ_ASSIGN(auto taken, c.query_one("SELECT (SELECT COUNT(*) FROM enrolments WHERE training_id = "
                                      "? AND status = 'enrolled'), (SELECT COALESCE(SUM(seats), 0) "
                                      "FROM training_quotas WHERE training_id = ?)",
                                      {id, id}));
    if (*in.capacity < taken.i64(0)) {
      return Error::invalid(
          "capacity", "below_enrolled",
          std::to_string(taken.i64(0)) +
              " members are enrolled; withdraw some before lowering the capacity");
    }
    if (*in.capacity < taken.i64(1)) {
      return Error::invalid("capacity", "below_quotas",
                            "the quotas allocate " + std::to_string(taken.i64(1)) +
                                " seats; change them before lowering the capacity");
    }
    DJ_ASSIGN(auto sessions, detail::sessions_of(c, id));
    for (const auto& s : sessions) {
      if (date_of_instant(s.started_at) < *in.starts_on) {
        return Error::invalid("starts_on", "after_session",
                              "a session is held on " + date_of_instant(s.started_at));
      }
      if (date_of_instant(s.ended_at) > *in.ends_on) {
        return Error::invalid("ends_on", "before_session",
                              "a session is held on " + date_of_instant(s.ended_at));
      }
    }
    DJ_TRY(
        c.exec("UPDATE trainings SET title = ?, level = ?, target_groups = ?, starts_on = ?, "
               "ends_on = ?, venue = ?, capacity = ?, off_site = ?, itinerary = ?, "
               "attendance_threshold = ?, exam_required = ?, pass_score = ?, updated_at = ?, "
               "updated_by = ? WHERE id = ?",
               {*in.title, *in.level, groups_json(in.target_groups), *in.starts_on, *in.ends_on,
                in.venue, *in.capacity, *in.off_site, in.itinerary, *in.attendance_threshold,
                *in.exam_required, *in.pass_score, now_ms(), p.user_id, id}));
    DJ_ASSIGN(auto after, detail::load(c, id));
    DJ_TRY(audit::record(c, p.actor(),
                         {"training.update", "training", std::to_string(id), after.org_path,
                          to_json(before), to_json(after)}));
    return after;
  });
}

Result<TrainingDetail> TrainingService::get(const Principal& p, int64_t id) {
  return store::with_conn(db_, [&](store::Conn& c) -> Result<TrainingDetail> {
    TrainingDetail out;
    DJ_ASSIGN(out.training, detail::readable(c, p, id));
    DJ_ASSIGN(out.sessions, detail::sessions_of(c, id));
    DJ_ASSIGN(auto quotas,
              c.query("SELECT q.org_id, o.name, q.seats, (SELECT COUNT(*) FROM enrolments e WHERE "
                      "e.training_id = q.training_id AND e.quota_org_id = q.org_id AND "
                      "e.status = 'enrolled') FROM training_quotas q JOIN orgs o ON "
                      "o.id = q.org_id WHERE q.training_id = ? ORDER BY o.code",
                      {id}));
    for (const auto& r : quotas) out.quotas.push_back({r.i64(0), r.str(1), r.i64(2), r.i64(3)});
    DJ_ASSIGN(auto counts, c.query_one("SELECT COALESCE(SUM(CASE WHEN status = 'enrolled' THEN 1 "
                                       "ELSE 0 END), 0), COALESCE(SUM(CASE WHEN status = "
                                       "'waitlisted' THEN 1 ELSE 0 END), 0), "
                                       "COALESCE(SUM(completed), 0) FROM enrolments "
                                       "WHERE training_id = ?",
                                       {id}));
    out.enrolled = counts.i64(0);
    out.waitlisted = counts.i64(1);
    out.completed = counts.i64(2);
    return out;
  });
}

Result<TrainingPage> TrainingService::list(const Principal& p, int64_t page, int64_t page_size) {
  DJ_TRY(auth::require(p, Perm::org_read));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<TrainingPage> {
    const store::Filter f(
        " FROM trainings t JOIN orgs o ON o.id = t.org_id WHERE t.deleted_at IS NULL AND "
        "((o.path >= ? AND o.path < ?) OR ? LIKE (o.path || '%'))",
        {p.scope_path, auth::subtree_end(p.scope_path), p.scope_path});
    DJ_ASSIGN(auto found, store::query_page(c, detail::kTrainingColumns, f,
                                            "t.starts_on DESC, t.id DESC", page, page_size));
    TrainingPage out;
    for (const auto& r : found.rows) out.items.push_back(detail::training_from(r));
    out.total = found.total;
    return out;
  });
}

Result<QuotaAllocation> TrainingService::set_quotas(
    const Principal& p, int64_t id, const std::vector<std::pair<int64_t, int64_t>>& quotas) {
  DJ_TRY(auth::require(p, Perm::quota_manage));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<QuotaAllocation> {
    DJ_ASSIGN(auto t, detail::writable(c, p, id));
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
    for (const auto& [org_id, seats] : quotas) {
      DJ_TRY(c.exec("INSERT INTO training_quotas (training_id, org_id, seats) VALUES (?, ?, ?)",
                    {id, org_id, seats}));
    }
    QuotaAllocation out{quotas, total, t.capacity};
    auto after = to_json(out);
    after.erase("total");
    after.erase("capacity");
    DJ_TRY(audit::record(
        c, p.actor(), {"training.quotas", "training", std::to_string(id), t.org_path, {}, after}));
    return out;
  });
}

Result<Enrolment> TrainingService::enrol(const Principal& p, int64_t id, const EnrolInput& in) {
  DJ_TRY(auth::require(p, Perm::member_write));
  if (!in.member_id) return Error::invalid("member_id", "required", "is required");
  if (in.override_reason && !auth::has(p, Perm::enrolment_override)) {
    return Error::forbidden("only a committee_admin overrides the target group");
  }
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Enrolment> {
    DJ_ASSIGN(auto t, detail::enrollable(c, p, id));
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
    if (!in_target(t.target_groups, *m, cfg_.new_member_months) &&
        (!in.override_reason || in.override_reason->empty())) {
      return Error{ErrorCode::invalid,
                   "the member is not in the class's target groups",
                   {{"member_id", "target_group",
                     "is not in the target groups; a committee_admin may override with a reason"}}};
    }
    // Seats: the quota of the member's directly affiliated organization, or
    // the capacity when the class has no quotas.
    const auto affiliated = detail::affiliated_of(m->str(0));
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
    Enrolment out{id, *in.member_id, m->str(5), status, status == "enrolled" ? left - 1 : 0};
    DJ_TRY(audit::record(
        c, p.actor(),
        {"training.enrol", "training", std::to_string(id), t.org_path, {}, to_json(out)}));
    return out;
  });
}

Result<std::optional<int64_t>> TrainingService::withdraw(const Principal& p, int64_t id,
                                                         int64_t member_id) {
  DJ_TRY(auth::require(p, Perm::member_write));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<std::optional<int64_t>> {
    DJ_ASSIGN(auto t, detail::enrollable(c, p, id));
    DJ_ASSIGN(auto e, c.query_opt("SELECT e.status, e.quota_org_id, o.path FROM enrolments e "
                                  "JOIN members m ON m.id = e.member_id JOIN orgs o ON o.id = "
                                  "m.org_id WHERE e.training_id = ? AND e.member_id = ?",
                                  {id, member_id}));
    if (!e || !auth::in_scope(p, e->str(2))) {
      return Error::not_found("member " + std::to_string(member_id) + " in this class");
    }
    DJ_ASSIGN(const bool done, detail::completed(c, id));
    if (done) return Error::conflict("the class is completed; its record stays");
    DJ_ASSIGN(auto came, c.query_one("SELECT COUNT(*) FROM checkins ch JOIN training_sessions s "
                                     "ON s.id = ch.session_id WHERE s.training_id = ? AND "
                                     "ch.member_id = ? AND ch.status IN ('present', 'late')",
                                     {id, member_id}));
    if (came.i64(0) > 0) {
      return Error::conflict("the member has attended; mark his absence on the roster instead");
    }
    DJ_TRY(
        c.exec("DELETE FROM checkins WHERE member_id = ? AND session_id IN (SELECT id FROM "
               "training_sessions WHERE training_id = ?)",
               {member_id, id}));
    DJ_TRY(
        c.exec("DELETE FROM enrolments WHERE training_id = ? AND member_id = ?", {id, member_id}));
    std::optional<int64_t> promoted;
    if (e->str(0) == "enrolled") {
      // The same quota's waitlist (or the class's, without quotas), first come first.
      store::Params params{id};
      std::string same_quota = "quota_org_id IS NULL";
      if (!e->null(1)) {
        same_quota = "quota_org_id = ?";
        params.emplace_back(e->i64(1));
      }
      DJ_ASSIGN(auto next, c.query_opt("SELECT member_id FROM enrolments WHERE training_id = ? AND "
                                       "status = 'waitlisted' AND " +
                                           same_quota + " ORDER BY created_at, member_id LIMIT 1",
                                       params));
      if (next) {
        promoted = next->i64(0);
        DJ_TRY(
            c.exec("UPDATE enrolments SET status = 'enrolled' WHERE training_id = ? AND "
                   "member_id = ?",
                   {id, *promoted}));
      }
    }
    json::object after{{"member_id", member_id}};
    if (promoted) after["promoted_member_id"] = *promoted;
    DJ_TRY(audit::record(
        c, p.actor(),
        {"training.withdraw", "training", std::to_string(id), t.org_path,
         json::object{{"member_id", member_id}, {"status", e->str(0)}}, std::move(after)}));
    return promoted;
  });
}

Status TrainingService::cancel(const Principal& p, int64_t id, const std::string& reason) {
  Validator v;
  v.text("reason", std::optional<std::string>(reason), 200);
  DJ_TRY(v.status());
  return store::with_tx(db_, [&](store::Conn& c) -> Status {
    DJ_ASSIGN(auto t, detail::writable(c, p, id));
    DJ_ASSIGN(const bool done, detail::completed(c, id));
    if (done) return Error::conflict("the class is completed; it cannot be cancelled");
    DJ_TRY(
        c.exec("UPDATE trainings SET deleted_at = ?, updated_at = ?, updated_by = ? WHERE id = ?",
               {now_ms(), now_ms(), p.user_id, id}));
    return audit::record(c, p.actor(),
                         {"training.cancel", "training", std::to_string(id), t.org_path, to_json(t),
                          json::object{{"reason", reason}}});
  });
}

Result<std::vector<EnrolmentRow>> TrainingService::enrolments(const Principal& p, int64_t id) {
  return store::with_conn(db_, [&](store::Conn& c) -> Result<std::vector<EnrolmentRow>> {
    DJ_TRY(detail::readable(c, p, id));
    DJ_TRY(auth::require(p, Perm::member_read));
    // Administrators below the organizing organization see their own people.
    DJ_ASSIGN(auto rows, c.query("SELECT e.member_id, m.name, e.status, e.exam_score, e.completed, "
                                 "e.hours_tenths, e.certificate_serial, e.quota_org_id FROM "
                                 "enrolments e JOIN members m ON m.id = e.member_id JOIN orgs mo "
                                 "ON mo.id = m.org_id WHERE e.training_id = ? AND mo.path >= ? "
                                 "AND mo.path < ? ORDER BY e.created_at, e.member_id",
                                 {id, p.scope_path, auth::subtree_end(p.scope_path)}));
    std::vector<EnrolmentRow> out;
    for (const auto& r : rows) {
      out.push_back({r.i64(0), r.str(1), r.str(2), r.opt_i64(3), r.flag(4), r.i64(5), r.opt_str(6),
                     r.opt_i64(7)});
    }
    return out;
  });
}

Result<std::vector<MyTraining>> TrainingService::mine(const Principal& p) {
  if (!p.member_id) return std::vector<MyTraining>{};
  return store::with_conn(db_, [&](store::Conn& c) -> Result<std::vector<MyTraining>> {
    // A cancelled class leaves the member's list too.
    DJ_ASSIGN(auto rows, c.query("SELECT e.training_id, e.status, e.completed, "
                                 "e.certificate_serial FROM enrolments e JOIN trainings t ON t.id "
                                 "= e.training_id WHERE e.member_id = ? AND t.deleted_at IS NULL "
                                 "ORDER BY e.created_at DESC",
                                 {*p.member_id}));
    std::vector<MyTraining> out;
    for (const auto& r : rows) {
      MyTraining m;
      DJ_ASSIGN(m.training, detail::load(c, r.i64(0)));
      m.status = r.str(1);
      m.completed = r.flag(2);
      m.certificate_serial = r.opt_str(3);
      DJ_ASSIGN(auto sessions, detail::sessions_of(c, m.training.id));
      // The member's own attendance of each session (a check-in or a leave).
      DJ_ASSIGN(auto mine, c.query("SELECT ch.session_id, ch.status, ch.method, ch.at FROM "
                                   "checkins ch JOIN training_sessions s ON s.id = ch.session_id "
                                   "WHERE s.training_id = ? AND ch.member_id = ?",
                                   {m.training.id, *p.member_id}));
      for (auto& s : sessions) {
        std::optional<Attendance> own;
        for (const auto& a : mine) {
          if (a.i64(0) == s.id) own = Attendance{a.str(1), a.str(2), a.i64(3), std::nullopt};
        }
        m.sessions.emplace_back(std::move(s), std::move(own));
      }
      out.push_back(std::move(m));
    }
    return out;
  });
}

Status TrainingService::set_exam_score(const Principal& p, int64_t id, int64_t member_id,
                                       int64_t score) {
  if (score < 0 || score > 100) return Error::invalid("score", "range", "must be from 0 to 100");
  return store::with_tx(db_, [&](store::Conn& c) -> Status {
    DJ_ASSIGN(auto t, detail::writable(c, p, id));
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

Result<Completion> TrainingService::complete(const Principal& p, int64_t id) {
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Completion> {
    DJ_ASSIGN(auto t, detail::writable(c, p, id));
    DJ_ASSIGN(auto sessions, detail::sessions_of(c, id));
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
      const bool enough = got * 100 >= total * t.attendance_threshold;
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
    // Deciding again (a late exam score) recomputes; the class stays completed.
    DJ_TRY(c.exec("UPDATE trainings SET completed_at = COALESCE(completed_at, ?) WHERE id = ?",
                  {now_ms(), id}));
    Completion out{id, static_cast<int64_t>(people.size()), completed, total};
    DJ_TRY(audit::record(
        c, p.actor(),
        {"training.complete", "training", std::to_string(id), t.org_path, {}, to_json(out)}));
    return out;
  });
}

Result<Certificate> TrainingService::verify(const std::string& serial) {
  if (serial.empty() || serial.size() > 40) return Error::not_found("certificate");
  return store::with_conn(db_, [&](store::Conn& c) -> Result<Certificate> {
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
    return Certificate{serial,    masked,    r->str(1), r->str(2),
                       r->i64(3), r->str(4), r->str(5), r->str(6)};
  });
}

json::object to_json(const QuotaAllocation& q) {
  json::array quotas;
  for (const auto& [org_id, seats] : q.quotas) {
    quotas.push_back(json::object{{"org_id", org_id}, {"seats", seats}});
  }
  return json::object{{"quotas", std::move(quotas)}, {"total", q.total}, {"capacity", q.capacity}};
}

json::object to_json(const Enrolment& e) {
  return json::object{{"training_id", e.training_id},
                      {"member_id", e.member_id},
                      {"name", e.name},
                      {"status", e.status},
                      {"seats_left", e.seats_left}};
}

json::object to_json(const std::vector<EnrolmentRow>& rows) {
  json::array items;
  for (const auto& r : rows) {
    items.push_back(json::object{
        {"member_id", r.member_id},
        {"name", r.name},
        {"status", r.status},
        {"exam_score", r.exam_score ? json::value(*r.exam_score) : json::value(nullptr)},
        {"completed", r.completed},
        {"hours", static_cast<double>(r.hours_tenths) / 10.0},
        {"certificate_serial", or_null(r.certificate_serial)},
        {"quota_org_id", r.quota_org_id ? json::value(*r.quota_org_id) : json::value(nullptr)}});
  }
  const auto n = static_cast<int64_t>(items.size());
  return json::object{{"items", std::move(items)}, {"total", n}};
}

json::object to_json(const std::vector<MyTraining>& mine) {
  json::array items;
  for (const auto& m : mine) {
    auto o = to_json(m.training);
    o["status"] = m.status;
    o["completed"] = m.completed;
    o["certificate_serial"] = or_null(m.certificate_serial);
    json::array sessions;
    for (const auto& [s, own] : m.sessions) {
      auto js = to_json(s);
      js["my_checkin"] = own ? json::value(json::object{{"status", own->status},
                                                        {"method", own->method},
                                                        {"at", format_instant(own->at)}})
                             : json::value(nullptr);
      sessions.push_back(std::move(js));
    }
    o["sessions"] = std::move(sessions);
    items.push_back(std::move(o));
  }
  const auto n = static_cast<int64_t>(items.size());
  return json::object{{"items", std::move(items)}, {"total", n}};
}

json::object to_json(const Completion& c) {
  return json::object{{"training_id", c.training_id},
                      {"enrolled", c.enrolled},
                      {"completed", c.completed},
                      {"total_hours", static_cast<double>(c.total_hours_tenths) / 10.0}};
}

json::object to_json(const Certificate& c) {
  return json::object{{"serial", c.serial},
                      {"name", c.name},
                      {"training", c.training},
                      {"level", c.level},
                      {"hours", static_cast<double>(c.hours_tenths) / 10.0},
                      {"completed_on", c.completed_on},
                      {"from", c.from},
                      {"to", c.to}};
}

}  // namespace dj::training
