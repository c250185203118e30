#include "domain/activity/activity.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <map>
#include <set>

#include "common/crypto.h"
#include "common/json.h"
#include "common/time.h"
#include "common/validate.h"
#include "domain/audit/audit.h"
#include "domain/ledger/ledger.h"
#include "domain/member/member.h"
#include "domain/org/org.h"
#include "store/blobs.h"
#include "store/bulk.h"
#include "store/query.h"

namespace dj::activity {
namespace {

namespace json = boost::json;
using auth::Perm;
using auth::Principal;

constexpr const char* kMethods[] = {"lecture", "case", "discussion", "observation"};
constexpr const char* kContestSubtypes[] = {"knowledge", "skill", "speech", "computer"};
constexpr int64_t kDayMs = 86400000;

constexpr const char* kColumns =
    "a.id, a.org_id, o.name, o.path, a.type, a.subtype, a.title, a.tags, a.started_at, "
    "a.ended_at, a.held_on, a.place, a.off_site, a.destination, a.method, a.lecturer_member_id, "
    "a.lecturer_name, a.hours_tenths, a.minutes, a.late_entry, a.expected_count, "
    "a.present_count, a.created_at, a.updated_at";

std::vector<std::string> parse_tags(const std::string& text) {
  std::vector<std::string> out;
  json::error_code ec;
  auto v = json::parse(text, ec);
  if (!ec && v.is_array()) {
    for (const auto& t : v.as_array()) {
      if (t.is_string()) out.emplace_back(t.as_string());
    }
  }
  return out;
}

std::string tags_json(const std::vector<std::string>& tags) {
  json::array a;
  for (const auto& t : tags) a.emplace_back(t);
  return json::serialize(a);
}

Activity from_row(const store::Row& r, int lock_days) {
  Activity a;
  a.id = r.i64(0);
  a.org_id = r.i64(1);
  a.org_name = r.str(2);
  a.org_path = r.str(3);
  a.type = r.str(4);
  a.subtype = r.opt_str(5);
  a.title = r.str(6);
  a.tags = parse_tags(r.str(7));
  a.started_at = r.i64(8);
  a.ended_at = r.i64(9);
  a.held_on = r.str(10);
  a.place = r.opt_str(11);
  a.off_site = r.flag(12);
  a.destination = r.opt_str(13);
  a.method = r.opt_str(14);
  a.lecturer_member_id = r.opt_i64(15);
  a.lecturer_name = r.opt_str(16);
  a.hours_tenths = r.i64(17);
  a.minutes = r.opt_str(18);
  a.late_entry = r.flag(19);
  a.expected_count = r.i64(20);
  a.present_count = r.i64(21);
  a.created_at = r.i64(22);
  a.updated_at = r.i64(23);
  a.locked = days_from_date(today()) > days_from_date(a.held_on) + lock_days;
  return a;
}

// The validated, complete form of an input.
struct Resolved {
  int64_t started_at = 0, ended_at = 0;
  std::string held_on;
  int64_t hours_tenths = 0;
};

Result<Resolved> validate(const ActivityInput& in, const std::map<std::string, bool>& type_codes,
                          const Config& cfg) {
  Validator v;
  if (!in.org_id) v.add("org_id", "required", "is required");
  if (!in.type) {
    v.add("type", "required", "is required");
  } else if (!type_codes.count(*in.type)) {
    v.add("type", "unknown_code", "is not a known activity type (GET /api/v1/activity-types)");
  }
  if (in.type && *in.type == "contest") {
    if (!in.subtype || !one_of(*in.subtype, kContestSubtypes)) {
      v.add("subtype", "unknown_code", "a contest is one of knowledge, skill, speech, computer");
    }
  } else {
    v.text("subtype", in.subtype, 30, false);
  }
  v.text("title", in.title, 200);
  v.text("place", in.place, 200, false);
  v.text("destination", in.destination, 200, false);
  v.text("lecturer_name", in.lecturer_name, 50, false);
  v.text("minutes", in.minutes, 20000, false);
  if (in.method && !one_of(*in.method, kMethods)) {
    v.add("method", "unknown_code", "must be one of lecture, case, discussion, observation");
  }
  if (in.off_site.value_or(false) && (!in.destination || in.destination->empty())) {
    v.add("destination", "required", "is required for off-site activities");
  }
  v.tags("tags", in.tags);
  Resolved r;
  std::optional<int64_t> start, end;
  if (!in.started_at) {
    v.add("started_at", "required", "is required");
  } else if (!(start = parse_instant(*in.started_at))) {
    v.add("started_at", "format",
          "must be ISO 8601 with an offset, e.g. 2021-06-30T09:00:00+08:00");
  }
  if (!in.ended_at) {
    v.add("ended_at", "required", "is required");
  } else if (!(end = parse_instant(*in.ended_at))) {
    v.add("ended_at", "format", "must be ISO 8601 with an offset, e.g. 2021-06-30T11:00:00+08:00");
  }
  if (start && end) {
    if (*end <= *start) {
      v.add("ended_at", "before_start", "must be after started_at");
    } else if (*end - *start > 31 * kDayMs) {
      v.add("ended_at", "too_long", "an activity lasts at most 31 days");
    }
    if (*start > now_ms() + 366 * kDayMs) {
      v.add("started_at", "too_far", "must be within a year from today");
    }
    if (*start < *parse_instant("2000-01-01T00:00:00+08:00")) {
      v.add("started_at", "too_early", "must not be before 2000");
    }
  }
  if (in.hours && (!std::isfinite(*in.hours) || *in.hours < 0 || *in.hours > 200)) {
    v.add("hours", "range", "must be between 0 and 200");
  }
  if (in.attendees && in.attendees->size() > 5000) {
    v.add("attendees", "too_many", "at most 5000 attendees");
  }
  if (in.attendees) {
    std::set<int64_t> seen;
    for (size_t i = 0; i < in.attendees->size(); ++i) {
      const auto& a = (*in.attendees)[i];
      const std::string f = "attendees[" + std::to_string(i) + "]";
      if (!a.member_id) {
        v.add(f + ".member_id", "required", "is required");
      } else if (!seen.insert(*a.member_id).second) {
        v.add(f + ".member_id", "duplicate", "is listed twice");
      }
      if (!a.status || !one_of(*a.status, ledger::kAttendanceMarks)) {
        v.add(f + ".status", "unknown_code", "must be one of present, late, leave, absent");
      } else if (*a.status == "leave" && (!a.reason || a.reason->empty())) {
        v.add(f + ".reason", "required", "a leave needs a reason");
      }
      v.text((f + ".reason").c_str(), a.reason, 200, false);
    }
  }
  DJ_TRY(v.status());
  r.started_at = *start;
  r.ended_at = *end;
  r.held_on = date_of_instant(*start);
  r.hours_tenths =
      in.hours ? std::llround(*in.hours * 10) : default_hours_tenths(*end - *start, cfg);
  return r;
}

struct Person {
  int64_t id;
  std::string name, org_path, cadre_rank;
  int64_t org_id;
  std::string post;
};

// Members of the subtree at `path` on `date` (membership history), in the
// party (full or probationary).
Result<std::vector<Person>> members_on(store::Conn& c, const std::string& path,
                                       const std::string& date) {
  DJ_ASSIGN(auto rows,
            c.query("SELECT m.id, m.name, o.path, m.cadre_rank, o.id, m.post FROM "
                    "member_org_history h "
                    "JOIN orgs o ON o.id = h.org_id JOIN members m ON m.id = h.member_id "
                    "WHERE o.path >= ? AND o.path < ? AND h.from_date <= ? "
                    "AND (h.to_date IS NULL OR h.to_date > ?) AND m.deleted_at IS NULL "
                    "AND m.political_status IN ('full', 'probationary') ORDER BY m.id",
                    {path, auth::subtree_end(path), date, date}));
  std::vector<Person> out;
  for (const auto& r : rows) {
    out.push_back({r.i64(0), r.str(1), r.str(2), r.str(3), r.i64(4), r.str(5)});
  }
  return out;
}

// The members with these ids (not deleted), by id; one query per 500.
Result<std::map<int64_t, Person>> load_people(store::Conn& c, const std::vector<int64_t>& ids) {
  std::map<int64_t, Person> out;
  for (size_t start = 0; start < ids.size(); start += 500) {
    const size_t end = std::min(ids.size(), start + 500);
    std::string marks;
    store::Params params;
    for (size_t i = start; i < end; ++i) {
      marks += i == start ? "?" : ", ?";
      params.emplace_back(ids[i]);
    }
    DJ_ASSIGN(auto rows, c.query("SELECT m.id, m.name, o.path, m.cadre_rank, o.id FROM members m "
                                 "JOIN orgs o ON o.id = m.org_id WHERE m.deleted_at IS NULL AND "
                                 "m.id IN (" +
                                     marks + ")",
                                 params));
    for (const auto& r : rows) {
      out[r.i64(0)] = {r.i64(0), r.str(1), r.str(2), r.str(3), r.i64(4)};
    }
  }
  return out;
}

// A guest (not expected) may attend when the caller could see the member, or
// the member is a leading cadre of an organization above this one (双重组织生活).
bool may_attend_as_guest(const Principal& p, const Person& g, const std::string& activity_path) {
  const bool leader = member::is_leading_cadre(g.cadre_rank);
  return auth::in_scope(p, g.org_path) || (leader && activity_path.starts_with(g.org_path));
}

// Whether a post sits on the branch committee (支委).
bool on_committee(const std::string& post) {
  return post == "secretary" || post == "deputy_secretary" || post == "committee_member";
}

// Attendance: expected members present by default, the listed exceptions
// applied, guests added. A 支委会 (branch_committee) expects the branch's
// committee members where it has a committee (at least 3 of them recorded:
// a branch of fewer than 7 members has only a secretary and meets as a
// whole); others it lists sit in (列席) as guests.
Result<std::vector<Attendee>> resolve_attendance(store::Conn& c, const Principal& p,
                                                 const org::Org& org, const std::string& type,
                                                 const std::string& held_on,
                                                 const std::vector<AttendeeInput>& listed,
                                                 int64_t& expected_count) {
  std::vector<Attendee> out;
  std::map<int64_t, size_t> index;
  expected_count = 0;
  if (org.type == org::OrgType::branch || org.type == org::OrgType::group) {
    DJ_ASSIGN(auto members, members_on(c, org.path, held_on));
    if (type == "branch_committee" &&
        std::count_if(members.begin(), members.end(),
                      [](const Person& m) { return on_committee(m.post); }) >= 3) {
      std::erase_if(members, [](const Person& m) { return !on_committee(m.post); });
    }
    for (const auto& m : members) {
      index[m.id] = out.size();
      out.push_back({m.id, m.name, m.org_id, "present", std::nullopt, false});
    }
    expected_count = static_cast<int64_t>(out.size());
  }
  std::vector<int64_t> guest_ids;
  for (const auto& a : listed) {
    if (!index.count(*a.member_id)) guest_ids.push_back(*a.member_id);
  }
  DJ_ASSIGN(auto guests, load_people(c, guest_ids));
  for (size_t i = 0; i < listed.size(); ++i) {
    const auto& a = listed[i];
    auto it = index.find(*a.member_id);
    if (it == index.end()) {
      auto g = guests.find(*a.member_id);
      if (g == guests.end() || !may_attend_as_guest(p, g->second, org.path)) {
        return Error::invalid("attendees[" + std::to_string(i) + "].member_id", "unknown",
                              "no such member in your scope");
      }
      index[g->first] = out.size();
      out.push_back({g->first, g->second.name, g->second.org_id, *a.status, a.reason, true});
    } else {
      out[it->second].status = *a.status;
      out[it->second].reason = a.reason;
    }
  }
  return out;
}

// What attendance rows repeat about their activity (see the schema).
struct AttendanceContext {
  std::string held_on;
  bool org_life = false;
  bool branch_level = false;
};

Status write_attendance(store::Conn& c, int64_t activity_id, const std::string& title,
                        const AttendanceContext& ctx, int64_t hours_tenths,
                        const std::vector<Attendee>& attendees) {
  DJ_TRY(c.exec("DELETE FROM attendance WHERE activity_id = ?", {activity_id}));
  std::vector<store::Params> rows;
  std::vector<ledger::Entry> hours;
  const std::string& held_on = ctx.held_on;
  for (const auto& a : attendees) {
    rows.push_back({activity_id, a.member_id, a.status, a.reason, a.guest, held_on, ctx.org_life,
                    ctx.branch_level});
    if ((a.status == "present" || a.status == "late") && hours_tenths > 0) {
      hours.push_back({a.member_id, held_on, hours_tenths});
    }
  }
  DJ_TRY(store::insert_rows(c, "attendance",
                            {"activity_id", "member_id", "status", "reason", "guest", "held_on",
                             "org_life", "branch_level"},
                            rows));
  return ledger::post(c, "activity", activity_id, title, hours);
}

int64_t present_of(const std::vector<Attendee>& attendees) {
  return std::count_if(attendees.begin(), attendees.end(), [](const Attendee& a) {
    return a.status == "present" || a.status == "late";
  });
}

// Type codes, each with whether it counts as organizational life.
Result<std::map<std::string, bool>> type_codes(store::Conn& c) {
  DJ_ASSIGN(auto rows, c.query("SELECT code, org_life FROM activity_types"));
  std::map<std::string, bool> out;
  for (const auto& r : rows) out[r.str(0)] = r.flag(1);
  return out;
}

AttendanceContext context_of(const std::map<std::string, bool>& types, const std::string& type,
                             const org::Org& org, const std::string& held_on) {
  return {held_on, types.at(type),
          org.type == org::OrgType::branch || org.type == org::OrgType::group};
}

Result<Activity> load(store::Conn& c, int64_t id, const Config& cfg, bool with_attendees) {
  DJ_ASSIGN(auto row, c.query_opt(std::string("SELECT ") + kColumns +
                                      " FROM activities a JOIN orgs o ON o.id = a.org_id "
                                      "WHERE a.id = ? AND a.deleted_at IS NULL",
                                  {id}));
  if (!row) return Error::not_found("activity " + std::to_string(id));
  std::vector<Activity> one{from_row(*row, cfg.lock_days)};
  DJ_TRY(org::name_paths(c, one));
  Activity a = std::move(one.front());
  if (with_attendees) {
    DJ_ASSIGN(auto rows,
              c.query("SELECT t.member_id, m.name, m.org_id, t.status, t.reason, t.guest "
                      "FROM attendance t JOIN members m ON m.id = t.member_id "
                      "WHERE t.activity_id = ? ORDER BY t.member_id",
                      {id}));
    for (const auto& r : rows) {
      a.attendees.push_back({r.i64(0), r.str(1), r.i64(2), r.str(3), r.opt_str(4), r.flag(5)});
    }
    DJ_ASSIGN(auto files, c.query("SELECT id, activity_id, sha256, content_type, filename, size, "
                                  "created_at FROM attachments WHERE activity_id = ? AND "
                                  "deleted_at IS NULL ORDER BY id",
                                  {id}));
    for (const auto& r : files) {
      a.attachments.push_back(
          {r.i64(0), r.i64(1), r.str(2), r.str(3), r.str(4), r.i64(5), r.i64(6)});
    }
  }
  return a;
}

Result<org::Org> writable_org(store::Conn& c, const Principal& p, int64_t org_id) {
  auto o = org::OrgService::load(c, org_id);
  if (!o || !auth::in_scope(p, o->path)) {
    return Error::invalid("org_id", "unknown", "no such organization in your scope");
  }
  return o;
}

Status check_lecturer(store::Conn& c, const Principal& p, const ActivityInput& in,
                      const std::string& path) {
  if (!in.lecturer_member_id) return {};
  DJ_ASSIGN(auto people, load_people(c, {*in.lecturer_member_id}));
  auto it = people.find(*in.lecturer_member_id);
  if (it == people.end() || !may_attend_as_guest(p, it->second, path)) {
    return Error::invalid("lecturer_member_id", "unknown", "no such member in your scope");
  }
  return {};
}

}  // namespace

int64_t default_hours_tenths(int64_t duration_ms, const Config& cfg) {
  const double hours = static_cast<double>(duration_ms) / 3600000.0;
  if (hours >= 6) return std::llround(cfg.full_day_hours * 10);
  if (hours >= 3) return std::llround(cfg.half_day_hours * 10);
  return std::llround(hours * 10);
}

json::object to_json(const ActivityType& t) {
  return json::object{{"code", t.code},         {"label_zh", t.label_zh},
                      {"label_en", t.label_en}, {"three_meetings", t.three_meetings},
                      {"org_life", t.org_life}, {"builtin", t.builtin}};
}

json::object to_json(const Activity& a, bool with_attendees) {
  json::array tags;
  for (const auto& t : a.tags) tags.emplace_back(t);
  json::object o{
      {"id", a.id},
      {"org_id", a.org_id},
      {"org_name", a.org_name},
      {"org_path_name", a.org_path_name},
      {"type", a.type},
      {"subtype", or_null(a.subtype)},
      {"title", a.title},
      {"tags", tags},
      {"started_at", format_instant(a.started_at)},
      {"ended_at", format_instant(a.ended_at)},
      {"held_on", a.held_on},
      {"place", or_null(a.place)},
      {"off_site", a.off_site},
      {"destination", or_null(a.destination)},
      {"method", or_null(a.method)},
      {"lecturer_member_id",
       a.lecturer_member_id ? json::value(*a.lecturer_member_id) : json::value(nullptr)},
      {"lecturer_name", or_null(a.lecturer_name)},
      {"hours", static_cast<double>(a.hours_tenths) / 10.0},
      {"minutes", or_null(a.minutes)},
      {"late_entry", a.late_entry},
      {"locked", a.locked},
      {"expected_count", a.expected_count},
      {"present_count", a.present_count},
      {"created_at", format_instant(a.created_at)},
      {"updated_at", format_instant(a.updated_at)},
  };
  if (with_attendees) {
    json::array list;
    for (const auto& t : a.attendees) {
      list.push_back(json::object{{"member_id", t.member_id},
                                  {"name", t.name},
                                  {"org_id", t.org_id},
                                  {"status", t.status},
                                  {"reason", or_null(t.reason)},
                                  {"guest", t.guest}});
    }
    o["attendees"] = std::move(list);
    json::array files;
    for (const auto& f : a.attachments) files.push_back(to_json(f));
    o["attachments"] = std::move(files);
  }
  return o;
}

json::object to_json(const Attachment& a) {
  return json::object{{"id", a.id},
                      {"activity_id", a.activity_id},
                      {"filename", a.filename},
                      {"content_type", a.content_type},
                      {"size", a.size},
                      {"sha256", a.sha256},
                      {"created_at", format_instant(a.created_at)}};
}

Result<std::vector<ActivityType>> ActivityService::types() {
  return store::with_conn(db_, [](store::Conn& c) -> Result<std::vector<ActivityType>> {
    DJ_ASSIGN(auto rows, c.query("SELECT code, label_zh, label_en, three_meetings, org_life, "
                                 "builtin FROM activity_types ORDER BY builtin DESC, code"));
    std::vector<ActivityType> out;
    for (const auto& r : rows) {
      out.push_back({r.str(0), r.str(1), r.str(2), r.flag(3), r.flag(4), r.flag(5)});
    }
    return out;
  });
}

Result<ActivityType> ActivityService::add_type(const Principal& p, const ActivityType& t) {
  DJ_TRY(auth::require(p, Perm::activity_type_manage));
  Validator v;
  v.text("code", t.code, 40);
  if (!std::all_of(t.code.begin(), t.code.end(),
                   [](char ch) { return (ch >= 'a' && ch <= 'z') || ch == '_'; })) {
    v.add("code", "format", "lowercase letters and '_' only");
  }
  v.text("label_zh", t.label_zh, 50);
  v.text("label_en", t.label_en, 80);
  DJ_TRY(v.status());
  return store::with_tx(db_, [&](store::Conn& c) -> Result<ActivityType> {
    auto n = c.exec(
        "INSERT INTO activity_types (code, label_zh, label_en, three_meetings, "
        "org_life, builtin, created_at, created_by) VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
        {t.code, t.label_zh, t.label_en, t.three_meetings, t.org_life, now_ms(), p.user_id});
    if (!n) {
      if (n.error().code == ErrorCode::conflict) {
        return Error{ErrorCode::conflict, "code already exists", {{"code", "taken", "exists"}}};
      }
      return n.take_error();
    }
    ActivityType out = t;
    out.builtin = false;
    DJ_TRY(audit::record(c, p.actor(),
                         {"activity_type.create", "activity_type", t.code, "", {}, to_json(out)}));
    return out;
  });
}

Result<Activity> ActivityService::create(const Principal& p, const ActivityInput& in) {
  DJ_TRY(auth::require(p, Perm::org_write));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Activity> {
    DJ_ASSIGN(auto codes, type_codes(c));
    DJ_ASSIGN(auto r, validate(in, codes, cfg_));
    DJ_ASSIGN(auto org, writable_org(c, p, *in.org_id));
    DJ_TRY(check_lecturer(c, p, in, org.path));
    int64_t expected = 0;
    DJ_ASSIGN(auto attendees,
              resolve_attendance(c, p, org, *in.type, r.held_on,
                                 in.attendees.value_or(std::vector<AttendeeInput>{}), expected));
    const int64_t now = now_ms();
    const bool late = today() > r.held_on;
    DJ_ASSIGN(
        auto ins,
        c.query_one("INSERT INTO activities (org_id, type, subtype, title, tags, started_at, "
                    "ended_at, held_on, place, off_site, destination, method, lecturer_member_id, "
                    "lecturer_name, hours_tenths, minutes, late_entry, expected_count, "
                    "present_count, created_at, updated_at, created_by, updated_by) VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "RETURNING id",
                    {org.id,
                     *in.type,
                     in.subtype,
                     *in.title,
                     tags_json(in.tags.value_or(std::vector<std::string>{})),
                     r.started_at,
                     r.ended_at,
                     r.held_on,
                     in.place,
                     in.off_site.value_or(false),
                     in.destination,
                     in.method,
                     in.lecturer_member_id,
                     in.lecturer_name,
                     r.hours_tenths,
                     in.minutes,
                     late,
                     expected,
                     present_of(attendees),
                     now,
                     now,
                     p.user_id,
                     p.user_id}));
    const int64_t id = ins.i64(0);
    DJ_TRY(write_attendance(c, id, *in.title, context_of(codes, *in.type, org, r.held_on),
                            r.hours_tenths, attendees));
    DJ_ASSIGN(auto a, load(c, id, cfg_, true));
    DJ_TRY(audit::record(c, p.actor(),
                         {late ? "activity.create_late" : "activity.create",
                          "activity",
                          std::to_string(id),
                          org.path,
                          {},
                          to_json(a, true)}));
    return a;
  });
}

