// Helpers the learning service's files share (not part of its interface).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/learning/learning.h"

namespace dj::learning::detail {

// The media file `id`, or nothing (no id, or gone).
Result<std::optional<Media>> load_media(store::Conn& c, std::optional<int64_t> id);
// A media file of an organization in p's scope, for a record's `field`
// (invalid naming it otherwise).
Result<Media> usable_media(store::Conn& c, const auth::Principal& p, int64_t id,
                           const std::string& field);
// A course that is not deleted (not_found otherwise); no scope check.
Result<Course> load_course(store::Conn& c, int64_t id);
// Its lessons in order, with their media.
Result<std::vector<Lesson>> load_lessons(store::Conn& c, int64_t course_id);

}  // namespace dj::learning::detail
