#include "domain/auth/principal.h"

namespace dj::auth {

const char* const kRoles[7] = {"committee_admin", "org_admin", "member",   "lecturer",
                               "inspector",       "auditor",   "community"};

std::optional<Role> parse_role(std::string_view s) {
  for (size_t i = 0; i < std::size(kRoles); ++i) {
    if (s == kRoles[i]) return static_cast<Role>(i);
  }
  return std::nullopt;
}

const char* to_string(Role r) { return kRoles[static_cast<size_t>(r)]; }

const Perm kAllPerms[17] = {
    Perm::org_read,         Perm::org_write,         Perm::member_read,  Perm::member_write,
    Perm::member_pii,       Perm::audit_read,        Perm::user_manage,  Perm::activity_type_manage,
    Perm::rule_manage,      Perm::record_unlock,     Perm::quota_manage, Perm::enrolment_override,
    Perm::community_manage, Perm::community_confirm, Perm::model_review, Perm::resource_manage,
    Perm::course_manage};

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
    case Perm::activity_type_manage:
      return "activity_type:manage";
    case Perm::rule_manage:
      return "rule:manage";
    case Perm::record_unlock:
      return "record:unlock";
    case Perm::quota_manage:
      return "quota:manage";
    case Perm::enrolment_override:
      return "enrolment:override";
    case Perm::community_manage:
      return "community:manage";
    case Perm::community_confirm:
      return "community:confirm";
    case Perm::model_review:
      return "model:review";
    case Perm::resource_manage:
      return "resource:manage";
    case Perm::course_manage:
      return "course:manage";
  }
  return "";
}

bool has(const Principal& p, Perm perm) {
  switch (p.role) {
    case Role::committee_admin:
      return true;
    case Role::org_admin:
      return perm == Perm::org_read || perm == Perm::org_write || perm == Perm::member_read ||
             perm == Perm::member_write || perm == Perm::user_manage || perm == Perm::course_manage;
    case Role::auditor:
      return perm == Perm::org_read || perm == Perm::member_read || perm == Perm::audit_read;
    case Role::inspector:
      return perm == Perm::org_read || perm == Perm::member_read;
    case Role::member:
      return perm == Perm::org_read;
    case Role::lecturer:
      return perm == Perm::org_read || perm == Perm::course_manage;
    case Role::community:
      return perm == Perm::community_confirm;
  }
  return false;
}

std::optional<Perm> beyond(const Principal& p, Role role) {
  Principal as;
  as.role = role;
  for (Perm perm : kAllPerms) {
    if (has(as, perm) && !has(p, perm)) return perm;
  }
  return std::nullopt;
}

Status require(const Principal& p, Perm perm) {
  if (!has(p, perm)) {
    return Error::forbidden(std::string("requires permission ") + to_string(perm));
  }
  return {};
}

}  // namespace dj::auth
