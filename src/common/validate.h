// Collects field errors while checking an input, then answers one Error
// naming every problem at once.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace dj {

class Validator {
 public:
  void add(std::string field, std::string code, std::string message);
  // Required non-empty text of at most `max` characters (UTF-8 code points),
  // without control characters.
  void text(const char* field, const std::optional<std::string>& v, size_t max,
            bool required = true);
  // Optional tags: at most 20, each 1-30 characters.
  void tags(const char* field, const std::optional<std::vector<std::string>>& v);
  // An optional YYYY-MM-DD date.
  void date(const char* field, const std::optional<std::string>& v, bool required = false);
  // A required time span: both instants ISO 8601 with an offset (code
  // datetime), the end after the start (end_before_start); nullopt when not.
  std::optional<std::pair<int64_t, int64_t>> span(const char* start_field,
                                                  const std::optional<std::string>& start,
                                                  const char* end_field,
                                                  const std::optional<std::string>& end);
  bool ok() const { return error_.fields.empty(); }
  // Ok, or an invalid Error listing every field problem.
  Status status() const;

 private:
  Error error_{ErrorCode::invalid, "", {}};
};

// True when `v` is one of the codes.
template <size_t N>
bool one_of(const std::string& v, const char* const (&codes)[N]) {
  return std::any_of(std::begin(codes), std::end(codes), [&](const char* c) { return v == c; });
}

// Number of UTF-8 code points in `s`.
size_t utf8_length(std::string_view s);

}  // namespace dj
