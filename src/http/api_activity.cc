#include <boost/json.hpp>

#include "domain/activity/activity.h"
#include "domain/ledger/ledger.h"
#include "http/api.h"
#include "http/input.h"

namespace dj::http {
namespace json = boost::json;

namespace {

const Body<activity::ActivityInput> kActivityInput{
    "ActivityInput", [](JsonBody& body, activity::ActivityInput& in) {
      body.i64("org_id", in.org_id);
      body.str("type", in.type);
      body.str("subtype", in.subtype);
      body.str("title", in.title);
      body.strings("tags", in.tags);
      body.str("started_at", in.started_at);
      body.str("ended_at", in.ended_at);
      body.str("place", in.place);
      body.boolean("off_site", in.off_site);
      body.str("destination", in.destination);
      body.str("method", in.method);
      body.i64("lecturer_member_id", in.lecturer_member_id);
      body.str("lecturer_name", in.lecturer_name);
      body.number("hours", in.hours);
      body.str("minutes", in.minutes);
      body.str("change_reason", in.change_reason);
      std::vector<activity::AttendeeInput> attendees;
      body.objects("attendees", [&](JsonBody& item) {
        activity::AttendeeInput a;
        item.i64("member_id", a.member_id);
        item.str("status", a.status, ledger::kAttendanceMarks);
        item.str("reason", a.reason);
        attendees.push_back(std::move(a));
      });
      // An empty list given clears the exceptions; left out, they stay.
      if (body.has("attendees")) in.attendees = std::move(attendees);
    }};

struct ActivityTypeInput {
  std::optional<std::string> code, label_zh, label_en;
  std::optional<bool> three_meetings, org_life;
};
const Body<ActivityTypeInput> kActivityTypeInput{
    "ActivityTypeInput", [](JsonBody& body, ActivityTypeInput& in) {
      body.str("code", in.code);
      body.str("label_zh", in.label_zh);
      body.str("label_en", in.label_en);
      body.boolean("three_meetings", in.three_meetings);
      body.boolean("org_life", in.org_life);
    }};

// The activity list's filters (org_id, type, from, to, late_entry).
activity::ListQuery read_activity_filters(QueryReader& q) {
  activity::ListQuery lq;
  lq.org_id = q.id("org_id");
  lq.type = q.str("type");
  lq.from = q.date("from");
  lq.to = q.date("to");
  lq.late_entry = q.boolean("late_entry");
  return lq;
}

}  // namespace

// Response schemas of these routes, in the short form of Router::add_schemas.
constexpr const char* kActivitySchemas = R"JSON({
  "ActivityType": {"code": "string", "label_zh": "string", "label_en": "string",
                   "three_meetings": "boolean", "org_life": "boolean", "builtin": "boolean"},
  "ActivityTypeList": {"items": ["ActivityType"], "total": "integer"},
  "Attachment": {"id": "integer", "activity_id": "integer", "filename": "string",
                 "content_type": "string", "size": "integer", "sha256": "string",
                 "created_at": "datetime"},
  "Attendee": {"member_id": "integer", "name": "string", "org_id": "integer",
               "status": "codes:attendance.marks", "reason": "string?", "guest": "boolean"},
  "Activity": {"id": "integer", "org_id": "integer", "org_name": "string",
               "org_path_name": "string", "type": "string",
               "subtype": "string?", "title": "string", "tags": ["string"],
               "started_at": "datetime", "ended_at": "datetime", "held_on": "date",
               "place": "string?", "off_site": "boolean", "destination": "string?",
               "method": "string?", "lecturer_member_id": "integer?", "lecturer_name": "string?",
               "hours": "number", "minutes": "string?", "late_entry": "boolean",
               "locked": "boolean", "expected_count": "integer", "present_count": "integer",
               "created_at": "datetime", "updated_at": "datetime"},
  "ActivityDetail": {"&": "Activity", "attendees": ["Attendee"], "attachments": ["Attachment"]},
  "ActivityPage": {"items": ["Activity"], "total": "integer"},
  "ActivityDays": {"items": [{"date": "date", "total": "integer", "by_type": {"*": "integer"}}]}
})JSON";

