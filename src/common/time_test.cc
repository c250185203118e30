#include "common/time.h"

#include <gtest/gtest.h>

namespace dj {

TEST(Time, ValidDates) {
  struct Case {
    const char* s;
    bool ok;
  } cases[] = {{"2021-06-30", true},  {"2020-02-29", true}, {"2021-02-29", false},
               {"2021-13-01", false}, {"2021-6-30", false}, {"1899-12-31", false},
               {"abcd-ef-gh", false}, {"", false},          {"2000-02-29", true}};
  for (const auto& c : cases) EXPECT_EQ(is_valid_date(c.s), c.ok) << c.s;
}

TEST(Time, DaysRoundTrip) {
  for (const char* d : {"1970-01-01", "2000-02-29", "2021-06-30", "1949-10-01"}) {
    EXPECT_EQ(date_from_days(days_from_date(d)), d);
  }
  EXPECT_EQ(days_from_date("1970-01-02"), 1);
}

TEST(Time, InstantInShanghai) {
  EXPECT_EQ(format_instant(0), "1970-01-01T08:00:00.000+08:00");
  EXPECT_EQ(format_instant(16 * 3600 * 1000 + 5), "1970-01-02T00:00:00.005+08:00");
}

TEST(Time, MonthsBefore) {
  EXPECT_EQ(months_before("2021-03-31", 1), "2021-02-28");
  EXPECT_EQ(months_before("2024-03-31", 1), "2024-02-29");
  EXPECT_EQ(months_before("2021-06-30", 6), "2020-12-30");
  EXPECT_EQ(months_before("2021-01-15", 12), "2020-01-15");
}

TEST(Time, ParseInstant) {
  EXPECT_EQ(parse_instant("1970-01-01T08:00:00+08:00"), 0);
  EXPECT_EQ(parse_instant("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_instant("1970-01-01T00:00:01.5Z"), 1500);
  EXPECT_EQ(parse_instant("1970-01-01T08:00+08:00"), 0);
  // The last minute of June in Shanghai is still June there.
  auto t = parse_instant("2021-06-30T23:59:00+08:00");
  ASSERT_TRUE(t);
  EXPECT_EQ(date_of_instant(*t), "2021-06-30");
  EXPECT_EQ(date_of_instant(*parse_instant("2021-06-30T16:00:00Z")), "2021-07-01");
  for (const char* bad : {"2021-06-30", "2021-06-30T09:00:00", "2021-02-30T09:00:00Z",
                          "2021-06-30T24:00:00Z", "2021-06-30T09:00:00+8", "x"}) {
    EXPECT_FALSE(parse_instant(bad)) << bad;
  }
}

}  // namespace dj
