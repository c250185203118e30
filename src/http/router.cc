#include "http/router.h"

#include <fmt/format.h>
#include <malloc.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <deque>
#include <mutex>
#include <set>
#include <stdexcept>

#include "common/crypto.h"
#include "common/time.h"
#include "domain/audit/audit.h"

namespace dj::http {
namespace {

namespace json = boost::json;

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    const size_t j = path.find('/', i);
    out.emplace_back(path.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i));
    if (j == std::string_view::npos) break;
    i = j;
  }
  return out;
}

const char* title_of(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 423:
      return "Locked";
    case 429:
      return "Too Many Requests";
    case 503:
      return "Service Unavailable";
    default:
      return "Internal Server Error";
  }
}

constexpr double kBuckets[] = {0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

// Counters per route, lock-free: requests by status (100-599), latency
// histogram buckets, count and sum in microseconds.
struct RouteMetrics {
  std::string key;  // "METHOD pattern"
  std::atomic<uint64_t> by_status[500] = {};
  std::atomic<uint64_t> buckets[std::size(kBuckets)] = {};
  std::atomic<uint64_t> count{0};
  std::atomic<uint64_t> sum_us{0};
};

bool is_write(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

}  // namespace

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::bad_request:
      return 400;
    case ErrorCode::invalid:
      return 422;
    case ErrorCode::not_found:
      return 404;
    case ErrorCode::conflict:
      return 409;
    case ErrorCode::forbidden:
      return 403;
    case ErrorCode::unauthenticated:
      return 401;
    case ErrorCode::too_large:
      return 413;
    case ErrorCode::locked:
      return 423;
    case ErrorCode::too_many:
      return 429;
    case ErrorCode::method_not_allowed:
      return 405;
    case ErrorCode::unavailable:
      return 503;
    case ErrorCode::internal:
      return 500;
  }
  return 500;
}

Response json_response(const json::value& v, int status) {
  Response r;
  r.status = status;
  r.body = json::serialize(v);
  return r;
}

Response no_content() {
  Response r;
  r.status = 204;
  return r;
}

Response file_response(const std::string& content_type, std::string bytes,
                       const std::string& name) {
  Response res;
  res.content_type = content_type;
  res.body = std::move(bytes);
  res.headers.emplace_back("Content-Security-Policy", "default-src 'none'; sandbox");
  res.headers.emplace_back(
      "Content-Disposition",
      std::string(content_type == "application/pdf" ? "attachment" : "inline") + "; filename=\"" +
          name + "\"");
  res.headers.emplace_back("Cache-Control", "private, max-age=86400, immutable");
  return res;
}

Response problem_response(const Error& e) {
  const int status = http_status(e.code);
  json::array errors;
  for (const auto& f : e.fields) {
    errors.push_back(json::object{{"field", f.field}, {"code", f.code}, {"message", f.message}});
  }
  json::object body{
      {"type", std::string("urn:dangjiao:problem:") + to_string(e.code)},
      {"title", title_of(status)},
      {"status", status},
      {"detail", status == 500 ? std::string("internal error; see the server log") : e.message},
  };
  if (!errors.empty()) body["errors"] = std::move(errors);
  Response r = json_response(body, status);
  r.content_type = "application/problem+json";
  if (e.retry_after_s > 0) r.headers.emplace_back("Retry-After", std::to_string(e.retry_after_s));
  return r;
}

Result<int64_t> Ctx::id(size_t i, const char* name) const {
  const std::string& s = params.at(i);
  int64_t v = 0;
  if (s.empty() || s.size() > 18) {
    return Error::bad_request(name, "type", "must be a positive integer");
  }
  for (char c : s) {
    if (c < '0' || c > '9') {
      return Error::bad_request(name, "type", "must be a positive integer");
    }
    v = v * 10 + (c - '0');
  }
  if (v <= 0) {
    return Error::bad_request(name, "type", "must be a positive integer");
  }
  return v;
}

constexpr size_t kFirstRouteMetric = 3;

// What a request's answer is counted and logged by, kept until it is sent.
struct Outcome {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::string method, path, client_ip;
  bool gzip_ok = false;  // the client accepts gzip
  bool read = false;     // GET or HEAD: a file answer gets an ETag
  std::string if_none_match;
  size_t metric = 0;                  // "unmatched" until a route is found
  std::optional<audit::Actor> actor;  // a signed-in caller: logged, and refusals audited
  std::atomic<bool> answered{false};
};

