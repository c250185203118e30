#include "http/jobs.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

namespace dj::http {
namespace {

TEST(Jobs, RunAtMostOnePerUserAndTwoInAll) {
  Jobs jobs(1, 2);
  std::promise<void> release;
  std::shared_future<void> go = release.get_future().share();
  auto wait = [go](const Jobs::Progress&) -> Result<boost::json::value> {
    go.wait();
    return boost::json::value(1);
  };
  auto a = jobs.start(1, "import", wait);
  ASSERT_TRUE(a);
  auto again = jobs.start(1, "import", wait);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::too_many);
  EXPECT_GT(again.error().retry_after_s, 0);
  ASSERT_TRUE(jobs.start(2, "import", wait));
  auto third = jobs.start(3, "import", wait);
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().code, ErrorCode::too_many);
  release.set_value();
  for (int i = 0; i < 200; ++i) {
    auto j = jobs.get(*a, 1);
    if (j && j->at("status") == "done") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(jobs.start(1, "import", [](const Jobs::Progress&) -> Result<boost::json::value> {
    return boost::json::value(2);
  }));
}

}  // namespace
}  // namespace dj::http
