// The project's own small HTTP request and response types. Handlers and
// the router see only these; Beast stays inside server.cc.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dj::http {

struct Request {
  std::string method;                                        // GET, POST, ...
  std::string path;                                          // decoded, without the query
  std::vector<std::pair<std::string, std::string>> query;    // decoded, in order
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  // The client's address; behind a trusted proxy (ServerConfig), the one it
  // forwarded. `secure`: the client reached the proxy over TLS.
  std::string client_ip;
  bool secure = false;

  // The first header with this lowercase name, or "".
  std::string_view header(std::string_view name) const;
  std::optional<std::string> query_param(std::string_view name) const;
  // The value of a cookie, or "".
  std::string cookie(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Whether an Accept-Encoding header accepts `coding` ("gzip", "br"; q=0 refuses).
bool accepts_coding(std::string_view accept_encoding, std::string_view coding);

// `data` compressed as gzip (RFC 1952), or nullopt when zlib fails.
std::optional<std::string> gzip(std::string_view data);

// Whether an If-None-Match header names `etag` (weak comparison, RFC 9110
// §13.1.2: W/ is ignored; "*" matches any).
bool etag_matches(std::string_view if_none_match, std::string_view etag);

// Sends the response to one request: call it exactly once, from any thread.
using Reply = std::function<void(Response)>;

}  // namespace dj::http