Result<Activity> ActivityService::get(const Principal& p, int64_t id) {
  DJ_TRY(auth::require(p, Perm::org_read));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<Activity> {
    DJ_ASSIGN(auto a, load(c, id, cfg_, true));
    if (!auth::in_scope(p, a.org_path)) return Error::not_found("activity " + std::to_string(id));
    // Who came and why others were away is for member:read; a member sees
    // his own attendance (the counts stay).
    if (!auth::has(p, Perm::member_read)) {
      std::erase_if(a.attendees, [&](const Attendee& t) { return t.member_id != p.member_id; });
    }
    return a;
  });
}

namespace {

// The activities the list's filters select, in the caller's scope: the
// list and the calendar read the same ones.
Result<store::Filter> filter_of(store::Conn& c, const Principal& p, const ListQuery& q) {
  DJ_ASSIGN(const std::string scope, org::OrgService::subtree(c, p, q.org_id));
  store::Filter f(
      " FROM activities a JOIN orgs o ON o.id = a.org_id WHERE a.deleted_at IS NULL "
      "AND o.path >= ? AND o.path < ?",
      {scope, auth::subtree_end(scope)});
  f.add_if("a.type = ?", q.type);
  f.add_if("a.held_on >= ?", q.from);
  f.add_if("a.held_on <= ?", q.to);
  f.add_if("a.late_entry = ?", q.late_entry);
  return f;
}

}  // namespace

