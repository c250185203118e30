#include <boost/json.hpp>

#include "http/api.h"

namespace dj::http {
namespace json = boost::json;

void add_system_routes(Router& r, Services& s) {
  r.add({.method = "GET",
         .pattern = "/healthz",
         .tag = "system",
         .summary = "Liveness: the process answers",
         .access = Access::open,
         .handler = [](Ctx&) -> Result<Response> {
           return json_response(json::object{{"status", "ok"}});
         }});
  r.add({.method = "GET",
         .pattern = "/readyz",
         .tag = "system",
         .summary = "Readiness: the database answers",
         .access = Access::open,
         .handler = [&s](Ctx&) -> Result<Response> {
           auto ok = store::with_conn(s.db, [](store::Conn& c) {
             return c.query_one("SELECT MAX(version) FROM schema_migrations");
           });
           if (!ok) return Error{ErrorCode::unavailable, "database unreachable", {}};
           return json_response(json::object{{"status", "ready"}, {"schema_version", ok->i64(0)}});
         }});
  r.add({.method = "GET",
         .pattern = "/metrics",
         .tag = "system",
         .summary = "Prometheus metrics",
         .access = Access::open,
         .handler = [&r](Ctx&) -> Result<Response> {
           Response res;
           res.content_type = "text/plain; version=0.0.4";
           res.body = r.metrics_text();
           return res;
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/openapi.json",
         .tag = "system",
         .summary = "This OpenAPI 3 document",
         .access = Access::open,
         .handler = [&r](Ctx&) -> Result<Response> { return json_response(openapi_document(r)); }});
}

namespace {

json::object param_schema(ParamType type, bool in_path) {
  switch (type) {
    case ParamType::integer:
      return in_path ? json::object{{"type", "integer"}, {"minimum", 1}}
                     : json::object{{"type", "integer"}};
    case ParamType::boolean:
      return json::object{{"type", "boolean"}};
    case ParamType::date:
      return json::object{{"type", "string"}, {"format", "date"}};
    case ParamType::string:
      break;
  }
  return json::object{{"type", "string"}};
}

}  // namespace

void add_all_routes(Router& r, Services& s) {
  add_system_routes(r, s);
  add_auth_routes(r, s);
  add_user_routes(r, s);
  add_org_routes(r, s);
  add_member_routes(r, s);
  add_audit_routes(r, s);
  add_activity_routes(r, s);
  add_compliance_routes(r, s);
  add_training_routes(r, s);
  add_roster_routes(r, s);
}

json::object openapi_document(const Router& r) {
  json::object paths;
  for (const auto& route : r.routes()) {
    json::array params;
    for (size_t i = 0; i < route.pattern.size(); ++i) {
      if (route.pattern[i] != '{') continue;
      const size_t j = route.pattern.find('}', i);
      Param p{route.pattern.substr(i + 1, j - i - 1), ParamType::integer};
      for (const auto& declared : route.path) {
        if (declared.name == p.name) p = declared;
      }
      params.push_back(json::object{{"name", p.name},
                                    {"in", "path"},
                                    {"required", true},
                                    {"schema", param_schema(p.type, true)}});
    }
    for (const auto& q : route.query) {
      params.push_back(
          json::object{{"name", q.name}, {"in", "query"}, {"schema", param_schema(q.type, false)}});
    }
    json::object op{
        {"summary", route.summary},
        {"tags", json::array{json::value(route.tag)}},
        {"operationId", route.method + " " + route.pattern},
        {"parameters", params},
        {"responses",
         json::object{
             {"200", json::object{{"description", "OK"}}},
             {"default",
              json::object{
                  {"description", "Problem (RFC 9457)"},
                  {"content",
                   json::object{
                       {"application/problem+json",
                        json::object{
                            {"schema",
                             json::object{{"$ref", "#/components/schemas/Problem"}}}}}}}}}}},
    };
    if (route.perm) op["x-permission"] = auth::to_string(*route.perm);
    if (!route.body.empty()) {
      op["requestBody"] = json::object{
          {"required", true},
          {"content",
           json::object{{"application/json",
                         json::object{{"schema", json::object{{"$ref", "#/components/schemas/" +
                                                                           route.body}}}}}}}};
    }
    op["security"] = route.access == Access::open
                         ? json::array{}
                         : json::array{json::object{{"bearer", json::array{}}},
                                       json::object{{"cookie", json::array{}}}};
    std::string lower_method = route.method;
    for (auto& c : lower_method) c = static_cast<char>(std::tolower(c));
    auto& path = paths[route.pattern];
    if (!path.is_object()) path = json::object{};
    path.as_object()[lower_method] = std::move(op);
  }
  json::object any_object{{"type", "object"}};
  return json::object{
      {"openapi", "3.0.3"},
      {"info", json::object{{"title", "dangjiao API"},
                            {"version", "1"},
                            {"description", "Party member education and training platform"}}},
      {"paths", paths},
      {"components",
       json::object{
           {"securitySchemes",
            json::object{{"bearer", json::object{{"type", "http"}, {"scheme", "bearer"}}},
                         {"cookie", json::object{{"type", "apiKey"},
                                                 {"in", "cookie"},
                                                 {"name", "dangjiao_session"}}}}},
           {"schemas",
            json::object{
                {"Problem",
                 json::object{
                     {"type", "object"},
                     {"properties", json::object{{"type", json::object{{"type", "string"}}},
                                                 {"title", json::object{{"type", "string"}}},
                                                 {"status", json::object{{"type", "integer"}}},
                                                 {"detail", json::object{{"type", "string"}}},
                                                 {"errors", json::object{{"type", "array"}}}}}}},
                {"Login", any_object},
                {"PasswordChange", any_object},
                {"UserInput", any_object},
                {"PasswordReset", any_object},
                {"OrgInput", any_object},
                {"OrgMove", any_object},
                {"MemberInput", any_object},
                {"MemberTransfer", any_object},
                {"ActivityInput", any_object},
                {"ActivityTypeInput", any_object},
                {"RuleInput", any_object},
                {"TrainingInput", any_object},
                {"SessionInput", any_object},
                {"Quotas", any_object},
                {"EnrolInput", any_object},
                {"ExamScore", any_object},
                {"Roster", any_object},
                {"CheckIn", any_object},
                {"LeaveRequest", any_object},
                {"DeliveryInput", any_object},
                {"PlanInput", any_object},
            }}}},
  };
}

}  // namespace dj::http
