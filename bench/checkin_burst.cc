// A burst of distinct members checking in to one session over HTTP.
//
//   checkin_burst setup --db URL --members N --out DIR
//       enrols N members of the demo city in a class whose session runs now,
//       gives each a session token signed in ten minutes before (bench
//       accounts, written straight to the database: N argon2 logins would
//       take minutes), writes DIR/tokens.txt and DIR/session.txt
//   checkin_burst run --port P --dir DIR --key-file K --slot-seconds S
//       [--connections 500] [--acked FILE]
//       every member checks in once with the numeric code, C connections at
//       a time; prints throughput and latency; appends each acknowledged
//       member to FILE as it is acknowledged (for the crash test)
//   checkin_burst baseline --db FILE --rows N
//       plain SQLite: N one-row transactions, same pragmas, for the ratio
//   setup and run --service: the same for a community's volunteer post
//       running now, the N members signed up for it, each checking in at
//       POST /api/v1/community-posts/checkin
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "common/crypto.h"
#include "common/rotating_code.h"
#include "common/time.h"
#include "domain/masses/communities.h"
#include "domain/schema.h"
#include "domain/training/training.h"
#include "store/bulk.h"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

std::string arg(int argc, char** argv, const std::string& name, const std::string& fallback = "") {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) return argv[i + 1];
  }
  if (fallback.empty()) {
    std::cerr << "missing " << name << "\n";
    std::exit(2);
  }
  return fallback;
}

bool flag(int argc, char** argv, const std::string& name) {
  return std::find(argv + 1, argv + argc, name) != argv + argc;
}

int setup(int argc, char** argv) {
  const std::string dir = arg(argc, argv, "--out");
  const int n = std::stoi(arg(argc, argv, "--members", "5000"));
  auto db = std::move(dj::store::open_db(arg(argc, argv, "--db"), 2)).value();
  (void)dj::domain::migrate(*db);
  const int64_t now = dj::now_ms();
  int64_t session_id = 0;
  std::vector<std::pair<int64_t, std::string>> tokens;
  const bool service = flag(argc, argv, "--service");
  auto s = dj::store::with_tx(*db, [&](dj::store::Conn& c) -> dj::Status {
    if (service) {
      // A volunteer post of the first community, running now, and N members signed up.
      DJ_ASSIGN(auto post, c.query_one("INSERT INTO community_posts (community_id, kind, title, "
                                       "category, place, starts_at, ends_at, hours_tenths, "
                                       "created_at, updated_at) VALUES ((SELECT MIN(id) FROM "
                                       "communities), 'volunteer', 'burst', 'vaccination', "
                                       "'burst', ?, ?, 20, ?, ?) RETURNING id",
                                       {now - 60000, now + 4 * 3600000, now, now}));
      session_id = post.i64(0);
      DJ_TRY(
          c.exec("INSERT INTO community_services (community_id, org_id, member_id, post_id, "
                 "title, category, served_on, hours_tenths, status, created_at, updated_at) "
                 "SELECT (SELECT MIN(id) FROM communities), org_id, id, ?, 'burst', "
                 "'vaccination', ?, 20, 'signed_up', ?, ? FROM members WHERE "
                 "political_status IN ('full', 'probationary') ORDER BY id LIMIT ?",
                 {session_id, dj::today(), now, now, n}));
    } else {
      DJ_ASSIGN(auto t, c.query_one("INSERT INTO trainings (org_id, title, level, starts_on, "
                                    "ends_on, capacity, created_at, updated_at) VALUES "
                                    "(1, 'burst', 'demonstration', ?, ?, ?, ?, ?) RETURNING id",
                                    {dj::today(), dj::today(), n, now, now}));
      DJ_ASSIGN(auto sess, c.query_one("INSERT INTO training_sessions (training_id, title, "
                                       "started_at, ended_at, hours_tenths, created_at) VALUES "
                                       "(?, 'burst', ?, ?, 20, ?) RETURNING id",
                                       {t.i64(0), now - 60000, now + 4 * 3600000, now}));
      session_id = sess.i64(0);
      DJ_TRY(
          c.exec("INSERT INTO enrolments (training_id, member_id, status, created_at) SELECT "
                 "?, id, 'enrolled', ? FROM members WHERE political_status IN ('full', "
                 "'probationary') ORDER BY id LIMIT ?",
                 {t.i64(0), now, n}));
    }
    DJ_ASSIGN(auto members, c.query("SELECT id, org_id FROM members WHERE political_status IN "
                                    "('full', 'probationary') ORDER BY id LIMIT ?",
                                    {n}));
    std::vector<dj::store::Params> users;
    for (const auto& m : members) {
      users.push_back({fmt::format("burst-{}", m.str(0)), "bench-no-login", "member", m.i64(1),
                       m.i64(0), 0, now, now});
    }
    DJ_TRY(dj::store::insert_rows(c, "users",
                                  {"username", "password_hash", "role", "org_id", "member_id",
                                   "must_change_password", "created_at", "updated_at"},
                                  users));
    DJ_ASSIGN(auto ids, c.query("SELECT id, member_id FROM users WHERE username LIKE 'burst-%'"));
    std::vector<dj::store::Params> sessions;
    for (const auto& u : ids) {
      std::string token = dj::random_token();
      // Signed in ten minutes ago, as members in a lecture hall are: the
      // check-in also touches the session (its idle timer).
      const int64_t signed_in = now - 10 * 60000;
      sessions.push_back({u.i64(0), dj::sha256_hex(token), dj::random_token(), signed_in, signed_in,
                          signed_in + 12 * 3600000});
      tokens.emplace_back(u.i64(1), std::move(token));
    }
    return dj::store::insert_rows(
        c, "sessions",
        {"user_id", "token_hash", "csrf_token", "created_at", "last_seen_at", "expires_at"},
        sessions);
  });
  if (!s) {
    std::cerr << "setup failed: " << s.error().message << "\n";
    return 1;
  }
  std::ofstream(dir + "/session.txt") << session_id << "\n"
                                      << (service ? "service" : "session") << "\n";
  std::ofstream out(dir + "/tokens.txt");
  for (const auto& [member, token] : tokens) out << member << " " << token << "\n";
  std::cout << (service ? "signed up " : "enrolled ") << tokens.size() << " members in "
            << (service ? "post " : "session ") << session_id << "\n";
  return 0;
}