Result<Page> ActivityService::list(const Principal& p, const ListQuery& q) {
  DJ_TRY(auth::require(p, Perm::org_read));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<Page> {
    DJ_ASSIGN(auto f, filter_of(c, p, q));
    DJ_ASSIGN(auto found, store::query_page(c, kColumns, f, "a.started_at DESC, a.id DESC", q.page,
                                            q.page_size));
    Page page;
    page.total = found.total;
    for (const auto& r : found.rows) page.items.push_back(from_row(r, cfg_.lock_days));
    DJ_TRY(org::name_paths(c, page.items));
    return page;
  });
}

Result<std::vector<DayCount>> ActivityService::by_day(const Principal& p, const ListQuery& q) {
  DJ_TRY(auth::require(p, Perm::org_read));
  Validator v;
  if (!q.from || !is_valid_date(*q.from)) v.add("from", "required", "is required (YYYY-MM-DD)");
  if (!q.to || !is_valid_date(*q.to)) v.add("to", "required", "is required (YYYY-MM-DD)");
  DJ_TRY(v.status());
  const int64_t days = days_from_date(*q.to) - days_from_date(*q.from);
  if (days < 0) return Error::invalid("to", "before_start", "must not be before from");
  if (days > 366) return Error::invalid("to", "too_long", "a calendar covers at most 366 days");
  return store::with_conn(db_, [&](store::Conn& c) -> Result<std::vector<DayCount>> {
    DJ_ASSIGN(auto f, filter_of(c, p, q));
    DJ_ASSIGN(auto rows, c.query("SELECT a.held_on, a.type, COUNT(*)" + f.sql() +
                                     " GROUP BY a.held_on, a.type ORDER BY a.held_on",
                                 f.params()));
    std::vector<DayCount> out;
    for (const auto& r : rows) {
      if (out.empty() || out.back().date != r.str(0)) out.push_back({r.str(0), 0, {}});
      out.back().total += r.i64(2);
      out.back().by_type[r.str(1)] = r.i64(2);
    }
    return out;
  });
}

