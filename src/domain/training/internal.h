// What the training service's files share: loading classes and sessions with
// the caller's access, and small helpers. Not for other capabilities.
#pragma once

#include <algorithm>
#include <boost/json/value.hpp>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "common/validate.h"
#include "domain/training/training.h"
#include "store/db.h"

namespace dj::training::detail {

// A JSON array of strings stored as text, read back; [] when malformed.
std::vector<std::string> parse_list(const std::string& text);

// The SELECT list training_from reads (trainings t joined with orgs o).
extern const char* const kTrainingColumns;
Training training_from(const store::Row& r);

// A class by id (not_found when deleted).
Result<Training> load(store::Conn& c, int64_t id);
// A class the caller may see: organized in his scope, below his organization
// (he enrols his members into it), or one he is enrolled in.
Result<Training> readable(store::Conn& c, const auth::Principal& p, int64_t id);
// A class the caller may change: org:write and organized in his scope.
Result<Training> writable(store::Conn& c, const auth::Principal& p, int64_t id);
// The class for enrolling into (and withdrawing from): organized above the
// caller (the committee's) or inside his scope; not_found otherwise.
Result<Training> enrollable(store::Conn& c, const auth::Principal& p, int64_t id);

// Whether completion has been decided for the class (it then stays as certified).
Result<bool> completed(store::Conn& c, int64_t id);

// A class's sessions in time order.
Result<std::vector<Session>> sessions_of(store::Conn& c, int64_t training_id);
// A session with its class.
Result<std::pair<Training, Session>> session_in(store::Conn& c, int64_t session_id);

// The directly affiliated organization (depth 1) above a path, if any.
std::optional<int64_t> affiliated_of(const std::string& path);

}  // namespace dj::training::detail
