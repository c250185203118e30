#include <boost/json.hpp>

#include "http/api.h"
#include "http/input.h"

namespace dj::http {
namespace json = boost::json;

namespace {

Result<org::OrgInput> read_org(const Request& req) {
  DJ_ASSIGN(auto body, JsonBody::parse(req));
  org::OrgInput in;
  body.str("code", in.code);
  body.str("name", in.name);
  body.str("type", in.type);
  body.i64("parent_id", in.parent_id);
  body.str("leader", in.leader);
  body.str("department", in.department);
  body.str("founded_on", in.founded_on);
  body.str("term_start", in.term_start);
  body.str("term_end", in.term_end);
  DJ_TRY(body.finish());
  return in;
}

}  // namespace

void add_org_routes(Router& r, Services& s) {
  r.add({.method = "GET",
         .pattern = "/api/v1/orgs",
         .tag = "orgs",
         .summary = "Organizations in scope, by parent or subtree, with member counts",
         .perm = auth::Perm::org_read,
         .query = {{"parent_id", ParamType::integer},
                   {"subtree_of", ParamType::integer},
                   {"type", ParamType::string},
                   {"q", ParamType::string},
                   {"page", ParamType::integer},
                   {"page_size", ParamType::integer}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           org::ListQuery lq;
           auto paging = q.paging();
           lq.page = paging.page;
           lq.page_size = paging.page_size;
           lq.parent_id = q.id("parent_id");
           lq.subtree_of = q.id("subtree_of");
           lq.type = q.str("type");
           lq.q = q.str("q").value_or("");
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto page, s.orgs.list(c.p(), lq));
           json::array items;
           for (const auto& o : page.items) items.push_back(org::to_json(o));
           return json_response(json::object{{"items", std::move(items)}, {"total", page.total}});
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/orgs",
         .tag = "orgs",
         .summary = "Create an organization",
         .perm = auth::Perm::org_write,
         .body = "OrgInput",
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, read_org(c.req));
           DJ_ASSIGN(auto o, s.orgs.create(c.p(), in));
           return json_response(org::to_json(o), 201);
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/orgs/{id}",
         .tag = "orgs",
         .summary = "One organization",
         .perm = auth::Perm::org_read,
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto o, s.orgs.get(c.p(), id));
           return json_response(org::to_json(o));
         }});
  r.add({.method = "PATCH",
         .pattern = "/api/v1/orgs/{id}",
         .tag = "orgs",
         .summary = "Change an organization's fields",
         .perm = auth::Perm::org_write,
         .body = "OrgInput",
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, read_org(c.req));
           DJ_ASSIGN(auto o, s.orgs.update(c.p(), id, in));
           return json_response(org::to_json(o));
         }});
  r.add({.method = "DELETE",
         .pattern = "/api/v1/orgs/{id}",
         .tag = "orgs",
         .summary = "Delete an empty organization (409 when it has members, children or accounts)",
         .perm = auth::Perm::org_write,
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_TRY(s.orgs.remove(c.p(), id));
           return no_content();
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/orgs/{id}/move",
         .tag = "orgs",
         .summary = "Move a subtree under another parent",
         .perm = auth::Perm::org_write,
         .body = "OrgMove",
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto body, JsonBody::parse(c.req));
           std::optional<int64_t> parent_id;
           body.i64("parent_id", parent_id);
           DJ_TRY(body.finish());
           if (!parent_id) return Error::invalid("parent_id", "required", "is required");
           DJ_ASSIGN(auto o, s.orgs.move(c.p(), id, *parent_id));
           return json_response(org::to_json(o));
         }});
}

}  // namespace dj::http
