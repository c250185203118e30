// Teaching points, their venues and the organizations' bookings
// (resources.h): no two bookings holding the same time of a venue.
#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>

#include "common/json.h"
#include "common/time.h"
#include "common/validate.h"
#include "domain/audit/audit.h"
#include "domain/org/org.h"
#include "domain/resources/resources.h"

namespace dj::resources {

namespace json = boost::json;
using auth::Perm;
using auth::Principal;

namespace {

constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kDay = 24 * 60 * kMinute;
constexpr int64_t kShanghai = 8 * 60 * kMinute;

// Minutes since midnight of "HH:MM", or -1.
int minutes_of(const std::string& s) {
  if (s.size() != 5 || s[2] != ':' || !isdigit(s[0]) || !isdigit(s[1]) || !isdigit(s[3]) ||
      !isdigit(s[4])) {
    return -1;
  }
  const int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  return h < 24 && m < 60 ? h * 60 + m : -1;
}

// The Asia/Shanghai minute of the day of an instant.
int64_t local_minute(int64_t ms) { return ((ms + kShanghai) % kDay) / kMinute; }

// ---- points ----

constexpr const char* kPointSelect =
    "SELECT x.id, x.code, x.name, x.kind, x.org_id, o.path, x.address, x.contact, x.phone, "
    "x.description, x.updated_at, (SELECT COUNT(*) FROM venues v WHERE v.point_id = x.id AND "
    "v.deleted_at IS NULL) FROM teaching_points x LEFT JOIN orgs o ON o.id = x.org_id WHERE "
    "x.deleted_at IS NULL";

Result<std::vector<Point>> select_points(store::Conn& c, const std::string& and_where,
                                         const store::Params& params) {
  DJ_ASSIGN(auto rows, c.query(std::string(kPointSelect) + and_where +
                                   " ORDER BY CASE x.kind WHEN 'service_centre' THEN 0 WHEN "
                                   "'party_school' THEN 1 ELSE 2 END, x.code",
                               params));
  std::vector<Point> out;
  for (const auto& r : rows) {
    Point x;
    x.id = r.i64(0);
    x.code = r.str(1);
    x.name = r.str(2);
    x.kind = r.str(3);
    x.org_id = r.opt_i64(4);
    x.org_path = r.opt_str(5).value_or("");
    x.address = r.str(6);
    x.contact = r.opt_str(7);
    x.phone = r.opt_str(8);
    x.description = r.opt_str(9);
    x.updated_at = r.i64(10);
    x.venues = r.i64(11);
    out.push_back(std::move(x));
  }
  DJ_TRY(org::name_paths(c, out));  // none without a host
  return out;
}

Result<Point> load_point(store::Conn& c, int64_t id) {
  DJ_ASSIGN(auto list, select_points(c, " AND x.id = ?", {id}));
  if (list.empty()) return Error::not_found("teaching point " + std::to_string(id));
  return list[0];
}

Status check_point(store::Conn& c, const Point& x, std::optional<int64_t> except) {
  Validator v;
  v.text("code", x.code, 30);
  v.text("name", x.name, 100);
  v.text("address", x.address, 200);
  v.text("contact", x.contact, 50, false);
  v.text("phone", x.phone, 30, false);
  v.text("description", x.description, 2000, false);
  if (!one_of(x.kind, kPointKinds)) {
    v.add("kind", "unknown_code", "must be service_centre, teaching_point or party_school");
  }
  DJ_TRY(v.status());
  if (x.org_id) {
    auto o = org::OrgService::load(c, *x.org_id);
    if (!o) return Error::invalid("org_id", "unknown", "no such organization");
  }
  DJ_ASSIGN(auto taken, c.query_opt("SELECT id FROM teaching_points WHERE code = ? AND id <> ?",
                                    {x.code, except.value_or(0)}));
  if (taken) return Error::invalid("code", "taken", "another teaching point has this code");
  return {};
}

// ---- venues ----

constexpr const char* kVenueSelect =
    "SELECT v.id, v.point_id, x.name, v.name, v.capacity, v.equipment, v.opens, v.closes, "
    "v.needs_approval, v.updated_at FROM venues v JOIN teaching_points x ON x.id = v.point_id "
    "WHERE v.deleted_at IS NULL";

Result<std::vector<Venue>> select_venues(store::Conn& c, const std::string& and_where,
                                         const store::Params& params) {
  DJ_ASSIGN(
      auto rows,
      c.query(std::string(kVenueSelect) + and_where + " ORDER BY x.code, v.name, v.id", params));
  std::vector<Venue> out;
  for (const auto& r : rows) {
    Venue v;
    v.id = r.i64(0);
    v.point_id = r.i64(1);
    v.point_name = r.str(2);
    v.name = r.str(3);
    v.capacity = r.i64(4);
    v.equipment = r.opt_str(5);
    v.opens = r.str(6);
    v.closes = r.str(7);
    v.needs_approval = r.flag(8);
    v.updated_at = r.i64(9);
    out.push_back(std::move(v));
  }
  return out;
}

Result<Venue> load_venue(store::Conn& c, int64_t id) {
  DJ_ASSIGN(auto list, select_venues(c, " AND v.id = ?", {id}));
  if (list.empty()) return Error::not_found("venue " + std::to_string(id));
  return list[0];
}

Status check_venue(store::Conn& c, const Venue& x) {
  Validator v;
  v.text("name", x.name, 100);
  v.text("equipment", x.equipment, 500, false);
  if (x.capacity < 1 || x.capacity > 10000) v.add("capacity", "range", "must be 1 to 10000");
  const int opens = minutes_of(x.opens), closes = minutes_of(x.closes);
  if (opens < 0) v.add("opens", "time", "must be a time of day as HH:MM");
  if (closes < 0) v.add("closes", "time", "must be a time of day as HH:MM");
  if (opens >= 0 && closes >= 0 && closes <= opens) {
    v.add("closes", "end_before_start", "must be after the opening time");
  }
  DJ_TRY(v.status());
  DJ_ASSIGN(auto point, c.query_opt("SELECT id FROM teaching_points WHERE id = ? AND deleted_at "
                                    "IS NULL",
                                    {x.point_id}));
  if (!point) return Error::invalid("point_id", "unknown", "no such teaching point");
  return {};
}

// ---- bookings ----

constexpr const char* kBookingSelect =
    "SELECT b.id, b.venue_id, v.name, x.name, b.org_id, o.path, b.title, b.attendees, "
    "b.starts_at, b.ends_at, b.status, b.contact, b.note, b.reply, b.used, b.used_note, "
    "b.created_by, b.created_at, b.updated_at, b.session_id, b.activity_id FROM venue_bookings b "
    "JOIN venues v ON v.id = "
    "b.venue_id JOIN teaching_points x ON x.id = v.point_id JOIN orgs o ON o.id = b.org_id "
    "WHERE 1=1";

Result<std::vector<Booking>> select_bookings(store::Conn& c, const std::string& and_where,
                                             const store::Params& params) {
  DJ_ASSIGN(
      auto rows,
      c.query(std::string(kBookingSelect) + and_where + " ORDER BY b.starts_at, b.id", params));
  std::vector<Booking> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    Booking b;
    b.id = r.i64(0);
    b.venue_id = r.i64(1);
    b.venue_name = r.str(2);
    b.point_name = r.str(3);
    b.org_id = r.i64(4);
    b.org_path = r.str(5);
    b.title = r.str(6);
    b.attendees = r.i64(7);
    b.starts_at = r.i64(8);
    b.ends_at = r.i64(9);
    b.status = r.str(10);
    b.contact = r.opt_str(11);
    b.note = r.opt_str(12);
    b.reply = r.opt_str(13);
    if (!r.null(14)) b.used = r.flag(14);
    b.used_note = r.opt_str(15);
    b.booked_by = r.i64(16);
    b.created_at = r.i64(17);
    b.updated_at = r.i64(18);
    b.session_id = r.opt_i64(19);
    b.activity_id = r.opt_i64(20);
    out.push_back(std::move(b));
  }
  DJ_TRY(org::name_paths(c, out));
  return out;
}

Result<Booking> load_booking(store::Conn& c, int64_t id) {
  DJ_ASSIGN(auto list, select_bookings(c, " AND b.id = ?", {id}));
  if (list.empty()) return Error::not_found("booking " + std::to_string(id));
  return list[0];
}

Error overlap(const std::string& detail) {
  const std::string why = "the venue is booked at that time" + detail;
  return Error{ErrorCode::conflict, why, {{"starts_at", "overlap", why}}};
}

// The dates [from, to] of a query by start, as instants [lo, hi).
Result<std::pair<int64_t, int64_t>> period(const std::string& from, const std::string& to,
                                           int64_t max_days) {
  Validator v;
  auto given = [](const std::string& d) {
    return d.empty() ? std::nullopt : std::optional<std::string>(d);
  };
  v.date("from", given(from), true);
  v.date("to", given(to), true);
  DJ_TRY(v.status());
  const int64_t a = days_from_date(from), b = days_from_date(to);
  if (b < a) return Error::invalid("to", "end_before_start", "must not be before from");
  if (b - a + 1 > max_days) {
    return Error::invalid("to", "range", fmt::format("a period is at most {} days", max_days));
  }
  return std::pair{a * kDay - kShanghai, (b + 1) * kDay - kShanghai};
}

Result<Booking> change(store::Conn& c, const Principal& p, int64_t id, const std::string& action,
                       const std::string& set, const store::Params& params) {
  DJ_ASSIGN(auto before, load_booking(c, id));
  store::Params all = params;
  all.push_back(now_ms());
  all.push_back(p.user_id);
  all.push_back(id);
  DJ_TRY(c.exec(
      "UPDATE venue_bookings SET " + set + ", updated_at = ?, updated_by = ? WHERE id = ?", all));
  DJ_ASSIGN(auto after, load_booking(c, id));
  DJ_TRY(audit::record(c, p.actor(),
                       {action, "venue_booking", std::to_string(id), after.org_path,
                        to_json(before), to_json(after)}));
  return after;
}

}  // namespace

