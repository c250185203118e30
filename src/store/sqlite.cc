// SQLite backend: WAL, foreign keys on, a busy timeout, a statement cache per
// connection.
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "store/backends.h"

namespace dj::store {
namespace {

Error sqlite_error(sqlite3* db, int rc, std::string_view sql) {
  const int ext = sqlite3_extended_errcode(db);
  std::string msg = sqlite3_errmsg(db);
  if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return Error::conflict("duplicate: " + msg);
  }
  if (ext == SQLITE_CONSTRAINT_FOREIGNKEY) return Error::conflict("referenced record: " + msg);
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
    return Error{ErrorCode::unavailable, "database busy", {}};
  }
  spdlog::error("sqlite error {} ({}): {} in: {}", rc, ext, msg, sql);
  return Error::internal("database error: " + msg);
}

class SqliteConn final : public Conn {
 public:
  // `writer` is shared by the pool's connections: one write transaction at a
  // time, queued here rather than in SQLite's sleeping busy handler.
  SqliteConn(sqlite3* db, std::shared_ptr<std::mutex> writer)
      : db_(db), writer_(std::move(writer)) {}
  ~SqliteConn() override {
    for (auto& [_, st] : cache_) sqlite3_finalize(st);
    sqlite3_close_v2(db_);
  }
  Dialect dialect() const override { return Dialect::sqlite; }

  Result<Rows> query(std::string_view sql, const Params& params) override {
    DJ_ASSIGN(sqlite3_stmt * st, prepare(sql, params));
    Rows rows;
    const int n = sqlite3_column_count(st);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      std::vector<std::optional<std::string>> cells;
      cells.reserve(n);
      for (int i = 0; i < n; ++i) {
        if (sqlite3_column_type(st, i) == SQLITE_NULL) {
          cells.emplace_back();
        } else {
          const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
          cells.emplace_back(std::string(p, sqlite3_column_bytes(st, i)));
        }
      }
      rows.emplace_back(std::move(cells));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return sqlite_error(db_, rc, sql);
    return rows;
  }

  Result<int64_t> exec(std::string_view sql, const Params& params) override {
    DJ_ASSIGN(sqlite3_stmt * st, prepare(sql, params));
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return sqlite_error(db_, rc, sql);
    return static_cast<int64_t>(sqlite3_changes(db_));
  }

  Status exec_script(std::string_view sql) override {
    std::string s(sql);
    char* err = nullptr;
    if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown";
      sqlite3_free(err);
      return Error::internal("sqlite script failed: " + msg);
    }
    return {};
  }

  // BEGIN, COMMIT and ROLLBACK go through the statement cache like any query.
  Status begin() override {
    writer_->lock();
    auto s = to_status(exec("BEGIN IMMEDIATE", {}));
    if (!s) {
      writer_->unlock();
      return s;
    }
    writing_ = true;
    return s;
  }
  Status commit() override {
    auto s = to_status(exec("COMMIT", {}));
    if (s) release();
    return s;
  }
  void rollback() override {
    if (!sqlite3_get_autocommit(db_)) (void)exec("ROLLBACK", {});
    release();
  }
  bool healthy() override { return true; }

 private:
  static Status to_status(Result<int64_t> r) {
    if (!r) return r.take_error();
    return {};
  }

  Result<sqlite3_stmt*> prepare(std::string_view sql, const Params& params) {
    sqlite3_stmt* st = nullptr;
    if (auto it = cache_.find(sql); it != cache_.end()) {  // no copy of the SQL to look up
      st = it->second;
    } else {
      const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                        SQLITE_PREPARE_PERSISTENT, &st, nullptr);
      if (rc != SQLITE_OK) return sqlite_error(db_, rc, sql);
      cache_.emplace(std::string(sql), st);
    }
    sqlite3_clear_bindings(st);
    if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(st)) {
      return Error::internal("parameter count mismatch in: " + std::string(sql));
    }
    for (size_t i = 0; i < params.size(); ++i) {
      const Value& v = params[i];
      const int idx = static_cast<int>(i + 1);
      if (v.is_null()) {
        sqlite3_bind_null(st, idx);
      } else if (v.is_int()) {
        sqlite3_bind_int64(st, idx, std::stoll(v.text()));
      } else {
        sqlite3_bind_text(st, idx, v.text().data(), static_cast<int>(v.text().size()),
                          SQLITE_TRANSIENT);
      }
    }
    return st;
  }

  void release() {
    if (writing_) {
      writing_ = false;
      writer_->unlock();
    }
  }

  sqlite3* db_;
  std::shared_ptr<std::mutex> writer_;
  bool writing_ = false;
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, sqlite3_stmt*, Hash, std::equal_to<>> cache_;
};

