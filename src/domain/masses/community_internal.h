// What communities.cc and services.cc share; not for other capabilities.
#pragma once

#include "domain/masses/communities.h"
#include "store/db.h"

namespace dj::masses::detail {

// The community (not deleted), or not_found.
Result<Community> load_community(store::Conn& c, int64_t id);
// An administrator of the tree (org:read, not a member or a lecturer).
bool is_admin(const auth::Principal& p);

}  // namespace dj::masses::detail