// ---- points ----

Result<std::vector<Point>> ResourceService::points() {
  return store::with_conn(db_, [&](store::Conn& c) { return select_points(c, "", {}); });
}

Result<PointDetail> ResourceService::point(int64_t id) {
  return store::with_conn(db_, [&](store::Conn& c) -> Result<PointDetail> {
    PointDetail d;
    DJ_ASSIGN(d.point, load_point(c, id));
    DJ_ASSIGN(auto lecturers, c.query("SELECT id, name FROM lecturers WHERE point_id = ? AND "
                                      "deleted_at IS NULL ORDER BY name, id",
                                      {id}));
    for (const auto& r : lecturers) d.lecturers.emplace_back(r.i64(0), r.str(1));
    DJ_ASSIGN(auto classes,
              c.query("SELECT t.id, t.title, t.starts_on, COUNT(DISTINCT b.session_id) FROM "
                      "venue_bookings b JOIN venues v ON v.id = b.venue_id JOIN training_sessions "
                      "s ON s.id = b.session_id JOIN trainings t ON t.id = s.training_id WHERE "
                      "v.point_id = ? AND b.status IN ('pending', 'approved') GROUP BY t.id, "
                      "t.title, t.starts_on ORDER BY t.starts_on DESC, t.id DESC LIMIT 100",
                      {id}));
    for (const auto& r : classes) d.classes.push_back({r.i64(0), r.str(1), r.str(2), r.i64(3)});
    return d;
  });
}

