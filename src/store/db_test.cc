#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "store/group_commit.h"
#include "store/migrations.h"
#include "store/testing.h"

namespace dj::store {

// The store's tests run on a table of their own.
constexpr Migration kStoreSchema[] = {{.version = 1, .name = "orgs", .sql = R"SQL(
CREATE TABLE orgs (
  id {id},
  parent_id BIGINT REFERENCES orgs(id),
  path TEXT {path} NOT NULL,
  depth INTEGER NOT NULL,
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX orgs_code ON orgs(code);
)SQL"}};

std::span<const Migration> test_schema() { return kStoreSchema; }

namespace {

using StoreTest = DbTest;

TEST_P(StoreTest, BindsAndReadsBack) {
  auto lease = db().acquire();
  ASSERT_TRUE(lease);
  Conn& c = **lease;
  const std::string tricky = "O'Brien; DROP TABLE orgs; -- 党支部 🎉 \u05e9\u05dc\u05d5\u05dd ?";
  auto r = c.query(
      "INSERT INTO orgs (parent_id, path, depth, code, name, type, created_at, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {nullptr, "/1/", 0, "X?1", tricky, "committee", int64_t{1}, int64_t{2}});
  ASSERT_TRUE(r) << r.error().message;
  const int64_t id = (*r)[0].i64(0);
  auto row = c.query_one("SELECT name, parent_id, code FROM orgs WHERE id = ?", {id});
  ASSERT_TRUE(row);
  EXPECT_EQ(row->str(0), tricky);
  EXPECT_TRUE(row->null(1));
  EXPECT_EQ(row->str(2), "X?1");
  auto page = c.query("SELECT id FROM orgs ORDER BY id LIMIT ? OFFSET ?", {1, 0});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->size(), 1u);
}

TEST_P(StoreTest, UniqueViolationIsConflictAndRollbackUndoes) {
  auto insert = [](Conn& c, const char* code) {
    return c.exec(
        "INSERT INTO orgs (path, depth, code, name, type, created_at, updated_at) "
        "VALUES ('/', 0, ?, 'n', 'branch', 0, 0)",
        {code});
  };
  auto r = with_tx(db(), [&](Conn& c) -> Result<int64_t> {
    DJ_TRY(insert(c, "A"));
    return insert(c, "A");
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::conflict);
  auto n = with_conn(db(), [](Conn& c) { return c.query_one("SELECT COUNT(*) FROM orgs"); });
  ASSERT_TRUE(n);
  EXPECT_EQ(n->i64(0), 0);
}

TEST_P(StoreTest, GroupCommitWritesEachOnceAndIsolatesAFailure) {
  GroupCommit& group = db().group_commit();
  constexpr int kThreads = 8, kEach = 25;
  std::atomic<int> ok{0}, conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        // Every thread also tries the same code once: one wins, the rest conflict.
        const std::string code = i == 0 ? "SAME" : fmt::format("G{}", t * 1000 + i);
        auto s = group.run([&](Conn& c) -> Status {
          DJ_TRY(
              c.exec("INSERT INTO orgs (parent_id, path, depth, code, name, type, created_at, "
                     "updated_at) VALUES (NULL, ?, 0, ?, 'g', 'committee', 1, 1)",
                     {fmt::format("/g{}/", code), code}));
          return {};
        });
        if (s) {
          ++ok;
        } else if (s.error().code == ErrorCode::conflict) {
          ++conflicts;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), kThreads * (kEach - 1) + 1);
  EXPECT_EQ(conflicts.load(), kThreads - 1);
  auto n = with_conn(
      db(), [](Conn& c) { return c.query_one("SELECT COUNT(*) FROM orgs WHERE name = 'g'", {}); });
  ASSERT_TRUE(n);
  EXPECT_EQ(n->i64(0), kThreads * (kEach - 1) + 1);
}

// One thread queues many writes without waiting (as a request thread does);
// each hears of its own result once committed, a throwing one included, and
// a throwing completion stops nobody else's.
TEST_P(StoreTest, GroupCommitSubmitAnswersEachOnceCommitted) {
  constexpr int kWrites = 200;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<int> answers(kWrites, 0);
  int ok = 0, failed = 0, answered = 0;
  for (int i = 0; i < kWrites; ++i) {
    db().group_commit().submit(
        [i](Conn& c) -> Status {
          if (i == 7) throw std::runtime_error("broken work");
          DJ_TRY(
              c.exec("INSERT INTO orgs (parent_id, path, depth, code, name, type, created_at, "
                     "updated_at) VALUES (NULL, ?, 0, ?, 's', 'committee', 1, 1)",
                     {fmt::format("/s{}/", i), fmt::format("S{}", i)}));
          return {};
        },
        [&, i](Status s) {
          {
            std::lock_guard lock(mu);
            ++answers[i];
            ++(s ? ok : failed);
            if (++answered == kWrites) cv.notify_one();
          }
          if (i == 9) throw std::runtime_error("broken completion");  // the rest still hear
        });
  }
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return answered == kWrites; });
  }
  EXPECT_EQ(ok, kWrites - 1);
  EXPECT_EQ(failed, 1);
  EXPECT_EQ(std::count(answers.begin(), answers.end(), 1), kWrites);
  auto n = with_conn(
      db(), [](Conn& c) { return c.query_one("SELECT COUNT(*) FROM orgs WHERE name = 's'", {}); });
  ASSERT_TRUE(n);
  EXPECT_EQ(n->i64(0), kWrites - 1);
}

TEST_P(StoreTest, MigrateIsIdempotent) {
  auto again = migrate(db(), test_schema());
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0);
}

