#include "common/time.h"

#include <fmt/format.h>

#include <chrono>

namespace dj {
namespace {

constexpr int64_t kShanghaiOffsetMs = 8 * 3600 * 1000;

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Howard Hinnant's days_from_civil.
int64_t civil_to_days(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string date_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return fmt::format("{:04}-{:02}-{:02}", y + (m <= 2), m, d);
}

std::string format_instant(int64_t ms) {
  const int64_t local = ms + kShanghaiOffsetMs;
  int64_t days = local / 86400000;
  int64_t rem = local % 86400000;
  if (rem < 0) {
    rem += 86400000;
    --days;
  }
  return fmt::format("{}T{:02}:{:02}:{:02}.{:03}+08:00", date_from_days(days), rem / 3600000,
                     rem / 60000 % 60, rem / 1000 % 60, rem % 1000);
}

std::string date_of_instant(int64_t ms) {
  int64_t local = ms + kShanghaiOffsetMs;
  int64_t days = local / 86400000;
  if (local % 86400000 < 0) --days;
  return date_from_days(days);
}

std::string months_before(std::string_view date, int months) {
  int y = std::stoi(std::string(date.substr(0, 4)));
  int m = std::stoi(std::string(date.substr(5, 2))) - months;
  while (m <= 0) {
    m += 12;
    --y;
  }
  const int d = std::min(std::stoi(std::string(date.substr(8, 2))), days_in_month(y, m));
  return fmt::format("{:04}-{:02}-{:02}", y, m, d);
}

std::string today() { return date_of_instant(now_ms()); }

std::optional<int64_t> parse_instant(std::string_view s) {
  auto num = [&](size_t pos, size_t len) -> int {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (i >= s.size() || s[i] < '0' || s[i] > '9') return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  if (s.size() < 17 || !is_valid_date(s.substr(0, 10)) || (s[10] != 'T' && s[10] != ' ') ||
      s[13] != ':') {
    return std::nullopt;
  }
  const int hh = num(11, 2), mm = num(14, 2);
  if (hh < 0 || hh > 23 || mm < 0 || mm > 59) return std::nullopt;
  size_t pos = 16;
  int ss = 0, frac_ms = 0;
  if (pos < s.size() && s[pos] == ':') {
    ss = num(pos + 1, 2);
    if (ss < 0 || ss > 59) return std::nullopt;
    pos += 3;
    if (pos < s.size() && s[pos] == '.') {
      size_t digits = 0;
      ++pos;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        if (digits < 3) frac_ms = frac_ms * 10 + (s[pos] - '0');
        ++digits;
        ++pos;
      }
      if (digits == 0) return std::nullopt;
      for (size_t d = digits; d < 3; ++d) frac_ms *= 10;
    }
  }
  int offset_min = 0;
  if (pos < s.size() && s[pos] == 'Z' && pos + 1 == s.size()) {
    offset_min = 0;
  } else if (pos + 6 == s.size() && (s[pos] == '+' || s[pos] == '-') && s[pos + 3] == ':') {
    const int oh = num(pos + 1, 2), om = num(pos + 4, 2);
    if (oh < 0 || oh > 14 || om < 0 || om > 59) return std::nullopt;
    offset_min = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  const int64_t days = days_from_date(s.substr(0, 10));
  return ((days * 86400 + hh * 3600 + mm * 60 + ss) - offset_min * 60) * 1000 + frac_ms;
}

bool is_valid_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  const int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  const int m = (s[5] - '0') * 10 + (s[6] - '0');
  const int d = (s[8] - '0') * 10 + (s[9] - '0');
  return y >= 1900 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

int64_t days_from_date(std::string_view s) {
  const int y = std::stoi(std::string(s.substr(0, 4)));
  const unsigned m = static_cast<unsigned>(std::stoi(std::string(s.substr(5, 2))));
  const unsigned d = static_cast<unsigned>(std::stoi(std::string(s.substr(8, 2))));
  return civil_to_days(y, m, d);
}

}  // namespace dj