Result<Point> ResourceService::create_point(const Principal& p, const PointInput& in) {
  DJ_TRY(auth::require(p, Perm::resource_manage));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Point> {
    Point x;
    x.code = in.code.value_or("");
    x.name = in.name.value_or("");
    x.kind = in.kind.value_or("teaching_point");
    x.address = in.address.value_or("");
    x.org_id = in.org_id;
    x.contact = in.contact;
    x.phone = in.phone;
    x.description = in.description;
    DJ_TRY(check_point(c, x, std::nullopt));
    const int64_t now = now_ms();
    DJ_ASSIGN(auto row, c.query_one("INSERT INTO teaching_points (code, name, kind, org_id, "
                                    "address, contact, phone, description, created_at, "
                                    "updated_at, created_by, updated_by) VALUES (?, ?, ?, ?, ?, "
                                    "?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                    {x.code, x.name, x.kind, x.org_id, x.address, x.contact,
                                     x.phone, x.description, now, now, p.user_id, p.user_id}));
    DJ_ASSIGN(auto after, load_point(c, row.i64(0)));
    DJ_TRY(audit::record(c, p.actor(),
                         {"teaching_point.create",
                          "teaching_point",
                          std::to_string(after.id),
                          "/",
                          {},
                          to_json(after)}));
    return after;
  });
}

