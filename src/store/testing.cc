#include "store/testing.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "store/migrations.h"

namespace dj::store {
namespace {

std::string unique_suffix() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  return std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
         std::to_string(rd() % 100000);
}

std::string with_search_path(const std::string& url, const std::string& schema) {
  const char* sep = url.find('?') == std::string::npos ? "?" : "&";
  return url + sep + "options=-csearch_path%3D" + schema;
}

}  // namespace

TestDatabase::TestDatabase(Dialect d) : dialect_(d) {
  if (d == Dialect::sqlite) {
    url_ =
        (std::filesystem::temp_directory_path() / ("dj_test_" + unique_suffix() + ".db")).string();
  } else {
    const char* base = std::getenv("DANGJIAO_TEST_PG");
    if (!base || !*base) return;
    schema_ = "t_" + unique_suffix();
    auto admin = open_db(base, 1);
    if (!admin) {
      ADD_FAILURE() << "cannot reach $DANGJIAO_TEST_PG: " << admin.error().message;
      return;
    }
    auto lease = (*admin)->acquire();
    if (!lease || !(*lease)->exec_script("CREATE SCHEMA " + schema_)) {
      ADD_FAILURE() << "cannot create schema " << schema_;
      return;
    }
    url_ = with_search_path(base, schema_);
  }
  auto db = open_db(url_, 4);
  if (!db) {
    ADD_FAILURE() << "cannot open " << url_ << ": " << db.error().message;
    return;
  }
  auto m = migrate(**db, test_schema());
  if (!m) {
    ADD_FAILURE() << "migration failed: " << m.error().message;
    return;
  }
  db_ = std::move(db).value();
}

TestDatabase::~TestDatabase() {
  db_.reset();
  if (dialect_ == Dialect::sqlite) {
    std::error_code ec;
    for (const char* ext : {"", "-wal", "-shm"}) std::filesystem::remove(url_ + ext, ec);
  } else if (!schema_.empty()) {
    if (auto admin = open_db(std::getenv("DANGJIAO_TEST_PG"), 1)) {
      if (auto lease = (*admin)->acquire()) {
        (void)(*lease)->exec_script("DROP SCHEMA " + schema_ + " CASCADE");
      }
    }
  }
}

void DbTest::SetUp() {
  if (GetParam() == Dialect::postgres && !std::getenv("DANGJIAO_TEST_PG")) {
    GTEST_SKIP() << "DANGJIAO_TEST_PG is not set (make test sets it)";
  }
  database_ = std::make_unique<TestDatabase>(GetParam());
  ASSERT_TRUE(database_->available());
}

std::string dialect_name(const ::testing::TestParamInfo<Dialect>& info) {
  return info.param == Dialect::sqlite ? "sqlite" : "postgres";
}

}  // namespace dj::store