void add_activity_routes(Router& r, Services& s) {
  r.add_schemas(kActivitySchemas);
  r.add_codes("attendance.marks", ledger::kAttendanceMarks);
  r.add({.method = "GET",
         .pattern = "/api/v1/activity-types",
         .tag = "activities",
         .summary = "The activity type dictionary (codes stable, labels translated)",
         .perm = auth::Perm::org_read,
         .responses = {{200, "ActivityTypeList"}},
         .handler = [&s](Ctx&) -> Result<Response> {
           DJ_ASSIGN(auto types, s.activities.types());
           json::array items;
           for (const auto& t : types) items.push_back(activity::to_json(t));
           const auto n = static_cast<int64_t>(items.size());
           return json_response(json::object{{"items", std::move(items)}, {"total", n}});
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/activity-types",
         .tag = "activities",
         .summary = "Add an activity type (committee_admin)",
         .perm = auth::Perm::activity_type_manage,
         .body = &kActivityTypeInput,
         .responses = {{201, "ActivityType"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kActivityTypeInput.parse(c.req));
           const auto& [code, zh, en, three, life] = in;
           DJ_ASSIGN(auto t, s.activities.add_type(
                                 c.p(), {code.value_or(""), zh.value_or(""), en.value_or(""),
                                         three.value_or(false), life.value_or(false), false}));
           return json_response(activity::to_json(t), 201);
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/activities",
         .tag = "activities",
         .summary = "Activities held in a subtree, newest first, by type and date held",
         .perm = auth::Perm::org_read,
         .query = {{"org_id", ParamType::integer},
                   {"type", ParamType::string},
                   {"from", ParamType::date},
                   {"to", ParamType::date},
                   {"late_entry", ParamType::boolean},
                   {"page", ParamType::integer},
                   {"page_size", ParamType::integer}},
         .responses = {{200, "ActivityPage"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           activity::ListQuery lq = read_activity_filters(q);
           auto paging = q.paging();
           lq.page = paging.page;
           lq.page_size = paging.page_size;
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto page, s.activities.list(c.p(), lq));
           json::array items;
           for (const auto& a : page.items) items.push_back(activity::to_json(a, false));
           return json_response(json::object{{"items", std::move(items)}, {"total", page.total}});
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/activities/by-day",
         .tag = "activities",
         .summary = "How many activities each day of [from, to] holds, by type (a calendar: at "
                    "most 366 days; the list's filters)",
         .perm = auth::Perm::org_read,
         .query = {{"org_id", ParamType::integer},
                   {"type", ParamType::string},
                   {"from", ParamType::date, true},
                   {"to", ParamType::date, true},
                   {"late_entry", ParamType::boolean}},
         .responses = {{200, "ActivityDays"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           activity::ListQuery lq = read_activity_filters(q);
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto days, s.activities.by_day(c.p(), lq));
           json::array items;
           for (const auto& d : days) {
             json::object by_type;
             for (const auto& [type, n] : d.by_type) by_type[type] = n;
             items.push_back(json::object{
                 {"date", d.date}, {"total", d.total}, {"by_type", std::move(by_type)}});
           }
           return json_response(json::object{{"items", std::move(items)}});
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/activities",
         .tag = "activities",
         .summary =
             "Record an activity with attendance (members present by default; list the exceptions)",
         .perm = auth::Perm::org_write,
         .body = &kActivityInput,
         .responses = {{201, "ActivityDetail"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kActivityInput.parse(c.req));
           DJ_ASSIGN(auto a, s.activities.create(c.p(), in));
           return json_response(activity::to_json(a, true), 201);
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/activities/{id}",
         .tag = "activities",
         .summary = "One activity with its attendance",
         .perm = auth::Perm::org_read,
         .responses = {{200, "ActivityDetail"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto a, s.activities.get(c.p(), id));
           return json_response(activity::to_json(a, true));
         }});
  r.add(
      {.method = "PATCH",
       .pattern = "/api/v1/activities/{id}",
       .tag = "activities",
       .summary = "Change an activity; after the lock date only committee_admin with change_reason",
       .perm = auth::Perm::org_write,
       .body = &kActivityInput,
       .responses = {{200, "ActivityDetail"}},
       .handler = [&s](Ctx& c) -> Result<Response> {
         DJ_ASSIGN(auto id, c.id(0));
         DJ_ASSIGN(auto in, kActivityInput.parse(c.req));
         DJ_ASSIGN(auto a, s.activities.update(c.p(), id, in));
         return json_response(activity::to_json(a, true));
       }});
  r.add({.method = "DELETE",
         .pattern = "/api/v1/activities/{id}",
         .tag = "activities",
         .summary = "Remove an activity (soft; its hours leave the ledger)",
         .perm = auth::Perm::org_write,
         .query = {{"reason", ParamType::string}},
         .responses = {{204}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           QueryReader q(c.req);
           auto reason = q.str("reason", 200);
           DJ_TRY(q.finish());
           DJ_TRY(s.activities.remove(c.p(), id, reason));
           return no_content();
         }});
  r.add(
      {.method = "POST",
       .pattern = "/api/v1/activities/{id}/attachments",
       .tag = "activities",
       .summary =
           "Attach a photo (JPEG, PNG) or PDF: the raw file as the body, its type as Content-Type, "
           "?filename=; checked by content",
       .perm = auth::Perm::org_write,
       .query = {{"filename", ParamType::string}, {"reason", ParamType::string}},
       .responses = {{201, "Attachment"}},
       .upload = true,
       .handler = [&s](Ctx& c) -> Result<Response> {
         DJ_ASSIGN(auto id, c.id(0));
         QueryReader q(c.req);
         auto filename = q.str("filename", 200);
         auto reason = q.str("reason", 200);
         DJ_TRY(q.finish());
         DJ_ASSIGN(auto a, s.activities.attach(c.p(), id, upload_type(c.req), filename.value_or(""),
                                               c.req.body, reason));
         return json_response(activity::to_json(a), 201);
       }});
  r.add({.method = "GET",
         .pattern = "/api/v1/activities/{id}/attachments/{aid}",
         .tag = "activities",
         .summary = "Download an attachment (served with its checked type, never as a page)",
         .perm = auth::Perm::org_read,
         .responses = {{200, "", {"image/jpeg", "image/png", "application/pdf"}}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto aid, c.id(1, "aid"));
           DJ_ASSIGN(auto file, s.activities.attachment(c.p(), id, aid));
           return file_response(file.first.content_type, std::move(file.second),
                                "attachment-" + std::to_string(aid));
         }});
  r.add({.method = "DELETE",
         .pattern = "/api/v1/activities/{id}/attachments/{aid}",
         .tag = "activities",
         .summary = "Remove an attachment (soft, audited)",
         .perm = auth::Perm::org_write,
         .query = {{"reason", ParamType::string}},
         .responses = {{204}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto aid, c.id(1, "aid"));
           QueryReader q(c.req);
           auto reason = q.str("reason", 200);
           DJ_TRY(q.finish());
           DJ_TRY(s.activities.detach(c.p(), id, aid, reason));
           return no_content();
         }});
}

}  // namespace dj::http