Result<Point> ResourceService::update_point(const Principal& p, int64_t id,
                                            const PointInput& patch) {
  DJ_TRY(auth::require(p, Perm::resource_manage));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Point> {
    DJ_ASSIGN(const auto before, load_point(c, id));
    Point x = before;
    if (patch.code) x.code = *patch.code;
    if (patch.name) x.name = *patch.name;
    if (patch.kind) x.kind = *patch.kind;
    if (patch.address) x.address = *patch.address;
    if (patch.org_id) x.org_id = *patch.org_id;
    if (patch.contact) x.contact = *patch.contact;
    if (patch.phone) x.phone = *patch.phone;
    if (patch.description) x.description = *patch.description;
    DJ_TRY(check_point(c, x, id));
    DJ_TRY(
        c.exec("UPDATE teaching_points SET code = ?, name = ?, kind = ?, org_id = ?, address = "
               "?, contact = ?, phone = ?, description = ?, updated_at = ?, updated_by = ? "
               "WHERE id = ?",
               {x.code, x.name, x.kind, x.org_id, x.address, x.contact, x.phone, x.description,
                now_ms(), p.user_id, id}));
    DJ_ASSIGN(auto after, load_point(c, id));
    DJ_TRY(audit::record(c, p.actor(),
                         {"teaching_point.update", "teaching_point", std::to_string(id), "/",
                          to_json(before), to_json(after)}));
    return after;
  });
}

Status ResourceService::remove_point(const Principal& p, int64_t id) {
  DJ_TRY(auth::require(p, Perm::resource_manage));
  return store::with_tx(db_, [&](store::Conn& c) -> Status {
    DJ_ASSIGN(const auto before, load_point(c, id));
    if (before.venues > 0) {
      return Error::conflict("the teaching point still has venues; remove them first");
    }
    DJ_TRY(c.exec("UPDATE teaching_points SET deleted_at = ?, updated_by = ? WHERE id = ?",
                  {now_ms(), p.user_id, id}));
    return audit::record(
        c, p.actor(),
        {"teaching_point.remove", "teaching_point", std::to_string(id), "/", to_json(before), {}});
  });
}

// ---- venues ----

Result<std::vector<Venue>> ResourceService::venues(std::optional<int64_t> point_id) {
  return store::with_conn(db_, [&](store::Conn& c) {
    return point_id ? select_venues(c, " AND v.point_id = ?", {*point_id})
                    : select_venues(c, "", {});
  });
}

Result<Venue> ResourceService::venue(int64_t id) {
  return store::with_conn(db_, [&](store::Conn& c) { return load_venue(c, id); });
}

Result<Venue> ResourceService::create_venue(const Principal& p, const VenueInput& in) {
  DJ_TRY(auth::require(p, Perm::resource_manage));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Venue> {
    Venue x;
    x.point_id = in.point_id.value_or(0);
    x.name = in.name.value_or("");
    x.capacity = in.capacity.value_or(0);
    x.equipment = in.equipment;
    x.opens = in.opens.value_or("08:30");
    x.closes = in.closes.value_or("17:30");
    x.needs_approval = in.needs_approval.value_or(true);
    DJ_TRY(check_venue(c, x));
    const int64_t now = now_ms();
    DJ_ASSIGN(auto row, c.query_one("INSERT INTO venues (point_id, name, capacity, equipment, "
                                    "opens, closes, needs_approval, created_at, updated_at, "
                                    "created_by, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                    "?, ?) RETURNING id",
                                    {x.point_id, x.name, x.capacity, x.equipment, x.opens, x.closes,
                                     x.needs_approval ? 1 : 0, now, now, p.user_id, p.user_id}));
    DJ_ASSIGN(auto after, load_venue(c, row.i64(0)));
    DJ_TRY(audit::record(
        c, p.actor(),
        {"venue.create", "venue", std::to_string(after.id), "/", {}, to_json(after)}));
    return after;
  });
}

Result<Venue> ResourceService::update_venue(const Principal& p, int64_t id,
                                            const VenueInput& patch) {
  DJ_TRY(auth::require(p, Perm::resource_manage));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Venue> {
    DJ_ASSIGN(const auto before, load_venue(c, id));
    Venue x = before;
    if (patch.point_id) x.point_id = *patch.point_id;
    if (patch.name) x.name = *patch.name;
    if (patch.capacity) x.capacity = *patch.capacity;
    if (patch.equipment) x.equipment = *patch.equipment;
    if (patch.opens) x.opens = *patch.opens;
    if (patch.closes) x.closes = *patch.closes;
    if (patch.needs_approval) x.needs_approval = *patch.needs_approval;
    DJ_TRY(check_venue(c, x));
    DJ_TRY(
        c.exec("UPDATE venues SET point_id = ?, name = ?, capacity = ?, equipment = ?, opens = "
               "?, closes = ?, needs_approval = ?, updated_at = ?, updated_by = ? WHERE id = ?",
               {x.point_id, x.name, x.capacity, x.equipment, x.opens, x.closes,
                x.needs_approval ? 1 : 0, now_ms(), p.user_id, id}));
    DJ_ASSIGN(auto after, load_venue(c, id));
    DJ_TRY(audit::record(
        c, p.actor(),
        {"venue.update", "venue", std::to_string(id), "/", to_json(before), to_json(after)}));
    return after;
  });
}

