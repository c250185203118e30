// 双报到: the communities, registrations with them and their coverage.
#include <boost/json.hpp>
#include <map>

#include "common/validate.h"
#include "domain/audit/audit.h"
#include "domain/masses/communities.h"
#include "domain/masses/masses.h"
#include "http/api.h"
#include "http/input.h"
#include "http/qr.h"
#include "http/xlsx.h"

namespace dj::http {
namespace json = boost::json;

namespace {

const Body<masses::CommunityInput> kCommunityInput{"CommunityInput",
                                                   [](JsonBody& body, masses::CommunityInput& in) {
                                                     body.str("code", in.code);
                                                     body.str("name", in.name);
                                                     body.str("street", in.street);
                                                     body.str("district", in.district);
                                                     body.str("contact", in.contact);
                                                     body.str("phone", in.phone);
                                                   }};

const Body<masses::RegistrationInput> kRegistrationInput{
    "CommunityRegistrationInput", [](JsonBody& body, masses::RegistrationInput& in) {
      body.i64("community_id", in.community_id);
      body.i64("org_id", in.org_id);
      body.i64("member_id", in.member_id);
      body.str("registered_on", in.registered_on);
      body.str("agreement", in.agreement);
      body.str("contacts", in.contacts);
    }};

struct ScanInput {
  std::optional<std::string> code, registered_on;
};
const Body<ScanInput> kScanInput{"CommunityScan", [](JsonBody& body, ScanInput& in) {
                                   body.str("code", in.code);
                                   body.str("registered_on", in.registered_on);
                                 }};

struct DecideInput {
  std::optional<std::vector<int64_t>> ids;
  std::optional<std::string> result, reply;
};
const Body<DecideInput> kDecideInput{
    "CommunityDecision", [](JsonBody& body, DecideInput& in) {
      body.i64s("ids", in.ids);
      body.str("result", in.result, std::span(masses::kRegistrationStatuses).subspan(1));
      body.str("reply", in.reply);
    }};

struct EndInput {
  std::optional<std::string> on, reason;
};
const Body<EndInput> kEndInput{"CommunityRegistrationEnd", [](JsonBody& body, EndInput& in) {
                                 body.str("on", in.on);
                                 body.str("reason", in.reason, masses::kRegistrationEnds);
                               }};

const Body<masses::PostInput> kPostInput{"CommunityPostInput",
                                         [](JsonBody& body, masses::PostInput& in) {
                                           body.i64("community_id", in.community_id);
                                           body.str("kind", in.kind, masses::kPostKinds);
                                           body.str("title", in.title);
                                           body.str("category", in.category);
                                           body.str("description", in.description);
                                           body.str("place", in.place);
                                           body.str("starts_at", in.starts_at);
                                           body.str("ends_at", in.ends_at);
                                           body.i64("slots", in.slots);
                                           body.number("hours", in.hours);
                                         }};

const Body<masses::ServiceInput> kServiceInput{"CommunityServiceInput",
                                               [](JsonBody& body, masses::ServiceInput& in) {
                                                 body.i64("community_id", in.community_id);
                                                 body.i64("org_id", in.org_id);
                                                 body.i64("member_id", in.member_id);
                                                 body.str("title", in.title);
                                                 body.str("category", in.category);
                                                 body.str("served_on", in.served_on);
                                                 body.number("hours", in.hours);
                                                 body.str("note", in.note);
                                               }};

struct ServiceScan {
  std::optional<int64_t> post_id, slot;
  std::optional<std::string> token;
};
const Body<ServiceScan> kServiceScan{"CommunityPostScan", [](JsonBody& body, ServiceScan& in) {
                                       body.i64("post_id", in.post_id);
                                       body.i64("slot", in.slot);
                                       body.str("token", in.token);
                                     }};

struct ServiceCheckInInput {
  std::optional<int64_t> post_id;
  std::optional<std::string> pass, code;
};
const Body<ServiceCheckInInput> kServiceCheckIn{"CommunityPostCheckIn",
                                                [](JsonBody& body, ServiceCheckInInput& in) {
                                                  body.i64("post_id", in.post_id);
                                                  body.str("pass", in.pass);
                                                  body.str("code", in.code);
                                                }};

struct ServiceDecision {
  std::optional<std::vector<int64_t>> ids;
  std::optional<std::string> result, reply;
  std::optional<double> hours;
};
const Body<ServiceDecision> kServiceDecision{
    "CommunityServiceDecision", [](JsonBody& body, ServiceDecision& in) {
      body.i64s("ids", in.ids);
      body.str("result", in.result, std::span(masses::kRegistrationStatuses).subspan(1));
      body.number("hours", in.hours);
      body.str("reply", in.reply);
    }};

struct Rating {
  std::optional<int64_t> rating;
  std::optional<std::string> comment;
};
const Body<Rating> kRating{"CommunityServiceRating", [](JsonBody& body, Rating& in) {
                             body.i64("rating", in.rating);
                             body.str("comment", in.comment);
                           }};

struct ReportBody {
  std::optional<std::string> body;
};
const Body<ReportBody> kReportBody{
    "DualReportInput", [](JsonBody& body, ReportBody& in) { body.str("body", in.body); }};

constexpr const char* kCommunitySchemas = R"JSON({
  "DualReport": {"id": "integer?", "kind": "codes:masses.registration_kinds", "year": "integer",
                 "org_id": "integer", "org_path_name": "string", "member_id": "integer?",
                 "member_name": "string?", "community_id": "integer?",
                 "community_name": "string?", "body": "string", "draft": "string",
                 "figures": "object", "sent_at": "datetime?", "updated_at": "datetime?"},
  "DualReportList": {"items": ["DualReport"], "total": "integer"},
  "CommunityPost": {"id": "integer", "community_id": "integer", "community_name": "string",
                    "kind": "codes:masses.post_kinds", "title": "string", "category": "string",
                    "description": "string?", "place": "string", "starts_at": "datetime",
                    "ends_at": "datetime", "slots": "integer?", "hours": "number",
                    "signed_up": "integer", "cancelled": "boolean", "created_at": "datetime"},
  "CommunityPostPage": {"items": ["CommunityPost"], "total": "integer"},
  "CommunityPostCode": {"post_id": "integer", "slot": "integer", "code": "string", "url": "string",
                        "expires_in_ms": "integer"},
  "CommunityPostPass": {"post_id": "integer", "pass": "string"},
  "CommunityServiceRecord": {"id": "integer", "kind": "codes:masses.registration_kinds",
                       "community_id": "integer", "community_name": "string", "org_id": "integer",
                       "org_path_name": "string", "member_id": "integer?", "member_name": "string?",
                       "post_id": "integer?", "title": "string", "category": "string",
                       "served_on": "date", "hours": "number",
                       "status": "codes:masses.service_statuses", "checkin_method": "string?",
                       "checked_in_at": "datetime?", "rating": "integer?",
                       "rating_comment": "string?", "reply": "string?", "note": "string?",
                       "created_at": "datetime", "updated_at": "datetime"},
  "CommunityServicePage": {"items": ["CommunityServiceRecord"], "total": "integer"},
  "ServiceCount": {"services": "integer", "by_category": {"*": "integer"}},
  "CommunityServiceFigures": {"from": "date", "to": "date", "orgs": "ServiceCount",
                              "members": "ServiceCount"},
  "Community": {"id": "integer", "code": "string", "name": "string", "street": "string",
                "district": "string", "contact": "string?", "phone": "string?",
                "created_at": "datetime", "updated_at": "datetime"},
  "CommunityPage": {"items": ["Community"], "total": "integer"},
  "CommunityCode": {"url": "string"},
  "CommunityRegistration": {"id": "integer", "kind": "codes:masses.registration_kinds",
                            "community_id": "integer", "community_name": "string",
                            "org_id": "integer", "org_path_name": "string",
                            "member_id": "integer?", "member_name": "string?",
                            "member_phone": "string?", "registered_on": "date",
                            "channel": "codes:masses.registration_channels",
                            "status": "codes:masses.registration_statuses",
                            "agreement": "string?", "contacts": "string?", "reply": "string?",
                            "ended_on": "date?", "end_reason": "codes:masses.registration_ends?",
                            "created_at": "datetime", "updated_at": "datetime"},
  "CommunityRegistrationPage": {"items": ["CommunityRegistration"], "total": "integer"},
  "CoverageCount": {"required": "integer", "registered": "integer", "pending": "integer"},
  "CommunityCoverage": {"on": "date", "orgs": "CoverageCount", "members": "CoverageCount"},
  "Unregistered": {"org_id": "integer", "org_path_name": "string", "member_id": "integer?",
                   "member_name": "string?", "pending": "boolean"},
  "UnregisteredPage": {"items": ["Unregistered"], "total": "integer"}
})JSON";