namespace {

// Locked records change only by a committee_admin who says why.
Status check_lock(const Principal& p, const Activity& a, const std::optional<std::string>& reason,
                  int lock_days) {
  if (!a.locked) return {};
  if (!auth::has(p, Perm::record_unlock)) {
    return Error::forbidden("the record locked " + std::to_string(lock_days) +
                            " days after it was held; ask a committee_admin");
  }
  if (!reason || reason->empty()) {
    return Error::invalid("change_reason", "required",
                          "a locked record changes only with a reason");
  }
  return {};
}

}  // namespace

Result<Activity> ActivityService::update(const Principal& p, int64_t id,
                                         const ActivityInput& patch) {
  DJ_TRY(auth::require(p, Perm::org_write));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Activity> {
    DJ_ASSIGN(auto before, load(c, id, cfg_, true));
    if (!auth::in_scope(p, before.org_path)) {
      return Error::not_found("activity " + std::to_string(id));
    }
    DJ_TRY(check_lock(p, before, patch.change_reason, cfg_.lock_days));
    if (patch.org_id && *patch.org_id != before.org_id) {
      return Error::invalid("org_id", "immutable", "record it again under the other organization");
    }
    ActivityInput in;
    in.org_id = before.org_id;
    in.type = patch.type ? patch.type : before.type;
    in.subtype = patch.subtype ? patch.subtype : before.subtype;
    in.title = patch.title ? patch.title : before.title;
    in.tags = patch.tags ? patch.tags : before.tags;
    in.started_at = patch.started_at ? *patch.started_at : format_instant(before.started_at);
    in.ended_at = patch.ended_at ? *patch.ended_at : format_instant(before.ended_at);
    in.place = patch.place ? patch.place : before.place;
    in.destination = patch.destination ? patch.destination : before.destination;
    in.method = patch.method ? patch.method : before.method;
    in.lecturer_name = patch.lecturer_name ? patch.lecturer_name : before.lecturer_name;
    in.minutes = patch.minutes ? patch.minutes : before.minutes;
    in.off_site = patch.off_site ? patch.off_site : before.off_site;
    in.lecturer_member_id =
        patch.lecturer_member_id ? patch.lecturer_member_id : before.lecturer_member_id;
    const bool times_changed = patch.started_at || patch.ended_at;
    in.hours = patch.hours ? patch.hours
                           : (times_changed ? std::nullopt
                                            : std::optional<double>(before.hours_tenths / 10.0));
    if (patch.attendees) {
      in.attendees = patch.attendees;
    } else {
      // Keep the recorded exceptions and guests.
      std::vector<AttendeeInput> kept;
      for (const auto& t : before.attendees) {
        if (t.guest || t.status != "present") kept.push_back({t.member_id, t.status, t.reason});
      }
      in.attendees = kept;
    }
    DJ_ASSIGN(auto codes, type_codes(c));
    DJ_ASSIGN(auto r, validate(in, codes, cfg_));
    DJ_ASSIGN(auto org, org::OrgService::load(c, before.org_id));
    DJ_TRY(check_lecturer(c, p, in, org.path));
    int64_t expected = 0;
    DJ_ASSIGN(auto attendees,
              resolve_attendance(c, p, org, *in.type, r.held_on, *in.attendees, expected));
    DJ_TRY(
        c.exec("UPDATE activities SET type = ?, subtype = ?, title = ?, tags = ?, "
               "started_at = ?, ended_at = ?, held_on = ?, place = ?, off_site = ?, "
               "destination = ?, method = ?, lecturer_member_id = ?, lecturer_name = ?, "
               "hours_tenths = ?, minutes = ?, expected_count = ?, present_count = ?, "
               "updated_at = ?, updated_by = ? WHERE id = ?",
               {*in.type,
                in.subtype,
                *in.title,
                tags_json(*in.tags),
                r.started_at,
                r.ended_at,
                r.held_on,
                in.place,
                *in.off_site,
                in.destination,
                in.method,
                in.lecturer_member_id,
                in.lecturer_name,
                r.hours_tenths,
                in.minutes,
                expected,
                present_of(attendees),
                now_ms(),
                p.user_id,
                id}));
    DJ_TRY(write_attendance(c, id, *in.title, context_of(codes, *in.type, org, r.held_on),
                            r.hours_tenths, attendees));
    DJ_ASSIGN(auto after, load(c, id, cfg_, true));
    json::object after_json = to_json(after, true);
    if (patch.change_reason) after_json["change_reason"] = *patch.change_reason;
    DJ_TRY(audit::record(c, p.actor(),
                         {before.locked ? "activity.update_locked" : "activity.update", "activity",
                          std::to_string(id), org.path, to_json(before, true), after_json}));
    return after;
  });
}