Status ResourceService::remove_venue(const Principal& p, int64_t id) {
  DJ_TRY(auth::require(p, Perm::resource_manage));
  return store::with_tx(db_, [&](store::Conn& c) -> Status {
    DJ_ASSIGN(const auto before, load_venue(c, id));
    DJ_ASSIGN(auto ahead, c.query_one("SELECT COUNT(*) FROM venue_bookings WHERE venue_id = ? AND "
                                      "status IN ('pending', 'approved') AND ends_at > ?",
                                      {id, now_ms()}));
    if (ahead.i64(0) > 0) {
      return Error::conflict(
          fmt::format("{} bookings ahead hold the venue; cancel them first", ahead.i64(0)));
    }
    DJ_TRY(c.exec("UPDATE venues SET deleted_at = ?, updated_by = ? WHERE id = ?",
                  {now_ms(), p.user_id, id}));
    return audit::record(c, p.actor(),
                         {"venue.remove", "venue", std::to_string(id), "/", to_json(before), {}});
  });
}

// ---- bookings ----

namespace {

// What a session's or an activity's record gives a booking made from its form.
Result<BookingInput> from_record(store::Conn& c, const Principal& p, BookingInput in) {
  if (in.session_id && in.activity_id) {
    return Error::invalid("activity_id", "one_source", "a booking is for a session or an activity");
  }
  std::optional<store::Row> r;
  if (in.session_id) {
    DJ_ASSIGN(r, c.query_opt("SELECT t.title || '·' || s.title, t.org_id, o.path, s.started_at, "
                             "s.ended_at, (SELECT COUNT(*) FROM enrolments e WHERE e.training_id "
                             "= t.id AND e.status = 'enrolled') FROM training_sessions s JOIN "
                             "trainings t ON t.id = s.training_id JOIN orgs o ON o.id = t.org_id "
                             "WHERE s.id = ? AND t.deleted_at IS NULL",
                             {*in.session_id}));
    if (!r || !auth::in_scope(p, r->str(2))) {
      return Error::invalid("session_id", "unknown", "no such session in your scope");
    }
  } else if (in.activity_id) {
    DJ_ASSIGN(r, c.query_opt("SELECT a.title, a.org_id, o.path, a.started_at, a.ended_at, (SELECT "
                             "COUNT(*) FROM attendance n WHERE n.activity_id = a.id) FROM "
                             "activities a JOIN orgs o ON o.id = a.org_id WHERE a.id = ? AND "
                             "a.deleted_at IS NULL",
                             {*in.activity_id}));
    if (!r || !auth::in_scope(p, r->str(2))) {
      return Error::invalid("activity_id", "unknown", "no such activity in your scope");
    }
  } else {
    return in;
  }
  if (!in.title) in.title = r->str(0);
  in.org_id = r->i64(1);
  in.starts_at = format_instant(r->i64(3));
  in.ends_at = format_instant(r->i64(4));
  if (!in.attendees) in.attendees = std::max<int64_t>(1, r->i64(5));
  return in;
}

}  // namespace

