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

const std::vector<std::string> kMemberFilters = {
    "org_id", "political_status", "cadre_rank",    "post",       "retired",
    "infirm", "party_worker",     "leading_cadre", "new_member", "q"};

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
  r.add({"GET", "/api/v1/members", "members",
         "Members in a subtree with filters; personal information masked", Access::session,
         [&s](Ctx& c) -> Result<Response> {
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
         },
         [] {
           auto names = kMemberFilters;
           names.insert(names.end(), {"page", "page_size"});
           return names;
         }()});
  r.add({"POST",
         "/api/v1/members",
         "members",
         "Add a member",
         Access::session,
         [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, read_member(c.req));
           DJ_ASSIGN(auto m, s.members.create(c.p(), in));
           return json_response(out(s, c.p(), m), 201);
         },
         {},
         "MemberInput"});
  r.add({"GET", "/api/v1/members/{id}", "members", "One member", Access::session,
         [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto m, s.members.get(c.p(), id));
           return json_response(out(s, c.p(), m));
         }});
  r.add({"PATCH",
         "/api/v1/members/{id}",
         "members",
         "Change a member's fields",
         Access::session,
         [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, read_member(c.req));
           DJ_ASSIGN(auto m, s.members.update(c.p(), id, in));
           return json_response(out(s, c.p(), m));
         },
         {},
         "MemberInput"});
  r.add({"DELETE", "/api/v1/members/{id}", "members", "Remove a member (soft, audited)",
         Access::session, [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_TRY(s.members.remove(c.p(), id));
           Response res;
           res.status = 204;
           return res;
         }});
  r.add({"POST",
         "/api/v1/members/{id}/transfer",
         "members",
         "Transfer a member to another organization, keeping history",
         Access::session,
         [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto body, JsonBody::parse(c.req));
           member::Transfer t;
           body.i64("to_org_id", t.to_org_id);
           body.str("date", t.date);
           body.str("reason", t.reason);
           DJ_TRY(body.finish());
           DJ_ASSIGN(auto m, s.members.transfer(c.p(), id, t));
           return json_response(out(s, c.p(), m));
         },
         {},
         "MemberTransfer"});
  r.add({"GET", "/api/v1/members/{id}/history", "members",
         "Which organization the member belonged to, from when to when", Access::session,
         [&s](Ctx& c) -> Result<Response> {
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
