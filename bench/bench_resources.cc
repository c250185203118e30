// Resources figures on the demo city (SQLite, or PostgreSQL when
// $DANGJIAO_BENCH_PG names a server): a month's reservation calendar of the
// service centre, filled to every slot of every room (its JSON included),
// and the year's usage figures.
#include <benchmark/benchmark.h>

#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "common/crypto.h"
#include "common/time.h"
#include "domain/auth/auth.h"
#include "domain/demo/demo.h"
#include "domain/resources/resources.h"
#include "domain/schema.h"

namespace {

struct City {
  std::unique_ptr<dj::store::Db> db;
  dj::Keys keys = dj::Keys::from_master(std::string(32, 'b'));
  dj::auth::Principal admin;
  int64_t centre = 0;
  std::string from, to;  // the coming month (days 1 to 30 ahead)
  int64_t bookings = 0;

  City() {
    std::string url;
    if (const char* pg = std::getenv("DANGJIAO_BENCH_PG"); pg && *pg) {
      url = pg;
    } else {
      url = (std::filesystem::temp_directory_path() / "dj_bench_resources.db").string();
      for (const char* ext : {"", "-wal", "-shm"}) std::filesystem::remove(url + ext);
    }
    db = std::move(dj::store::open_db(url, 4)).value();
    (void)dj::domain::migrate(*db);
    (void)dj::demo::generate(*db, keys, {});
    dj::auth::AuthService auth(*db, {});
    auto login = auth.login("admin", dj::demo::kDemoPassword, "127.0.0.1", "bench");
    admin = *auth.authenticate(login->token);
    dj::resources::ResourceService svc(*db);
    const auto points = svc.points().value();
    for (const auto& p : points) {
      if (p.kind == "service_centre") centre = p.id;
    }
    const int64_t first = dj::days_from_date(dj::today()) + 1;
    from = dj::date_from_days(first);
    to = dj::date_from_days(first + 29);
    // Every free slot of every room, through the service (the demo's own stay).
    constexpr const char* kSlots[][2] = {{"08:30", "10:30"},
                                         {"10:30", "12:30"},
                                         {"14:00", "16:00"},
                                         {"16:00", "18:00"},
                                         {"18:30", "20:30"}};
    const auto venues = svc.venues(centre).value();
    for (const auto& v : venues) {
      for (int64_t d = first; d < first + 30; ++d) {
        for (const auto& s : kSlots) {
          dj::resources::BookingInput in;
          in.venue_id = v.id;
          in.org_id = 2;
          in.title = "主题党日活动";
          in.attendees = v.capacity / 2 + 1;
          in.starts_at = dj::date_from_days(d) + "T" + s[0] + ":00+08:00";
          in.ends_at = dj::date_from_days(d) + "T" + s[1] + ":00+08:00";
          (void)svc.book(admin, in);
        }
      }
    }
    bookings = static_cast<int64_t>(
        svc.bookings(admin, {.point_id = centre, .from = from, .to = to})->size());
    std::printf("service centre: %lld bookings from %s to %s\n", static_cast<long long>(bookings),
                from.c_str(), to.c_str());
  }
};

City& city() {
  static City c;
  return c;
}

void BM_MonthCalendarServiceCentre(benchmark::State& state) {
  City& c = city();
  dj::resources::ResourceService svc(*c.db);
  for (auto _ : state) {
    auto list = svc.bookings(c.admin, {.point_id = c.centre, .from = c.from, .to = c.to});
    if (!list) state.SkipWithError(list.error().message.c_str());
    boost::json::array out;
    for (const auto& b : *list) out.push_back(dj::resources::to_json(b));
    benchmark::DoNotOptimize(boost::json::serialize(out));
  }
  state.counters["bookings"] = static_cast<double>(c.bookings);
}
BENCHMARK(BM_MonthCalendarServiceCentre)->Unit(benchmark::kMillisecond)->Iterations(50);

void BM_UsageYear(benchmark::State& state) {
  City& c = city();
  dj::resources::ResourceService svc(*c.db);
  const std::string to = dj::today();
  const std::string from = dj::date_from_days(dj::days_from_date(to) - 365);
  for (auto _ : state) {
    auto u = svc.usage(c.admin, std::nullopt, from, to);
    if (!u) state.SkipWithError(u.error().message.c_str());
    benchmark::DoNotOptimize(u);
  }
}
BENCHMARK(BM_UsageYear)->Unit(benchmark::kMillisecond)->Iterations(50);

}  // namespace

BENCHMARK_MAIN();