Result<Booking> ResourceService::book(const Principal& p, const BookingInput& given) {
  DJ_TRY(auth::require(p, Perm::org_write));
  DJ_ASSIGN(const BookingInput in,
            store::with_conn(db_, [&](store::Conn& c) { return from_record(c, p, given); }));
  Validator v;
  v.text("title", in.title, 200);
  v.text("contact", in.contact, 100, false);
  v.text("note", in.note, 1000, false);
  if (!in.venue_id) v.add("venue_id", "required", "is required");
  if (!in.attendees || *in.attendees < 1) v.add("attendees", "range", "must be at least 1");
  std::optional<int64_t> start, end;
  if (const auto span = v.span("starts_at", in.starts_at, "ends_at", in.ends_at)) {
    std::tie(start, end) = *span;
  }
  const int64_t now = now_ms();
  if (start && *start < now) v.add("starts_at", "past", "must not be in the past");
  if (start && *start > now + 366 * kDay) {
    v.add("starts_at", "range", "bookings are taken at most a year ahead");
  }
  DJ_TRY(v.status());
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Booking> {
    auto venue = load_venue(c, *in.venue_id);
    if (!venue) return Error::invalid("venue_id", "unknown", "no such venue");
    const auto org_id = in.org_id ? in.org_id : p.org_id;
    if (!org_id) return Error::invalid("org_id", "required", "is required");
    DJ_TRY(org::OrgService::subtree(c, p, org_id));
    Validator hours;
    const int64_t opens = minutes_of(venue->opens), closes = minutes_of(venue->closes);
    const std::string window = venue->opens + "–" + venue->closes;
    if (date_of_instant(*start) != date_of_instant(*end - 1) || local_minute(*start) < opens ||
        (local_minute(*end) == 0 ? 24 * 60 : local_minute(*end)) > closes) {
      hours.add("starts_at", "closed", "the venue is open " + window + " each day");
    }
    if (*in.attendees > venue->capacity) {
      hours.add("attendees", "capacity", fmt::format("the venue seats {}", venue->capacity));
    }
    DJ_TRY(hours.status());
    DJ_ASSIGN(auto in_way,
              c.query_opt("SELECT b.title, o.name, b.starts_at, b.ends_at FROM venue_bookings b "
                          "JOIN orgs o ON o.id = b.org_id WHERE b.venue_id = ? AND b.status IN "
                          "('pending', 'approved') AND b.starts_at < ? AND b.ends_at > ? LIMIT 1",
                          {venue->id, *end, *start}));
    if (in_way) {
      return overlap(fmt::format(" ({}, {}, {} – {})", in_way->str(1), in_way->str(0),
                                 format_instant(in_way->i64(2)).substr(0, 16),
                                 format_instant(in_way->i64(3)).substr(11, 5)));
    }
    auto row = c.query_one(
        "INSERT INTO venue_bookings (venue_id, org_id, title, attendees, starts_at, ends_at, "
        "status, contact, note, created_at, updated_at, created_by, updated_by, session_id, "
        "activity_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        {venue->id, *org_id, *in.title, *in.attendees, *start, *end,
         std::string(venue->needs_approval ? "pending" : "approved"), in.contact, in.note, now, now,
         p.user_id, p.user_id, in.session_id, in.activity_id});
    // PostgreSQL: a concurrent booking committed first (the exclusion constraint).
    if (!row && row.error().code == ErrorCode::conflict) return overlap("");
    if (!row) return row.take_error();
    // The record booked from takes the venue as its place (entered once).
    const std::string place = venue->point_name + " " + venue->name;
    if (in.session_id) {
      DJ_TRY(
          c.exec("UPDATE training_sessions SET venue = ? WHERE id = ?", {place, *in.session_id}));
    }
    if (in.activity_id) {
      DJ_TRY(c.exec("UPDATE activities SET place = ? WHERE id = ?", {place, *in.activity_id}));
    }
    DJ_ASSIGN(auto after, load_booking(c, row->i64(0)));
    DJ_TRY(audit::record(c, p.actor(),
                         {"venue_booking.create",
                          "venue_booking",
                          std::to_string(after.id),
                          after.org_path,
                          {},
                          to_json(after)}));
    return after;
  });
}

Result<Booking> ResourceService::booking(const Principal& p, int64_t id) {
  DJ_TRY(auth::require(p, Perm::org_read));
  return store::with_conn(db_, [&](store::Conn& c) { return load_booking(c, id); });
}

Result<std::vector<Booking>> ResourceService::bookings(const Principal& p, const BookingQuery& q) {
  DJ_TRY(auth::require(p, Perm::org_read));
  DJ_ASSIGN(auto range, period(q.from, q.to, 92));
  if (q.status && !one_of(*q.status, kBookingStatuses)) {
    return Error::invalid("status", "unknown_code",
                          "must be pending, approved, rejected or cancelled");
  }
  return store::with_conn(db_, [&](store::Conn& c) -> Result<std::vector<Booking>> {
    std::string where = " AND b.starts_at >= ? AND b.starts_at < ?";
    store::Params params = {range.first, range.second};
    if (q.point_id) {
      where += " AND v.point_id = ?";
      params.push_back(*q.point_id);
    }
    if (q.venue_id) {
      where += " AND b.venue_id = ?";
      params.push_back(*q.venue_id);
    }
    if (q.org_id) {
      DJ_ASSIGN(const std::string scope, org::OrgService::subtree(c, p, q.org_id));
      where += " AND o.path >= ? AND o.path < ?";
      params.push_back(scope);
      params.push_back(auth::subtree_end(scope));
    }
    if (q.status) {
      where += " AND b.status = ?";
      params.push_back(*q.status);
    }
    return select_bookings(c, where, params);
  });
}

