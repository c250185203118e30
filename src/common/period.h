// Reporting periods: `2021`, `2021H1`, `2021Q2`, `2021-06`, or an explicit
// date range. Dates are Asia/Shanghai calendar dates; ranges are inclusive.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace dj {

enum class PeriodUnit { month, quarter, half, year };

std::optional<PeriodUnit> parse_period_unit(std::string_view s);
const char* to_string(PeriodUnit u);

struct Period {
  std::string label;  // "2021Q2", or "2021-04-01..2021-06-30"
  std::string from;   // first day
  std::string to;     // last day
  bool contains(std::string_view date) const { return date >= from && date <= to; }
};

// Parses a period label; invalid names `field`.
Result<Period> parse_period(std::string_view s, const char* field = "period");
// A range from two dates; invalid when either is not a date or to < from.
Result<Period> period_between(std::string_view from, std::string_view to);

// The calendar units of `unit` that overlap `p`, in order (e.g. the three
// months of 2021Q2, or the quarter holding 2021-05).
std::vector<Period> units_overlapping(const Period& p, PeriodUnit unit);

// The unit of `unit` that contains `date`.
Period unit_containing(std::string_view date, PeriodUnit unit);

}  // namespace dj
