#include <boost/json.hpp>

#include "common/json.h"
#include "common/time.h"
#include "common/validate.h"
#include "http/api.h"
#include "http/input.h"

namespace dj::http {
namespace json = boost::json;

namespace {

json::object user_json(const auth::User& u) {
  return json::object{
      {"id", u.id},
      {"username", u.username},
      {"role", auth::to_string(u.role)},
      {"org_id", u.org_id ? json::value(*u.org_id) : json::value(nullptr)},
      {"member_id", u.member_id ? json::value(*u.member_id) : json::value(nullptr)},
      {"community_id", or_null(u.community_id)},
      {"must_change_password", u.must_change_password},
      {"created_at", format_instant(u.created_at)},
  };
}

json::array permissions_of(const auth::Principal& p) {
  json::array out;
  for (auth::Perm perm : auth::kAllPerms) {
    if (auth::has(p, perm)) out.emplace_back(auth::to_string(perm));
  }
  return out;
}

struct Login {
  std::optional<std::string> username, password;
};
const Body<Login> kLogin{"Login", [](JsonBody& body, Login& in) {
                           body.str("username", in.username);
                           body.str("password", in.password);
                         }};

struct PasswordChange {
  std::optional<std::string> old_password, new_password;
};
const Body<PasswordChange> kPasswordChange{"PasswordChange",
                                           [](JsonBody& body, PasswordChange& in) {
                                             body.str("old_password", in.old_password);
                                             body.str("new_password", in.new_password);
                                           }};

struct UserInput {
  std::optional<std::string> username, password, role;
  std::optional<int64_t> org_id, member_id, community_id;
};
const Body<UserInput> kUserInput{"UserInput", [](JsonBody& body, UserInput& in) {
                                   body.str("username", in.username);
                                   body.str("password", in.password);
                                   body.str("role", in.role, auth::kRoles);
                                   body.i64("org_id", in.org_id);
                                   body.i64("member_id", in.member_id);
                                   body.i64("community_id", in.community_id);
                                 }};

struct PasswordReset {
  std::optional<std::string> password;
};
const Body<PasswordReset> kPasswordReset{
    "PasswordReset", [](JsonBody& body, PasswordReset& in) { body.str("password", in.password); }};

// The session cookie (HttpOnly) or the CSRF cookie the page reads; Secure
// when the client came over TLS (a trusted proxy said so); an empty value
// clears it.
std::string cookie(std::string_view name, std::string_view value, const Request& req) {
  std::string out = std::string(name) + "=" + std::string(value) + "; Path=/; ";
  if (name == "dangjiao_session") out += "HttpOnly; ";
  out += "SameSite=Strict";
  if (req.secure) out += "; Secure";
  if (value.empty()) out += "; Max-Age=0";
  return out;
}

}  // namespace

// Response schemas of these routes, in the short form of Router::add_schemas.
constexpr const char* kAuthSchemas = R"JSON({
  "User": {"id": "integer", "username": "string", "role": "codes:auth.roles", "org_id": "integer?",
           "member_id": "integer?", "community_id": "integer?", "must_change_password": "boolean",
           "created_at": "datetime"},
  "UserPage": {"items": ["User"], "total": "integer"},
  "LoginResult": {"token": "string", "csrf_token": "string", "expires_at": "datetime",
                  "must_change_password": "boolean", "user": "User"},
  "Me": {"id": "integer", "username": "string", "role": "codes:auth.roles",
         "roles": ["codes:auth.roles"], "org_id": "integer?", "scope_path": "string",
         "member_id": "integer?", "community_id": "integer?", "must_change_password": "boolean",
         "permissions": ["codes:auth.permissions"]},
  "LoginSession": {"id": "integer", "created_at": "datetime", "last_seen_at": "datetime",
                   "expires_at": "datetime", "client_ip": "string", "user_agent": "string",
                   "current": "boolean"},
  "LoginSessionPage": {"items": ["LoginSession"], "total": "integer"}
})JSON";

