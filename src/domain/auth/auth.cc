#include "domain/auth/auth.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "common/crypto.h"
#include "common/time.h"
#include "common/validate.h"
#include "store/group_commit.h"
#include "store/query.h"

namespace dj::auth {
namespace {

namespace json = boost::json;

constexpr const char* kCommonPasswords[] = {
    "password",      "password1",  "password123", "passw0rd",   "p@ssw0rd",  "p@ssword",
    "admin123",      "admin@123",  "admin@1234",  "root@123",   "qwer1234",  "qwerty123",
    "1qaz@wsx",      "1qaz2wsx",   "1q2w3e4r",    "1q2w3e4r5t", "aa123456",  "abc@123",
    "abc123456",     "abcd1234",   "abcd@1234",   "a1234567",   "a12345678", "zxcv1234",
    "welcome1",      "welcome@1",  "iloveyou1",   "test@123",   "user@123",  "changeme1",
    "qaz123456",     "woaini1314", "5201314a",    "huawei@123", "dangjiao1", "dangjiao@123",
    "12345678a",     "123456aa",   "123qwe!@#",   "!qaz2wsx",   "qwe123!@#", "asdf1234",
    "dangjiao#2026",  // the demo's published password
};

User user_from(const store::Row& r) {
  User u;
  u.id = r.i64(0);
  u.username = r.str(1);
  u.role = parse_role(r.str(2)).value_or(Role::member);
  u.org_id = r.opt_i64(3);
  u.member_id = r.opt_i64(4);
  u.must_change_password = r.flag(5);
  u.disabled = r.flag(6);
  u.created_at = r.i64(7);
  u.community_id = r.opt_i64(8);
  return u;
}

constexpr const char* kUserColumns =
    "u.id, u.username, u.role, u.org_id, u.member_id, u.must_change_password, u.disabled, "
    "u.created_at, u.community_id";

}  // namespace

Status check_password_policy(std::string_view pw, std::string_view username, const char* field) {
  auto fail = [field](std::string code, std::string msg) {
    return Error::invalid(field, std::move(code), std::move(msg));
  };
  // Characters, not bytes: 中文1a is four.
  const size_t length = utf8_length(pw);
  if (length < 8) return fail("too_short", "must be at least 8 characters");
  if (length > 128) return fail("too_long", "must be at most 128 characters");
  bool lower = false, upper = false, digit = false, other = false;
  for (unsigned char ch : pw) {
    lower |= std::islower(ch) != 0;
    upper |= std::isupper(ch) != 0;
    digit |= std::isdigit(ch) != 0;
    other |= !std::isalnum(ch);
  }
  if (lower + upper + digit + other < 3) {
    return fail("too_simple",
                "must use 3 of: lowercase letters, uppercase letters, digits, other characters");
  }
  std::string folded(pw);
  std::transform(folded.begin(), folded.end(), folded.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  for (const char* common : kCommonPasswords) {
    if (folded == common) return fail("common", "is a commonly used password");
  }
  std::string user(username);
  std::transform(user.begin(), user.end(), user.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (!user.empty() && folded.find(user) != std::string::npos) {
    return fail("contains_username", "must not contain the username");
  }
  return {};
}

Result<LoginResult> AuthService::login(std::string_view username, std::string_view password,
                                       const std::string& client_ip,
                                       const std::string& user_agent) {
  const int64_t now = now_ms();
  audit::Actor actor{std::nullopt, std::string(username), client_ip, "POST /api/v1/auth/login"};
  const std::string name_key = client_ip + "\n" + std::string(username);
  // While throttled, not even a right password is checked: guessing stops.
  if (const int64_t wait =
          std::max(by_name_.wait_ms(name_key, now), by_address_.wait_ms(client_ip, now))) {
    return Error::too_many("password", "too many failed logins", wait);
  }
  auto row = store::with_conn(db_, [&](store::Conn& c) {
    return c.query_opt(std::string("SELECT ") + kUserColumns +
                           ", u.password_hash, u.failed_logins FROM users u WHERE u.username = ?",
                       {username});
  });
  if (!row) return row.take_error();
  std::optional<User> user;
  const char* reason = "unknown";
  if (*row) {
    user = user_from(**row);
    actor.user_id = user->id;
    reason = user->disabled ? "disabled" : "password";
  } else {
    static const std::string dummy = hash_password("no-such-user-Xy9");
    verify_password(dummy, password);  // the same cost as a real check
  }
  if (!user || user->disabled || !verify_password((*row)->str(9), password)) {
    // An unknown name, a disabled account and a wrong password answer alike.
    const int64_t wait = std::max(by_name_.fail(name_key, now), by_address_.fail(client_ip, now));
    const int failures = user ? static_cast<int>((*row)->i64(10)) + 1 : 0;
    DJ_TRY(store::with_tx(db_, [&](store::Conn& c) -> Status {
      if (user) {
        DJ_TRY(c.exec("UPDATE users SET failed_logins = ? WHERE id = ?", {failures, user->id}));
      }
      const std::string id = user ? std::to_string(user->id) : "";
      json::object after{{"reason", reason}};
      if (user) after["failures"] = failures;
      DJ_TRY(audit::record(c, actor, {"auth.login_failed", "user", id, "", {}, std::move(after)}));
      if (wait == 0) return {};
      spdlog::warn("failed logins throttled for \"{}\" from {}", std::string(username), client_ip);
      return audit::record(c, actor,
                           {"auth.throttled",
                            "user",
                            id,
                            "",
                            {},
                            json::object{{"until", format_instant(now + wait)}}});
    }));
    if (wait > 0) return Error::too_many("password", "too many failed logins", wait);
    return Error{ErrorCode::unauthenticated, "wrong username or password", {}};
  }
  by_name_.clear(name_key);
  LoginResult out;
  out.token = random_token();
  out.csrf_token = random_token();
  out.expires_at = now + cfg_.absolute_ms;
  out.user = *user;
  DJ_TRY(store::with_tx(db_, [&](store::Conn& c) -> Status {
    DJ_TRY(c.exec("UPDATE users SET failed_logins = 0 WHERE id = ?", {user->id}));
    DJ_ASSIGN(auto sid,
              c.query_one("INSERT INTO sessions (user_id, token_hash, csrf_token, client_ip, "
                          "user_agent, created_at, last_seen_at, expires_at) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          {user->id, sha256_hex(out.token), out.csrf_token, client_ip,
                           user_agent.substr(0, 300), now, now, out.expires_at}));
    return audit::record(c, actor,
                         {"auth.login", "session", std::to_string(sid.i64(0)), "", {}, {}});
  }));
  return out;
}

Result<Principal> AuthService::authenticate(std::string_view token) {
  const Error unauth{ErrorCode::unauthenticated, "session missing, expired or ended", {}};
  if (token.empty() || token.size() > 100) return unauth;
  const int64_t now = now_ms();
  const std::string hash = sha256_hex(token);
  auto live = [&](int64_t last_seen, int64_t expires) {
    return expires > now && last_seen + cfg_.idle_ms > now;
  };
  {
    std::lock_guard lock(cache_mu_);
    if (auto it = cache_.find(hash); it != cache_.end()) {
      const Cached& c = it->second;
      if (now - c.cached_at < cfg_.session_cache_ms && live(c.last_seen_at, c.expires_at)) {
        return c.principal;
      }
      cache_.erase(it);
    }
  }
  auto row = store::with_conn(db_, [&](store::Conn& c) {
    return c.query_opt(
        "SELECT s.id, s.last_seen_at, s.expires_at, s.ended_at, u.id, u.username, u.role, "
        "u.org_id, u.member_id, u.must_change_password, u.disabled, o.path, o.depth, "
        "u.community_id FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN orgs o ON o.id "
        "= u.org_id "
        "WHERE s.token_hash = ?",
        {hash});
  });
  if (!row) return row.take_error();
  if (!*row) return unauth;
  const store::Row& r = **row;
  if (!r.null(3) || !live(r.i64(1), r.i64(2)) || r.flag(10)) return unauth;
  Principal p;
  p.session_id = r.i64(0);
  p.user_id = r.i64(4);
  p.username = r.str(5);
  p.role = parse_role(r.str(6)).value_or(Role::member);
  p.org_id = r.opt_i64(7);
  p.member_id = r.opt_i64(8);
  p.must_change_password = r.flag(9);
  p.community_id = r.opt_i64(13);
  // Accounts of a top-level organization (the committee) see everything.
  p.scope_path = r.null(11) || r.i64(12) == 0 ? "/" : r.str(11);
  if (p.role != Role::committee_admin && r.null(11)) {
    // A scoped role without an organization sees nothing.
    p.scope_path = "/none/";
  }
  int64_t last_seen = r.i64(1);
  if (now - last_seen > 60 * 1000) {
    last_seen = now;
    touch(p.session_id, now);
  }
  std::lock_guard lock(cache_mu_);
  if (cache_.size() > 50000) cache_.clear();
  cache_[hash] = {p, last_seen, r.i64(2), now};
  return p;
}

// Touches wait in a list that one queued piece of group-commit work writes
// at once: the first touch after the list was taken queues the next piece.
// The request does not wait; a touch lost in a crash only makes a session
// look idle a little earlier.
void AuthService::touch(int64_t session_id, int64_t at) {
  {
    std::lock_guard lock(touches_->mu);
    touches_->pending.emplace_back(session_id, at);
    if (touches_->pending.size() > 1) return;  // the queued work takes it too
  }
  db_.group_commit().submit(
      [touches = touches_](store::Conn& c) -> Status {
        std::vector<std::pair<int64_t, int64_t>> batch;
        {
          std::lock_guard lock(touches->mu);
          batch.swap(touches->pending);
        }
        for (const auto& [id, when] : batch) {
          DJ_TRY(c.exec("UPDATE sessions SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?",
                        {when, id, when}));
        }
        return {};
      },
      {});
}

void AuthService::forget_sessions(std::optional<int64_t> session_id,
                                  std::optional<int64_t> user_id) {
  std::lock_guard lock(cache_mu_);
  std::erase_if(cache_, [&](const auto& kv) {
    return (session_id && kv.second.principal.session_id == *session_id) ||
           (user_id && kv.second.principal.user_id == *user_id);
  });
}

Result<std::string> AuthService::csrf_token(int64_t session_id) {
  return store::with_conn(db_, [&](store::Conn& c) -> Result<std::string> {
    DJ_ASSIGN(auto r, c.query_one("SELECT csrf_token FROM sessions WHERE id = ?", {session_id}));
    return r.str(0);
  });
}

Status AuthService::logout(const Principal& p) {
  auto s = store::with_tx(db_, [&](store::Conn& c) -> Status {
    DJ_TRY(c.exec("UPDATE sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL",
                  {now_ms(), p.session_id}));
    return audit::record(c, p.actor(),
                         {"auth.logout", "session", std::to_string(p.session_id), "", {}, {}});
  });
  forget_sessions(p.session_id, std::nullopt);  // after commit: nothing re-caches it
  return s;
}

Status AuthService::change_password(const Principal& p, std::string_view old_password,
                                    std::string_view new_password) {
  DJ_ASSIGN(auto row, store::with_conn(db_, [&](store::Conn& c) {
              return c.query_one("SELECT password_hash FROM users WHERE id = ?", {p.user_id});
            }));
  const std::string key = "user:" + std::to_string(p.user_id);
  const int64_t now = now_ms();
  if (const int64_t wait = by_name_.wait_ms(key, now)) {
    return Error::too_many("old_password", "too many wrong current passwords", wait);
  }
  if (!verify_password(row.str(0), old_password)) {
    if (const int64_t wait = by_name_.fail(key, now)) {
      DJ_TRY(audit::record_now(db_, p.actor(),
                               {"auth.throttled",
                                "user",
                                std::to_string(p.user_id),
                                "",
                                {},
                                json::object{{"until", format_instant(now + wait)}}}));
      return Error::too_many("old_password", "too many wrong current passwords", wait);
    }
    return Error::invalid("old_password", "wrong", "the current password is wrong");
  }
  by_name_.clear(key);
  if (old_password == new_password) {
    return Error::invalid("new_password", "unchanged", "must differ from the current password");
  }
  DJ_TRY(check_password_policy(new_password, p.username, "new_password"));
  const std::string hash = hash_password(new_password);
  auto done = store::with_tx(db_, [&](store::Conn& c) -> Status {
    DJ_TRY(
        c.exec("UPDATE users SET password_hash = ?, must_change_password = 0, updated_at = ?, "
               "updated_by = ? WHERE id = ?",
               {hash, now_ms(), p.user_id, p.user_id}));
    // Other sessions end: whoever knew the old password is out.
    DJ_TRY(
        c.exec("UPDATE sessions SET ended_at = ? WHERE user_id = ? AND id <> ? AND "
               "ended_at IS NULL",
               {now_ms(), p.user_id, p.session_id}));
    return audit::record(c, p.actor(),
                         {"auth.password_change", "user", std::to_string(p.user_id), "", {}, {}});
  });
  forget_sessions(std::nullopt, p.user_id);
  return done;
}

Result<std::vector<SessionInfo>> AuthService::sessions(const Principal& p) {
  const int64_t now = now_ms();
  return store::with_conn(db_, [&](store::Conn& c) -> Result<std::vector<SessionInfo>> {
    DJ_ASSIGN(auto rows,
              c.query("SELECT id, created_at, last_seen_at, expires_at, client_ip, user_agent "
                      "FROM sessions WHERE user_id = ? AND ended_at IS NULL AND expires_at > ? "
                      "AND last_seen_at > ? ORDER BY id DESC",
                      {p.user_id, now, now - cfg_.idle_ms}));
    std::vector<SessionInfo> out;
    for (const auto& r : rows) {
      out.push_back(
          {r.i64(0), r.i64(1), r.i64(2), r.i64(3), r.str(4), r.str(5), r.i64(0) == p.session_id});
    }
    return out;
  });
}

Status AuthService::end_session(const Principal& p, int64_t session_id) {
  auto done = store::with_tx(db_, [&](store::Conn& c) -> Status {
    DJ_ASSIGN(auto n, c.exec("UPDATE sessions SET ended_at = ? WHERE id = ? AND user_id = ? AND "
                             "ended_at IS NULL",
                             {now_ms(), session_id, p.user_id}));
    if (n == 0) return Error::not_found("no such session");
    return audit::record(c, p.actor(),
                         {"auth.session_end", "session", std::to_string(session_id), "", {}, {}});
  });
  if (done) forget_sessions(session_id, std::nullopt);
  return done;
}

Result<User> AuthService::create_user(const audit::Actor& actor, const std::string& username,
                                      std::string_view password, Role role, const Seat& at,
                                      bool must_change) {
  const auto& [org_id, member_id, community_id] = at;
  if (username.empty() || username.size() > 64 ||
      !std::all_of(username.begin(), username.end(), [](unsigned char ch) {
        return std::isalnum(ch) || ch == '_' || ch == '.' || ch == '-';
      })) {
    return Error::invalid("username", "format", "1-64 characters: letters, digits, '_', '.', '-'");
  }
  if (role == Role::community) {
    if (!community_id)
      return Error::invalid("community_id", "required", "required for a community account");
    if (org_id || member_id) {
      return Error::invalid(org_id ? "org_id" : "member_id", "not_allowed",
                            "a community account belongs to its community only");
    }
  } else if (community_id) {
    return Error::invalid("community_id", "not_allowed", "only a community account has one");
  } else if (role != Role::committee_admin && !org_id) {
    return Error::invalid("org_id", "required", "required for a role scoped to an organization");
  }
  DJ_TRY(check_password_policy(password, username, "password"));
  const std::string hash = hash_password(password);
  const int64_t now = now_ms();
  return store::with_tx(db_, [&](store::Conn& c) -> Result<User> {
    std::string path;
    if (org_id) {
      DJ_ASSIGN(auto org, c.query_opt("SELECT path FROM orgs WHERE id = ? AND deleted_at IS NULL",
                                      {*org_id}));
      if (!org) return Error::invalid("org_id", "unknown", "no such organization");
      path = org->str(0);
    }
    if (member_id) {
      DJ_ASSIGN(auto m, c.query_opt("SELECT id FROM members WHERE id = ? AND deleted_at IS NULL",
                                    {*member_id}));
      if (!m) return Error::invalid("member_id", "unknown", "no such member");
    }
    if (community_id) {
      DJ_ASSIGN(auto k,
                c.query_opt("SELECT id FROM communities WHERE id = ? AND deleted_at IS NULL",
                            {*community_id}));
      if (!k) return Error::invalid("community_id", "unknown", "no such community");
    }
    auto ins = c.query_one(
        "INSERT INTO users (username, password_hash, role, org_id, member_id, community_id, "
        "must_change_password, created_at, updated_at, created_by, updated_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        {username, hash, to_string(role), org_id, member_id, community_id, must_change, now, now,
         actor.user_id, actor.user_id});
    if (!ins) {
      if (ins.error().code == ErrorCode::conflict) {
        return Error{ErrorCode::conflict,
                     "username already taken",
                     {{"username", "taken", "username already taken"}}};
      }
      return ins.take_error();
    }
    User u{ins->i64(0), username, role, org_id, member_id, must_change, false, now, community_id};
    DJ_TRY(audit::record(
        c, actor,
        {"user.create",
         "user",
         std::to_string(u.id),
         path,
         {},
         json::object{{"username", username},
                      {"role", to_string(role)},
                      {"org_id", org_id ? json::value(*org_id) : nullptr},
                      {"member_id", member_id ? json::value(*member_id) : nullptr},
                      {"community_id", community_id ? json::value(*community_id) : nullptr}}}));
    return u;
  });
}

Status AuthService::reset_password(const audit::Actor& actor, const std::string& username,
                                   std::string_view password) {
  DJ_TRY(check_password_policy(password, username, "password"));
  const std::string hash = hash_password(password);
  int64_t id = 0;
  auto done = store::with_tx(db_, [&](store::Conn& c) -> Status {
    DJ_ASSIGN(auto u, c.query_opt("SELECT id FROM users WHERE username = ?", {username}));
    if (!u) return Error::not_found("no such user");
    id = u->i64(0);
    const int64_t now = now_ms();
    DJ_TRY(
        c.exec("UPDATE users SET password_hash = ?, must_change_password = 1, "
               "failed_logins = 0, updated_at = ?, updated_by = ? "
               "WHERE id = ?",
               {hash, now, actor.user_id, id}));
    DJ_TRY(c.exec("UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL",
                  {now, id}));
    return audit::record(c, actor, {"user.reset_password", "user", std::to_string(id), "", {}, {}});
  });
  if (done) forget_sessions(std::nullopt, id);
  return done;
}

namespace {

// Scope check for account management: the user's organization must be in
// p's subtree (committee accounts without one only for committee_admin).
Status user_in_scope(store::Conn& c, const Principal& p, std::optional<int64_t> org_id,
                     const char* field) {
  if (!org_id) {
    if (p.scope_path == "/") return {};
    return Error::invalid(field, "required", "is required");
  }
  DJ_ASSIGN(auto org,
            c.query_opt("SELECT path FROM orgs WHERE id = ? AND deleted_at IS NULL", {*org_id}));
  if (!org || !in_scope(p, org->str(0))) {
    return Error::invalid(field, "unknown", "no such organization in your scope");
  }
  return {};
}

}  // namespace

Result<User> AuthService::create_user_as(const Principal& p, const std::string& username,
                                         std::string_view password, Role role, const Seat& at) {
  const auto& [org_id, member_id, community_id] = at;
  DJ_TRY(require(p, Perm::user_manage));
  if (auto extra = beyond(p, role)) {
    return Error::forbidden(std::string("a ") + to_string(role) + " account would have " +
                            to_string(*extra) +
                            ", which you do not; accounts you create have only permissions you "
                            "have yourself");
  }
  DJ_TRY(store::with_conn(db_, [&](store::Conn& c) -> Status {
    if (role == Role::community) return {};  // only the committee grants it (beyond)
    DJ_TRY(user_in_scope(c, p, org_id, "org_id"));
    if (member_id) {
      DJ_ASSIGN(auto m, c.query_opt("SELECT o.path FROM members m JOIN orgs o ON o.id = m.org_id "
                                    "WHERE m.id = ? AND m.deleted_at IS NULL",
                                    {*member_id}));
      if (!m || !in_scope(p, m->str(0))) {
        return Error::invalid("member_id", "unknown", "no such member in your scope");
      }
    }
    return {};
  }));
  return create_user(p.actor(), username, password, role, at);
}

Status AuthService::reset_password_as(const Principal& p, int64_t user_id,
                                      std::string_view password) {
  DJ_TRY(require(p, Perm::user_manage));
  DJ_ASSIGN(auto username, store::with_conn(db_, [&](store::Conn& c) -> Result<std::string> {
              DJ_ASSIGN(auto u, c.query_opt("SELECT username, org_id, role FROM users WHERE id = ?",
                                            {user_id}));
              if (!u) return Error::not_found("user " + std::to_string(user_id));
              if (!user_in_scope(c, p, u->opt_i64(1), "org_id") ||
                  beyond(p, parse_role(u->str(2)).value_or(Role::committee_admin))) {
                return Error::not_found("user " + std::to_string(user_id));
              }
              return u->str(0);
            }));
  return reset_password(p.actor(), username, password);
}

Result<std::pair<std::vector<User>, int64_t>> AuthService::list_users(const Principal& p,
                                                                      int64_t page,
                                                                      int64_t page_size) {
  DJ_TRY(require(p, Perm::user_manage));
  return store::with_conn(
      db_, [&](store::Conn& c) -> Result<std::pair<std::vector<User>, int64_t>> {
        store::Filter f(" FROM users u LEFT JOIN orgs o ON o.id = u.org_id WHERE 1=1", {});
        if (p.scope_path != "/") {
          f.add("o.path >= ?", p.scope_path);
          f.add("o.path < ?", subtree_end(p.scope_path));
        }
        DJ_ASSIGN(auto found, store::query_page(c, kUserColumns, f, "u.id", page, page_size));
        std::vector<User> users;
        for (const auto& r : found.rows) users.push_back(user_from(r));
        return std::pair{std::move(users), found.total};
      });
}

}  // namespace dj::auth
