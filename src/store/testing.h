// Test support: a fresh, migrated database on each backend.
//
// SQLite uses a new file under the temp directory; PostgreSQL uses a new
// schema on the server named by $DANGJIAO_TEST_PG (make test starts one).
// Tests parameterized on Dialect run against both.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/db.h"
#include "store/migrations.h"

namespace dj::store {

// The migrations every TestDatabase gets, defined by the test binary: the
// domain's tests take the whole schema (domain/testing.cc), the store's a
// table of their own.
std::span<const Migration> test_schema();

// A database that lives as long as the object, migrated to test_schema().
class TestDatabase {
 public:
  // Skips the running test when PostgreSQL was asked for but is not configured.
  explicit TestDatabase(Dialect d);
  ~TestDatabase();
  Db& db() { return *db_; }
  // A URL another process can open (the server in HTTP tests).
  const std::string& url() const { return url_; }
  bool available() const { return db_ != nullptr; }

 private:
  Dialect dialect_;
  std::string url_;
  std::string schema_;
  std::unique_ptr<Db> db_;
};

class DbTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override;
  Db& db() { return database_->db(); }
  std::unique_ptr<TestDatabase> database_;
};

std::string dialect_name(const ::testing::TestParamInfo<Dialect>& info);

}  // namespace dj::store

#define DJ_INSTANTIATE_BACKENDS(Suite)                                                 \
  INSTANTIATE_TEST_SUITE_P(                                                            \
      Backends, Suite,                                                                 \
      ::testing::Values(::dj::store::Dialect::sqlite, ::dj::store::Dialect::postgres), \
      ::dj::store::dialect_name)
