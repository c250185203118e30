#include <boost/json.hpp>

#include "common/time.h"
#include "common/validate.h"
#include "domain/ledger/ledger.h"
#include "domain/training/training.h"
#include "http/api.h"
#include "http/input.h"
#include "http/qr.h"
#include "http/xlsx.h"

namespace dj::http {
namespace json = boost::json;

namespace {

const Body<training::TrainingInput> kTrainingInput{
    "TrainingInput", [](JsonBody& body, training::TrainingInput& in) {
      body.i64("org_id", in.org_id);
      body.str("title", in.title);
      body.str("level", in.level, training::kLevels);
      body.strings("target_groups", in.target_groups, training::kGroups);
      body.str("starts_on", in.starts_on);
      body.str("ends_on", in.ends_on);
      body.str("venue", in.venue);
      body.str("itinerary", in.itinerary);
      body.i64("capacity", in.capacity);
      body.i64("attendance_threshold", in.attendance_threshold);
      body.i64("pass_score", in.pass_score);
      body.boolean("off_site", in.off_site);
      body.boolean("exam_required", in.exam_required);
    }};

const Body<training::SessionInput> kSessionInput{
    "SessionInput", [](JsonBody& body, training::SessionInput& in) {
      body.str("title", in.title);
      body.str("lecturer_name", in.lecturer_name);
      body.i64("lecturer_id", in.lecturer_id);
      body.str("started_at", in.started_at);
      body.str("ended_at", in.ended_at);
      body.str("method", in.method, training::kMethods);
      body.str("venue", in.venue);
      body.number("hours", in.hours);
      body.boolean("required", in.required);
      body.boolean("first_course", in.first_course);
      body.number("latitude", in.latitude);
      body.number("longitude", in.longitude);
      body.i64("radius_m", in.radius_m);
    }};

struct Quotas {
  std::vector<std::pair<int64_t, int64_t>> seats;  // (org_id, seats)
  bool incomplete = false;                         // an item without org_id or seats
};
const Body<Quotas> kQuotas{"Quotas", [](JsonBody& body, Quotas& in) {
                             body.objects("quotas", [&](JsonBody& item) {
                               std::optional<int64_t> org_id, seats;
                               item.i64("org_id", org_id);
                               item.i64("seats", seats);
                               if (!org_id || !seats) in.incomplete = true;
                               in.seats.emplace_back(org_id.value_or(0), seats.value_or(0));
                             });
                           }};

const Body<training::EnrolInput> kEnrolInput{"EnrolInput",
                                             [](JsonBody& body, training::EnrolInput& in) {
                                               body.i64("member_id", in.member_id);
                                               body.boolean("waitlist", in.waitlist);
                                               body.str("override_reason", in.override_reason);
                                             }};

struct BatchEnrol {
  std::vector<std::optional<int64_t>> member_ids;
  std::optional<bool> waitlist;
};
const Body<BatchEnrol> kBatchEnrol{"BatchEnrolInput", [](JsonBody& body, BatchEnrol& in) {
                                     body.objects("members", [&](JsonBody& item) {
                                       std::optional<int64_t> id;
                                       item.i64("member_id", id);
                                       in.member_ids.push_back(id);
                                     });
                                     body.boolean("waitlist", in.waitlist);
                                   }};

struct ExamScore {
  std::optional<int64_t> score;
};
const Body<ExamScore> kExamScore{
    "ExamScore", [](JsonBody& body, ExamScore& in) { body.i64("score", in.score); }};

const Body<std::vector<training::Mark>> kRoster{
    "Roster", [](JsonBody& body, std::vector<training::Mark>& marks) {
      body.objects("checkins", [&](JsonBody& item) {
        training::Mark m;
        item.i64("member_id", m.member_id);
        item.str("status", m.status, ledger::kAttendanceMarks);
        marks.push_back(std::move(m));
      });
    }};

struct ScanBody {
  std::optional<int64_t> session_id, slot;
  std::optional<std::string> token;
};
const Body<ScanBody> kScan{"CheckInScan", [](JsonBody& body, ScanBody& in) {
                             body.i64("session_id", in.session_id);
                             body.i64("slot", in.slot);
                             body.str("token", in.token);
                           }};

struct CheckInBody {
  std::optional<int64_t> session_id;
  std::optional<std::string> pass, code;
  std::optional<double> latitude, longitude;
};
const Body<CheckInBody> kCheckIn{"CheckIn", [](JsonBody& body, CheckInBody& in) {
                                   body.i64("session_id", in.session_id);
                                   body.str("pass", in.pass);
                                   body.str("code", in.code);
                                   body.number("latitude", in.latitude);
                                   body.number("longitude", in.longitude);
                                 }};

// The body and Idempotency-Key of POST /api/v1/checkin.
Result<training::CheckIn> read_check_in(const Request& req) {
  DJ_ASSIGN(auto body, kCheckIn.parse(req));
  if (!body.session_id) return Error::invalid("session_id", "required", "is required");
  training::CheckIn in;
  in.session_id = *body.session_id;
  in.pass = body.pass;
  in.code = body.code;
  if (body.latitude && body.longitude) {
    in.where = training::Location{*body.latitude, *body.longitude};
  }
  in.idempotency_key = std::string(req.header("idempotency-key"));
  if (in.idempotency_key.size() > 100) {
    return Error::bad_request("Idempotency-Key", "too_long", "at most 100 characters",
                              "Idempotency-Key is too long");
  }
  return in;
}

struct LeaveRequest {
  std::optional<std::string> reason;
};
const Body<LeaveRequest> kLeaveRequest{
    "LeaveRequest", [](JsonBody& body, LeaveRequest& in) { body.str("reason", in.reason); }};

const Body<training::PlanInput> kPlanInput{"PlanInput",
                                           [](JsonBody& body, training::PlanInput& in) {
                                             body.i64("org_id", in.org_id);
                                             body.str("title", in.title);
                                             body.str("kind", in.kind, training::kPlanKinds);
                                             body.i64("from_year", in.from_year);
                                             body.i64("to_year", in.to_year);
                                             body.object("targets", in.targets);
                                           }};

const Body<training::DeliveryInput> kDeliveryInput{"DeliveryInput",
                                                   [](JsonBody& body, training::DeliveryInput& in) {
                                                     body.i64("member_id", in.member_id);
                                                     body.str("delivered_by", in.delivered_by);
                                                     body.str("delivered_on", in.delivered_on);
                                                     body.str("content", in.content);
                                                     body.number("hours", in.hours);
                                                   }};

}  // namespace

// Response schemas of these routes, in the short form of Router::add_schemas.
constexpr const char* kTrainingSchemas = R"JSON({
  "Geofence": {"latitude": "number", "longitude": "number", "radius_m": "integer"},
  "TrainingSession": {"id": "integer", "title": "string", "lecturer_name": "string?",
                      "lecturer_id": "integer?",
                      "method": "codes:training.methods?", "venue": "string?",
                      "started_at": "datetime", "ended_at": "datetime", "hours": "number",
                      "required": "boolean", "first_course": "boolean",
                      "geofence": "Geofence?"},
  "NewTrainingSession": {"&": "TrainingSession",
                         "warnings": [{"code": "string", "message": "string",
                                       "session_id": "integer"}]},
  "Training": {"id": "integer", "org_id": "integer", "title": "string",
               "level": "codes:training.levels", "target_groups": ["codes:training.groups"],
               "starts_on": "date", "ends_on": "date", "venue": "string?",
               "itinerary": "string?", "capacity": "integer", "off_site": "boolean",
               "attendance_threshold": "integer", "exam_required": "boolean",
               "pass_score": "integer"},
  "TrainingPage": {"items": ["Training"], "total": "integer"},
  "TrainingDetail": {"&": "Training", "sessions": ["TrainingSession"],
                     "quotas": [{"org_id": "integer", "org_name": "string", "seats": "integer",
                                 "enrolled": "integer", "left": "integer"}],
                     "enrolled": "integer", "waitlisted": "integer", "completed": "integer"},
  "QuotaAllocation": {"quotas": [{"org_id": "integer", "seats": "integer"}],
                      "capacity": "integer", "total": "integer"},
  "Enrolment": {"training_id": "integer", "member_id": "integer", "name": "string",
                "status": "string", "seats_left": "integer"},
  "EnrolmentPage": {"items": [{"member_id": "integer", "name": "string", "status": "string",
                               "exam_score": "integer?", "completed": "boolean",
                               "hours": "number", "certificate_serial": "string?",
                               "quota_org_id": "integer?"}],
                    "total": "integer"},
  "MySession": {"&": "TrainingSession",
                "my_checkin": {"?": true, "status": "codes:attendance.marks",
                               "method": "string", "at": "datetime"}},
  "MyTraining": {"&": "Training", "status": "string", "completed": "boolean",
                 "certificate_serial": "string?", "sessions": ["MySession"]},
  "MyTrainingPage": {"items": ["MyTraining"], "total": "integer"},
  "CheckInCode": {"session_id": "integer", "slot": "integer", "token": "string",
                  "code": "string", "url": "string", "expires_in_ms": "integer"},
  "RosterResult": {"session_id": "integer", "marked": "integer"},
  "SessionAttendance": {"session_id": "integer", "enrolled": "integer", "checked_in": "integer",
                        "items": [{"member_id": "integer", "name": "string",
                                   "checkin": {"?": true, "status": "codes:attendance.marks",
                                               "method": "string", "at": "datetime",
                                               "reason": "string?"}}]},
  "BatchEnrolment": {"items": [{"member_id": "integer", "status?": "string",
                                "error?": {"code": "string", "message": "string"}}],
                     "enrolled": "integer", "waitlisted": "integer", "refused": "integer"},
  "Withdrawal": {"member_id": "integer", "promoted_member_id": "integer?"},
  "CheckInPass": {"session_id": "integer", "pass": "string", "expires_at": "datetime"},
  "CheckInResult": {"session_id": "integer", "member_id": "integer",
                    "status": "codes:attendance.marks", "method": "string", "at": "datetime",
                    "repeated?": "boolean"},
  "LeaveResult": {"session_id": "integer", "member_id": "integer",
                  "status": "codes:attendance.marks", "reason": "string"},
  "TrainingStats": {"from": "date", "to": "date", "classes": "integer",
                    "classes_by_level": {"*": "integer"}, "people_trained": "integer",
                    "people_by_target_group": {"*": "integer"},
                    "people_by_affiliated_org": {"*": "integer"}, "enrolments": "integer",
                    "completed": "integer", "completion_rate": "number?", "hours": "number"},
  "Plan": {"id": "integer", "org_id": "integer", "title": "string",
           "kind": "codes:training.plan_kinds", "from_year": "integer", "to_year": "integer",
           "targets": "object"},
  "PlanPage": {"items": ["Plan"], "total": "integer"},
  "PlanDetail": {"&": "Plan", "actual": "TrainingStats",
                 "plan_vs_actual": [{"figure": "string", "target": "number", "actual": "number",
                                     "share": "number?"}]},
  "Delivery": {"id": "integer", "member_id": "integer", "name": "string",
               "delivered_by": "string", "delivered_on": "date", "content": "string",
               "hours": "number"},
  "DeliveryPage": {"items": ["Delivery"], "total": "integer"},
  "Completion": {"training_id": "integer", "enrolled": "integer", "completed": "integer",
                 "total_hours": "number"},
  "Certificate": {"serial": "string", "name": "string", "training": "string",
                  "level": "codes:training.levels", "hours": "number", "completed_on": "date",
                  "from": "date", "to": "date"}
})JSON";

