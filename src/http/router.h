// Routing, authentication, CSRF, errors as problem+json, metrics and the
// access log: everything every request goes through. Handlers stay thin and
// call the domain services, which check permissions and scope.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "domain/auth/auth.h"
#include "http/message.h"
#include "store/db.h"

namespace dj::http {

struct Ctx {
  Request& req;
  std::vector<std::string> params;  // path parameters in pattern order
  std::optional<auth::Principal> principal;

  const auth::Principal& p() const { return *principal; }
  // Path parameter `i` as a positive id, or bad_request naming `name`.
  Result<int64_t> id(size_t i, const char* name = "id") const;
};

// Finishes a request whose route answers later (Route::deferred): exactly
// once, from any thread.
using Finish = std::function<void(Result<Response>)>;

enum class Access {
  open,         // no session needed
  session,      // a session whose password need not change
  any_session,  // any session, also one that must change its password first
};

struct BodySpec;  // http/input.h

// A success answer of a route: its status and, for a body, the schema (a name
// among the router's schemas) and media types (application/json when left
// out; other media, such as .xlsx, are files).
struct ResponseSpec {
  int status = 200;
  std::string schema = {};
  std::vector<std::string> media = {};
};

// A documented path or query parameter.
enum class ParamType { integer, string, boolean, date };
struct Param {
  std::string name;
  ParamType type = ParamType::string;
  bool required = false;  // query parameters; path parameters always are
};

// One API operation: everything about it said once, with designated
// initializers. The router enforces `access` and `perm`; the OpenAPI document
// is generated from the same fields.
struct Route {
  std::string method;
  std::string pattern;  // /api/v1/orgs/{id}
  std::string tag;      // OpenAPI tag
  std::string summary;
  Access access = Access::session;
  // The permission the caller's role must grant, checked before the handler
  // runs (403 naming it). None: any signed-in caller, and the service decides
  // from the data (own records, subtree).
  std::optional<auth::Perm> perm = std::nullopt;
  // Path parameters whose type is not a positive integer id (the default).
  std::vector<Param> path = {};
  std::vector<Param> query = {};
  const BodySpec* body = nullptr;  // the request body (its reader and schema), if any
  std::vector<ResponseSpec> responses = {};
  bool upload = false;  // takes a file body up to the server's limit, not JSON
  std::function<Result<Response>(Ctx&)> handler = {};
  // Instead of `handler`, for a route whose work is finished by another
  // thread (a group commit): it starts the work and returns, and the request
  // thread serves other connections meanwhile. Ctx and its Request live only
  // until it returns, so the work must copy what it needs.
  std::function<void(Ctx&, Finish)> deferred = {};
};

struct RouterConfig {
  bool access_log = true;
  size_t json_body_limit = 1024 * 1024;  // bodies of routes that are not uploads
  // Asked first for every request; answers the web app's files and pages.
  std::function<std::optional<Response>(const Request&)> web;
};

class Router {
 public:
  Router(store::Db& db, auth::AuthService& auth, RouterConfig cfg);
  ~Router();
  void add(Route r);
  // Answers any request through `reply` (at once, or later for a deferred
  // route); never throws.
  void handle(Request& req, Reply reply);
  const std::vector<Route>& routes() const;
  // Response schemas by name, from a JSON object of name -> schema written
  // short (the document has them as JSON Schema 2020-12):
  //   "string" "integer" "number" "boolean" "date" "datetime" "object" "any"
  //   "Name" (another schema)  "codes:<list>" (the enum of a code list added
  //   with add_codes, so the document's enums are the lists the services
  //   validate with); a trailing ? allows null.
  //   [x] an array of x; {"*": x} a map of x; {"k": x, "k2?": y} an object
  //   of exactly these keys, k2 may be absent; {"?": true, ...} it may be null;
  //   {"&": "Name", ...} the keys of the object Name and these.
  // Throws std::invalid_argument for malformed JSON or a name given twice
  // (a programming error).
  void add_schemas(std::string_view json);
  void add_codes(std::string name, std::span<const char* const> codes);
  const boost::json::object& schemas() const;
  const std::map<std::string, std::vector<std::string>>& codes() const;
  // Prometheus text: requests by route and status, latency histogram, pool use.
  std::string metrics_text() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// 200 (or `status`) with a JSON body.
Response json_response(const boost::json::value& v, int status = 200);
// 204 without a body.
Response no_content();
// An uploaded photo or document served back: its checked type, never as a
// page (a sandboxing CSP), a PDF as a download, cached privately.
Response file_response(const std::string& content_type, std::string bytes, const std::string& name);
// application/problem+json for an Error (RFC 9457).
Response problem_response(const Error& e);
int http_status(ErrorCode code);

}  // namespace dj::http
