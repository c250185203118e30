#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/json.hpp>
#include <memory>
#include <mutex>

#include "http/api.h"

namespace dj::http {
namespace json = boost::json;

// The address members' phones open: --public-url when given. Without it a
// name in the Host header never flows into the link (it is the client's
// word): the Host is used only when it is an IP address (a phone on the
// office network), else the address the server listens on.
std::string upload_type(const Request& req) {
  const std::string type(req.header("content-type"));
  return type.substr(0, type.find(';'));
}

std::string qr_base_url(const Services& s, const Request& req) {
  if (!s.public_url.empty()) return s.public_url;
  std::string_view host = req.header("host");
  std::string_view name = host;
  if (name.starts_with('[')) {
    name = name.substr(1, name.find(']') - 1);
  } else if (const auto colon = name.rfind(':'); colon != std::string_view::npos) {
    name = name.substr(0, colon);
  }
  boost::system::error_code ec;
  boost::asio::ip::make_address(std::string(name), ec);
  const bool port_ok =
      host.find_first_not_of("0123456789.:[]abcdefABCDEF") == std::string_view::npos;
  if (ec || !port_ok || host.size() > 60) return s.listen_url;
  return (req.secure ? "https://" : "http://") + std::string(host);
}

// Response schemas of these routes, in the short form of Router::add_schemas.
constexpr const char* kSystemSchemas = R"JSON({
  "Health": {"status": "string"},
  "Ready": {"status": "string", "schema_version": "integer"},
  "OpenApiDocument": "object"
})JSON";

void add_system_routes(Router& r, Services& s) {
  r.add_schemas(kSystemSchemas);
  r.add({.method = "GET",
         .pattern = "/healthz",
         .tag = "system",
         .summary = "Liveness: the process answers",
         .access = Access::open,
         .responses = {{200, "Health"}},
         .handler = [](Ctx&) -> Result<Response> {
           return json_response(json::object{{"status", "ok"}});
         }});
  r.add({.method = "GET",
         .pattern = "/readyz",
         .tag = "system",
         .summary = "Readiness: the database answers",
         .access = Access::open,
         .responses = {{200, "Ready"}},
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
         .summary = "Prometheus metrics (to the addresses of serve --metrics-from only)",
         .access = Access::open,
         .responses = {{200, "", {"text/plain"}}},
         .handler = [&r, &s](Ctx& c) -> Result<Response> {
           const auto& from = s.metrics_from;
           if (std::find(from.begin(), from.end(), c.req.client_ip) == from.end()) {
             return Error::forbidden(
                 "metrics are served to " +
                 (from.empty() ? std::string("no address") : from.front()) +
                 (from.size() > 1 ? " and the other --metrics-from addresses" : std::string()));
           }
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
         .responses = {{200, "OpenApiDocument"}},
         // Built at the first request, when every route is in the table; the same after.
         .handler = [&r, doc = std::make_shared<std::once_flag>(),
                     body = std::make_shared<std::string>()](Ctx&) -> Result<Response> {
           std::call_once(*doc, [&] { *body = json::serialize(openapi_document(r)); });
           Response res;
           res.body = *body;
           return res;
         }});
}

// The capabilities, each with its routes in api_<capability>.cc: a new one
// adds its line here.
void add_auth_routes(Router& r, Services& s);
void add_user_routes(Router& r, Services& s);
void add_org_routes(Router& r, Services& s);
void add_member_routes(Router& r, Services& s);
void add_audit_routes(Router& r, Services& s);
void add_activity_routes(Router& r, Services& s);
void add_compliance_routes(Router& r, Services& s);
void add_training_routes(Router& r, Services& s);
void add_roster_routes(Router& r, Services& s);
void add_masses_routes(Router& r, Services& s);
void add_community_routes(Router& r, Services& s);
void add_resource_routes(Router& r, Services& s);
void add_learning_routes(Router& r, Services& s);

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
  add_masses_routes(r, s);
  add_community_routes(r, s);
  add_resource_routes(r, s);
  add_learning_routes(r, s);
}

}  // namespace dj::http
