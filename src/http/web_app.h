// The built web app (web/dist) served by the same process: every file is read
// into memory at start with its precompressed .gz/.br variants; hashed assets
// under /assets/ are cached for a year, everything else is revalidated: each
// variant has its own strong ETag, a matching If-None-Match answers 304, and
// the uncompressed variant answers a single byte range (206, or 416).
// Browser navigations to client routes (/members, /checkin?..., /verify/...)
// get the app's index; /api/, /metrics and the health checks never do.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/result.h"
#include "http/message.h"

namespace dj::http {

class WebApp {
 public:
  // Reads every file under `dir` (which must hold index.html).
  static Result<WebApp> load(const std::filesystem::path& dir);

  // The answer to a GET for a file or a client route, or nullopt when the
  // request is not the web app's (the router answers it).
  std::optional<Response> serve(const Request& req) const;

 private:
  struct File {
    std::string content_type;
    std::string plain, gzip, brotli;  // variants; empty when not precompressed
    std::string tag;                  // a hash of `plain`, the ETag's stem
  };
  std::optional<Response> answer(const File& f, const std::string& path, const Request& req) const;
  std::unordered_map<std::string, File> files_;  // by URL path, e.g. /assets/x.js
};

}  // namespace dj::http
