// 双报到: the communities, registrations with them and their coverage.
#include <boost/json.hpp>

#include "common/validate.h"
#include "domain/masses/communities.h"
#include "http/api.h"
#include "http/input.h"
#include "http/qr.h"

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

constexpr const char* kCommunitySchemas = R"JSON({
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

json::object page_json(const auto& page) {
  json::array items;
  for (const auto& x : page.items) items.push_back(masses::to_json(x));
  return {{"items", std::move(items)}, {"total", page.total}};
}

}  // namespace

void add_community_routes(Router& r, Services& s) {
  r.add_schemas(kCommunitySchemas);
  r.add_codes("masses.registration_kinds", masses::kRegistrationKinds);
  r.add_codes("masses.registration_statuses", masses::kRegistrationStatuses);
  r.add_codes("masses.registration_channels", masses::kRegistrationChannels);
  r.add_codes("masses.registration_ends", masses::kRegistrationEnds);
  auto svc = std::make_shared<masses::CommunityService>(s.db, s.keys);
  r.add({.method = "GET",
         .pattern = "/api/v1/communities",
         .tag = "communities",
         .summary = "The registry of communities (a community account: its own), by district",
         .query =
             [] {
               std::vector<Param> params = {{"q", ParamType::string}};
               params.insert(params.end(), kPaging.begin(), kPaging.end());
               return params;
             }(),
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
           DJ_ASSIGN(auto out, svc->by_token(c.p(), code.value_or("")));
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
           if (format != "json" && format != "svg" && format != "png") {
             return Error::bad_request("format", "unknown_code", "must be json, svg or png");
           }
           DJ_ASSIGN(auto token, svc->qr_token(c.p(), id));
           const std::string url = qr_base_url(s, c.req) + "/m/report?code=" + token;
           Response res;
           res.headers.emplace_back("Cache-Control", "no-store");
           if (format == "svg") {
             DJ_ASSIGN(res.body, qr_svg(url));
             res.content_type = "image/svg+xml";
           } else if (format == "png") {
             DJ_ASSIGN(res.body, qr_png(url));
             res.content_type = "image/png";
           } else {
             res.body = json::serialize(json::object{{"url", url}});
           }
           return res;
         }});

  const std::vector<Param> filters = {
      {"kind", ParamType::string},          {"status", ParamType::string},
      {"community_id", ParamType::integer}, {"org_id", ParamType::integer},
      {"member_id", ParamType::integer},    {"on", ParamType::date}};
  r.add({.method = "GET",
         .pattern = "/api/v1/community-registrations",
         .tag = "communities",
         .summary = "Registrations with communities: a subtree's (an administrator), the "
                    "community's own (a community account), or the caller's own history",
         .query =
             [&] {
               auto params = filters;
               params.insert(params.end(), kPaging.begin(), kPaging.end());
               return params;
             }(),
         .responses = {{200, "CommunityRegistrationPage"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           masses::RegistrationQuery rq;
           rq.kind = q.str("kind", 10);
           rq.status = q.str("status", 20);
           rq.community_id = q.id("community_id");
           rq.org_id = q.id("org_id");
           rq.member_id = q.id("member_id");
           rq.on = q.date("on");
           auto paging = q.paging();
           rq.page = paging.page;
           rq.page_size = paging.page_size;
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto page, svc->registrations(c.p(), rq));
           return json_response(page_json(page));
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
           json::array items;
           for (const auto& x : out) items.push_back(masses::to_json(x));
           const auto n = static_cast<int64_t>(items.size());
           return json_response(json::object{{"items", std::move(items)}, {"total", n}});
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
         .query =
             [] {
               std::vector<Param> params = {{"kind", ParamType::string, true},
                                            {"org_id", ParamType::integer},
                                            {"on", ParamType::date}};
               params.insert(params.end(), kPaging.begin(), kPaging.end());
               return params;
             }(),
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
}

}  // namespace dj::http
