#include "common/validate.h"

#include "common/time.h"

namespace dj {

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
  return n;
}

void Validator::add(std::string field, std::string code, std::string message) {
  if (error_.message.empty()) error_.message = field + ": " + message;
  error_.fields.push_back({std::move(field), std::move(code), std::move(message)});
}

void Validator::text(const char* field, const std::optional<std::string>& v, size_t max,
                     bool required) {
  if (!v || v->empty()) {
    if (required) add(field, "required", "is required");
    return;
  }
  if (utf8_length(*v) > max) {
    add(field, "too_long", "must be at most " + std::to_string(max) + " characters");
    return;
  }
  for (unsigned char ch : *v) {
    if (ch < 0x20 && ch != '\n' && ch != '\t') {
      add(field, "control_character", "must not contain control characters");
      return;
    }
  }
}

void Validator::tags(const char* field, const std::optional<std::vector<std::string>>& v) {
  if (!v) return;
  if (v->size() > 20) add(field, "too_many", "at most 20 tags");
  for (const auto& t : *v) {
    if (t.empty() || utf8_length(t) > 30) {
      add(field, "format", "each tag must be 1-30 characters");
      return;
    }
  }
}

void Validator::date(const char* field, const std::optional<std::string>& v, bool required) {
  if (!v) {
    if (required) add(field, "required", "is required");
    return;
  }
  if (!is_valid_date(*v)) add(field, "date", "must be a date written as YYYY-MM-DD");
}

std::optional<std::pair<int64_t, int64_t>> Validator::span(const char* start_field,
                                                           const std::optional<std::string>& start,
                                                           const char* end_field,
                                                           const std::optional<std::string>& end) {
  std::optional<int64_t> a, b;
  if (!start || !(a = parse_instant(*start))) {
    add(start_field, "datetime", "must be a date and time with its offset");
  }
  if (!end || !(b = parse_instant(*end))) {
    add(end_field, "datetime", "must be a date and time with its offset");
  }
  if (!a || !b) return std::nullopt;
  if (*b <= *a) {
    add(end_field, "end_before_start", "must be after the start");
    return std::nullopt;
  }
  return std::pair{*a, *b};
}

Status Validator::status() const {
  if (ok()) return {};
  return error_;
}

}  // namespace dj
