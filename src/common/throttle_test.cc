#include "common/throttle.h"

#include <gtest/gtest.h>

namespace dj {
namespace {

TEST(FailureThrottle, BlocksAfterTheLimitUntilTheWindowPasses) {
  FailureThrottle t(3, 60000);
  EXPECT_EQ(t.fail("a", 1000), 0);
  EXPECT_EQ(t.fail("a", 2000), 0);
  EXPECT_EQ(t.wait_ms("a", 2000), 0);
  EXPECT_EQ(t.fail("a", 3000), 58000);  // the third: wait until 61000
  EXPECT_EQ(t.wait_ms("a", 31000), 30000);
  EXPECT_EQ(t.wait_ms("b", 31000), 0);  // keys are separate
  EXPECT_EQ(t.wait_ms("a", 61000), 0);
  EXPECT_EQ(t.fail("a", 61000), 0);  // a new window
  t.clear("a");
  EXPECT_EQ(t.fail("a", 62000), 0);
  EXPECT_EQ(t.fail("a", 62000), 0);
  EXPECT_GT(t.fail("a", 62000), 0);
}

}  // namespace
}  // namespace dj
