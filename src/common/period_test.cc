#include "common/period.h"

#include <gtest/gtest.h>

namespace dj {

TEST(Period, Parse) {
  struct Case {
    const char* in;
    const char* from;
    const char* to;
  } cases[] = {
      {"2021", "2021-01-01", "2021-12-31"},    {"2021H1", "2021-01-01", "2021-06-30"},
      {"2021H2", "2021-07-01", "2021-12-31"},  {"2021Q2", "2021-04-01", "2021-06-30"},
      {"2021Q4", "2021-10-01", "2021-12-31"},  {"2020-02", "2020-02-01", "2020-02-29"},
      {"2021-02", "2021-02-01", "2021-02-28"}, {"2021-12", "2021-12-01", "2021-12-31"},
  };
  for (const auto& c : cases) {
    auto p = parse_period(c.in);
    ASSERT_TRUE(p) << c.in;
    EXPECT_EQ(p->from, c.from) << c.in;
    EXPECT_EQ(p->to, c.to) << c.in;
    EXPECT_EQ(p->label, c.in);
  }
  for (const char* bad : {"", "21", "2021Q5", "2021H3", "2021-13", "2021-1", "abcd", "2021q1"}) {
    EXPECT_FALSE(parse_period(bad)) << bad;
  }
}

TEST(Period, Units) {
  auto q2 = *parse_period("2021Q2");
  auto months = units_overlapping(q2, PeriodUnit::month);
  ASSERT_EQ(months.size(), 3u);
  EXPECT_EQ(months[0].label, "2021-04");
  EXPECT_EQ(months[2].to, "2021-06-30");
  auto year = units_overlapping(q2, PeriodUnit::year);
  ASSERT_EQ(year.size(), 1u);
  EXPECT_EQ(year[0].label, "2021");
  auto range = *period_between("2020-12-15", "2021-02-01");
  auto m = units_overlapping(range, PeriodUnit::month);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].label, "2020-12");
  EXPECT_EQ(m[2].label, "2021-02");
  EXPECT_EQ(unit_containing("2024-02-29", PeriodUnit::quarter).label, "2024Q1");
  EXPECT_EQ(unit_containing("2021-07-01", PeriodUnit::half).label, "2021H2");
}

}  // namespace dj
