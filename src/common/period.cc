#include "common/period.h"

#include <fmt/format.h>

#include "common/time.h"

namespace dj {
namespace {

std::string last_day(int y, int m) {
  return date_from_days(
      days_from_date(fmt::format("{:04}-{:02}-01", m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1)) - 1);
}

// Months [m1, m2] of year y as a period.
Period months(int y, int m1, int m2, std::string label) {
  return {std::move(label), fmt::format("{:04}-{:02}-01", y, m1), last_day(y, m2)};
}

bool digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int unit_months(PeriodUnit u) {
  switch (u) {
    case PeriodUnit::month:
      return 1;
    case PeriodUnit::quarter:
      return 3;
    case PeriodUnit::half:
      return 6;
    case PeriodUnit::year:
      return 12;
  }
  return 12;
}

Period unit_at(int y, int first_month, PeriodUnit u) {
  const int n = unit_months(u);
  const int last = first_month + n - 1;
  switch (u) {
    case PeriodUnit::month:
      return months(y, first_month, last, fmt::format("{:04}-{:02}", y, first_month));
    case PeriodUnit::quarter:
      return months(y, first_month, last, fmt::format("{}Q{}", y, (first_month + 2) / 3));
    case PeriodUnit::half:
      return months(y, first_month, last, fmt::format("{}H{}", y, first_month > 6 ? 2 : 1));
    case PeriodUnit::year:
      return months(y, 1, 12, std::to_string(y));
  }
  return months(y, 1, 12, std::to_string(y));
}

}  // namespace

std::optional<PeriodUnit> parse_period_unit(std::string_view s) {
  for (PeriodUnit u :
       {PeriodUnit::month, PeriodUnit::quarter, PeriodUnit::half, PeriodUnit::year}) {
    if (s == to_string(u)) return u;
  }
  return std::nullopt;
}

const char* to_string(PeriodUnit u) {
  switch (u) {
    case PeriodUnit::month:
      return "month";
    case PeriodUnit::quarter:
      return "quarter";
    case PeriodUnit::half:
      return "half";
    case PeriodUnit::year:
      return "year";
  }
  return "year";
}

Result<Period> parse_period(std::string_view s, const char* field) {
  auto bad = [&] {
    return Error::invalid(field, "period", "must be a period like 2021, 2021H1, 2021Q2 or 2021-06");
  };
  if (s.size() < 4 || !digits(s.substr(0, 4))) return bad();
  const int y = std::stoi(std::string(s.substr(0, 4)));
  if (y < 1900 || y > 2999) return bad();
  const std::string_view rest = s.substr(4);
  if (rest.empty()) return unit_at(y, 1, PeriodUnit::year);
  if (rest.size() == 2 && rest[0] == 'H' && (rest[1] == '1' || rest[1] == '2')) {
    return unit_at(y, rest[1] == '1' ? 1 : 7, PeriodUnit::half);
  }
  if (rest.size() == 2 && rest[0] == 'Q' && rest[1] >= '1' && rest[1] <= '4') {
    return unit_at(y, (rest[1] - '1') * 3 + 1, PeriodUnit::quarter);
  }
  if (rest.size() == 3 && rest[0] == '-' && digits(rest.substr(1))) {
    const int m = std::stoi(std::string(rest.substr(1)));
    if (m >= 1 && m <= 12) return unit_at(y, m, PeriodUnit::month);
  }
  return bad();
}

Result<Period> period_between(std::string_view from, std::string_view to) {
  if (!is_valid_date(from))
    return Error::invalid("from", "date", "must be a date written as YYYY-MM-DD");
  if (!is_valid_date(to))
    return Error::invalid("to", "date", "must be a date written as YYYY-MM-DD");
  if (to < from) return Error::invalid("to", "before_from", "must not be before from");
  return Period{std::string(from) + ".." + std::string(to), std::string(from), std::string(to)};
}

Period unit_containing(std::string_view date, PeriodUnit unit) {
  const int y = std::stoi(std::string(date.substr(0, 4)));
  const int m = std::stoi(std::string(date.substr(5, 2)));
  const int n = unit_months(unit);
  return unit_at(y, (m - 1) / n * n + 1, unit);
}

std::vector<Period> units_overlapping(const Period& p, PeriodUnit unit) {
  std::vector<Period> out;
  for (Period u = unit_containing(p.from, unit); u.from <= p.to;
       u = unit_containing(date_from_days(days_from_date(u.to) + 1), unit)) {
    out.push_back(u);
  }
  return out;
}

}  // namespace dj
