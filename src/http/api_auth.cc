#include <boost/json.hpp>

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

constexpr const char* kClearCookies[] = {
    "dangjiao_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
    "dangjiao_csrf=; Path=/; SameSite=Strict; Max-Age=0"};

}  // namespace

void add_auth_routes(Router& r, Services& s) {
  r.add({.method = "POST",
         .pattern = "/api/v1/auth/login",
         .tag = "auth",
         .summary = "Log in; answers a token and sets the session cookie",
         .access = Access::open,
         .body = "Login",
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto body, JsonBody::parse(c.req));
           std::optional<std::string> username, password;
           body.str("username", username);
           body.str("password", password);
           DJ_TRY(body.finish());
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
           out.headers.emplace_back("Set-Cookie", "dangjiao_session=" + res.token +
                                                      "; Path=/; HttpOnly; SameSite=Strict");
           out.headers.emplace_back(
               "Set-Cookie", "dangjiao_csrf=" + res.csrf_token + "; Path=/; SameSite=Strict");
           out.headers.emplace_back("Cache-Control", "no-store");
           return out;
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/auth/logout",
         .tag = "auth",
         .summary = "End the current session",
         .access = Access::any_session,
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_TRY(s.auth.logout(c.p()));
           Response out = no_content();
           for (const char* ck : kClearCookies) out.headers.emplace_back("Set-Cookie", ck);
           return out;
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/auth/me",
         .tag = "auth",
         .summary = "The signed-in user, role, scope and permissions",
         .access = Access::any_session,
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
               {"must_change_password", p.must_change_password},
               {"permissions", permissions_of(p)},
           });
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/auth/password",
         .tag = "auth",
         .summary = "Change the own password",
         .access = Access::any_session,
         .body = "PasswordChange",
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto body, JsonBody::parse(c.req));
           std::optional<std::string> old_pw, new_pw;
           body.str("old_password", old_pw);
           body.str("new_password", new_pw);
           DJ_TRY(body.finish());
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
         .body = "UserInput",
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto body, JsonBody::parse(c.req));
           std::optional<std::string> username, password, role;
           std::optional<int64_t> org_id, member_id;
           body.str("username", username);
           body.str("password", password);
           body.str("role", role);
           body.i64("org_id", org_id);
           body.i64("member_id", member_id);
           DJ_TRY(body.finish());
           Validator v;
           v.text("username", username, 64);
           if (!password) v.add("password", "required", "is required");
           if (!role) {
             v.add("role", "required", "is required");
           } else if (!auth::parse_role(*role)) {
             v.add("role", "unknown_code",
                   "must be one of committee_admin, org_admin, member, lecturer, inspector, "
                   "auditor");
           }
           DJ_TRY(v.status());
           DJ_ASSIGN(auto u, s.auth.create_user_as(c.p(), *username, *password,
                                                   *auth::parse_role(*role), org_id, member_id));
           return json_response(user_json(u), 201);
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/users/{id}/reset-password",
         .tag = "users",
         .summary = "Set a new password; the user must change it at next login",
         .perm = auth::Perm::user_manage,
         .body = "PasswordReset",
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto body, JsonBody::parse(c.req));
           std::optional<std::string> password;
           body.str("password", password);
           DJ_TRY(body.finish());
           if (!password) return Error::invalid("password", "required", "is required");
           DJ_TRY(s.auth.reset_password_as(c.p(), id, *password));
           return no_content();
         }});
}

}  // namespace dj::http
