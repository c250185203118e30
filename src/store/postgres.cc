// PostgreSQL backend on libpq: text parameters, `?` renumbered to `$n`.
#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <cstring>

#include "store/backends.h"

namespace dj::store {
namespace {

// Rewrites `?` placeholders outside quotes as $1, $2, ...
std::string renumber(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (char ch : sql) {
    if (quote) {
      if (ch == quote) quote = 0;
      out += ch;
    } else if (ch == '\'' || ch == '"') {
      quote = ch;
      out += ch;
    } else if (ch == '?') {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += ch;
    }
  }
  return out;
}

Error pg_error(PGconn* conn, PGresult* res, std::string_view sql) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string msg = res ? PQresultErrorMessage(res) : PQerrorMessage(conn);
  if (state && std::strcmp(state, "23505") == 0) return Error::conflict("duplicate: " + msg);
  if (state && std::strcmp(state, "23P01") == 0) return Error::conflict("overlap: " + msg);
  if (state && std::strcmp(state, "23503") == 0) {
    return Error::conflict("referenced record: " + msg);
  }
  if (PQstatus(conn) != CONNECTION_OK || (state && std::strncmp(state, "08", 2) == 0)) {
    return Error{ErrorCode::unavailable, "database unavailable", {}};
  }
  spdlog::error("postgres error {}: {} in: {}", state ? state : "-", msg, sql);
  return Error::internal("database error: " + msg);
}

class PgConn final : public Conn {
 public:
  explicit PgConn(PGconn* c) : c_(c) {}
  ~PgConn() override { PQfinish(c_); }
  Dialect dialect() const override { return Dialect::postgres; }

  Result<Rows> query(std::string_view sql, const Params& params) override {
    DJ_ASSIGN(PGresult * res, run(sql, params));
    Rows rows;
    const int nr = PQntuples(res), nc = PQnfields(res);
    rows.reserve(nr);
    for (int r = 0; r < nr; ++r) {
      std::vector<std::optional<std::string>> cells;
      cells.reserve(nc);
      for (int i = 0; i < nc; ++i) {
        if (PQgetisnull(res, r, i)) {
          cells.emplace_back();
        } else {
          cells.emplace_back(std::string(PQgetvalue(res, r, i), PQgetlength(res, r, i)));
        }
      }
      rows.emplace_back(std::move(cells));
    }
    PQclear(res);
    return rows;
  }

  Result<int64_t> exec(std::string_view sql, const Params& params) override {
    DJ_ASSIGN(PGresult * res, run(sql, params));
    const char* n = PQcmdTuples(res);
    const int64_t changed = (n && *n) ? std::stoll(n) : 0;
    PQclear(res);
    return changed;
  }

  Status exec_script(std::string_view sql) override {
    PGresult* res = PQexec(c_, std::string(sql).c_str());
    const auto st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      auto e = pg_error(c_, res, sql);
      PQclear(res);
      return e;
    }
    PQclear(res);
    return {};
  }

  Status begin() override { return exec_script("BEGIN"); }
  Status commit() override { return exec_script("COMMIT"); }
  void rollback() override {
    if (PQtransactionStatus(c_) != PQTRANS_IDLE) (void)exec_script("ROLLBACK");
  }
  bool healthy() override {
    if (PQstatus(c_) == CONNECTION_OK) return true;
    PQreset(c_);
    return PQstatus(c_) == CONNECTION_OK;
  }

 private:
  // The successful result (the caller clears it), or the error.
  Result<PGresult*> run(std::string_view sql, const Params& params) {
    const std::string text = renumber(sql);
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p.is_null() ? nullptr : p.text().c_str());
    PGresult* res = PQexecParams(c_, text.c_str(), static_cast<int>(params.size()), nullptr,
                                 values.data(), nullptr, nullptr, 0);
    const auto st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
      auto e = pg_error(c_, res, sql);
      PQclear(res);
      return e;
    }
    return res;
  }

  PGconn* c_;
};

std::string without_password(const std::string& url) {
  const auto scheme = url.find("://");
  const auto at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos) return url;
  const auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon) + ":***" + url.substr(at);
}

class PgDb final : public Db {
 public:
  PgDb(std::string url, size_t pool_size)
      : Db(without_password(url), pool_size), url_(std::move(url)) {}
  ~PgDb() override { stop_group_commit(); }
  Dialect dialect() const override { return Dialect::postgres; }

 protected:
  Result<std::unique_ptr<Conn>> open() override {
    PGconn* c = PQconnectdb(url_.c_str());
    if (PQstatus(c) != CONNECTION_OK) {
      std::string msg = PQerrorMessage(c);
      PQfinish(c);
      return Error{ErrorCode::unavailable, "cannot connect to PostgreSQL: " + msg, {}};
    }
    auto conn = std::make_unique<PgConn>(c);
    DJ_TRY(conn->exec_script("SET client_min_messages TO warning; SET TIME ZONE 'UTC'"));
    return std::unique_ptr<Conn>(std::move(conn));
  }

 private:
  std::string url_;
};

}  // namespace

Result<std::unique_ptr<Db>> open_postgres(const std::string& url, size_t pool_size) {
  auto db = std::make_unique<PgDb>(url, pool_size);
  DJ_TRY(db->acquire());
  return std::unique_ptr<Db>(std::move(db));
}

}  // namespace dj::store
