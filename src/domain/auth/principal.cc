#include "domain/auth/principal.h"

namespace dj::auth {

std::optional<Role> parse_role(std::string_view s) {
  for (Role r : {Role::committee_admin, Role::org_admin, Role::member, Role::lecturer,
                 Role::inspector, Role::auditor}) {
    if (s == to_string(r)) return r;
  }
  return std::nullopt;
}

const char* to_string(Role r) {
  switch (r) {
    case Role::committee_admin:
      return "committee_admin";
    case Role::org_admin:
      return "org_admin";
    case Role::member:
      return "member";
    case Role::lecturer:
      return "lecturer";
    case Role::inspector:
      return "inspector";
    case Role::auditor:
      return "auditor";
  }
  return "member";
}

const char* to_string(Perm p) {
  switch (p) {
    case Perm::org_read:
      return "org:read";
    case Perm::org_write:
      return "org:write";
    case Perm::member_read:
      return "member:read";
    case Perm::member_write:
      return "member:write";
    case Perm::member_pii:
      return "member:pii";
    case Perm::audit_read:
      return "audit:read";
    case Perm::user_manage:
      return "user:manage";
  }
  return "";
}

bool has(const Principal& p, Perm perm) {
  switch (p.role) {
    case Role::committee_admin:
      return true;
    case Role::org_admin:
      return perm != Perm::member_pii && perm != Perm::audit_read;
    case Role::auditor:
      return perm == Perm::org_read || perm == Perm::member_read || perm == Perm::audit_read;
    case Role::inspector:
      return perm == Perm::org_read || perm == Perm::member_read;
    case Role::member:
    case Role::lecturer:
      return perm == Perm::org_read;
  }
  return false;
}

Status require(const Principal& p, Perm perm) {
  if (!has(p, perm)) {
    return Error::forbidden(std::string("requires permission ") + to_string(perm));
  }
  return {};
}

}  // namespace dj::auth
