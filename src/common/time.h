// Times and dates. Instants are Unix milliseconds; calendar dates are
// `YYYY-MM-DD` strings in Asia/Shanghai (UTC+8, no daylight saving since 1991).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dj {

// Milliseconds since the Unix epoch, from the system clock.
int64_t now_ms();

// ISO 8601 with the +08:00 offset, e.g. 2021-06-30T09:00:00.000+08:00.
std::string format_instant(int64_t ms);

// Parses ISO 8601 with an offset: 2021-06-30T09:00:00+08:00, seconds and
// fractions optional, `Z` accepted. Nullopt when malformed or without offset.
std::optional<int64_t> parse_instant(std::string_view s);

// The Asia/Shanghai calendar date of an instant.
std::string date_of_instant(int64_t ms);

// The date `months` calendar months before `date`, the day clamped to the
// month's length (2021-03-31 minus 1 month is 2021-02-28).
std::string months_before(std::string_view date, int months);

// Today's date in Asia/Shanghai.
std::string today();

// True when `s` is a real calendar date written as YYYY-MM-DD.
bool is_valid_date(std::string_view s);

// Days since 1970-01-01 for a valid date (proleptic Gregorian).
int64_t days_from_date(std::string_view s);

// The date `days` after 1970-01-01, as YYYY-MM-DD.
std::string date_from_days(int64_t days);

}  // namespace dj