void add_auth_routes(Router& r, Services& s) {
  r.add_schemas(kAuthSchemas);
  r.add_codes("auth.roles", auth::kRoles);
  static const auto permissions = [] {
    std::vector<const char*> names;
    for (auth::Perm p : auth::kAllPerms) names.push_back(auth::to_string(p));
    return names;
  }();
  r.add_codes("auth.permissions", permissions);
  r.add({.method = "POST",
         .pattern = "/api/v1/auth/login",
         .tag = "auth",
         .summary = "Log in; answers a token and sets the session cookie",
         .access = Access::open,
         .body = &kLogin,
         .responses = {{200, "LoginResult"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kLogin.parse(c.req));
           const auto& [username, password] = in;
           Validator v;
           v.text("username", username, 64);
           if (!password || password->empty()) v.add("password", "required", "is required");
           DJ_TRY(v.status());
           DJ_ASSIGN(auto res, s.auth.login(*username, *password, c.req.client_ip,
                                            std::string(c.req.header("user-agent"))));
           Response out = json_response(json::object{
               {"token", res.token},
               {"csrf_token", res.csrf_token},
               {"expires_at", format_instant(res.expires_at)},
               {"must_change_password", res.user.must_change_password},
               {"user", user_json(res.user)},
           });
           out.headers.emplace_back("Set-Cookie", cookie("dangjiao_session", res.token, c.req));
           out.headers.emplace_back("Set-Cookie", cookie("dangjiao_csrf", res.csrf_token, c.req));
           out.headers.emplace_back("Cache-Control", "no-store");
           return out;
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/auth/logout",
         .tag = "auth",
         .summary = "End the current session",
         .access = Access::any_session,
         .responses = {{204}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_TRY(s.auth.logout(c.p()));
           Response out = no_content();
           for (const char* name : {"dangjiao_session", "dangjiao_csrf"})
             out.headers.emplace_back("Set-Cookie", cookie(name, "", c.req));
           return out;
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/auth/me",
         .tag = "auth",
         .summary = "The signed-in user, role, scope and permissions",
         .access = Access::any_session,
         .responses = {{200, "Me"}},
         .handler = [](Ctx& c) -> Result<Response> {
           const auto& p = c.p();
           return json_response(json::object{
               {"id", p.user_id},
               {"username", p.username},
               {"role", auth::to_string(p.role)},
               {"roles", json::array{json::value(auth::to_string(p.role))}},
               {"org_id", p.org_id ? json::value(*p.org_id) : json::value(nullptr)},
               {"scope_path", p.scope_path},
               {"member_id", p.member_id ? json::value(*p.member_id) : json::value(nullptr)},
               {"community_id", or_null(p.community_id)},
               {"must_change_password", p.must_change_password},
               {"permissions", permissions_of(p)},
           });
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/auth/password",
         .tag = "auth",
         .summary = "Change the own password",
         .access = Access::any_session,
         .body = &kPasswordChange,
         .responses = {{204}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kPasswordChange.parse(c.req));
           const auto& [old_pw, new_pw] = in;
           Validator v;
           if (!old_pw) v.add("old_password", "required", "is required");
           if (!new_pw) v.add("new_password", "required", "is required");
           DJ_TRY(v.status());
           DJ_TRY(s.auth.change_password(c.p(), *old_pw, *new_pw));
           return no_content();
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/auth/sessions",
         .tag = "auth",
         .summary = "The own live sessions",
         .access = Access::any_session,
         .responses = {{200, "LoginSessionPage"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto list, s.auth.sessions(c.p()));
           json::array items;
           for (const auto& x : list) {
             items.push_back(json::object{{"id", x.id},
                                          {"created_at", format_instant(x.created_at)},
                                          {"last_seen_at", format_instant(x.last_seen_at)},
                                          {"expires_at", format_instant(x.expires_at)},
                                          {"client_ip", x.client_ip},
                                          {"user_agent", x.user_agent},
                                          {"current", x.current}});
           }
           const auto n = static_cast<int64_t>(items.size());
           return json_response(json::object{{"items", std::move(items)}, {"total", n}});
         }});
  r.add({.method = "DELETE",
         .pattern = "/api/v1/auth/sessions/{id}",
         .tag = "auth",
         .summary = "End one of the own sessions",
         .access = Access::any_session,
         .responses = {{204}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_TRY(s.auth.end_session(c.p(), id));
           return no_content();
         }});
}

void add_user_routes(Router& r, Services& s) {
  r.add({.method = "GET",
         .pattern = "/api/v1/users",
         .tag = "users",
         .summary = "Accounts in the caller's subtree",
         .perm = auth::Perm::user_manage,
         .query = {{"page", ParamType::integer}, {"page_size", ParamType::integer}},
         .responses = {{200, "UserPage"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto paging = q.paging();
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto page, s.auth.list_users(c.p(), paging.page, paging.page_size));
           json::array items;
           for (const auto& u : page.first) items.push_back(user_json(u));
           return json_response(json::object{{"items", std::move(items)}, {"total", page.second}});
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/users",
         .tag = "users",
         .summary = "Create an account (must change password at first login)",
         .perm = auth::Perm::user_manage,
         .body = &kUserInput,
         .responses = {{201, "User"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kUserInput.parse(c.req));
           const auto& [username, password, role, org_id, member_id, community_id] = in;
           Validator v;
           v.text("username", username, 64);
           if (!password) v.add("password", "required", "is required");
           if (!role) {
             v.add("role", "required", "is required");
           } else if (!auth::parse_role(*role)) {
             v.add("role", "unknown_code",
                   "must be one of committee_admin, org_admin, member, lecturer, inspector, "
                   "auditor, community");
           }
           DJ_TRY(v.status());
           DJ_ASSIGN(auto u,
                     s.auth.create_user_as(c.p(), *username, *password, *auth::parse_role(*role),
                                           {org_id, member_id, community_id}));
           return json_response(user_json(u), 201);
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/users/{id}/reset-password",
         .tag = "users",
         .summary = "Set a new password; the user must change it at next login",
         .perm = auth::Perm::user_manage,
         .body = &kPasswordReset,
         .responses = {{204}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kPasswordReset.parse(c.req));
           const auto& password = in.password;
           if (!password) return Error::invalid("password", "required", "is required");
           DJ_TRY(s.auth.reset_password_as(c.p(), id, *password));
           return no_content();
         }});
}

}  // namespace dj::http