struct Router::Impl {
  store::Db& db;
  auth::AuthService& auth;
  RouterConfig cfg;
  std::vector<Route> routes;
  std::vector<std::vector<std::string>> segments;
  json::object schemas;
  std::map<std::string, std::vector<std::string>> codes;
  // "unmatched" (404), "405" and "web", then one entry per route in order.
  std::deque<RouteMetrics> metrics;

  Impl(store::Db& d, auth::AuthService& a, RouterConfig c) : db(d), auth(a), cfg(c) {
    metrics.emplace_back().key = "unmatched";
    metrics.emplace_back().key = "405";
    metrics.emplace_back().key = "web";
  }

  void observe(size_t idx, int status, double seconds) {
    auto& m = metrics[idx];
    if (status >= 100 && status < 600)
      m.by_status[status - 100].fetch_add(1, std::memory_order_relaxed);
    m.count.fetch_add(1, std::memory_order_relaxed);
    m.sum_us.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
    for (size_t i = 0; i < std::size(kBuckets); ++i) {
      if (seconds <= kBuckets[i]) m.buckets[i].fetch_add(1, std::memory_order_relaxed);
    }
  }

  // Finds the route, authenticates and runs the handler, which answers
  // through `finish`; records in `o` what the answer is counted and logged by.
  void dispatch(Request& req, Outcome& o, const Finish& finish) {
    const auto parts = split_path(req.path);
    bool path_matched = false;
    std::set<std::string> allowed;  // the methods of the routes whose pattern matches
    // HEAD is answered as GET (the server sends the headers GET would, no body).
    const std::string method = req.method == "HEAD" ? "GET" : req.method;
    // The route of this method whose pattern matches with the most literal
    // segments: /members/export.xlsx wins over /members/{id}.
    size_t best = routes.size(), best_literals = 0;
    for (size_t i = 0; i < routes.size(); ++i) {
      const auto& segs = segments[i];
      if (segs.size() != parts.size()) continue;
      bool match = true;
      size_t literals = 0;
      for (size_t k = 0; k < segs.size() && match; ++k) {
        const bool param = segs[k].starts_with('{');
        match = param || segs[k] == parts[k];
        literals += !param;
      }
      if (!match) continue;
      path_matched = true;
      allowed.insert(routes[i].method);
      if (routes[i].method == "GET") allowed.insert("HEAD");
      if (routes[i].method != method) continue;
      if (best == routes.size() || literals > best_literals) {
        best = i;
        best_literals = literals;
      }
    }
    if (best < routes.size()) {
      const size_t i = best;
      const auto& segs = segments[i];
      Ctx ctx{req, {}, std::nullopt};
      for (size_t k = 0; k < segs.size(); ++k) {
        if (segs[k].starts_with('{')) ctx.params.push_back(parts[k]);
      }
      const Route& route = routes[i];
      o.metric = i + kFirstRouteMetric;
      if (!route.upload && req.body.size() > cfg.json_body_limit) {
        return finish(Error{
            ErrorCode::too_large,
            "the request body is larger than " + std::to_string(cfg.json_body_limit) + " bytes",
            {{"body", "too_large", "too large"}}});
      }
      if (route.access != Access::open) {
        if (auto s = authenticate(ctx, route); !s) return finish(s.take_error());
        o.actor = ctx.principal->actor();
        if (route.perm) {
          if (auto s = auth::require(*ctx.principal, *route.perm); !s)
            return finish(s.take_error());
        }
      }
      if (route.deferred) return route.deferred(ctx, finish);
      return finish(route.handler(ctx));
    }
    o.metric = path_matched ? 1 : 0;
    if (path_matched) {
      allowed.insert("OPTIONS");
      std::string allow;
      for (const auto& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
      Response res;
      if (req.method == "OPTIONS") {
        res = no_content();
      } else {
        res = problem_response(Error{ErrorCode::method_not_allowed,
                                     "method " + req.method + " is not allowed here; use " + allow,
                                     {}});
      }
      res.headers.emplace_back("Allow", allow);
      return finish(std::move(res));
    }
    finish(Error::not_found("no such route: " + req.path));
  }

  // Turns a handler's result into the response, audits a refusal of a
  // signed-in caller, counts, logs and sends it.
  void answer(const Outcome& o, Result<Response> r, const Reply& reply) {
    Response res;
    if (r) {
      res = std::move(r).value();
    } else {
      if (r.error().code == ErrorCode::forbidden && o.actor) {
        (void)audit::record_now(
            db, *o.actor,
            {"auth.denied", "route", "", "", {}, json::object{{"detail", r.error().message}}});
      }
      res = problem_response(r.error());
    }
    // API answers carry personal data and are not to be cached by anyone.
    if (o.path.starts_with("/api/") &&
        std::none_of(res.headers.begin(), res.headers.end(),
                     [](const auto& h) { return h.first == "Cache-Control"; })) {
      res.headers.emplace_back("Cache-Control", "no-store");
    }
    if (o.read) tag(o, res);
    const size_t plain_size = res.body.size();
    compress(o, res);
    // A large answer built here (its JSON tree, its text) is freed by now:
    // give the pages back (the server does the same for what it sends).
    if (plain_size > (4u << 20) && res.body.size() < plain_size) malloc_trim(0);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - o.start).count();
    observe(o.metric, res.status, secs);
    if (cfg.access_log) {
      spdlog::info(
          R"({{"ts":"{}","ip":"{}","method":{},"path":{},"route":"{}","status":{},"ms":{:.3f},"bytes":{},"user":"{}"}})",
          format_instant(now_ms()), o.client_ip, json::serialize(json::string(o.method)),
          json::serialize(json::string(o.path)), metrics[o.metric].key, res.status, secs * 1000,
          res.file ? res.file->length : res.body.size(), o.actor ? o.actor->username : "");
    }
    reply(std::move(res));
  }

