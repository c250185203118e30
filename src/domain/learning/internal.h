// Helpers the learning service's files share (not part of its interface).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/learning/learning.h"

namespace dj::learning::detail {

// Courses not deleted, under `and_where` (conditions on c (courses) and o
// (its organization), then any ORDER BY and LIMIT), with their organization's names.
Result<std::vector<Course>> select_courses(store::Conn& c, const std::string& and_where,
                                           const store::Params& params);
// A course that is not deleted (not_found otherwise); no scope check.
Result<Course> load_course(store::Conn& c, int64_t id);
// Its lessons in order, with their media.
Result<std::vector<Lesson>> load_lessons(store::Conn& c, int64_t course_id);
// The lesson `id` (not deleted) with its course, when `course_of` gives the
// course (p may manage it, or study it); not_found naming the lesson otherwise.
Result<std::pair<Course, Lesson>> find_lesson(
    store::Conn& c, int64_t id, const std::function<Result<Course>(int64_t course_id)>& course_of);
// The courses assigned to a member (of the organization at `member_path`),
// each with the earliest date an assignment that covers him sets.
Result<std::map<int64_t, std::string>> due_dates(store::Conn& c, int64_t member_id,
                                                 const std::string& member_path,
                                                 int new_member_months);

}  // namespace dj::learning::detail
