// Who is asking, and what they may do. Permission = role + organization
// subtree; every service checks both on every call.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/audit/audit.h"

namespace dj::auth {

// community: a community's (社区) account; its scope is that community's
// registrations and services, never the organization tree.
enum class Role { committee_admin, org_admin, member, lecturer, inspector, auditor, community };
// The codes of Role, in its order: validation and the API's enum.
extern const char* const kRoles[7];

std::optional<Role> parse_role(std::string_view s);
const char* to_string(Role r);

// What a role may do; the subtree it may do it in is its scope. Routes
// declare the one they need, services check them again, and the web app's
// menus and buttons test the same strings (e.g. "org:write") from
// GET /api/v1/auth/me. Checks that depend on the data (own record, subtree,
// the role being granted) stay in the services.
enum class Perm {
  org_read,
  org_write,
  member_read,  // others' member records in scope
  member_write,
  member_pii,  // unmasked citizen ID and phone
  audit_read,
  user_manage,
  activity_type_manage,  // extend the activity types
  rule_manage,           // new versions of the rules
  record_unlock,         // change an activity locked after its period
  quota_manage,          // allocate training seats
  enrolment_override,    // enrol outside a class's target groups
  community_manage,      // the registry of communities and their accounts
  community_confirm,     // confirm registrations and services as a community
  model_review,          // accept organizations' model-organ plans (模范机关)
  resource_manage,       // keep the venues and teaching points, approve their bookings
  course_manage,         // publish courseware (a lecturer: his own courses)
};

// Every permission, in declaration order.
extern const Perm kAllPerms[17];

const char* to_string(Perm p);

struct Principal {
  int64_t user_id = 0;
  int64_t session_id = 0;
  std::string username;
  Role role = Role::member;
  std::optional<int64_t> org_id;
  std::string scope_path = "/";  // materialized path of the subtree it may see
  std::optional<int64_t> member_id;
  std::optional<int64_t> community_id;  // a community account's community
  bool must_change_password = false;
  std::string client_ip;
  std::string route;

  // The audit actor; a principal without an account (the command line) has no user id.
  audit::Actor actor() const {
    return {user_id ? std::optional<int64_t>(user_id) : std::nullopt, username, client_ip, route};
  }
};

// True when the role grants the permission (scope is checked separately).
bool has(const Principal& p, Perm perm);

// Ok when the role grants the permission, else forbidden naming it.
Status require(const Principal& p, Perm perm);

// The first permission `role` has that `p` lacks: an administrator creates
// and manages only accounts whose permissions are a subset of his own.
std::optional<Perm> beyond(const Principal& p, Role role);

// True when an organization with materialized path `path` is in p's subtree.
inline bool in_scope(const Principal& p, std::string_view path) {
  return path.starts_with(p.scope_path);
}

// The half-open range [lo, hi) of paths in the subtree at `path` ("/1/12/"
// -> "/1/12/" .. "/1/120"), for index range scans.
inline std::string subtree_end(std::string_view path) {
  return std::string(path.substr(0, path.size() - 1)) + "0";
}

}  // namespace dj::auth