int run(int argc, char** argv) {
  const std::string dir = arg(argc, argv, "--dir");
  const int port = std::stoi(arg(argc, argv, "--port"));
  const int connections = std::stoi(arg(argc, argv, "--connections", "500"));
  const int64_t slot_seconds = std::stoll(arg(argc, argv, "--slot-seconds", "600"));
  const std::string acked_path = arg(argc, argv, "--acked", dir + "/acked.txt");
  auto keys = dj::Keys::load(arg(argc, argv, "--key-file"));
  if (!keys) return 1;
  int64_t session_id = 0;
  std::string kind = "session";
  std::ifstream(dir + "/session.txt") >> session_id >> kind;
  const bool service = kind == "service";
  std::vector<std::pair<int64_t, std::string>> tokens;
  {
    std::ifstream in(dir + "/tokens.txt");
    int64_t m;
    std::string t;
    while (in >> m >> t) tokens.emplace_back(m, t);
  }
  // The code on the venue screen, as the server computes it.
  auto scratch = dj::store::open_db(dir + "/scratch.db", 1);  // the service needs a store
  dj::training::TrainingService codes(**scratch, *keys, {.slot_ms = slot_seconds * 1000});
  const dj::RotatingCode post_codes(keys->subkey("qr"), dj::masses::kServiceCodePurpose,
                                    slot_seconds * 1000, 180000);
  const std::string code = service ? post_codes.code(session_id, post_codes.slot_at(dj::now_ms()))
                                   : codes.code_for(session_id, codes.slot_at(dj::now_ms()));

  // One thread drives all connections asynchronously, so the latency measured
  // is the server's and not the load generator's own scheduling.
  std::ofstream acked(acked_path, std::ios::app);
  std::vector<double> latencies;
  std::map<int, int> statuses;
  int failures = 0;
  net::io_context ioc;
  struct Conn {
    explicit Conn(net::io_context& ioc) : stream(ioc) {}
    beast::tcp_stream stream;
    beast::flat_buffer buf;
    http::request<http::string_body> req;
    http::response<http::string_body> res;
    size_t next = 0;
    Clock::time_point sent;
  };
  std::vector<std::unique_ptr<Conn>> conns;
  const tcp::endpoint ep(net::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port));
  std::function<void(Conn&)> send;
  send = [&](Conn& c) {
    if (c.next >= tokens.size()) return;
    const auto& [member, token] = tokens[c.next];
    c.req = {http::verb::post, service ? "/api/v1/community-posts/checkin" : "/api/v1/checkin", 11};
    c.req.set(http::field::host, "127.0.0.1");
    c.req.set(http::field::authorization, "Bearer " + token);
    c.req.set(http::field::content_type, "application/json");
    c.req.set("Idempotency-Key", fmt::format("burst-{}", member));
    c.req.body() = fmt::format(fmt::runtime(service ? R"({{"post_id":{},"code":"{}"}})"
                                                    : R"({{"session_id":{},"code":"{}"}})"),
                               session_id, code);
    c.req.prepare_payload();
    c.sent = Clock::now();
    http::async_write(c.stream, c.req, [&](beast::error_code ec, size_t) {
      if (ec) {
        ++failures;
        return;
      }
      c.res = {};
      http::async_read(c.stream, c.buf, c.res, [&](beast::error_code ec2, size_t) {
        if (ec2) {
          ++failures;
          return;
        }
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - c.sent).count();
        ++statuses[static_cast<int>(c.res.result_int())];
        if (c.res.result_int() == 201 || c.res.result_int() == 200) {
          acked << tokens[c.next].first << "\n" << std::flush;
          latencies.push_back(ms);
        }
        c.next += connections;
        send(c);
      });
    });
  };
  for (int t = 0; t < connections; ++t) {
    conns.push_back(std::make_unique<Conn>(ioc));
    conns.back()->next = static_cast<size_t>(t);
    beast::error_code ec;
    conns.back()->stream.socket().connect(ep, ec);
    if (ec) ++failures;
  }
  const auto start = Clock::now();
  for (auto& c : conns) send(*c);
  ioc.run();
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    return latencies.empty() ? 0.0
                             : latencies[std::min(latencies.size() - 1,
                                                  static_cast<size_t>(p * latencies.size()))];
  };
  std::cout << fmt::format(
      "check-ins: {} acknowledged of {} in {:.3f} s = {:.0f}/s; latency p50 {:.2f} ms, p99 {:.2f} "
      "ms, max {:.2f} ms; connection failures {}\n",
      latencies.size(), tokens.size(), secs, latencies.size() / secs, pct(0.5), pct(0.99),
      latencies.empty() ? 0.0 : latencies.back(), failures);
  for (const auto& [st, n] : statuses) std::cout << "  status " << st << ": " << n << "\n";
  return 0;
}