masses::RegistrationQuery read_registration_filters(QueryReader& q) {
  masses::RegistrationQuery rq;
  rq.kind = q.str("kind", 10);
  rq.status = q.str("status", 20);
  rq.community_id = q.id("community_id");
  rq.org_id = q.id("org_id");
  rq.member_id = q.id("member_id");
  rq.on = q.date("on");
  return rq;
}

masses::ServiceQuery read_service_filters(QueryReader& q) {
  masses::ServiceQuery sq;
  sq.kind = q.str("kind", 10);
  sq.status = q.str("status", 20);
  sq.category = q.str("category", 30);
  sq.community_id = q.id("community_id");
  sq.org_id = q.id("org_id");
  sq.member_id = q.id("member_id");
  sq.post_id = q.id("post_id");
  sq.from = q.date("from");
  sq.to = q.date("to");
  return sq;
}

const std::vector<Param> kServiceFilters = {
    {"kind", ParamType::string},     {"status", ParamType::string},
    {"category", ParamType::string}, {"community_id", ParamType::integer},
    {"org_id", ParamType::integer},  {"member_id", ParamType::integer},
    {"post_id", ParamType::integer}, {"from", ParamType::date},
    {"to", ParamType::date}};

const std::vector<Param> kRegistrationFilters = {
    {"kind", ParamType::string},          {"status", ParamType::string},
    {"community_id", ParamType::integer}, {"org_id", ParamType::integer},
    {"member_id", ParamType::integer},    {"on", ParamType::date}};