  static bool is_json(const Response& res) {
    return res.content_type.starts_with("application/json") ||
           res.content_type.starts_with("application/problem+json");
  }

  // A file (an export, an attachment, a QR image) is tagged by its content;
  // a client that holds it already gets 304 and no body.
  static void tag(const Outcome& o, Response& res) {
    if (res.status != 200 || res.file || is_json(res) || !o.path.starts_with("/api/")) return;
    std::string etag = "W/\"" + sha256_hex(res.body).substr(0, 20) + "\"";
    if (etag_matches(o.if_none_match, etag)) {
      res.status = 304;
      res.body.clear();
    }
    res.headers.emplace_back("ETag", std::move(etag));
  }

  // JSON answers above a few KiB go gzipped to clients that accept it (a
  // compliance summary: 751 KB, 32 KB on the wire).
  static void compress(const Outcome& o, Response& res) {
    constexpr size_t kMinBytes = 4096;
    if (!is_json(res) || res.body.size() < kMinBytes) return;
    res.headers.emplace_back("Vary", "Accept-Encoding");
    if (!o.gzip_ok) return;
    if (auto packed = gzip(res.body)) {
      res.body = std::move(*packed);
      res.headers.emplace_back("Content-Encoding", "gzip");
    }
  }

  Status authenticate(Ctx& ctx, const Route& route) {
    Request& req = ctx.req;
    std::string token;
    bool from_cookie = false;
    if (auto h = req.header("authorization"); h.starts_with("Bearer ")) {
      token = std::string(h.substr(7));
    } else {
      token = req.cookie("dangjiao_session");
      from_cookie = true;
    }
    if (token.empty()) {
      return Error{ErrorCode::unauthenticated, "log in first (session cookie or Bearer token)", {}};
    }
    DJ_ASSIGN(auto p, auth.authenticate(token));
    p.client_ip = req.client_ip;
    p.route = route.method + " " + route.pattern;
    if (from_cookie && is_write(req.method)) {
      DJ_ASSIGN(auto csrf, auth.csrf_token(p.session_id));
      if (req.header("x-csrf-token") != csrf) {
        (void)audit::record_now(db, p.actor(),
                                {"auth.denied",
                                 "route",
                                 "",
                                 "",
                                 {},
                                 json::object{{"detail", "missing or wrong CSRF token"}}});
        return Error{ErrorCode::forbidden,
                     "a write from a browser session needs the X-CSRF-Token header",
                     {{"X-CSRF-Token", "csrf", "missing or wrong"}}};
      }
    }
    if (p.must_change_password && route.access != Access::any_session) {
      return Error{ErrorCode::forbidden,
                   "change your password first (POST /api/v1/auth/password)",
                   {{"password", "must_change", "the password must be changed first"}}};
    }
    ctx.principal = std::move(p);
    return {};
  }
};

Router::Router(store::Db& db, auth::AuthService& auth, RouterConfig cfg)
    : impl_(std::make_unique<Impl>(db, auth, cfg)) {}
