#include "http/web_app.h"

#include <charconv>
#include <fstream>
#include <sstream>

#include "common/crypto.h"

namespace dj::http {
namespace {

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string content_type_of(const std::string& ext) {
  static const std::unordered_map<std::string, std::string> types = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
  };
  auto it = types.find(ext);
  return it == types.end() ? "application/octet-stream" : it->second;
}

// The one byte range a Range header asks of a body of `size` bytes: nullopt
// when the header is not a single bytes range (the whole body is sent), a
// range with first > last when it cannot be satisfied (416).
struct ByteRange {
  size_t first, last;
};
std::optional<ByteRange> range_of(std::string_view h, size_t size) {
  if (!h.starts_with("bytes=") || h.find(',') != std::string_view::npos) return std::nullopt;
  h.remove_prefix(6);
  const auto dash = h.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto number = [](std::string_view s) -> std::optional<size_t> {
    size_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
  };
  const auto a = h.substr(0, dash), b = h.substr(dash + 1);
  if (a.empty()) {  // the last n bytes
    auto n = number(b);
    if (!n) return std::nullopt;
    if (*n == 0 || size == 0) return ByteRange{1, 0};
    return ByteRange{size - std::min(*n, size), size - 1};
  }
  auto first = number(a);
  auto last = b.empty() ? std::optional<size_t>(size ? size - 1 : 0) : number(b);
  if (!first || !last || *last < *first) return std::nullopt;
  if (*first >= size) return ByteRange{1, 0};
  return ByteRange{*first, std::min(*last, size - 1)};
}

bool is_server_path(std::string_view path) {
  return path.starts_with("/api/") || path == "/metrics" || path == "/healthz" || path == "/readyz";
}

}  // namespace

Result<WebApp> WebApp::load(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(dir / "index.html", ec)) {
    return Error{ErrorCode::not_found, dir.string() + "/index.html is missing", {}};
  }
  WebApp app;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (!entry.is_regular_file()) continue;
    const auto& p = entry.path();
    const std::string ext = p.extension().string();
    if (ext == ".gz" || ext == ".br") continue;
    File f;
    f.content_type = content_type_of(ext);
    f.plain = read_file(p);
    auto variant = [&](const char* suffix) {
      auto v = p;
      v += suffix;
      std::error_code missing;
      return std::filesystem::is_regular_file(v, missing) ? read_file(v) : std::string();
    };
    f.gzip = variant(".gz");
    f.brotli = variant(".br");
    f.tag = sha256_hex(f.plain).substr(0, 20);
    std::string url = std::filesystem::relative(p, dir).generic_string();
    url.insert(url.begin(), '/');
    app.files_[std::move(url)] = std::move(f);
  }
  if (ec) return Error::internal("reading " + dir.string() + ": " + ec.message());
  return app;
}

std::optional<Response> WebApp::answer(const File& f, const std::string& path,
                                       const Request& req) const {
  Response res;
  res.content_type = f.content_type;
  const auto enc = req.header("accept-encoding");
  const auto range = req.header("range");
  std::string etag = "\"" + f.tag;
  // A range is of the bytes as stored: asked for, it is served uncompressed.
  if (!f.brotli.empty() && range.empty() && accepts_coding(enc, "br")) {
    res.body = f.brotli;
    res.headers.emplace_back("Content-Encoding", "br");
    etag += "-br";
  } else if (!f.gzip.empty() && range.empty() && accepts_coding(enc, "gzip")) {
    res.body = f.gzip;
    res.headers.emplace_back("Content-Encoding", "gzip");
    etag += "-gz";
  } else {
    res.body = f.plain;
    res.headers.emplace_back("Accept-Ranges", "bytes");
  }
  etag += "\"";
  res.headers.emplace_back("ETag", etag);
  if (etag_matches(req.header("if-none-match"), etag)) {
    res.status = 304;
    res.body.clear();
  } else if (const auto if_range = req.header("if-range");
             !range.empty() && (if_range.empty() || if_range == etag)) {
    if (auto r = range_of(range, res.body.size()); r && r->first > r->last) {
      res.status = 416;
      res.headers.emplace_back("Content-Range", "bytes */" + std::to_string(res.body.size()));
      res.body.clear();
    } else if (r) {
      res.status = 206;
      res.headers.emplace_back("Content-Range", "bytes " + std::to_string(r->first) + "-" +
                                                    std::to_string(r->last) + "/" +
                                                    std::to_string(res.body.size()));
      res.body = res.body.substr(r->first, r->last - r->first + 1);
    }
  }
  if (!f.gzip.empty() || !f.brotli.empty()) res.headers.emplace_back("Vary", "Accept-Encoding");
  res.headers.emplace_back("Cache-Control", path.starts_with("/assets/")
                                                ? "public, max-age=31536000, immutable"
                                                : "no-cache");
  if (f.content_type.starts_with("text/html")) {
    res.headers.emplace_back("Content-Security-Policy",
                             "default-src 'self'; img-src 'self' data: blob:; "
                             "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
    res.headers.emplace_back("Referrer-Policy", "same-origin");
  }
  return res;
}

std::optional<Response> WebApp::serve(const Request& req) const {
  // HEAD answers as GET; the server leaves the body out.
  if ((req.method != "GET" && req.method != "HEAD") || is_server_path(req.path)) {
    return std::nullopt;
  }
  const std::string path = req.path == "/" ? "/index.html" : req.path;
  if (auto it = files_.find(path); it != files_.end()) return answer(it->second, path, req);
  // A browser opening a client route (the QR link, a bookmarked page).
  if (req.header("accept").find("text/html") == std::string_view::npos) return std::nullopt;
  if (path.starts_with("/assets/")) return std::nullopt;
  return answer(files_.at("/index.html"), "/index.html", req);
}

}  // namespace dj::http