namespace {

// Classes, their sessions, quotas, enrolments and completion; the member's own.
void add_class_routes(Router& r, Services& s) {
  r.add({.method = "GET",
         .pattern = "/api/v1/trainings",
         .tag = "training",
         .summary = "Training classes organized in scope",
         .perm = auth::Perm::org_read,
         .query = {{"page", ParamType::integer}, {"page_size", ParamType::integer}},
         .responses = {{200, "TrainingPage"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto paging = q.paging();
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto out, s.training.list(c.p(), paging.page, paging.page_size));
           return json_response(training::to_json(out));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/trainings",
         .tag = "training",
         .summary = "Create a training class",
         .perm = auth::Perm::org_write,
         .body = &kTrainingInput,
         .responses = {{201, "Training"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kTrainingInput.parse(c.req));
           DJ_ASSIGN(auto out, s.training.create(c.p(), in));
           return json_response(training::to_json(out), 201);
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/trainings/{id}",
         .tag = "training",
         .summary = "A class with sessions, quotas and enrolment counts",
         .responses = {{200, "TrainingDetail"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto out, s.training.get(c.p(), id));
           return json_response(training::to_json(out));
         }});
  r.add({.method = "PATCH",
         .pattern = "/api/v1/trainings/{id}",
         .tag = "training",
         .summary = "Change a class not yet completed (the fields given; the organizer stays)",
         .perm = auth::Perm::org_write,
         .body = &kTrainingInput,
         .responses = {{200, "Training"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kTrainingInput.parse(c.req));
           DJ_ASSIGN(auto out, s.training.update(c.p(), id, in));
           return json_response(training::to_json(out));
         }});
  r.add({.method = "DELETE",
         .pattern = "/api/v1/trainings/{id}",
         .tag = "training",
         .summary = "Cancel a class not yet completed (?reason= required; it leaves every list)",
         .perm = auth::Perm::org_write,
         .query = {{"reason", ParamType::string, true}},
         .responses = {{204}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           QueryReader q(c.req);
           auto reason = q.str("reason", 200);
           DJ_TRY(q.finish());
           DJ_TRY(s.training.cancel(c.p(), id, reason.value_or("")));
           return no_content();
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/trainings/{id}/sessions",
         .tag = "training",
         .summary = "Add a session (the theory course first where the target group needs it)",
         .perm = auth::Perm::org_write,
         .body = &kSessionInput,
         .responses = {{201, "NewTrainingSession"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kSessionInput.parse(c.req));
           DJ_ASSIGN(auto out, s.training.add_session(c.p(), id, in));
           return json_response(training::to_json(out), 201);
         }});
  r.add({.method = "PUT",
         .pattern = "/api/v1/trainings/{id}/quotas",
         .tag = "training",
         .summary = "Allocate seats per directly affiliated organization (committee_admin)",
         .perm = auth::Perm::quota_manage,
         .body = &kQuotas,
         .responses = {{200, "QuotaAllocation"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kQuotas.parse(c.req));
           if (in.incomplete) {
             return Error::invalid("quotas", "required", "each needs org_id and seats");
           }
           DJ_ASSIGN(auto out, s.training.set_quotas(c.p(), id, in.seats));
           return json_response(training::to_json(out));
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/trainings/{id}/enrolments",
         .tag = "training",
         .summary = "Who is enrolled",
         .responses = {{200, "EnrolmentPage"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto out, s.training.enrolments(c.p(), id));
           return json_response(training::to_json(out));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/trainings/{id}/enrolments",
         .tag = "training",
         .summary = "Enrol a member within the quota (409 when full, or join the waitlist)",
         .perm = auth::Perm::member_write,
         .body = &kEnrolInput,
         .responses = {{201, "Enrolment"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kEnrolInput.parse(c.req));
           DJ_ASSIGN(auto out, s.training.enrol(c.p(), id, in));
           return json_response(training::to_json(out), 201);
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/trainings/{id}/enrolments/batch",
         .tag = "training",
         .summary = "Enrol many members at once (at most 500), each as one enrolment would be; "
                    "answers each one's result, and nothing stops at a refusal",
         .perm = auth::Perm::member_write,
         .body = &kBatchEnrol,
         .responses = {{200, "BatchEnrolment"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kBatchEnrol.parse(c.req));
           Validator v;
           if (in.member_ids.empty()) v.add("members", "required", "list at least one member");
           if (in.member_ids.size() > 500) v.add("members", "too_long", "at most 500 at a time");
           for (size_t i = 0; i < in.member_ids.size(); ++i) {
             if (!in.member_ids[i]) {
               v.add("members[" + std::to_string(i) + "].member_id", "required", "is required");
             }
           }
           DJ_TRY(v.status());
           json::array items;
           int64_t enrolled = 0, waitlisted = 0, refused = 0;
           for (const auto& mid : in.member_ids) {
             training::EnrolInput one{mid, in.waitlist, std::nullopt};
             auto r = s.training.enrol(c.p(), id, one);
             if (!r && r.error().code == ErrorCode::not_found) return r.take_error();  // the class
             json::object item{{"member_id", *mid}};
             if (r) {
               item["status"] = r->status;
               ++(r->status == "enrolled" ? enrolled : waitlisted);
             } else {
               const auto& e = r.error();
               item["error"] = json::object{
                   {"code", e.fields.empty() ? std::string(to_string(e.code)) : e.fields[0].code},
                   {"message", e.fields.empty() ? e.message : e.fields[0].message}};
               ++refused;
             }
             items.push_back(std::move(item));
           }
           return json_response(json::object{{"items", std::move(items)},
                                             {"enrolled", enrolled},
                                             {"waitlisted", waitlisted},
                                             {"refused", refused}});
         }});
  r.add({.method = "DELETE",
         .pattern = "/api/v1/trainings/{id}/enrolments/{mid}",
         .tag = "training",
         .summary = "Take a member off the class before he attends; the first waitlisted of the "
                    "same quota takes the seat",
         .perm = auth::Perm::member_write,
         .responses = {{200, "Withdrawal"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto mid, c.id(1, "mid"));
           DJ_ASSIGN(auto promoted, s.training.withdraw(c.p(), id, mid));
           return json_response(json::object{
               {"member_id", mid},
               {"promoted_member_id", promoted ? json::value(*promoted) : json::value(nullptr)}});
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/trainings/{id}/enrolments/{mid}/exam",
         .tag = "training",
         .summary = "Enter a member's exam score",
         .perm = auth::Perm::org_write,
         .body = &kExamScore,
         .responses = {{204}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto mid, c.id(1, "mid"));
           DJ_ASSIGN(auto in, kExamScore.parse(c.req));
           const auto& score = in.score;
           if (!score) return Error::invalid("score", "required", "is required");
           DJ_TRY(s.training.set_exam_score(c.p(), id, mid, *score));
           return no_content();
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/trainings/{id}/complete",
         .tag = "training",
         .summary = "Decide completion, issue certificates, post hours to the ledger",
         .perm = auth::Perm::org_write,
         .responses = {{200, "Completion"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto out, s.training.complete(c.p(), id));
           return json_response(training::to_json(out));
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/my/trainings",
         .tag = "training",
         .summary = "The signed-in member's classes",
         .responses = {{200, "MyTrainingPage"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto out, s.training.mine(c.p()));
           return json_response(training::to_json(out));
         }});
}

// The venue screen's code, check-in from the phone, leave, the roster.
void add_checkin_routes(Router& r, Services& s) {
  r.add({.method = "GET",
         .pattern = "/api/v1/trainings/{id}/sessions/{sid}/qr",
         .tag = "training",
         .summary = "The rotating check-in code for the venue screen (JSON, or ?format=svg or png)",
         .perm = auth::Perm::org_write,
         .query = {{"format", ParamType::string}},
         .responses = {{200, "CheckInCode", {"application/json", "image/svg+xml", "image/png"}}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto sid, c.id(1, "sid"));
           QueryReader q(c.req);
           auto format = q.str("format", 10);
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto out, s.training.qr(c.p(), id, sid, qr_base_url(s, c.req)));
           return qr_response(format.value_or("json"), out.url, training::to_json(out));
         }});
  r.add({.method = "PATCH",
         .pattern = "/api/v1/trainings/{id}/sessions/{sid}",
         .tag = "training",
         .summary = "Change a session (its time and hours only while nobody has checked in)",
         .perm = auth::Perm::org_write,
         .body = &kSessionInput,
         .responses = {{200, "NewTrainingSession"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto sid, c.id(1, "sid"));
           DJ_ASSIGN(auto in, kSessionInput.parse(c.req));
           DJ_ASSIGN(auto out, s.training.update_session(c.p(), id, sid, in));
           return json_response(training::to_json(out));
         }});
  r.add({.method = "DELETE",
         .pattern = "/api/v1/trainings/{id}/sessions/{sid}",
         .tag = "training",
         .summary = "Cancel a session nobody has checked in to or asked leave from",
         .perm = auth::Perm::org_write,
         .responses = {{204}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto sid, c.id(1, "sid"));
           DJ_TRY(s.training.remove_session(c.p(), id, sid));
           return no_content();
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/trainings/{id}/sessions/{sid}/roster",
         .tag = "training",
         .summary = "Mark the roster of a session",
         .perm = auth::Perm::org_write,
         .body = &kRoster,
         .responses = {{200, "RosterResult"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto sid, c.id(1, "sid"));
           DJ_ASSIGN(auto marks, kRoster.parse(c.req));
           DJ_ASSIGN(auto out, s.training.mark_roster(c.p(), id, sid, marks));
           return json_response(training::to_json(out));
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/trainings/{id}/sessions/{sid}/checkins",
         .tag = "training",
         .summary = "A session's attendance so far: each enrolled member with the check-in or null",
         .responses = {{200, "SessionAttendance"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto sid, c.id(1, "sid"));
           DJ_ASSIGN(auto out, s.training.attendance(c.p(), id, sid));
           return json_response(training::to_json(out));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/checkin/scan",
         .tag = "training",
         .summary = "Exchange a scanned QR code (current or previous slot) for a pass that this "
                    "phone's page keeps: one check-in within minutes, time enough to log in",
         .access = Access::open,
         .body = &kScan,
         .responses = {{200, "CheckInPass"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kScan.parse(c.req));
           Validator v;
           if (!in.session_id) v.add("session_id", "required", "is required");
           if (!in.slot) v.add("slot", "required", "is required");
           if (!in.token) v.add("token", "required", "is required");
           DJ_TRY(v.status());
           DJ_ASSIGN(auto pass, s.training.scan(*in.session_id, *in.slot, *in.token));
           return json_response(json::object{{"session_id", *in.session_id},
                                             {"pass", pass.pass},
                                             {"expires_at", format_instant(pass.expires_at)}});
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/checkin",
         .tag = "training",
         .summary = "Check in as the signed-in member with a scan's pass or the numeric code "
                    "(Idempotency-Key: a repeat answers the first result)",
         .body = &kCheckIn,
         .responses = {{201, "CheckInResult"}, {200, "CheckInResult"}},
         .deferred =  // Answered once the group commit holding the check-in has committed.
         [&s](Ctx& c, Finish finish) {
           auto in = read_check_in(c.req);
           if (!in) return finish(in.take_error());
           s.training.check_in(c.p(), *in, [finish](Result<training::CheckInResult> out) {
             if (!out) return finish(out.take_error());
             finish(json_response(training::to_json(*out), out->repeated ? 200 : 201));
           });
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/trainings/{id}/sessions/{sid}/leave",
         .tag = "training",
         .summary = "Ask leave for a session (the enrolled member)",
         .body = &kLeaveRequest,
         .responses = {{201, "LeaveResult"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto sid, c.id(1, "sid"));
           DJ_ASSIGN(auto in, kLeaveRequest.parse(c.req));
           const auto& reason = in.reason;
           DJ_ASSIGN(auto out, s.training.request_leave(c.p(), sid, reason.value_or("")));
           return json_response(training::to_json(out), 201);
         }});
}

// Multi-year and annual training plans against the actual figures.
void add_plan_routes(Router& r, Services& s) {
  r.add({.method = "GET",
         .pattern = "/api/v1/training-plans",
         .tag = "training",
         .summary = "Training plans in scope",
         .perm = auth::Perm::org_read,
         .responses = {{200, "PlanPage"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto out, s.training.plans(c.p()));
           return json_response(training::to_json(out));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/training-plans",
         .tag = "training",
         .summary = "Create a multi-year or annual training plan with targets",
         .perm = auth::Perm::org_write,
         .body = &kPlanInput,
         .responses = {{201, "Plan"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kPlanInput.parse(c.req));
           DJ_ASSIGN(auto out, s.training.create_plan(c.p(), in));
           return json_response(training::to_json(out), 201);
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/training-plans/{id}",
         .tag = "training",
         .summary = "A plan against the actual figures",
         .perm = auth::Perm::org_read,
         .responses = {{200, "PlanDetail"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto out, s.training.plan(c.p(), id));
           return json_response(training::to_json(out));
         }});
}

// Learning delivered at home (送学上门).
void add_home_delivery_routes(Router& r, Services& s) {
  r.add({.method = "POST",
         .pattern = "/api/v1/home-deliveries",
         .tag = "training",
         .summary = "Record learning delivered at home (送学上门) to an infirm or retired member",
         .perm = auth::Perm::member_write,
         .body = &kDeliveryInput,
         .responses = {{201, "Delivery"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kDeliveryInput.parse(c.req));
           DJ_ASSIGN(auto out, s.training.deliver(c.p(), in));
           return json_response(training::to_json(out), 201);
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/home-deliveries",
         .tag = "training",
         .summary = "Learning delivered at home in a subtree for a year",
         .perm = auth::Perm::member_read,
         .query = {{"org_id", ParamType::integer}, {"year", ParamType::integer, true}},
         .responses = {{200, "DeliveryPage"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto org_id = q.id("org_id");
           auto year = q.id("year");
           DJ_TRY(q.finish());
           if (!year) return Error::invalid("year", "required", "is required, e.g. year=2026");
           DJ_ASSIGN(auto out, s.training.deliveries(c.p(), org_id, static_cast<int>(*year)));
           return json_response(training::to_json(out));
         }});
}

// The training figures and the public certificate check.
void add_report_routes(Router& r, Services& s) {
  r.add({.method = "GET",
         .pattern = "/api/v1/stats/trainings",
         .tag = "training",
         .summary =
             "Training figures: classes by level, people trained by target group and organization, "
             "hours, completion (JSON or ?format=xlsx)",
         .perm = auth::Perm::org_read,
         .query = {{"period", ParamType::string},
                   {"from", ParamType::string},
                   {"to", ParamType::string},
                   {"format", ParamType::string}},
         .responses = {{200,
                        "TrainingStats",
                        {"application/json",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto format = q.str("format", 10);
           DJ_ASSIGN(auto period, read_period(q, c.req));
           DJ_TRY(check_table_format(format));
           DJ_ASSIGN(auto stats, s.training.stats(c.p(), period.from, period.to));
           const auto out = training::to_json(stats);
           if (format != "xlsx") return json_response(out);
           auto num = [](const json::value& v) {
             return v.is_null() ? Cell(std::string("-")) : Cell(v.to_number<double>());
           };
           std::vector<Sheet> sheets{{"概况",
                                      {"指标", "数值"},
                                      {{Cell("统计期间"), Cell(period.label)},
                                       {Cell("培训班次"), num(out.at("classes"))},
                                       {Cell("培训人数（去重）"), num(out.at("people_trained"))},
                                       {Cell("报名人次"), num(out.at("enrolments"))},
                                       {Cell("结业人次"), num(out.at("completed"))},
                                       {Cell("结业率"), num(out.at("completion_rate"))},
                                       {Cell("学时合计"), num(out.at("hours"))}}}};
           Sheet levels{"按层级", {"层级", "班次"}, {}};
           for (const auto& [k, v] : out.at("classes_by_level").as_object()) {
             levels.rows.push_back({Cell(std::string(k)), num(v)});
           }
           Sheet groups{"按对象", {"培训对象", "人数"}, {}};
           for (const auto& [k, v] : out.at("people_by_target_group").as_object()) {
             groups.rows.push_back({Cell(std::string(k)), num(v)});
           }
           sheets.push_back(std::move(levels));
           sheets.push_back(std::move(groups));
           return xlsx_response(sheets, "training-stats.xlsx");
         }});
  r.add({.method = "GET",
         .pattern = "/verify/{serial}",
         .tag = "training",
         .summary = "Public check of a certificate: name masked, class, hours, date",
         .access = Access::open,
         .path = {{"serial", ParamType::string}},
         .responses = {{200, "Certificate"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto out, s.training.verify(c.params.at(0)));
           return json_response(training::to_json(out));
         }});
}

}  // namespace

void add_training_routes(Router& r, Services& s) {
  r.add_schemas(kTrainingSchemas);
  r.add_codes("training.levels", training::kLevels);
  r.add_codes("training.groups", training::kGroups);
  r.add_codes("training.methods", training::kMethods);
  r.add_codes("training.plan_kinds", training::kPlanKinds);
  add_class_routes(r, s);
  add_checkin_routes(r, s);
  add_plan_routes(r, s);
  add_home_delivery_routes(r, s);
  add_report_routes(r, s);
}

}  // namespace dj::http