Router::~Router() = default;

void Router::add(Route r) {
  impl_->segments.push_back(split_path(r.pattern));
  impl_->metrics.emplace_back().key = r.method + " " + r.pattern;
  impl_->routes.push_back(std::move(r));
}

const std::vector<Route>& Router::routes() const { return impl_->routes; }

void Router::add_schemas(std::string_view text) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) throw std::invalid_argument("response schemas are not a JSON object");
  for (auto& [name, schema] : v.as_object()) {
    if (impl_->schemas.contains(name)) {
      throw std::invalid_argument("response schema " + std::string(name) + " given twice");
    }
    impl_->schemas[name] = std::move(schema);
  }
}

void Router::add_codes(std::string name, std::span<const char* const> codes) {
  impl_->codes[std::move(name)] = std::vector<std::string>(codes.begin(), codes.end());
}

const json::object& Router::schemas() const { return impl_->schemas; }

const std::map<std::string, std::vector<std::string>>& Router::codes() const {
  return impl_->codes;
}

void Router::handle(Request& req, Reply reply) {
  auto o = std::make_shared<Outcome>();
  o->method = req.method;
  o->path = req.path;
  o->client_ip = req.client_ip;
  o->gzip_ok = accepts_coding(req.header("accept-encoding"), "gzip");
  o->read = req.method == "GET" || req.method == "HEAD";
  o->if_none_match = req.header("if-none-match");
  Impl* impl = impl_.get();
  // Answers once: an exception thrown after a deferred route has handed its
  // work on must not answer a second time.
  Finish finish = [impl, o, reply = std::move(reply)](Result<Response> r) {
    if (!o->answered.exchange(true)) impl->answer(*o, std::move(r), reply);
  };
  try {
    std::optional<Response> page;
    if (impl->cfg.web) page = impl->cfg.web(req);
    if (page) {
      o->metric = 2;
      finish(std::move(*page));
    } else {
      impl->dispatch(req, *o, finish);
    }
  } catch (const std::exception& e) {
    spdlog::error("unhandled exception on {} {}: {}", req.method, req.path, e.what());
    finish(Error::internal(e.what()));
  }
}

std::string Router::metrics_text() const {
  std::string out;
  out += "# HELP dangjiao_http_requests_total Requests by route and status.\n";
  out += "# TYPE dangjiao_http_requests_total counter\n";
  std::string hist;
  hist += "# HELP dangjiao_http_request_duration_seconds Request latency by route.\n";
  hist += "# TYPE dangjiao_http_request_duration_seconds histogram\n";
  for (const auto& m : impl_->metrics) {
    const uint64_t count = m.count.load(std::memory_order_relaxed);
    if (count == 0) continue;
    const std::string& route = m.key;
    for (int status = 100; status < 600; ++status) {
      if (const uint64_t n = m.by_status[status - 100].load(std::memory_order_relaxed)) {
        out += fmt::format("dangjiao_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n", route,
                           status, n);
      }
    }
    for (size_t i = 0; i < std::size(kBuckets); ++i) {
      hist += fmt::format(
          "dangjiao_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n", route,
          kBuckets[i], m.buckets[i].load(std::memory_order_relaxed));
    }
    hist += fmt::format(
        "dangjiao_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n", route,
        count);
    hist += fmt::format("dangjiao_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n", route,
                        static_cast<double>(m.sum_us.load(std::memory_order_relaxed)) / 1e6);
    hist += fmt::format("dangjiao_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", route,
                        count);
  }
  const auto pool = impl_->db.stats();
  out += hist;
  out += "# HELP dangjiao_db_pool_connections Open database connections.\n";
  out += "# TYPE dangjiao_db_pool_connections gauge\n";
  out += fmt::format("dangjiao_db_pool_connections {}\n", pool.size);
  out += "# HELP dangjiao_db_pool_in_use Connections lent out.\n";
  out += "# TYPE dangjiao_db_pool_in_use gauge\n";
  out += fmt::format("dangjiao_db_pool_in_use {}\n", pool.in_use);
  out += "# HELP dangjiao_db_pool_waits_total Times a request waited for a connection.\n";
  out += "# TYPE dangjiao_db_pool_waits_total counter\n";
  out += fmt::format("dangjiao_db_pool_waits_total {}\n", pool.waits);
  return out;
}

}  // namespace dj::http
