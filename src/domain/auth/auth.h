// Accounts and sessions: login with throttled failures, session tokens
// (stored hashed) with idle and absolute expiry, password policy and changes.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/throttle.h"
#include "domain/auth/principal.h"
#include "store/db.h"

namespace dj::auth {

struct AuthConfig {
  // How long a verified session may be answered from memory before the
  // database is asked again. Ending a session on this instance takes effect
  // at once; on another instance sharing PostgreSQL, within this time.
  int64_t session_cache_ms = 2000;
  // Failed logins are throttled, never locked: a name from one address may
  // fail `login_attempts` times within the window, an address (whatever the
  // names) `address_attempts` times; then that name from that address, or
  // that address, waits until the window has passed (429 and Retry-After).
  // The account's owner elsewhere is not shut out, and a name that does not
  // exist answers exactly as one that does. A session's wrong current
  // password on a password change counts like a login by name.
  int login_attempts = 5;
  int address_attempts = 30;
  int64_t login_window_ms = 15 * 60 * 1000;
  int64_t idle_ms = 30 * 60 * 1000;
  int64_t absolute_ms = 12 * 3600 * 1000;
};

struct User {
  int64_t id = 0;
  std::string username;
  Role role = Role::member;
  std::optional<int64_t> org_id;
  std::optional<int64_t> member_id;
  bool must_change_password = true;
  bool disabled = false;
  int64_t created_at = 0;
  std::optional<int64_t> community_id;
};

// Where an account sits: its organization (and member record), or, for a
// community account, its community only.
struct Seat {
  std::optional<int64_t> org_id, member_id, community_id;
};

struct LoginResult {
  std::string token;  // shown once; only its hash is stored
  std::string csrf_token;
  int64_t expires_at = 0;
  User user;
};

struct SessionInfo {
  int64_t id;
  int64_t created_at, last_seen_at, expires_at;
  std::string client_ip, user_agent;
  bool current;
};

// Checks a new password: at least 8 characters, 3 of the 4 classes (lower,
// upper, digit, other), not a common password, not the username.
Status check_password_policy(std::string_view password, std::string_view username,
                             const char* field);

class AuthService {
 public:
  AuthService(store::Db& db, AuthConfig cfg)
      : db_(db),
        cfg_(cfg),
        by_name_(cfg.login_attempts, cfg.login_window_ms),
        by_address_(cfg.address_attempts, cfg.login_window_ms) {}

  // Verifies the password; every failure is audited and throttled (see
  // AuthConfig: ErrorCode::too_many once a limit is reached).
  Result<LoginResult> login(std::string_view username, std::string_view password,
                            const std::string& client_ip, const std::string& user_agent);

  // The principal for a live session token; unauthenticated otherwise.
  // Touches the session (idle timer) at most once a minute.
  Result<Principal> authenticate(std::string_view token);
  // The CSRF token bound to a session.
  Result<std::string> csrf_token(int64_t session_id);

  Status logout(const Principal& p);
  Status change_password(const Principal& p, std::string_view old_password,
                         std::string_view new_password);
  Result<std::vector<SessionInfo>> sessions(const Principal& p);
  // Ends one of the caller's own sessions; not_found for anyone else's.
  Status end_session(const Principal& p, int64_t session_id);

  // Creates an account (CLI and API). The password must meet the policy; the
  // user must change it at first login.
  Result<User> create_user(const audit::Actor& actor, const std::string& username,
                           std::string_view password, Role role, const Seat& at,
                           bool must_change = true);
  // Sets a new password chosen by an administrator, forces a change at the
  // next login and ends the user's sessions.
  Status reset_password(const audit::Actor& actor, const std::string& username,
                        std::string_view password);

  // The same, as a signed-in administrator: needs user:manage; an org_admin
  // manages accounts only inside his subtree and cannot grant
  // committee_admin.
  Result<User> create_user_as(const Principal& p, const std::string& username,
                              std::string_view password, Role role, const Seat& at);
  Status reset_password_as(const Principal& p, int64_t user_id, std::string_view password);
  // Accounts whose organization is in p's subtree.
  Result<std::pair<std::vector<User>, int64_t>> list_users(const Principal& p, int64_t page,
                                                           int64_t page_size);

 private:
  struct Cached {
    Principal principal;
    int64_t last_seen_at, expires_at, cached_at;
  };
  void forget_sessions(std::optional<int64_t> session_id, std::optional<int64_t> user_id);
  // Sets a session's last_seen_at through the group commit, not waiting.
  void touch(int64_t session_id, int64_t at);

  // Session touches not yet written; shared with the queued work, which may
  // run after this service has gone.
  struct Touches {
    std::mutex mu;
    std::vector<std::pair<int64_t, int64_t>> pending;  // session id, time
  };

  store::Db& db_;
  AuthConfig cfg_;
  FailureThrottle by_name_;     // "address\nusername", and "user:<id>" for password changes
  FailureThrottle by_address_;  // "address"
  std::mutex cache_mu_;
  std::unordered_map<std::string, Cached> cache_;  // by token hash
  std::shared_ptr<Touches> touches_ = std::make_shared<Touches>();
};

}  // namespace dj::auth
