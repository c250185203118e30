#include "http/web_app.h"

#include <fstream>
#include <sstream>

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
  if (!f.brotli.empty() && accepts_coding(enc, "br")) {
    res.body = f.brotli;
    res.headers.emplace_back("Content-Encoding", "br");
  } else if (!f.gzip.empty() && accepts_coding(enc, "gzip")) {
    res.body = f.gzip;
    res.headers.emplace_back("Content-Encoding", "gzip");
  } else {
    res.body = f.plain;
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
