// What the masses capability's files share; not for other capabilities.
#pragma once

#include <cstdint>
#include <vector>

#include "common/validate.h"
#include "domain/masses/communities.h"
#include "store/db.h"

namespace dj::masses::detail {

// The community (not deleted), or not_found.
Result<Community> load_community(store::Conn& c, int64_t id);
// An administrator of the tree (org:read, not a member or a lecturer).
bool is_admin(const auth::Principal& p);
// A year of the records: from 2000 to this year, or to next year when
// `next_too` (plans and commitments are made ahead).
Status check_year(int64_t year, bool next_too);
// A batch of ids answered at once: 1 to 500, none twice (`ids[i]` named).
void check_ids(Validator& v, const std::vector<int64_t>& ids);

}  // namespace dj::masses::detail
