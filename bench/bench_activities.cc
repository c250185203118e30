// Activities issue figures on the demo city (SQLite, or PostgreSQL when
// $DANGJIAO_BENCH_PG names a server): evaluating every rule for the whole
// city for a year, the year's statistics, and recording an activity with 50
// attendees.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "common/crypto.h"
#include "common/time.h"
#include "domain/activity/activity.h"
#include "domain/activity/stats.h"
#include "domain/auth/auth.h"
#include "domain/compliance/compliance.h"
#include "domain/demo/demo.h"
#include "domain/schema.h"

namespace {

struct City {
  std::unique_ptr<dj::store::Db> db;
  dj::Keys keys = dj::Keys::from_master(std::string(32, 'b'));
  dj::auth::Principal admin;
  std::string year;
  int64_t branch = 0;
  std::vector<int64_t> branch_members;

  City() {
    std::string url;
    if (const char* pg = std::getenv("DANGJIAO_BENCH_PG"); pg && *pg) {
      url = pg;
    } else {
      url = (std::filesystem::temp_directory_path() / "dj_bench_activities.db").string();
      for (const char* ext : {"", "-wal", "-shm"}) std::filesystem::remove(url + ext);
    }
    db = std::move(dj::store::open_db(url, 4)).value();
    (void)dj::domain::migrate(*db);
    auto sum = dj::demo::generate(*db, keys, {});
    if (sum) std::printf("demo: %lld activities\n", static_cast<long long>(sum->activities));
    dj::auth::AuthService auth(*db, {});
    auto login = auth.login("admin", dj::demo::kDemoPassword, "127.0.0.1", "bench");
    admin = *auth.authenticate(login->token);
    year = dj::today().substr(0, 4);
    // The largest branch, for recording meetings with about 50 attendees.
    auto rows = dj::store::with_conn(*db, [](dj::store::Conn& c) {
      return c.query(
          "SELECT m.org_id, COUNT(*) FROM members m JOIN orgs o ON o.id = m.org_id "
          "WHERE o.type = 'branch' GROUP BY m.org_id ORDER BY 2 DESC LIMIT 1");
    });
    branch = (*rows)[0].i64(0);
    auto members = dj::store::with_conn(*db, [&](dj::store::Conn& c) {
      return c.query("SELECT id FROM members ORDER BY id LIMIT 50");
    });
    for (const auto& r : *members) branch_members.push_back(r.i64(0));
  }
};

City& city() {
  static City c;
  return c;
}

void BM_EvaluateRulesCityYear(benchmark::State& state) {
  City& c = city();
  dj::compliance::ComplianceService svc(*c.db);
  const auto period = *dj::parse_period(c.year);
  for (auto _ : state) {
    auto rep = svc.evaluate(c.admin, period, std::nullopt);
    if (!rep) state.SkipWithError(rep.error().message.c_str());
    benchmark::DoNotOptimize(rep);
  }
}
BENCHMARK(BM_EvaluateRulesCityYear)->Unit(benchmark::kMillisecond)->Iterations(5);

void BM_StatsCityYear(benchmark::State& state) {
  City& c = city();
  const auto period = *dj::parse_period(c.year);
  for (auto _ : state) {
    auto s = dj::activity::activity_stats(*c.db, c.admin, period, std::nullopt);
    if (!s) state.SkipWithError(s.error().message.c_str());
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_StatsCityYear)->Unit(benchmark::kMillisecond)->Iterations(5);

// A committee-level record with 50 listed attendees (guests in scope), so
// every attendee goes through validation, attendance and the ledger.
void BM_RecordActivity50(benchmark::State& state) {
  City& c = city();
  dj::activity::ActivityService svc(*c.db, {});
  int day = 0;
  for (auto _ : state) {
    dj::activity::ActivityInput in;
    in.org_id = 1;
    in.type = "collective_study";
    in.title = "bench";
    const std::string date = dj::date_from_days(dj::days_from_date(dj::today()) - 1 - day++ % 300);
    in.started_at = date + "T09:00:00+08:00";
    in.ended_at = date + "T11:00:00+08:00";
    in.attendees.emplace();
    for (int64_t id : c.branch_members) in.attendees->push_back({id, "present", std::nullopt});
    auto a = svc.create(c.admin, in);
    if (!a) state.SkipWithError(a.error().message.c_str());
  }
}
BENCHMARK(BM_RecordActivity50)->Unit(benchmark::kMillisecond)->Iterations(200);

}  // namespace

BENCHMARK_MAIN();
