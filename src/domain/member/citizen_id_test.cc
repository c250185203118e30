#include "domain/member/citizen_id.h"

#include <gtest/gtest.h>

namespace dj::member {

TEST(CitizenId, Validation) {
  const std::string good =
      std::string("11010519491231002") + citizen_id_check_digit("11010519491231002");
  EXPECT_EQ(good, "11010519491231002X");
  struct Case {
    std::string id;
    bool ok;
  } cases[] = {
      {good, true},
      {"110105194912310021", false},  // wrong check digit
      {"11010519491331002X", false},  // month 13
      {"11010519491231002", false},   // 17 characters
      {"1101051949123100AX", false},  // letter inside
      {"01010519491231002X", false},  // region 0
      {"", false},
  };
  for (const auto& c : cases) EXPECT_EQ(!citizen_id_problem(c.id), c.ok) << c.id;
  const auto info = citizen_id_info(good);
  EXPECT_EQ(info.birth_date, "1949-12-31");
  EXPECT_EQ(info.gender, "female");
}

// Known answers worked out by hand (GB 11643-1999: weights 7 9 10 5 8 4 2 1 6
// 3 7 9 10 5 8 4 2, check characters 1 0 X 9 8 7 6 5 4 3 2), and each of them
// with every one of its first 17 digits changed: every position counts.
TEST(CitizenId, KnownAnswersAndEveryPositionCounts) {
  const char* known[] = {"11010519491231002X", "440524198001010013", "53010219870615342X",
                         "650106199912319870", "230702195602297558", "320115197011111117"};
  for (const std::string id : known) {
    EXPECT_EQ(citizen_id_check_digit(id.substr(0, 17)), id[17]) << id;
    EXPECT_FALSE(citizen_id_problem(id)) << id;
    for (size_t i = 0; i < 17; ++i) {
      std::string altered = id;
      altered[i] = static_cast<char>('0' + (altered[i] - '0' + 1) % 10);
      EXPECT_TRUE(citizen_id_problem(altered)) << altered << " (position " << i << ")";
    }
  }
}

TEST(CitizenId, MaskingAndPhones) {
  EXPECT_EQ(mask_citizen_id("530102199001011234"), "5301**********1234");
  EXPECT_EQ(mask_phone("13812345678"), "138****5678");
  EXPECT_TRUE(is_valid_phone("13812345678"));
  EXPECT_TRUE(is_valid_phone("0871-63123456"));
  EXPECT_FALSE(is_valid_phone("12812345678"));
  EXPECT_FALSE(is_valid_phone("1381234567"));
  EXPECT_FALSE(is_valid_phone("abc"));
}

}  // namespace dj::member
