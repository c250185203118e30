#include "http/jobs.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

namespace dj::http {
namespace {

std::string status_of(const Jobs& jobs, const std::string& id, int64_t owner) {
  return std::string(jobs.get(id, owner)->at("status").as_string());
}

// Waits until the job has the status (or gives up after two seconds).
bool reaches(const Jobs& jobs, const std::string& id, int64_t owner, const std::string& status) {
  for (int i = 0; i < 200; ++i) {
    if (status_of(jobs, id, owner) == status) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(Jobs, OnePerUserTwoRunningTheRestQueuedThenRefused) {
  Jobs jobs({.per_owner = 1, .workers = 2, .queue = 2});
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
  auto b = jobs.start(2, "import", wait);
  ASSERT_TRUE(b);
  EXPECT_TRUE(reaches(jobs, *a, 1, "running"));
  EXPECT_TRUE(reaches(jobs, *b, 2, "running"));
  // Two run; the next two wait their turn; the fifth is refused.
  auto c = jobs.start(3, "import", wait);
  auto d = jobs.start(4, "import", wait);
  ASSERT_TRUE(c && d);
  EXPECT_EQ(status_of(jobs, *c, 3), "queued");
  auto e = jobs.start(5, "import", wait);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, ErrorCode::too_many);
  release.set_value();
  for (auto [id, owner] : {std::pair{*a, 1}, {*b, 2}, {*c, 3}, {*d, 4}}) {
    EXPECT_TRUE(reaches(jobs, id, owner, "done")) << owner;
  }
  EXPECT_FALSE(jobs.get(*a, 2));  // another user's job is not there for him
  EXPECT_TRUE(jobs.start(1, "import", [](const Jobs::Progress&) -> Result<boost::json::value> {
    return boost::json::value(2);
  }));
}

}  // namespace
}  // namespace dj::http
