// Activity statistics for a period and a subtree: what a period report
// quotes (counts and attendances by type, subtype, tag, method, off-site, and
// leading cadres' dual organizational life).
#pragma once

#include <boost/json/object.hpp>
#include <optional>

#include "common/period.h"
#include "domain/auth/principal.h"
#include "store/db.h"

namespace dj::activity {

// The figures as JSON: {"period", "org_id", "total", "attendances",
// "late_entries", "by_type": {code: {"count", "attendances"}}, "by_subtype",
// "by_tag", "by_method", "off_site", "leaders": {"count", "attendances",
// "three_meetings_one_lecture", "lectures_given"}}.
Result<boost::json::object> activity_stats(store::Db& db, const auth::Principal& p,
                                           const Period& period, std::optional<int64_t> org_id);

}  // namespace dj::activity