Status ActivityService::remove(const Principal& p, int64_t id,
                               const std::optional<std::string>& reason) {
  DJ_TRY(auth::require(p, Perm::org_write));
  return store::with_tx(db_, [&](store::Conn& c) -> Status {
    DJ_ASSIGN(auto a, load(c, id, cfg_, true));
    if (!auth::in_scope(p, a.org_path)) return Error::not_found("activity " + std::to_string(id));
    DJ_TRY(check_lock(p, a, reason, cfg_.lock_days));
    DJ_TRY(
        c.exec("UPDATE activities SET deleted_at = ?, updated_at = ?, updated_by = ? "
               "WHERE id = ?",
               {now_ms(), now_ms(), p.user_id, id}));
    // Attendance goes with the record (the audit row keeps it); so do its hours.
    DJ_TRY(c.exec("DELETE FROM attendance WHERE activity_id = ?", {id}));
    DJ_TRY(ledger::post(c, "activity", id, a.title, {}));
    json::object after{{"deleted", true}};
    if (reason) after["change_reason"] = *reason;
    return audit::record(
        c, p.actor(),
        {"activity.delete", "activity", std::to_string(id), a.org_path, to_json(a, true), after});
  });
}

Result<Attachment> ActivityService::attach(const Principal& p, int64_t activity_id,
                                           const std::string& claimed_type,
                                           const std::string& filename, const std::string& bytes,
                                           const std::optional<std::string>& reason) {
  DJ_TRY(auth::require(p, Perm::org_write));
  DJ_TRY(store::check_upload(claimed_type, filename, bytes, cfg_.max_attachment_bytes));
  const std::string sha = sha256_hex(bytes);
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Attachment> {
    DJ_ASSIGN(auto a, load(c, activity_id, cfg_, false));
    if (!auth::in_scope(p, a.org_path)) {
      return Error::not_found("activity " + std::to_string(activity_id));
    }
    DJ_TRY(check_lock(p, a, reason, cfg_.lock_days));
    DJ_TRY(store::put_blob(cfg_.blob_dir, sha, bytes));
    const int64_t now = now_ms();
    DJ_ASSIGN(auto ins,
              c.query_one("INSERT INTO attachments (activity_id, sha256, content_type, "
                          "size, filename, created_at, created_by) VALUES "
                          "(?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          {activity_id, sha, claimed_type, static_cast<int64_t>(bytes.size()),
                           filename, now, p.user_id}));
    Attachment out{ins.i64(0),   activity_id, sha,
                   claimed_type, filename,    static_cast<int64_t>(bytes.size()),
                   now};
    DJ_TRY(audit::record(c, p.actor(),
                         {"activity.attach",
                          "activity",
                          std::to_string(activity_id),
                          a.org_path,
                          {},
                          to_json(out)}));
    return out;
  });
}

