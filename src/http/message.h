// The project's own small HTTP request and response types. Handlers and
// the router see only these; Beast stays inside server.cc.
#pragma once

#include <cstdint>
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

// A file sent as a response's body: `length` bytes from `offset` of the
// file at `path`, read as the socket takes them (never whole in memory, and
// the connection's thread serves others between the pieces).
struct FileBody {
  std::string path;
  uint64_t offset = 0, length = 0;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<FileBody> file;  // instead of `body`
};

// What a Range header asks of a representation of `size` bytes (RFC 9110
// §14.2): the whole (no header, or a unit other than bytes), one part
// [first, last], or nothing it can have (416, with `reason` for people:
// malformed, reversed, past the end, or more than one range).
struct RangeAsked {
  enum Kind { whole, part, unsatisfiable } kind = whole;
  uint64_t first = 0, last = 0;
  std::string reason;
};
RangeAsked parse_range(std::string_view header, uint64_t size);

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
