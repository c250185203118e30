#include "domain/audit/audit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <thread>
#include <vector>

#include "store/testing.h"

namespace dj::audit {
namespace {

using AuditTest = store::DbTest;

TEST_P(AuditTest, ChainVerifiesAndTamperingIsCaught) {
  Actor actor{7, "alice", "127.0.0.1", "POST /x"};
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(record_now(db(), actor,
                           {"org.update",
                            "org",
                            std::to_string(i),
                            "/1/",
                            {},
                            boost::json::object{{"name", "党支部" + std::to_string(i)}}}));
  }
  auto ok = verify(db());
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->rows_checked, 5);
  EXPECT_FALSE(ok->first_broken_id.has_value());

  ASSERT_TRUE(store::with_conn(db(), [](store::Conn& c) {
    return c.exec("UPDATE audit_log SET after_json = '{\"name\":\"forged\"}' WHERE id = 3");
  }));
  auto bad = verify(db());
  ASSERT_TRUE(bad);
  ASSERT_TRUE(bad->first_broken_id.has_value());
  EXPECT_EQ(*bad->first_broken_id, 3);
}

// Writers on several connections at once (PostgreSQL runs them truly in
// parallel): each append waits for the chain head, none is lost or forks it.
TEST_P(AuditTest, ConcurrentAppendsKeepOneChain) {
  constexpr int kThreads = 4, kEach = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failed{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Actor actor{t, "user" + std::to_string(t), "127.0.0.1", "POST /x"};
      for (int i = 0; i < kEach; ++i) {
        if (!record_now(db(), actor, {"org.update", "org", std::to_string(i), "/1/", {}, {}})) {
          ++failed;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failed.load(), 0);
  auto rep = verify(db());
  ASSERT_TRUE(rep);
  EXPECT_EQ(rep->rows_checked, kThreads * kEach);
  EXPECT_FALSE(rep->first_broken_id.has_value()) << rep->problem;
}

TEST_P(AuditTest, DeletedRowsAreCaught) {
  Actor actor{7, "alice", "127.0.0.1", "POST /x"};
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(record_now(db(), actor, {"a", "e", "", "", {}, {}}));
  ASSERT_TRUE(store::with_conn(
      db(), [](store::Conn& c) { return c.exec("DELETE FROM audit_log WHERE id = 4"); }));
  auto bad = verify(db());
  ASSERT_TRUE(bad);
  ASSERT_TRUE(bad->first_broken_id.has_value());
  EXPECT_EQ(*bad->first_broken_id, 4);
}

TEST_P(AuditTest, ListIsScoped) {
  Actor actor{7, "alice", "127.0.0.1", "POST /x"};
  ASSERT_TRUE(record_now(db(), actor, {"a", "org", "1", "/1/2/", {}, {}}));
  ASSERT_TRUE(record_now(db(), actor, {"a", "org", "2", "/1/3/", {}, {}}));
  ASSERT_TRUE(record_now(db(), actor, {"auth.login", "session", "", "", {}, {}}));
  auto all = list(db(), {.scope_path = "/"});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->total, 3);
  auto scoped = list(db(), {.scope_path = "/1/2/"});
  ASSERT_TRUE(scoped);
  ASSERT_EQ(scoped->total, 1);
  EXPECT_EQ(scoped->items[0].entity_id, "1");
}

DJ_INSTANTIATE_BACKENDS(AuditTest);

}  // namespace
}  // namespace dj::audit