Result<std::pair<Attachment, std::string>> ActivityService::attachment(const Principal& p,
                                                                       int64_t activity_id,
                                                                       int64_t id) {
  DJ_TRY(auth::require(p, Perm::org_read));
  DJ_ASSIGN(auto a, get(p, activity_id));
  for (const auto& f : a.attachments) {
    if (f.id != id) continue;
    DJ_ASSIGN(auto bytes, store::get_blob(cfg_.blob_dir, f.sha256));
    return std::pair{f, std::move(bytes)};
  }
  return Error::not_found("attachment " + std::to_string(id));
}

Status ActivityService::detach(const Principal& p, int64_t activity_id, int64_t id,
                               const std::optional<std::string>& reason) {
  DJ_TRY(auth::require(p, Perm::org_write));
  return store::with_tx(db_, [&](store::Conn& c) -> Status {
    DJ_ASSIGN(auto a, load(c, activity_id, cfg_, true));
    if (!auth::in_scope(p, a.org_path)) {
      return Error::not_found("activity " + std::to_string(activity_id));
    }
    DJ_TRY(check_lock(p, a, reason, cfg_.lock_days));
    for (const auto& f : a.attachments) {
      if (f.id != id) continue;
      DJ_TRY(c.exec("UPDATE attachments SET deleted_at = ? WHERE id = ?", {now_ms(), id}));
      return audit::record(
          c, p.actor(),
          {"activity.detach", "activity", std::to_string(activity_id), a.org_path, to_json(f), {}});
    }
    return Error::not_found("attachment " + std::to_string(id));
  });
}

}  // namespace dj::activity