int baseline(int argc, char** argv) {
  const std::string path = arg(argc, argv, "--db");
  const int n = std::stoi(arg(argc, argv, "--rows", "5000"));
  for (const char* ext : {"", "-wal", "-shm"}) std::remove((path + ext).c_str());
  auto db = std::move(dj::store::open_db(path, 1)).value();
  auto lease = db->acquire();
  (void)(*lease)->exec_script(
      "CREATE TABLE checkins (session_id BIGINT, member_id BIGINT, status TEXT, method TEXT, "
      "at BIGINT, idempotency_key TEXT, PRIMARY KEY (session_id, member_id))");
  const auto start = Clock::now();
  for (int i = 0; i < n; ++i) {
    (void)(*lease)->begin();
    (void)(*lease)->exec("INSERT INTO checkins VALUES (1, ?, 'present', 'code', ?, ?)",
                         {i, dj::now_ms(), fmt::format("k{}", i)});
    (void)(*lease)->commit();
  }
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::cout << fmt::format(
      "plain SQLite, one row per transaction: {} rows in {:.3f} s = {:.0f}/s\n", n, secs, n / secs);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: checkin_burst setup|run|baseline ...\n";
    return 2;
  }
  const std::string cmd = argv[1];
  if (cmd == "setup") return setup(argc, argv);
  if (cmd == "run") return run(argc, argv);
  if (cmd == "baseline") return baseline(argc, argv);
  std::cerr << "unknown command " << cmd << "\n";
  return 2;
}
