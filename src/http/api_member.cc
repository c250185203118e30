#include <boost/json.hpp>

#include "http/api.h"
#include "http/input.h"

namespace dj::http {
namespace json = boost::json;

namespace {

Result<member::MemberInput> read_member(const Request& req) {
  DJ_ASSIGN(auto body, JsonBody::parse(req));
  member::MemberInput in;
  body.i64("org_id", in.org_id);
  body.str("name", in.name);
  body.str("gender", in.gender);
  body.str("ethnicity", in.ethnicity);
  body.str("birth_date", in.birth_date);
  body.str("education", in.education);
  body.str("citizen_id", in.citizen_id);
  body.str("phone", in.phone);
  body.str("joined_on", in.joined_on);
  body.str("full_member_on", in.full_member_on);
  body.str("political_status", in.political_status);
  body.str("work_unit", in.work_unit);
  body.str("job_title", in.job_title);
  body.str("cadre_rank", in.cadre_rank);
  body.str("standing", in.standing);
  body.str("post", in.post);
  body.boolean("retired", in.retired);
  body.boolean("infirm", in.infirm);
  body.boolean("party_worker", in.party_worker);
  body.strings("tags", in.tags);
  DJ_TRY(body.finish());
  return in;
}

json::object out(Services& s, const auth::Principal& p, const member::Member& m) {
  return member::to_json(m, s.members.may_see_pii(p, m), s.members.config());
}

}  // namespace

const std::vector<Param> kMemberFilters = {
    {"org_id", ParamType::integer},       {"political_status", ParamType::string},
    {"cadre_rank", ParamType::string},    {"post", ParamType::string},
    {"retired", ParamType::boolean},      {"infirm", ParamType::boolean},
    {"party_worker", ParamType::boolean}, {"leading_cadre", ParamType::boolean},
    {"new_member", ParamType::boolean},   {"q", ParamType::string}};

const std::vector<Param> kPaging = {{"page", ParamType::integer},
                                    {"page_size", ParamType::integer}};

member::ListQuery read_member_filters(QueryReader& q) {
  member::ListQuery lq;
  lq.org_id = q.id("org_id");
  lq.political_status = q.str("political_status");
  lq.cadre_rank = q.str("cadre_rank");
  lq.post = q.str("post");
  lq.retired = q.boolean("retired");
  lq.infirm = q.boolean("infirm");
  lq.party_worker = q.boolean("party_worker");
  lq.leading_cadre = q.boolean("leading_cadre");
  lq.new_member = q.boolean("new_member");
  lq.q = q.str("q").value_or("");
  return lq;
}

void add_member_routes(Router& r, Services& s) {
  r.add({.method = "GET",
         .pattern = "/api/v1/members",
         .tag = "members",
         .summary = "Members in a subtree with filters; personal information masked",
         .perm = auth::Perm::member_read,
         .query =
             [] {
               auto params = kMemberFilters;
               params.insert(params.end(), kPaging.begin(), kPaging.end());
               return params;
             }(),
         .handler = [&s](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           member::ListQuery lq = read_member_filters(q);
           auto paging = q.paging();
           lq.page = paging.page;
           lq.page_size = paging.page_size;
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto page, s.members.list(c.p(), lq));
           json::array items;
           for (const auto& m : page.items) items.push_back(out(s, c.p(), m));
           return json_response(json::object{{"items", std::move(items)}, {"total", page.total}});
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/members",
         .tag = "members",
         .summary = "Add a member",
         .perm = auth::Perm::member_write,
         .body = "MemberInput",
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, read_member(c.req));
           DJ_ASSIGN(auto m, s.members.create(c.p(), in));
           return json_response(out(s, c.p(), m), 201);
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/members/{id}",
         .tag = "members",
         .summary = "One member",
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto m, s.members.get(c.p(), id));
           return json_response(out(s, c.p(), m));
         }});
  r.add({.method = "PATCH",
         .pattern = "/api/v1/members/{id}",
         .tag = "members",
         .summary = "Change a member's fields",
         .perm = auth::Perm::member_write,
         .body = "MemberInput",
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, read_member(c.req));
           DJ_ASSIGN(auto m, s.members.update(c.p(), id, in));
           return json_response(out(s, c.p(), m));
         }});
  r.add({.method = "DELETE",
         .pattern = "/api/v1/members/{id}",
         .tag = "members",
         .summary = "Remove a member (soft, audited)",
         .perm = auth::Perm::member_write,
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_TRY(s.members.remove(c.p(), id));
           return no_content();
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/members/{id}/transfer",
         .tag = "members",
         .summary = "Transfer a member to another organization, keeping history",
         .perm = auth::Perm::member_write,
         .body = "MemberTransfer",
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto body, JsonBody::parse(c.req));
           member::Transfer t;
           body.i64("to_org_id", t.to_org_id);
           body.str("date", t.date);
           body.str("reason", t.reason);
           DJ_TRY(body.finish());
           DJ_ASSIGN(auto m, s.members.transfer(c.p(), id, t));
           return json_response(out(s, c.p(), m));
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/members/{id}/history",
         .tag = "members",
         .summary = "Which organization the member belonged to, from when to when",
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto list, s.members.history(c.p(), id));
           json::array items;
           for (const auto& h : list) {
             items.push_back(json::object{
                 {"org_id", h.org_id},
                 {"org_name", h.org_name},
                 {"from_date", h.from_date},
                 {"to_date", h.to_date ? json::value(*h.to_date) : json::value(nullptr)},
                 {"reason", h.reason ? json::value(*h.reason) : json::value(nullptr)}});
           }
           const auto n = static_cast<int64_t>(items.size());
           return json_response(json::object{{"items", std::move(items)}, {"total", n}});
         }});
}

}  // namespace dj::http
