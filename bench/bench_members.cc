// Server-side timings on the demo city (SQLite):
//  - listing a directly affiliated organization's members, first page, filtered;
//  - GET /api/v1/members/{id} through the router (auth, query, JSON), no socket.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "common/crypto.h"
#include "domain/auth/auth.h"
#include "domain/demo/demo.h"
#include "domain/member/member.h"
#include "domain/org/org.h"
#include "domain/schema.h"
#include "http/api.h"

namespace {

struct City {
  std::string path = (std::filesystem::temp_directory_path() / "dj_bench_city.db").string();
  std::unique_ptr<dj::store::Db> db;
  dj::Keys keys = dj::Keys::from_master(std::string(32, 'b'));
  std::unique_ptr<dj::auth::AuthService> auth;
  std::unique_ptr<dj::org::OrgService> orgs;
  std::unique_ptr<dj::member::MemberService> members;
  std::unique_ptr<dj::activity::ActivityService> activities;
  std::unique_ptr<dj::compliance::ComplianceService> compliance;
  std::unique_ptr<dj::training::TrainingService> training;
  std::unique_ptr<dj::member::RosterService> roster;
  dj::http::Jobs jobs;
  std::unique_ptr<dj::http::Router> router;
  std::unique_ptr<dj::http::Services> services;
  std::string token;
  dj::auth::Principal admin;
  int64_t affiliated_id = 0;

  City() {
    for (const char* ext : {"", "-wal", "-shm"}) std::filesystem::remove(path + ext);
    db = std::move(dj::store::open_db(path, 4)).value();
    (void)dj::domain::migrate(*db);
    (void)dj::demo::generate(*db, keys, {});
    auth = std::make_unique<dj::auth::AuthService>(*db, dj::auth::AuthConfig{});
    orgs = std::make_unique<dj::org::OrgService>(*db);
    members = std::make_unique<dj::member::MemberService>(*db, keys, dj::member::MemberConfig{});
    activities = std::make_unique<dj::activity::ActivityService>(*db, dj::activity::Config{});
    compliance = std::make_unique<dj::compliance::ComplianceService>(*db);
    training = std::make_unique<dj::training::TrainingService>(*db, keys, dj::training::Config{});
    roster = std::make_unique<dj::member::RosterService>(*db, *members);
    services = std::make_unique<dj::http::Services>(dj::http::Services{
        *db, keys, *auth, *orgs, *members, *activities, *compliance, *training, *roster, jobs});
    router = std::make_unique<dj::http::Router>(*db, *auth, dj::http::RouterConfig{false});
    dj::http::add_all_routes(*router, *services);
    auto login = auth->login("admin", dj::demo::kDemoPassword, "127.0.0.1", "bench");
    token = login->token;
    admin = *auth->authenticate(token);
    // The directly affiliated organization with the most members.
    dj::org::ListQuery q;
    q.parent_id = 1;
    q.page_size = 100;
    auto page = orgs->list(admin, q);
    int64_t best = 0;
    for (const auto& o : page->items) {
      if (o.member_count > best) {
        best = o.member_count;
        affiliated_id = o.id;
      }
    }
    std::printf("affiliated organization %lld with %lld members\n",
                static_cast<long long>(affiliated_id), static_cast<long long>(best));
  }
};

City& city() {
  static City c;
  return c;
}

void BM_ListAffiliatedMembers(benchmark::State& state) {
  City& c = city();
  dj::member::ListQuery q;
  q.org_id = c.affiliated_id;
  q.political_status = "full";
  q.page_size = 50;
  for (auto _ : state) {
    auto page = c.members->list(c.admin, q);
    benchmark::DoNotOptimize(page);
  }
}
BENCHMARK(BM_ListAffiliatedMembers)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

void BM_GetMemberThroughRouter(benchmark::State& state) {
  City& c = city();
  dj::http::Request req;
  req.method = "GET";
  req.path = "/api/v1/members/2345";
  req.headers = {{"authorization", "Bearer " + c.token}};
  for (auto _ : state) {
    dj::http::Response res;  // a synchronous route answers before handle returns
    c.router->handle(req, [&res](dj::http::Response r) { res = std::move(r); });
    if (res.status != 200) state.SkipWithError("unexpected status");
    benchmark::DoNotOptimize(res);
  }
}
BENCHMARK(BM_GetMemberThroughRouter)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

}  // namespace

BENCHMARK_MAIN();
