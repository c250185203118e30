// dangjiao: the command line. serve, migrate, demo, user, audit, backup.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common/crypto.h"
#include "domain/activity/activity.h"
#include "domain/audit/audit.h"
#include "domain/auth/auth.h"
#include "domain/compliance/compliance.h"
#include "domain/demo/demo.h"
#include "domain/member/member.h"
#include "domain/member/roster.h"
#include "domain/org/org.h"
#include "domain/schema.h"
#include "domain/training/training.h"
#include "http/api.h"
#include "http/server.h"
#include "http/web_app.h"

namespace {

using namespace dj;  // NOLINT: a .cc file's own namespace

struct Common {
  std::string db = "sqlite://./data/dangjiao.db";
  std::string key_file = "./data/secret.key";
};

int fail(const Error& e) {
  std::cerr << "error: " << e.message << "\n";
  for (const auto& f : e.fields) std::cerr << "  " << f.field << ": " << f.message << "\n";
  return 1;
}

// Opens and migrates the database.
Result<std::unique_ptr<store::Db>> open(const Common& c, size_t pool = 0) {
  DJ_ASSIGN(auto db, store::open_db(c.db, pool));
  DJ_TRY(domain::migrate(*db));
  return db;
}

audit::Actor cli_actor(const std::string& what) {
  const char* user = std::getenv("USER");
  return {std::nullopt, std::string("cli:") + (user ? user : "?"), "local", "cli " + what};
}

// `dangjiao import members`: the same checks and writes as the API, as the
// whole city's administrator, with a progress bar on stderr.
int import_roster(store::Db& db, const Keys& keys, const std::string& file,
                  const std::string& org_code, bool commit, const std::string& mode) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string bytes = buf.str();
  member::ImportOptions opt;
  opt.commit = commit;
  opt.mode =
      mode == "valid-rows" ? member::ImportMode::valid_rows : member::ImportMode::all_or_nothing;
  opt.filename = std::filesystem::path(file).filename().string();
  if (!org_code.empty()) {
    auto row = store::with_conn(db, [&](store::Conn& c) {
      return c.query_opt("SELECT id FROM orgs WHERE code = ? AND deleted_at IS NULL", {org_code});
    });
    if (!row) return fail(row.error());
    if (!*row)
      return fail(Error::invalid("org", "unknown", "no organization with code " + org_code));
    opt.default_org_id = (*row)->i64(0);
  }
  int shown = -1;
  opt.progress = [&shown](size_t done, size_t total) {
    const int pct = total ? static_cast<int>(done * 100 / total) : 100;
    if (pct == shown) return;
    shown = pct;
    std::cerr << "\r[" << std::string(static_cast<size_t>(pct / 5), '#')
              << std::string(static_cast<size_t>(20 - pct / 5), '.') << "] " << pct << "% " << done
              << "/" << total << std::flush;
  };
  auth::Principal cli;
  cli.username = cli_actor("import").username;
  cli.client_ip = "local";
  cli.route = "cli import members";
  cli.role = auth::Role::committee_admin;
  cli.scope_path = "/";
  member::MemberService members(db, keys, {});
  member::RosterService roster(db, members);
  auto rep = roster.import(cli, bytes, opt);
  if (shown >= 0) std::cerr << "\n";
  if (!rep) return fail(rep.error());
  for (size_t i = 0; i < rep->problems.size() && i < 50; ++i) {
    std::cout << rep->problems[i].message << "\n";
  }
  if (rep->problems.size() > 50) std::cout << "… " << rep->problems.size() - 50 << " more\n";
  std::cout << rep->rows << " rows: " << rep->valid << " valid, " << rep->created << " new, "
            << rep->updated << " changed, " << rep->unchanged << " unchanged; "
            << (rep->committed ? "written"
                : commit       ? "nothing written"
                               : "dry run (use --commit)")
            << "\n";
  return rep->problems.empty() || (rep->committed && opt.mode == member::ImportMode::valid_rows)
             ? 0
             : 2;
}