const char* const kXlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

Cell text(const std::optional<std::string>& v) { return Cell(v.value_or("")); }

// Services to communities: posts, sign-up, on-site check-in, services
// recorded after the fact, confirmation, rating, figures.
void add_service_routes(Router& r, Services& s, std::shared_ptr<masses::CommunityService> svc) {
  r.add({.method = "GET",
         .pattern = "/api/v1/community-posts",
         .tag = "communities",
         .summary = "Communities' needs and volunteer posts (a community account: its own); "
                    "open=true: not over nor cancelled, soonest first",
         .query = with_paging({{"community_id", ParamType::integer}, {"open", ParamType::boolean}}),
         .responses = {{200, "CommunityPostPage"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto community_id = q.id("community_id");
           auto open = q.boolean("open").value_or(false);
           auto paging = q.paging();
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto page,
                     svc->posts(c.p(), community_id, open, paging.page, paging.page_size));
           return json_response(page_json(page));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/community-posts",
         .tag = "communities",
         .summary = "Publish a need or a volunteer post (a community; the committee names it)",
         .perm = auth::Perm::community_confirm,
         .body = &kPostInput,
         .responses = {{201, "CommunityPost"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kPostInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->create_post(c.p(), in));
           return json_response(masses::to_json(out), 201);
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/community-posts/scan",
         .tag = "communities",
         .summary = "Exchange a post's scanned code (current or previous slot) for a pass this "
                    "phone's page keeps",
         .access = Access::open,
         .body = &kServiceScan,
         .responses = {{200, "CommunityPostPass"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kServiceScan.parse(c.req));
           Validator v;
           if (!in.post_id) v.add("post_id", "required", "is required");
           if (!in.slot) v.add("slot", "required", "is required");
           if (!in.token) v.add("token", "required", "is required");
           DJ_TRY(v.status());
           DJ_ASSIGN(auto pass, svc->scan(*in.post_id, *in.slot, *in.token));
           return json_response(json::object{{"post_id", *in.post_id}, {"pass", pass}});
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/community-posts/checkin",
         .tag = "communities",
         .summary = "Check in at a post as the signed-in member who signed up, with a scan's "
                    "pass or the numeric code",
         .body = &kServiceCheckIn,
         .responses = {{200, "CommunityServiceRecord"}},
         .deferred =  // Answered once the group commit holding the check-in has committed.
         [svc](Ctx& c, Finish finish) {
           auto in = kServiceCheckIn.parse(c.req);
           if (!in) return finish(in.take_error());
           if (!in->post_id) return finish(Error::invalid("post_id", "required", "is required"));
           svc->check_in(c.p(), {*in->post_id, in->pass, in->code},
                         [finish](const Result<masses::Service>& out) {
                           if (out) return finish(json_response(masses::to_json(*out)));
                           finish(Error(out.error()));
                         });
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/community-posts/{id}/cancel",
         .tag = "communities",
         .summary = "Cancel a post; those signed up who have not served are told",
         .perm = auth::Perm::community_confirm,
         .responses = {{200, "CommunityPost"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto out, svc->cancel_post(c.p(), id));
           return json_response(masses::to_json(out));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/community-posts/{id}/signup",
         .tag = "communities",
         .summary = "Sign up for a post (the caller, a member)",
         .responses = {{201, "CommunityServiceRecord"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto out, svc->sign_up(c.p(), id));
           return json_response(masses::to_json(out), 201);
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/community-posts/{id}/code",
         .tag = "communities",
         .summary = "The post's rotating check-in code for the community's screen (JSON, or "
                    "?format=svg or png)",
         .perm = auth::Perm::community_confirm,
         .query = {{"format", ParamType::string}},
         .responses = {{200,
                        "CommunityPostCode",
                        {"application/json", "image/svg+xml", "image/png"}}},
         .handler = [svc, &s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           QueryReader q(c.req);
           auto format = q.str("format", 10).value_or("json");
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto out, svc->code(c.p(), id, qr_base_url(s, c.req)));
           return qr_response(format, out.url, masses::to_json(out));
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/community-services",
         .tag = "communities",
         .summary = "Services to communities: a subtree's (an administrator), those the "
                    "community received (its account), or the caller's own",
         .query = with_paging(kServiceFilters),
         .responses = {{200, "CommunityServicePage"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           masses::ServiceQuery sq = read_service_filters(q);
           auto paging = q.paging();
           sq.page = paging.page;
           sq.page_size = paging.page_size;
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto page, svc->services(c.p(), sq));
           return json_response(page_json(page));
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/community-services/export.xlsx",
         .tag = "communities",
         .summary = "The services the filters select as .xlsx, in words (at most 50,000 rows; "
                    "audited)",
         .query = kServiceFilters,
         .responses = {{200, "", {kXlsx}}},
         .handler = [svc, &s](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           masses::ServiceQuery sq = read_service_filters(q);
           DJ_TRY(q.finish());
           sq.page_size = 50000;
           DJ_ASSIGN(auto page, svc->services(c.p(), sq));
           DJ_ASSIGN(auto label, masses::MassesService::category_labels(s.db));
           static const std::map<std::string, std::string> status = {{"signed_up", "已报名"},
                                                                     {"present", "已签到"},
                                                                     {"pending", "待确认"},
                                                                     {"confirmed", "已确认"},
                                                                     {"rejected", "已退回"}};
           Sheet sheet{"社区服务",
                       {"服务日期", "服务内容", "服务主体", "党组织", "党员", "社区", "类别",
                        "时长（小时）", "状态", "社区评价", "评语"},
                       {}};
           for (const auto& x : page.items) {
             sheet.rows.push_back(
                 {Cell(Date{x.served_on}), Cell(x.title),
                  Cell(std::string(x.member_id ? "党员" : "党组织")), Cell(x.org_path_name),
                  text(x.member_name), Cell(x.community_name),
                  Cell(label.count(x.category) ? label[x.category] : x.category),
                  Cell(static_cast<double>(x.hours_tenths) / 10), Cell(status.at(x.status)),
                  x.rating ? Cell(static_cast<double>(*x.rating)) : Cell(std::string()),
                  text(x.rating_comment)});
           }
           DJ_TRY(audit::record_now(s.db, c.p().actor(),
                                    {"community_service.export",
                                     "community_service",
                                     "",
                                     c.p().scope_path,
                                     {},
                                     json::object{{"rows", page.total}}}));
           return xlsx_response({sheet}, "community-services.xlsx");
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/community-services",
         .tag = "communities",
         .summary = "Record a service done (an organization's, or a member's own), pending the "
                    "community's confirmation",
         .body = &kServiceInput,
         .responses = {{201, "CommunityServiceRecord"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kServiceInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->record(c.p(), in));
           return json_response(masses::to_json(out), 201);
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/community-services/decide",
         .tag = "communities",
         .summary = "The community confirms (with the hours) or rejects services it received "
                    "(all or none)",
         .perm = auth::Perm::community_confirm,
         .body = &kServiceDecision,
         .responses = {{200, "CommunityServicePage"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kServiceDecision.parse(c.req));
           DJ_ASSIGN(auto out, svc->decide_services(c.p(), in.ids.value_or(std::vector<int64_t>{}),
                                                    in.result.value_or(""), in.hours, in.reply));
           return json_response(list_json(out));
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/community-services/figures",
         .tag = "communities",
         .summary = "Confirmed services of a subtree served within [from, to], by organizations "
                    "and by members, each by category",
         .perm = auth::Perm::member_read,
         .query = {{"org_id", ParamType::integer},
                   {"from", ParamType::date, true},
                   {"to", ParamType::date, true}},
         .responses = {{200, "CommunityServiceFigures"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto org_id = q.id("org_id");
           auto from = q.date("from");
           auto to = q.date("to");
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto out,
                     svc->service_figures(c.p(), org_id, from.value_or(""), to.value_or("")));
           return json_response(masses::to_json(out));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/community-services/{id}/rating",
         .tag = "communities",
         .summary = "The community rates a confirmed service it received (1-5, a comment)",
         .perm = auth::Perm::community_confirm,
         .body = &kRating,
         .responses = {{200, "CommunityServiceRecord"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kRating.parse(c.req));
           if (!in.rating) return Error::invalid("rating", "required", "is required");
           DJ_ASSIGN(auto out, svc->rate(c.p(), id, *in.rating, in.comment));
           return json_response(masses::to_json(out));
         }});
}

// 双报告: the member's to his branch, the organization's to its community.
void add_report_routes(Router& r, std::shared_ptr<masses::CommunityService> svc) {
  const std::vector<Param> which = {{"year", ParamType::integer, true},
                                    {"org_id", ParamType::integer}};
  r.add({.method = "GET",
         .pattern = "/api/v1/dual-reports",
         .tag = "communities",
         .summary = "A year's 双报告: a subtree's (an administrator), those sent to the community "
                    "(its account), or the caller's own",
         .query = which,
         .responses = {{200, "DualReportList"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto year = q.id("year");
           auto org_id = q.id("org_id");
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto list, svc->dual_reports(c.p(), year.value_or(0), org_id));
           return json_response(list_json(list));
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/dual-reports/draft",
         .tag = "communities",
         .summary = "The year's report as saved, or drafted from the records: the caller's own "
                    "(a member), or an organization's (org_id)",
         .query = which,
         .responses = {{200, "DualReport"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto year = q.id("year");
           auto org_id = q.id("org_id");
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto out, svc->dual_report(c.p(), year.value_or(0), org_id));
           return json_response(masses::to_json(out));
         }});
  r.add({.method = "PUT",
         .pattern = "/api/v1/dual-reports/draft",
         .tag = "communities",
         .summary = "Save the year's report text until it is sent",
         .query = which,
         .body = &kReportBody,
         .responses = {{200, "DualReport"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto year = q.id("year");
           auto org_id = q.id("org_id");
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto in, kReportBody.parse(c.req));
           DJ_ASSIGN(auto out,
                     svc->save_dual_report(c.p(), year.value_or(0), org_id, in.body.value_or("")));
           return json_response(masses::to_json(out));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/dual-reports/{id}/send",
         .tag = "communities",
         .summary = "Send a saved report (to the branch, or to the community); fixed from then on",
         .responses = {{200, "DualReport"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto out, svc->send_dual_report(c.p(), id));
           return json_response(masses::to_json(out));
         }});
}

}  // namespace

void add_community_routes(Router& r, Services& s) {
  r.add_schemas(kCommunitySchemas);
  r.add_codes("masses.registration_kinds", masses::kRegistrationKinds);
  r.add_codes("masses.registration_statuses", masses::kRegistrationStatuses);
  r.add_codes("masses.registration_channels", masses::kRegistrationChannels);
  r.add_codes("masses.registration_ends", masses::kRegistrationEnds);
  r.add_codes("masses.post_kinds", masses::kPostKinds);
  r.add_codes("masses.service_statuses", masses::kServiceStatuses);
  // A post's check-in codes turn and its passes last as a training session's do.
  const auto& turn = s.training.config();
  auto svc = std::make_shared<masses::CommunityService>(
      s.db, s.keys,
      masses::ServiceConfig{.retired_report = s.retired_report_to_community,
                            .slot_ms = turn.slot_ms,
                            .pass_ms = turn.pass_ms,
                            .open_before_ms = turn.open_before_ms,
                            .code_failures = turn.code_failures,
                            .code_failure_window_ms = turn.code_failure_window_ms});
  r.add({.method = "GET",
         .pattern = "/api/v1/communities",
         .tag = "communities",
         .summary = "The registry of communities (a community account: its own), by district",
         .query = with_paging({{"q", ParamType::string}}),
         .responses = {{200, "CommunityPage"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto text = q.str("q", 50);
           auto paging = q.paging();
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto page, svc->list(c.p(), text, paging.page, paging.page_size));
           return json_response(page_json(page));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/communities",
         .tag = "communities",
         .summary = "Add a community to the registry (committee)",
         .perm = auth::Perm::community_manage,
         .body = &kCommunityInput,
         .responses = {{201, "Community"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kCommunityInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->create(c.p(), in));
           return json_response(masses::to_json(out), 201);
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/communities/scan",
         .tag = "communities",
         .summary = "The community a scanned registration code names",
         .query = {{"code", ParamType::string, true}},
         .responses = {{200, "Community"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto code = q.str("code", 64);
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto out, svc->by_token(code.value_or("")));
           return json_response(masses::to_json(out));
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/communities/{id}",
         .tag = "communities",
         .summary = "One community",
         .responses = {{200, "Community"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto out, svc->get(c.p(), id));
           return json_response(masses::to_json(out));
         }});
  r.add({.method = "PATCH",
         .pattern = "/api/v1/communities/{id}",
         .tag = "communities",
         .summary = "Change a community (committee); an empty contact or phone clears it",
         .perm = auth::Perm::community_manage,
         .body = &kCommunityInput,
         .responses = {{200, "Community"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kCommunityInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->update(c.p(), id, in));
           return json_response(masses::to_json(out));
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/communities/{id}/code",
         .tag = "communities",
         .summary = "The community's registration code members scan (JSON with its address, or "
                    "?format=svg or png), to the committee and the community's own accounts",
         .query = {{"format", ParamType::string}},
         .responses = {{200, "CommunityCode", {"application/json", "image/svg+xml", "image/png"}}},
         .handler = [svc, &s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           QueryReader q(c.req);
           auto format = q.str("format", 10).value_or("json");
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto token, svc->qr_token(c.p(), id));
           const std::string url = qr_base_url(s, c.req) + "/m/report?code=" + token;
           return qr_response(format, url, json::object{{"url", url}});
         }});

  r.add({.method = "GET",
         .pattern = "/api/v1/community-registrations",
         .tag = "communities",
         .summary = "Registrations with communities: a subtree's (an administrator), the "
                    "community's own (a community account), or the caller's own history",
         .query = with_paging(kRegistrationFilters),
         .responses = {{200, "CommunityRegistrationPage"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           masses::RegistrationQuery rq = read_registration_filters(q);
           auto paging = q.paging();
           rq.page = paging.page;
           rq.page_size = paging.page_size;
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto page, svc->registrations(c.p(), rq));
           return json_response(page_json(page));
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/community-registrations/export.xlsx",
         .tag = "communities",
         .summary = "The registrations the filters select as .xlsx, in words (at most 50,000 "
                    "rows; audited)",
         .query = kRegistrationFilters,
         .responses = {{200, "", {kXlsx}}},
         .handler = [svc, &s](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           masses::RegistrationQuery rq = read_registration_filters(q);
           DJ_TRY(q.finish());
           rq.page_size = 50000;
           DJ_ASSIGN(auto page, svc->registrations(c.p(), rq));
           static const std::map<std::string, std::string> status = {
               {"pending", "待确认"}, {"confirmed", "已确认"}, {"rejected", "已退回"}};
           static const std::map<std::string, std::string> channel = {{"admin", "管理员登记"},
                                                                      {"qr", "扫码报到"}};
           static const std::map<std::string, std::string> ends = {
               {"moved", "搬离"}, {"retired", "退休"}, {"transferred", "调离"}, {"other", "其他"}};
           Sheet sheet{"双报到",
                       {"报到日期", "报到主体", "党组织", "党员", "联系电话", "报到社区", "方式",
                        "状态", "社区意见", "结束日期", "结束原因"},
                       {}};
           for (const auto& x : page.items) {
             sheet.rows.push_back(
                 {Cell(Date{x.registered_on}), Cell(std::string(x.member_id ? "党员" : "党组织")),
                  Cell(x.org_path_name), text(x.member_name), text(x.member_phone),
                  Cell(x.community_name), Cell(channel.at(x.channel)), Cell(status.at(x.status)),
                  text(x.reply), x.ended_on ? Cell(Date{*x.ended_on}) : Cell(std::string()),
                  Cell(x.end_reason ? ends.at(*x.end_reason) : std::string())});
           }
           DJ_TRY(audit::record_now(s.db, c.p().actor(),
                                    {"community_registration.export",
                                     "community_registration",
                                     "",
                                     c.p().scope_path,
                                     {},
                                     json::object{{"rows", page.total}}}));
           return xlsx_response({sheet}, "community-registrations.xlsx");
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/community-registrations",
         .tag = "communities",
         .summary = "Register an organization or a member of the subtree with a community "
                    "(pending until the community confirms)",
         .perm = auth::Perm::org_write,
         .body = &kRegistrationInput,
         .responses = {{201, "CommunityRegistration"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kRegistrationInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->register_one(c.p(), in));
           return json_response(masses::to_json(out), 201);
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/community-registrations/mine",
         .tag = "communities",
         .summary = "Report to a community by its scanned code (the caller, a member)",
         .body = &kScanInput,
         .responses = {{201, "CommunityRegistration"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kScanInput.parse(c.req));
           if (!in.code) return Error::invalid("code", "required", "is required");
           DJ_ASSIGN(auto out, svc->register_mine(c.p(), *in.code, in.registered_on));
           return json_response(masses::to_json(out), 201);
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/community-registrations/decide",
         .tag = "communities",
         .summary = "The community confirms or rejects registrations made with it (all or none)",
         .perm = auth::Perm::community_confirm,
         .body = &kDecideInput,
         .responses = {{200, "CommunityRegistrationPage"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kDecideInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->decide(c.p(), in.ids.value_or(std::vector<int64_t>{}),
                                           in.result.value_or(""), in.reply));
           return json_response(list_json(out));
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/community-registrations/coverage",
         .tag = "communities",
         .summary = "On a date (default today): the directly affiliated organizations and the "
                    "members in the party and in service of a subtree, and how many have a "
                    "confirmed registration",
         .perm = auth::Perm::member_read,
         .query = {{"org_id", ParamType::integer}, {"on", ParamType::date}},
         .responses = {{200, "CommunityCoverage"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto org_id = q.id("org_id");
           auto on = q.date("on");
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto out, svc->coverage(c.p(), org_id, on));
           return json_response(masses::to_json(out));
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/community-registrations/unregistered",
         .tag = "communities",
         .summary = "Who must report and has no confirmed registration on the date "
                    "(kind=org or member)",
         .perm = auth::Perm::member_read,
         .query = with_paging({{"kind", ParamType::string, true},
                               {"org_id", ParamType::integer},
                               {"on", ParamType::date}}),
         .responses = {{200, "UnregisteredPage"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto kind = q.str("kind", 10);
           auto org_id = q.id("org_id");
           auto on = q.date("on");
           auto paging = q.paging();
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto page, svc->unregistered(c.p(), org_id, on, kind.value_or(""), paging.page,
                                                  paging.page_size));
           return json_response(page_json(page));
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/community-registrations/{id}",
         .tag = "communities",
         .summary = "One registration",
         .responses = {{200, "CommunityRegistration"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto out, svc->get_registration(c.p(), id));
           return json_response(masses::to_json(out));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/community-registrations/{id}/end",
         .tag = "communities",
         .summary = "End an open registration on a date: moved home, retired, transferred or "
                    "other (its organization's administrator or the member)",
         .body = &kEndInput,
         .responses = {{200, "CommunityRegistration"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kEndInput.parse(c.req));
           Validator v;
           if (!in.on) v.add("on", "required", "is required");
           if (!in.reason) v.add("reason", "required", "is required");
           DJ_TRY(v.status());
           DJ_ASSIGN(auto out, svc->end(c.p(), id, *in.on, *in.reason));
           return json_response(masses::to_json(out));
         }});
  add_service_routes(r, s, svc);
  add_report_routes(r, svc);
}

}  // namespace dj::http
