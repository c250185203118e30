#include "store/db.h"

#include <charconv>
#include <condition_variable>
#include <mutex>

#include "store/backends.h"
#include "store/group_commit.h"

namespace dj::store {

namespace {
const std::string kEmpty;
}

const std::string& Row::str(size_t i) const {
  const auto& c = cells_.at(i);
  return c ? *c : kEmpty;
}

int64_t Row::i64(size_t i) const { return opt_i64(i).value_or(0); }

std::optional<int64_t> Row::opt_i64(size_t i) const {
  const auto& c = cells_.at(i);
  if (!c) return std::nullopt;
  if (*c == "t") return 1;
  if (*c == "f") return 0;
  int64_t v = 0;
  std::from_chars(c->data(), c->data() + c->size(), v);
  return v;
}

double Row::f64(size_t i) const {
  const auto& c = cells_.at(i);
  return c ? std::strtod(c->c_str(), nullptr) : 0.0;
}

Result<Row> Conn::query_one(std::string_view sql, const Params& params) {
  DJ_ASSIGN(auto rows, query(sql, params));
  if (rows.empty()) return Error::not_found("no such row");
  return std::move(rows.front());
}

Result<std::optional<Row>> Conn::query_opt(std::string_view sql, const Params& params) {
  DJ_ASSIGN(auto rows, query(sql, params));
  if (rows.empty()) return std::optional<Row>();
  return std::optional<Row>(std::move(rows.front()));
}

struct Db::Pool {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::unique_ptr<Conn>> idle;
  size_t open = 0;
  size_t in_use = 0;
  size_t max_size = 1;
  uint64_t waits = 0;
};

Db::Db(std::string display_url, size_t max_size)
    : display_url_(std::move(display_url)), pool_(std::make_shared<Pool>()) {
  pool_->max_size = max_size;
}

Db::~Db() = default;

GroupCommit& Db::group_commit() {
  std::lock_guard lock(group_mu_);
  if (!group_commit_) group_commit_ = std::make_unique<GroupCommit>(*this);
  return *group_commit_;
}

void Db::stop_group_commit() {
  std::lock_guard lock(group_mu_);
  group_commit_.reset();
}

Result<Lease> Db::acquire() {
  std::unique_lock lock(pool_->mu);
  for (;;) {
    while (!pool_->idle.empty()) {
      auto conn = std::move(pool_->idle.back());
      pool_->idle.pop_back();
      if (conn->healthy()) {
        ++pool_->in_use;
        return Lease(this, std::move(conn));
      }
      --pool_->open;
    }
    if (pool_->open < pool_->max_size) {
      ++pool_->open;
      lock.unlock();
      auto conn = open();
      lock.lock();
      if (!conn) {
        --pool_->open;
        return conn.take_error();
      }
      ++pool_->in_use;
      return Lease(this, std::move(conn).value());
    }
    ++pool_->waits;
    pool_->cv.wait(lock);
  }
}

void Db::release(std::unique_ptr<Conn> conn) {
  {
    std::lock_guard lock(pool_->mu);
    --pool_->in_use;
    pool_->idle.push_back(std::move(conn));
  }
  pool_->cv.notify_one();
}

PoolStats Db::stats() const {
  std::lock_guard lock(pool_->mu);
  return {pool_->open, pool_->in_use, pool_->waits};
}

Lease::~Lease() {
  if (conn_) db_->release(std::move(conn_));
}

Result<std::unique_ptr<Db>> open_db(const std::string& url, size_t pool_size) {
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return open_postgres(url, pool_size ? pool_size : 8);
  }
  std::string path = url;
  if (path.starts_with("sqlite://")) path = path.substr(9);
  if (path.empty()) return Error::invalid("db", "format", "empty database path");
  return open_sqlite(path, pool_size ? pool_size : 8);
}

std::string like_contains(std::string_view s) {
  std::string out = "%";
  for (char ch : s) {
    if (ch == '%' || ch == '_' || ch == '\\') out += '\\';
    out += ch;
  }
  out += '%';
  return out;
}

}  // namespace dj::store