bool parse_listen(const std::string& s, http::ServerConfig& cfg) {
  const auto colon = s.rfind(':');
  if (colon == std::string::npos) return false;
  cfg.address = s.substr(0, colon);
  try {
    const int port = std::stoi(s.substr(colon + 1));
    if (port < 0 || port > 65535) return false;
    cfg.port = static_cast<uint16_t>(port);
  } catch (...) {
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"dangjiao: party member education and training platform"};
  app.require_subcommand(1);
  Common common;
  auto add_db = [&](CLI::App* sub) {
    sub->add_option("--db", common.db,
                    "sqlite:///path/file.db (default ./data/dangjiao.db) or postgresql://...")
        ->envname("DANGJIAO_DB");
    sub->add_option("--key-file", common.key_file,
                    "field encryption key (created on first start, mode 0600); "
                    "$DANGJIAO_SECRET_KEY overrides");
  };

  // serve
  auto* serve = app.add_subcommand("serve", "Run the HTTP server");
  add_db(serve);
  std::string listen = "127.0.0.1:8080";
  bool demo_on_start = false, no_access_log = false;
  http::ServerConfig server_cfg;
  auth::AuthConfig auth_cfg;
  int64_t login_window_minutes = 15, idle_minutes = 30, body_limit_kib = 1024,
          attachment_limit_kib = 10240, import_limit_kib = 20480;
  std::string blob_dir = "./data/blobs";
  std::string web_dir = "./web/dist";
  int64_t qr_slot_seconds = 10, checkin_pass_seconds = 180;
  int64_t checkin_grace_minutes = 10, checkin_opens_minutes = 30;
  int64_t checkin_code_attempts = 5, checkin_code_window_seconds = 60;
  std::vector<std::string> metrics_from = http::kLoopback;
  std::string public_url;
  bool retired_report_to_community = false;
  int64_t import_workers = 2, import_queue = 8;
  int64_t upload_limit_mib = 2048, org_storage_quota_mib = 51200, lesson_complete_percent = 90;
  serve->add_option("--upload-limit-mib", upload_limit_mib, "largest courseware file")
      ->capture_default_str();
  serve
      ->add_option("--org-storage-quota-mib", org_storage_quota_mib,
                   "courseware files an organization may keep, in all")
      ->capture_default_str();
  serve
      ->add_option("--lesson-complete-percent", lesson_complete_percent,
                   "share of a video or audio a member must play for the lesson to count")
      ->check(CLI::Range(50, 100))
      ->capture_default_str();
  serve->add_option("--listen", listen, "address:port (port 0 picks a free one)");
  serve->add_flag("--demo", demo_on_start, "load the demo city on first start (empty database)");
  serve->add_option("--threads", server_cfg.threads, "request threads")->capture_default_str();
  serve->add_option("--body-limit-kib", body_limit_kib, "largest JSON body")->capture_default_str();
  serve->add_option("--attachment-limit-kib", attachment_limit_kib, "largest attachment")
      ->capture_default_str();
  serve->add_option("--import-limit-kib", import_limit_kib, "largest roster file to import")
      ->capture_default_str();
  serve
      ->add_option("--import-workers", import_workers,
                   "imports run as jobs at a time (each holds at most 256 MiB of cell text)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  serve
      ->add_option("--import-queue", import_queue,
                   "import jobs that may wait for a worker; past that 429 (one a user)")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  serve->add_option("--blob-dir", blob_dir, "where attachment files are kept")
      ->capture_default_str();
  serve->add_option("--web-dir", web_dir, "the built web app (empty: serve the API only)")
      ->capture_default_str();
  serve
      ->add_option("--login-attempts", auth_cfg.login_attempts,
                   "failed logins one name may have from one address within the window")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  serve
      ->add_option("--login-address-attempts", auth_cfg.address_attempts,
                   "failed logins one address may have (any names) within the window")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  serve
      ->add_option("--login-window-minutes", login_window_minutes,
                   "past a limit, the name or address waits until this window has passed")
      ->check(CLI::Range(1, 24 * 60))
      ->capture_default_str();
  serve->add_option("--idle-minutes", idle_minutes, "session idle timeout")->capture_default_str();
  serve->add_flag("--no-access-log", no_access_log, "do not log each request");
  serve
      ->add_option("--qr-slot-seconds", qr_slot_seconds,
                   "how often check-in codes change (a code is good for its slot and the next)")
      ->check(CLI::Range(1, 600))
      ->capture_default_str();
  serve
      ->add_option("--checkin-pass-seconds", checkin_pass_seconds,
                   "a scanned QR code's pass checks in once within this time (to log in first)")
      ->check(CLI::Range(10, 3600))
      ->capture_default_str();
  serve
      ->add_option("--checkin-grace-minutes", checkin_grace_minutes,
                   "a training check-in this long after the start is on time; later is late")
      ->check(CLI::Range(0, 24 * 60))
      ->capture_default_str();
  serve
      ->add_option("--checkin-opens-minutes", checkin_opens_minutes,
                   "training check-in opens this long before a session starts")
      ->check(CLI::Range(0, 24 * 60))
      ->capture_default_str();

  serve
      ->add_option("--checkin-code-attempts", checkin_code_attempts,
                   "wrong check-in codes a member may send for a session within the window")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  serve
      ->add_option("--checkin-code-window-seconds", checkin_code_window_seconds,
                   "after that many wrong codes the member waits until this window has passed")
      ->check(CLI::Range(1, 24 * 3600))
      ->capture_default_str();

  serve
      ->add_option("--metrics-from", metrics_from,
                   "client addresses that may read /metrics (a proxy in front must not pass "
                   "/metrics on)")
      ->capture_default_str();
  serve->add_flag("--retired-report-to-community", retired_report_to_community,
                  "retired members in the party must report to a community too (双报到; by "
                  "default only those in service)");
  serve->add_option("--trusted-proxy", server_cfg.trusted_proxies,
                    "addresses of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto "
                    "are believed (then cookies are Secure over https)");
  serve
      ->add_option("--public-url", public_url,
                   "the address members' phones open from a QR code, e.g. "
                   "https://dangjiao.example.gov.cn (default: the request's Host when it is an "
                   "IP address, else the listen address)")
      ->check([](const std::string& u) -> std::string {
        const bool scheme = u.starts_with("http://") || u.starts_with("https://");
        const auto rest = u.substr(u.find("//") + 2);
        if (!scheme || rest.empty() || rest.find_first_of("/?#@ \"\\<>") != std::string::npos)
          return "must be http(s)://host[:port], without a path";
        return "";
      });

  // migrate
  auto* migrate = app.add_subcommand("migrate", "Apply database migrations");
  add_db(migrate);

  // demo
  auto* demo = app.add_subcommand("demo", "Load the demo city into an empty database");
  add_db(demo);
  std::string scale = "city";
  uint64_t seed = 2021;
  demo->add_option("--scale", scale, "city or province")
      ->check(CLI::IsMember({"city", "province"}))
      ->capture_default_str();
  demo->add_option("--seed", seed, "random seed (same seed, same city)")->capture_default_str();

  // user
  auto* user = app.add_subcommand("user", "Manage accounts");
  user->require_subcommand(1);
  auto* user_add = user->add_subcommand("add", "Create an account");
  add_db(user_add);
  std::string username, password, role;
  std::optional<int64_t> org_id, member_id;
  user_add->add_option("--username", username)->required();
  user_add->add_option("--password", password, "must meet the password policy")->required();
  user_add
      ->add_option("--role", role,
                   "committee_admin, org_admin, member, lecturer, inspector, auditor")
      ->required();
  user_add->add_option("--org", org_id, "organization id (the scope)");
  user_add->add_option("--member", member_id, "member id of the person");
  auto* user_reset =
      user->add_subcommand("reset-password", "Set a new password; forces a change at next login");
  add_db(user_reset);
  user_reset->add_option("--username", username)->required();
  user_reset->add_option("--password", password)->required();

  // audit
  auto* audit_cmd = app.add_subcommand("audit", "The audit trail");
  audit_cmd->require_subcommand(1);
  auto* verify =
      audit_cmd->add_subcommand("verify", "Check the hash chain; names the first broken row");
  add_db(verify);

  // backup
  // import
  auto* import_cmd = app.add_subcommand("import", "Import from spreadsheets");
  import_cmd->require_subcommand(1);
  auto* import_members = import_cmd->add_subcommand(
      "members", "Import a member roster (.xlsx or .csv); checks only, unless --commit");
  add_db(import_members);
  std::string import_file, import_org, import_mode = "all-or-nothing";
  bool import_commit = false;
  import_members->add_option("FILE", import_file, "the .xlsx or .csv file")
      ->required()
      ->check(CLI::ExistingFile);
  import_members->add_option("--org", import_org, "organization code for rows without 所在党组织");
  import_members->add_flag("--commit", import_commit, "write the rows (default: a dry run)");
  import_members->add_option("--mode", import_mode, "all-or-nothing or valid-rows")
      ->check(CLI::IsMember({"all-or-nothing", "valid-rows"}))
      ->capture_default_str();

  auto* backup = app.add_subcommand("backup", "Copy the SQLite database while it runs");
  add_db(backup);
  std::string backup_to;
  backup->add_option("--to", backup_to, "destination file")->required();

  CLI11_PARSE(app, argc, argv);
  spdlog::set_default_logger(spdlog::stderr_logger_mt("dangjiao"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");

  if (*backup) {
    auto s = store::backup_sqlite(common.db, backup_to);
    if (!s) return fail(s.error());
    std::cout << "backed up to " << backup_to << "\n";
    return 0;
  }

  const auto t0 = std::chrono::steady_clock::now();
  auto db = open(common);
  if (!db) return fail(db.error());
  store::Db& dbr = **db;

  if (*migrate) {
    std::cout << "schema at version " << domain::latest_schema_version() << "\n";
    return 0;
  }
  if (*verify) {
    auto rep = audit::verify(dbr);
    if (!rep) return fail(rep.error());
    if (rep->first_broken_id) {
      std::cout << "BROKEN at row " << *rep->first_broken_id << ": " << rep->problem << " ("
                << rep->rows_checked << " rows checked)\n";
      return 2;
    }
    std::cout << "audit chain intact: " << rep->rows_checked << " rows\n";
    return 0;
  }

  auto keys = Keys::load(common.key_file);
  if (!keys) return fail(keys.error());

  auth::AuthService auth_svc(dbr, auth_cfg);
  if (*import_members)
    return import_roster(dbr, *keys, import_file, import_org, import_commit, import_mode);
  if (*user_add) {
    auto r = auth::parse_role(role);
    if (!r) return fail(Error::invalid("role", "unknown_code", "unknown role " + role));
    auto u = auth_svc.create_user(cli_actor("user add"), username, password, *r,
                                  {org_id, member_id, std::nullopt});
    if (!u) return fail(u.error());
    std::cout << "created user " << u->username << " (id " << u->id
              << "); the password must be changed at first login\n";
    return 0;
  }
  if (*user_reset) {
    auto s = auth_svc.reset_password(cli_actor("user reset-password"), username, password);
    if (!s) return fail(s.error());
    std::cout << "password reset for " << username << "; it must be changed at next login\n";
    return 0;
  }
  if (*demo) {
    const auto start = std::chrono::steady_clock::now();
    auto s = demo::generate(dbr, *keys,
                            {scale == "city" ? demo::Scale::city : demo::Scale::province, seed});
    if (!s) return fail(s.error());
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "demo " << scale << ": " << s->orgs << " organizations, " << s->members
              << " members, " << s->users << " accounts, " << s->activities << " activities in "
              << secs << " s\n";
    return 0;
  }

  // serve
  if (!parse_listen(listen, server_cfg)) {
    return fail(Error::invalid("listen", "format", "must be address:port"));
  }
  server_cfg.body_limit =
      static_cast<size_t>(std::max({body_limit_kib, attachment_limit_kib, import_limit_kib})) *
      1024;
  auth_cfg.login_window_ms = login_window_minutes * 60 * 1000;
  auth_cfg.idle_ms = idle_minutes * 60 * 1000;
  auth::AuthService auth_serve(dbr, auth_cfg);
  if (demo_on_start) {
    auto n = store::with_conn(
        dbr, [](store::Conn& c) { return c.query_one("SELECT COUNT(*) FROM orgs"); });
    if (n && n->i64(0) == 0) {
      std::cout << "loading the demo city (first start)...\n";
      auto s = demo::generate(dbr, *keys, {});
      if (!s) return fail(s.error());
    }
  }
  org::OrgService orgs(dbr);
  member::MemberService members(dbr, *keys, {});
  activity::ActivityService activities(
      dbr, {.blob_dir = blob_dir,
            .max_attachment_bytes = static_cast<size_t>(attachment_limit_kib) * 1024});
  compliance::ComplianceService compliance(dbr);
  training::TrainingService trainings(
      dbr, *keys,
      {.slot_ms = qr_slot_seconds * 1000,
       .pass_ms = checkin_pass_seconds * 1000,
       .grace_ms = checkin_grace_minutes * 60000,
       .open_before_ms = checkin_opens_minutes * 60000,
       .code_failures = static_cast<int>(checkin_code_attempts),
       .code_failure_window_ms = checkin_code_window_seconds * 1000});
  member::RosterService roster(dbr, members);
  http::Jobs jobs(
      {.per_owner = 1,
       .workers = static_cast<size_t>(import_workers),
       .queue = static_cast<size_t>(
           import_queue)});  // after the services its jobs use, so it ends (joins) first
  http::Services services{dbr,
                          *keys,
                          auth_serve,
                          orgs,
                          members,
                          activities,
                          compliance,
                          trainings,
                          roster,
                          jobs,
                          static_cast<size_t>(import_limit_kib) * 1024,
                          metrics_from};
  std::optional<http::WebApp> web;
  if (!web_dir.empty()) {
    auto w = http::WebApp::load(web_dir);
    if (w) {
      web = std::move(*w);
    } else {
      spdlog::warn("web app not served ({}); build it with `make run` or npm run build in web/",
                   w.error().message);
    }
  }
  http::RouterConfig router_cfg{!no_access_log, static_cast<size_t>(body_limit_kib) * 1024, {}};
  if (web) router_cfg.web = [&web](const http::Request& req) { return web->serve(req); };
  services.retired_report_to_community = retired_report_to_community;
  services.learning = {static_cast<uint64_t>(upload_limit_mib) << 20,
                       static_cast<uint64_t>(org_storage_quota_mib) << 20,
                       static_cast<int>(lesson_complete_percent)};
  http::Router router(dbr, auth_serve, router_cfg);
  http::add_all_routes(router, services);
  http::Server server(server_cfg, [&router](http::Request& req, http::Reply reply) {
    router.handle(req, std::move(reply));
  });
  auto port = server.listen();
  if (!port) return fail(port.error());
  services.public_url = public_url;
  const bool v6 = server_cfg.address.find(':') != std::string::npos;
  services.listen_url = "http://" + (v6 ? "[" + server_cfg.address + "]" : server_cfg.address) +
                        ":" + std::to_string(*port);
  const double start_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "dangjiao listening on http://" << server_cfg.address << ":" << *port
            << " (database " << dbr.display_url() << ", ready in " << start_ms << " ms)"
            << std::endl;
  if (demo_on_start) {
    std::cout << "demo logins: admin / " << demo::kDemoPassword
              << " (committee_admin); org01..org47, auditor, inspector, member01 with the same "
                 "password; citizen IDs and phones show masked to every role, and in full one "
                 "record at a time (audited)"
              << std::endl;
  }
  server.run();
  spdlog::info("stopped");
  return 0;
}
