#include <boost/json.hpp>

#include "common/time.h"
#include "http/api.h"
#include "http/input.h"

namespace dj::http {
namespace json = boost::json;

// Response schemas of these routes, in the short form of Router::add_schemas.
constexpr const char* kAuditSchemas = R"JSON({
  "AuditEntry": {"id": "integer", "at": "datetime", "user_id": "integer?", "username": "string",
                 "client_ip": "string", "route": "string", "action": "string",
                 "entity": "string", "entity_id": "string", "before": "any", "after": "any"},
  "AuditPage": {"items": ["AuditEntry"], "total": "integer"}
})JSON";

void add_audit_routes(Router& r, Services& s) {
  r.add_schemas(kAuditSchemas);
  r.add({.method = "GET",
         .pattern = "/api/v1/audit",
         .tag = "audit",
         .summary = "The audit trail in scope, newest first",
         .perm = auth::Perm::audit_read,
         .query = {{"from", ParamType::date},
                   {"to", ParamType::date},
                   {"user_id", ParamType::integer},
                   {"action", ParamType::string},
                   {"entity", ParamType::string},
                   {"entity_id", ParamType::string},
                   {"page", ParamType::integer},
                   {"page_size", ParamType::integer}},
         .responses = {{200, "AuditPage"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           audit::Query aq;
           auto paging = q.paging();
           aq.page = paging.page;
           aq.page_size = paging.page_size;
           aq.scope_path = c.p().scope_path;
           if (auto from = q.date("from"))
             aq.from_ms = (days_from_date(*from) * 86400 - 8 * 3600) * 1000;
           if (auto to = q.date("to"))
             aq.to_ms = ((days_from_date(*to) + 1) * 86400 - 8 * 3600) * 1000;
           aq.user_id = q.id("user_id");
           aq.action = q.str("action").value_or("");
           aq.entity = q.str("entity").value_or("");
           aq.entity_id = q.str("entity_id").value_or("");
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto page, audit::list(s.db, aq));
           json::array items;
           for (const auto& e : page.items) {
             auto parse_or_null = [](const std::string& text) -> json::value {
               if (text.empty()) return nullptr;
               json::error_code ec;
               auto v = json::parse(text, ec);
               return ec ? json::value(text) : v;
             };
             items.push_back(json::object{
                 {"id", e.id},
                 {"at", format_instant(e.at)},
                 {"user_id", e.user_id ? json::value(*e.user_id) : json::value(nullptr)},
                 {"username", e.username},
                 {"client_ip", e.client_ip},
                 {"route", e.route},
                 {"action", e.action},
                 {"entity", e.entity},
                 {"entity_id", e.entity_id},
                 {"before", parse_or_null(e.before_json)},
                 {"after", parse_or_null(e.after_json)},
             });
           }
           return json_response(json::object{{"items", std::move(items)}, {"total", page.total}});
         }});
}

}  // namespace dj::http