// A later migration reconciles a table made by an earlier text: the column
// it lacks is added and backfilled, a column already there is left alone.
constexpr AddedColumn kLevel[] = {
    {.table = "orgs",
     .column = "level",
     .decl = "INTEGER NOT NULL DEFAULT 0",
     .backfill = "UPDATE orgs SET level = depth + 1"},
    {.table = "orgs", .column = "code", .decl = "TEXT"},
};

TEST_P(StoreTest, MigrationAddsMissingColumnsAndRecordsChecksums) {
  ASSERT_TRUE(with_conn(db(), [](Conn& c) -> Status {
    DJ_TRY(
        c.exec("INSERT INTO orgs (path, depth, code, name, type, created_at, updated_at) "
               "VALUES ('/1/', 2, 'A', 'a', 'branch', 0, 0)"));
    return {};
  }));
  const Migration v2[] = {kStoreSchema[0],
                          {.version = 2, .name = "level", .sql = "", .columns = kLevel}};
  auto applied = migrate(db(), v2);
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(*applied, 1);
  auto rows = with_conn(db(), [](Conn& c) {
    return c.query(
        "SELECT o.level, m.checksum FROM orgs o, schema_migrations m "
        "WHERE m.version = 2");
  });
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].i64(0), 3);
  EXPECT_EQ((*rows)[0].str(1), checksum(v2[1]));
  EXPECT_EQ(*migrate(db(), v2), 0);
}

TEST_P(StoreTest, ChangedOrUnknownAppliedMigrationIsRefusedByName) {
  Migration edited = kStoreSchema[0];
  edited.sql = "CREATE TABLE orgs (id {id}, name TEXT);";
  auto r = migrate(db(), std::span<const Migration>(&edited, 1));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::conflict);
  EXPECT_NE(r.error().message.find("migration 1 (orgs) was changed after it was applied"),
            std::string::npos)
      << r.error().message;
  auto unknown = migrate(db(), std::span<const Migration>());
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("migration 1 (orgs) is applied to the database but "
                                         "unknown to this build"),
            std::string::npos);
  // The database is as it was: the build's own list still passes.
  EXPECT_TRUE(migrate(db(), test_schema()));
}

TEST_P(StoreTest, ChecksumsAreRecordedForDatabasesFromBeforeThem) {
  ASSERT_TRUE(with_conn(db(), [](Conn& c) -> Status {
    return c.exec("UPDATE schema_migrations SET checksum = NULL").ok() ? Status{}
                                                                       : Error::internal("update");
  }));
  ASSERT_TRUE(migrate(db(), test_schema()));
  auto row = with_conn(db(), [](Conn& c) {
    return c.query_one("SELECT checksum FROM schema_migrations WHERE version = 1");
  });
  ASSERT_TRUE(row);
  EXPECT_EQ(row->str(0), checksum(kStoreSchema[0]));
}

TEST_P(StoreTest, PathRangeIsByteOrdered) {
  ASSERT_TRUE(with_tx(db(), [](Conn& c) -> Status {
    for (const char* p : {"/1/", "/1/12/", "/1/12/305/", "/1/120/", "/1/13/"}) {
      DJ_TRY(
          c.exec("INSERT INTO orgs (path, depth, code, name, type, created_at, updated_at) "
                 "VALUES (?, 0, ?, 'n', 'branch', 0, 0)",
                 {p, p}));
    }
    return {};
  }));
  auto rows = with_conn(db(), [](Conn& c) {
    return c.query("SELECT path FROM orgs WHERE path >= ? AND path < ? ORDER BY path",
                   {"/1/12/", "/1/120"});
  });
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[1].str(0), "/1/12/305/");
}

DJ_INSTANTIATE_BACKENDS(StoreTest);

// Checkpoints run in the background while the pool stays open: the database
// file grows from its WAL without anyone closing a connection.
TEST(SqliteCheckpoints, RunWhileConnectionsStayOpen) {
  TestDatabase database(Dialect::sqlite);
  ASSERT_TRUE(database.available());
  const auto size = [&] { return std::filesystem::file_size(database.url()); };
  const auto before = size();
  ASSERT_TRUE(with_tx(database.db(), [](Conn& c) -> Status {
    for (int i = 0; i < 2000; ++i) {
      DJ_TRY(c.exec(
          "INSERT INTO orgs (path, depth, code, name, type, created_at, updated_at) "
          "VALUES ('/', 0, ?, 'a fairly long organization name to fill pages', 'branch', 0, 0)",
          {std::to_string(i)}));
    }
    return {};
  }));
  auto lease = database.db().acquire();  // a connection stays leased throughout
  ASSERT_TRUE(lease);
  for (int i = 0; i < 200 && size() <= before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_GT(size(), before);
}

}  // namespace
}  // namespace dj::store
