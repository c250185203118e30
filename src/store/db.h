// The store: one interface over SQLite and PostgreSQL.
//
// SQL is written once with `?` placeholders and always bound parameters; the
// PostgreSQL backend renumbers them to $1..$n. Values travel as text so both
// backends read the same way. Connections come from a pool; a Lease returns
// its connection when it goes out of scope.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace dj::store {

enum class Dialect { sqlite, postgres };

// A bound parameter: NULL, an integer or text.
class Value {
 public:
  Value() = default;
  Value(std::nullptr_t) {}                                                        // NOLINT
  Value(int v) : Value(static_cast<int64_t>(v)) {}                                // NOLINT
  Value(int64_t v) : text_(std::to_string(v)), is_null_(false), is_int_(true) {}  // NOLINT
  Value(bool v) : Value(static_cast<int64_t>(v ? 1 : 0)) {}                       // NOLINT
  Value(std::string v) : text_(std::move(v)), is_null_(false) {}                  // NOLINT
  Value(std::string_view v) : text_(v), is_null_(false) {}                        // NOLINT
  Value(const char* v) : text_(v), is_null_(false) {}                             // NOLINT
  template <class T>
  Value(const std::optional<T>& v) {  // NOLINT
    if (v) *this = Value(*v);
  }
  bool is_null() const { return is_null_; }
  const std::string& text() const { return text_; }
  // True for integers, which SQLite binds as integers (LIMIT needs them).
  bool is_int() const { return is_int_; }

 private:
  std::string text_;
  bool is_null_ = true;
  bool is_int_ = false;
};

using Params = std::vector<Value>;

// One result row; columns by position, in the order of the SELECT list.
class Row {
 public:
  explicit Row(std::vector<std::optional<std::string>> cells) : cells_(std::move(cells)) {}
  bool null(size_t i) const { return !cells_.at(i).has_value(); }
  // Text of a column; "" for NULL.
  const std::string& str(size_t i) const;
  std::optional<std::string> opt_str(size_t i) const { return cells_.at(i); }
  // Integer of a column; 0 for NULL. Reads "t"/"f" as 1/0.
  int64_t i64(size_t i) const;
  std::optional<int64_t> opt_i64(size_t i) const;
  bool flag(size_t i) const { return i64(i) != 0; }
  double f64(size_t i) const;
  size_t size() const { return cells_.size(); }

 private:
  std::vector<std::optional<std::string>> cells_;
};

using Rows = std::vector<Row>;

// One connection. Not thread-safe; a Lease gives it to one thread at a time.
class Conn {
 public:
  virtual ~Conn() = default;
  virtual Dialect dialect() const = 0;
  // Runs a statement that returns rows.
  virtual Result<Rows> query(std::string_view sql, const Params& params = {}) = 0;
  // Runs a statement; answers the number of rows changed.
  virtual Result<int64_t> exec(std::string_view sql, const Params& params = {}) = 0;
  // Runs several statements without parameters (migrations).
  virtual Status exec_script(std::string_view sql) = 0;
  // Starts a transaction that may write (SQLite takes the write lock at once).
  virtual Status begin() = 0;
  virtual Status commit() = 0;
  virtual void rollback() = 0;
  // True while the connection can still be used.
  virtual bool healthy() = 0;

  // The first row, or not_found.
  Result<Row> query_one(std::string_view sql, const Params& params = {});
  // The first row if any.
  Result<std::optional<Row>> query_opt(std::string_view sql, const Params& params = {});
};

class Db;
class GroupCommit;

class Lease {
 public:
  Lease(Db* db, std::unique_ptr<Conn> conn) : db_(db), conn_(std::move(conn)) {}
  Lease(Lease&&) = default;
  Lease& operator=(Lease&&) = delete;
  ~Lease();
  Conn& operator*() { return *conn_; }
  Conn* operator->() { return conn_.get(); }

 private:
  Db* db_;
  std::unique_ptr<Conn> conn_;
};

struct PoolStats {
  size_t size = 0;
  size_t in_use = 0;
  uint64_t waits = 0;
};

// A pool of connections to one database.
class Db {
 public:
  virtual ~Db();
  virtual Dialect dialect() const = 0;
  // Waits for a free connection (opening one if the pool is not full).
  Result<Lease> acquire();
  PoolStats stats() const;
  // The group commit shared by the small writes of many requests (check-ins,
  // session touches), so that they join the same transactions; its thread
  // starts on first use.
  GroupCommit& group_commit();
  // The URL it was opened with, with any password removed.
  const std::string& display_url() const { return display_url_; }

 protected:
  Db(std::string display_url, size_t max_size);
  virtual Result<std::unique_ptr<Conn>> open() = 0;
  // Commits what the group commit has queued and stops it. Backends call it
  // first in their destructors, while open() still works.
  void stop_group_commit();

 private:
  friend class Lease;
  void release(std::unique_ptr<Conn> conn);
  struct Pool;
  std::string display_url_;
  std::shared_ptr<Pool> pool_;
  std::mutex group_mu_;
  std::unique_ptr<GroupCommit> group_commit_;
};

// Opens `url`: `sqlite:///path/file.db`, a bare path, or `postgresql://...`.
// `pool_size` 0 picks a default for the backend.
Result<std::unique_ptr<Db>> open_db(const std::string& url, size_t pool_size = 0);

// Runs `fn(conn)` inside a transaction; commits when it succeeds, rolls back
// when it returns an error or throws.
template <class F>
auto with_tx(Db& db, F&& fn) -> decltype(fn(std::declval<Conn&>())) {
  auto lease = db.acquire();
  if (!lease) return lease.take_error();
  Conn& c = **lease;
  if (auto s = c.begin(); !s) return s.take_error();
  try {
    auto r = fn(c);
    if (!r) {
      c.rollback();
      return r;
    }
    if (auto s = c.commit(); !s) {
      c.rollback();
      return s.take_error();
    }
    return r;
  } catch (...) {
    c.rollback();
    throw;
  }
}

// Runs `fn(conn)` on a pooled connection without a transaction (reads).
template <class F>
auto with_conn(Db& db, F&& fn) -> decltype(fn(std::declval<Conn&>())) {
  auto lease = db.acquire();
  if (!lease) return lease.take_error();
  return fn(**lease);
}

// `LIKE` pattern that matches `s` literally as a substring (escape char '\').
std::string like_contains(std::string_view s);

}  // namespace dj::store

namespace dj::store {

// Copies an SQLite database to `to_file` with SQLite's online backup API
// while it stays in use; invalid for PostgreSQL (use pg_dump).
Status backup_sqlite(const std::string& url, const std::string& to_file);

}  // namespace dj::store
