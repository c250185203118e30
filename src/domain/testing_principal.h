// Test support for domain tests: principals without going through login.
#pragma once

#include "domain/auth/principal.h"

namespace dj::testing {

inline auth::Principal committee_admin() {
  auth::Principal p;
  p.user_id = 1;
  p.username = "test-admin";
  p.role = auth::Role::committee_admin;
  p.scope_path = "/";
  return p;
}

inline auth::Principal scoped(auth::Role role, const std::string& path,
                              std::optional<int64_t> member_id = std::nullopt) {
  auth::Principal p;
  p.user_id = 2;
  p.username = "test-scoped";
  p.role = role;
  p.scope_path = path;
  p.member_id = member_id;
  return p;
}

}  // namespace dj::testing
