#include <boost/json.hpp>

#include "http/api.h"
#include "http/input.h"

namespace dj::http {
namespace json = boost::json;

namespace {

const Body<org::OrgInput> kOrgInput{"OrgInput", [](JsonBody& body, org::OrgInput& in) {
                                      body.str("code", in.code);
                                      body.str("name", in.name);
                                      body.str("type", in.type, org::kOrgTypes);
                                      body.i64("parent_id", in.parent_id);
                                      body.str("leader", in.leader);
                                      body.str("department", in.department);
                                      body.str("founded_on", in.founded_on);
                                      body.str("term_start", in.term_start);
                                      body.str("term_end", in.term_end);
                                    }};

struct OrgMove {
  std::optional<int64_t> parent_id;
};
const Body<OrgMove> kOrgMove{
    "OrgMove", [](JsonBody& body, OrgMove& in) { body.i64("parent_id", in.parent_id); }};

}  // namespace

// Response schemas of these routes, in the short form of Router::add_schemas.
constexpr const char* kOrgSchemas = R"JSON({
  "Org": {"id": "integer", "parent_id": "integer?", "path": "string",
          "path_name": "string", "depth": "integer",
          "code": "string", "name": "string", "type": "codes:org.types", "leader": "string?",
          "department": "string?", "founded_on": "date?", "term_start": "date?",
          "term_end": "date?", "member_count": "integer", "child_count": "integer",
          "created_at": "datetime", "updated_at": "datetime"},
  "OrgPage": {"items": ["Org"], "total": "integer"}
})JSON";

void add_org_routes(Router& r, Services& s) {
  r.add_schemas(kOrgSchemas);
  r.add_codes("org.types", org::kOrgTypes);
  r.add({.method = "GET",
         .pattern = "/api/v1/orgs",
         .tag = "orgs",
         .summary = "Organizations in scope, by parent or subtree, with member counts",
         .perm = auth::Perm::org_read,
         .query = {{"parent_id", ParamType::integer},
                   {"subtree_of", ParamType::integer},
                   {"type", ParamType::string},
                   {"depth", ParamType::integer},
                   {"q", ParamType::string},
                   {"page", ParamType::integer},
                   {"page_size", ParamType::integer}},
         .responses = {{200, "OrgPage"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           org::ListQuery lq;
           auto paging = q.paging();
           lq.page = paging.page;
           lq.page_size = paging.page_size;
           lq.parent_id = q.id("parent_id");
           lq.subtree_of = q.id("subtree_of");
           lq.type = q.str("type");
           lq.depth = q.id("depth");  // 1: the directly affiliated organizations
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
         .body = &kOrgInput,
         .responses = {{201, "Org"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kOrgInput.parse(c.req));
           DJ_ASSIGN(auto o, s.orgs.create(c.p(), in));
           return json_response(org::to_json(o), 201);
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/orgs/{id}",
         .tag = "orgs",
         .summary = "One organization",
         .perm = auth::Perm::org_read,
         .responses = {{200, "Org"}},
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
         .body = &kOrgInput,
         .responses = {{200, "Org"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kOrgInput.parse(c.req));
           DJ_ASSIGN(auto o, s.orgs.update(c.p(), id, in));
           return json_response(org::to_json(o));
         }});
  r.add({.method = "DELETE",
         .pattern = "/api/v1/orgs/{id}",
         .tag = "orgs",
         .summary = "Delete an empty organization (409 when it has members, children or accounts)",
         .perm = auth::Perm::org_write,
         .responses = {{204}},
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
         .body = &kOrgMove,
         .responses = {{200, "Org"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kOrgMove.parse(c.req));
           if (!in.parent_id) return Error::invalid("parent_id", "required", "is required");
           DJ_ASSIGN(auto o, s.orgs.move(c.p(), id, *in.parent_id));
           return json_response(org::to_json(o));
         }});
}

}  // namespace dj::http