Result<Booking> ResourceService::decide(const Principal& p, int64_t id, bool approve,
                                        const std::optional<std::string>& reply) {
  DJ_TRY(auth::require(p, Perm::resource_manage));
  Validator v;
  v.text("reply", reply, 500, !approve);
  DJ_TRY(v.status());
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Booking> {
    DJ_ASSIGN(const auto before, load_booking(c, id));
    if (before.status != "pending") {
      return Error{ErrorCode::conflict,
                   "the booking is " + before.status + ", not pending",
                   {{"status", "not_pending", "only a pending booking is approved or rejected"}}};
    }
    if (before.booked_by == p.user_id) {
      const std::string why = "nobody approves his own booking";
      return Error{ErrorCode::forbidden, why, {{"booked_by", "own_booking", why}}};
    }
    return change(c, p, id, approve ? "venue_booking.approve" : "venue_booking.reject",
                  "status = ?, reply = ?, decided_at = ?, decided_by = ?",
                  {std::string(approve ? "approved" : "rejected"), reply, now_ms(), p.user_id});
  });
}

Result<Booking> ResourceService::cancel(const Principal& p, int64_t id, const std::string& reason) {
  DJ_TRY(auth::require(p, Perm::org_write));
  Validator v;
  v.text("reason", reason, 500);
  DJ_TRY(v.status());
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Booking> {
    DJ_ASSIGN(const auto before, load_booking(c, id));
    if (!auth::has(p, Perm::resource_manage) && !auth::in_scope(p, before.org_path)) {
      return Error::not_found("booking " + std::to_string(id));
    }
    if (before.status != "pending" && before.status != "approved") {
      return Error{ErrorCode::conflict,
                   "the booking is already " + before.status,
                   {{"status", "closed", "only a pending or approved booking is cancelled"}}};
    }
    if (before.starts_at <= now_ms()) {
      return Error{ErrorCode::conflict,
                   "the booking has started",
                   {{"starts_at", "started", "a booking is cancelled before it starts"}}};
    }
    return change(c, p, id, "venue_booking.cancel", "status = 'cancelled', reply = ?", {reason});
  });
}

Result<Booking> ResourceService::check_use(const Principal& p, int64_t id, bool used,
                                           const std::optional<std::string>& note) {
  DJ_TRY(auth::require(p, Perm::resource_manage));
  Validator v;
  v.text("note", note, 500, false);
  DJ_TRY(v.status());
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Booking> {
    DJ_ASSIGN(const auto before, load_booking(c, id));
    if (before.status != "approved") {
      return Error{ErrorCode::conflict,
                   "the booking is " + before.status,
                   {{"status", "not_approved", "only an approved booking is checked"}}};
    }
    if (before.ends_at > now_ms()) {
      return Error{ErrorCode::conflict,
                   "the booking has not ended",
                   {{"ends_at", "not_ended", "its use is checked after it ends"}}};
    }
    return change(c, p, id, "venue_booking.check",
                  "used = ?, used_note = ?, checked_at = ?, checked_by = ?",
                  {used ? 1 : 0, note, now_ms(), p.user_id});
  });
}

Result<Usage> ResourceService::usage(const Principal& p, std::optional<int64_t> point_id,
                                     const std::string& from, const std::string& to) {
  DJ_TRY(auth::require(p, Perm::org_read));
  DJ_ASSIGN(auto range, period(from, to, 3 * 366));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<Usage> {
    std::string where = " AND b.starts_at >= ? AND b.starts_at < ?";
    store::Params params = {range.first, range.second};
    if (point_id) {
      where += " AND v.point_id = ?";
      params.push_back(*point_id);
    }
    const std::string from_where =
        " FROM venue_bookings b JOIN venues v ON v.id = b.venue_id JOIN teaching_points x ON x.id "
        "= v.point_id WHERE v.deleted_at IS NULL" +
        where;
    DJ_ASSIGN(auto rows,
              c.query("SELECT v.id, v.name, x.name, COUNT(*), SUM(CASE WHEN b.status = "
                      "'approved' THEN 1 ELSE 0 END), SUM(CASE WHEN b.used = 1 THEN 1 ELSE 0 "
                      "END), SUM(CASE WHEN b.used = 0 THEN 1 ELSE 0 END), COUNT(DISTINCT CASE "
                      "WHEN b.status = 'approved' THEN b.org_id END), COALESCE(SUM(CASE WHEN "
                      "b.status = 'approved' THEN (b.ends_at - b.starts_at) / 360000 ELSE 0 "
                      "END), 0)" +
                          from_where +
                          " GROUP BY v.id, v.name, x.name, x.code ORDER BY x.code, "
                          "v.name, v.id",
                      params));
    Usage u{from, to, {}, {}};
    for (const auto& r : rows) {
      Usage::Line l{r.i64(0), r.str(1), r.str(2), r.i64(3), r.i64(4),
                    r.i64(5), r.i64(6), r.i64(7), r.i64(8)};
      u.total.bookings += l.bookings;
      u.total.approved += l.approved;
      u.total.used += l.used;
      u.total.unused += l.unused;
      u.total.hours_tenths += l.hours_tenths;
      u.venues.push_back(std::move(l));
    }
    DJ_ASSIGN(auto orgs, c.query_one("SELECT COUNT(DISTINCT b.org_id)" + from_where +
                                         " AND b.status = 'approved'",
                                     params));
    u.total.orgs = orgs.i64(0);
    return u;
  });
}