// Moves the WAL into the database file once a second with a passive
// checkpoint (it never blocks readers or writers), on a connection of its own.
class Checkpointer {
 public:
  explicit Checkpointer(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
        SQLITE_OK) {
      sqlite3_close_v2(db_);
      db_ = nullptr;
      return;
    }
    // A first read opens the WAL; before it a checkpoint on this connection
    // would be a silent no-op.
    sqlite3_exec(db_, "SELECT COUNT(*) FROM sqlite_master", nullptr, nullptr, nullptr);
    thread_ = std::thread([this] {
      std::unique_lock lock(mu_);
      while (!stop_) {
        cv_.wait_for(lock, std::chrono::seconds(1));
        if (stop_) break;
        int log = 0, done = 0;
        sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
      }
    });
  }
  ~Checkpointer() {
    if (thread_.joinable()) {
      {
        std::lock_guard lock(mu_);
        stop_ = true;
      }
      cv_.notify_one();
      thread_.join();
    }
    if (db_) {
      sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      sqlite3_close_v2(db_);
    }
  }

 private:
  sqlite3* db_ = nullptr;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
};

class SqliteDb final : public Db {
 public:
  SqliteDb(std::string path, size_t pool_size)
      : Db("sqlite://" + path, pool_size), path_(std::move(path)) {}
  ~SqliteDb() override { stop_group_commit(); }
  // Starts checkpointing once the file exists in WAL mode.
  void start_checkpoints() { checkpointer_ = std::make_unique<Checkpointer>(path_); }
  Dialect dialect() const override { return Dialect::sqlite; }

 protected:
  Result<std::unique_ptr<Conn>> open() override {
    sqlite3* db = nullptr;
    const int rc =
        sqlite3_open_v2(path_.c_str(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
      sqlite3_close_v2(db);
      return Error{ErrorCode::unavailable, "cannot open " + path_ + ": " + msg, {}};
    }
    sqlite3_busy_timeout(db, 10000);
    auto conn = std::make_unique<SqliteConn>(db, writer_);
    // NORMAL in WAL mode: a committed transaction survives a crash of the
    // process; only a power loss may lose the last commits.
    // Checkpoints run on a background thread (see Checkpointer), never in a
    // committing request, which would stall every writer queued behind it.
    DJ_TRY(conn->exec_script(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16000; PRAGMA wal_autocheckpoint=0;"
        "PRAGMA journal_size_limit=67108864;"));
    return std::unique_ptr<Conn>(std::move(conn));
  }

 private:
  std::string path_;
  std::shared_ptr<std::mutex> writer_ = std::make_shared<std::mutex>();
  std::unique_ptr<Checkpointer> checkpointer_;
};

}  // namespace

Result<std::unique_ptr<Db>> open_sqlite(const std::string& path, size_t pool_size) {
  // Memory statistics take a global mutex on every allocation; connections
  // on different threads would contend for it.
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  std::error_code ec;
  if (auto dir = std::filesystem::path(path).parent_path(); !dir.empty()) {
    std::filesystem::create_directories(dir, ec);
  }
  auto db = std::make_unique<SqliteDb>(path, pool_size);
  DJ_TRY(db->acquire());  // fail early when the file cannot be opened
  db->start_checkpoints();
  return std::unique_ptr<Db>(std::move(db));
}

}  // namespace dj::store

namespace dj::store {

Status backup_sqlite(const std::string& url, const std::string& to_file) {
  if (url.starts_with("postgres")) {
    return Error::invalid("db", "postgres", "backup of PostgreSQL: use pg_dump (see the README)");
  }
  const std::string path = url.starts_with("sqlite://") ? url.substr(9) : url;
  sqlite3* src = nullptr;
  sqlite3* dst = nullptr;
  auto close_both = [&] {
    sqlite3_close_v2(src);
    sqlite3_close_v2(dst);
  };
  if (sqlite3_open_v2(path.c_str(), &src, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK ||
      sqlite3_open_v2(to_file.c_str(), &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
          SQLITE_OK) {
    close_both();
    return Error{ErrorCode::unavailable, "cannot open " + path + " or " + to_file, {}};
  }
  sqlite3_busy_timeout(src, 10000);
  sqlite3_backup* b = sqlite3_backup_init(dst, "main", src, "main");
  if (!b) {
    std::string msg = sqlite3_errmsg(dst);
    close_both();
    return Error::internal("backup failed: " + msg);
  }
  int rc;
  while ((rc = sqlite3_backup_step(b, 256)) == SQLITE_OK || rc == SQLITE_BUSY ||
         rc == SQLITE_LOCKED) {
    if (rc != SQLITE_OK) sqlite3_sleep(50);
  }
  sqlite3_backup_finish(b);
  const bool ok = rc == SQLITE_DONE;
  std::string msg = ok ? "" : sqlite3_errmsg(dst);
  close_both();
  if (!ok) return Error::internal("backup failed: " + msg);
  return {};
}

}  // namespace dj::store