// ---- JSON ----

json::object to_json(const Point& x) {
  return json::object{{"id", x.id},
                      {"code", x.code},
                      {"name", x.name},
                      {"kind", x.kind},
                      {"org_id", or_null(x.org_id)},
                      {"org_path_name", x.org_id ? json::value(x.org_path_name) : nullptr},
                      {"address", x.address},
                      {"contact", or_null(x.contact)},
                      {"phone", or_null(x.phone)},
                      {"description", or_null(x.description)},
                      {"venues", x.venues},
                      {"updated_at", format_instant(x.updated_at)}};
}

json::object to_json(const PointDetail& d) {
  json::object out = to_json(d.point);
  json::array lecturers, classes;
  for (const auto& [id, name] : d.lecturers) {
    lecturers.push_back(json::object{{"id", id}, {"name", name}});
  }
  for (const auto& h : d.classes) {
    classes.push_back(json::object{{"training_id", h.training_id},
                                   {"title", h.title},
                                   {"starts_on", h.starts_on},
                                   {"sessions", h.sessions}});
  }
  out["lecturers"] = std::move(lecturers);
  out["classes"] = std::move(classes);
  return out;
}

json::object to_json(const Venue& x) {
  return json::object{{"id", x.id},
                      {"point_id", x.point_id},
                      {"point_name", x.point_name},
                      {"name", x.name},
                      {"capacity", x.capacity},
                      {"equipment", or_null(x.equipment)},
                      {"opens", x.opens},
                      {"closes", x.closes},
                      {"needs_approval", x.needs_approval},
                      {"updated_at", format_instant(x.updated_at)}};
}

json::object to_json(const Booking& x) {
  return json::object{{"id", x.id},
                      {"venue_id", x.venue_id},
                      {"venue_name", x.venue_name},
                      {"point_name", x.point_name},
                      {"org_id", x.org_id},
                      {"org_path_name", x.org_path_name},
                      {"title", x.title},
                      {"attendees", x.attendees},
                      {"starts_at", format_instant(x.starts_at)},
                      {"ends_at", format_instant(x.ends_at)},
                      {"status", x.status},
                      {"contact", or_null(x.contact)},
                      {"note", or_null(x.note)},
                      {"reply", or_null(x.reply)},
                      {"used", x.used ? json::value(*x.used) : nullptr},
                      {"used_note", or_null(x.used_note)},
                      {"booked_by", x.booked_by},
                      {"session_id", or_null(x.session_id)},
                      {"activity_id", or_null(x.activity_id)},
                      {"created_at", format_instant(x.created_at)},
                      {"updated_at", format_instant(x.updated_at)}};
}

json::object to_json(const Usage& u) {
  auto line = [](const Usage::Line& l) {
    return json::object{{"venue_id", l.venue_id},
                        {"venue_name", l.venue_name},
                        {"point_name", l.point_name},
                        {"bookings", l.bookings},
                        {"approved", l.approved},
                        {"used", l.used},
                        {"unused", l.unused},
                        {"orgs", l.orgs},
                        {"hours", static_cast<double>(l.hours_tenths) / 10.0}};
  };
  json::array venues;
  for (const auto& l : u.venues) venues.push_back(line(l));
  json::object total = line(u.total);
  total.erase("venue_id");
  total.erase("venue_name");
  total.erase("point_name");
  return json::object{{"from", u.from}, {"to", u.to}, {"venues", venues}, {"total", total}};
}

}  // namespace dj::resources
