#include "http/message.h"

#include <zlib.h>

#include <algorithm>

namespace dj::http {

bool accepts_coding(std::string_view header, std::string_view coding) {
  size_t pos = 0;
  while ((pos = header.find(coding, pos)) != std::string_view::npos) {
    const size_t end = pos + coding.size();
    const bool starts = pos == 0 || header[pos - 1] == ' ' || header[pos - 1] == ',';
    const bool ends =
        end == header.size() || header[end] == ',' || header[end] == ';' || header[end] == ' ';
    // "br;q=0" refuses the coding.
    if (starts && ends && !header.substr(end).starts_with(";q=0")) return true;
    pos = end;
  }
  return false;
}

std::optional<std::string> gzip(std::string_view data) {
  z_stream z{};
  // 15 window bits + 16: a gzip wrapper; level 5 compresses JSON about 20:1 cheaply.
  if (deflateInit2(&z, 5, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return std::nullopt;
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return std::nullopt;
  return out;
}

bool etag_matches(std::string_view header, std::string_view etag) {
  auto opaque = [](std::string_view t) { return t.starts_with("W/") ? t.substr(2) : t; };
  const std::string_view want = opaque(etag);
  while (!header.empty()) {
    const auto comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == "*" || opaque(item) == want) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

namespace {

// A decimal position of at most 18 digits (no sign, no spaces), or nullopt.
std::optional<uint64_t> position(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

}  // namespace

RangeAsked parse_range(std::string_view header, uint64_t size) {
  RangeAsked out;
  if (header.empty()) return out;
  constexpr std::string_view kUnit = "bytes=";
  if (!header.starts_with(kUnit)) return out;  // another unit: the whole (§14.2)
  std::string_view spec = header.substr(kUnit.size());
  auto refuse = [&](std::string reason) {
    out.kind = RangeAsked::unsatisfiable;
    out.reason = std::move(reason);
    return out;
  };
  if (spec.find(',') != std::string_view::npos) return refuse("only one range per request");
  while (!spec.empty() && spec.front() == ' ') spec.remove_prefix(1);
  while (!spec.empty() && spec.back() == ' ') spec.remove_suffix(1);
  const size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return refuse("a range is first-last, first- or -suffix");
  const std::string_view a = spec.substr(0, dash), b = spec.substr(dash + 1);
  if (a.empty()) {  // the last b bytes
    const auto n = position(b);
    if (!n) return refuse("a suffix range needs a length");
    if (*n == 0 || size == 0) return refuse("the suffix is empty");
    out.kind = RangeAsked::part;
    out.first = size - std::min(*n, size);
    out.last = size - 1;
    return out;
  }
  const auto first = position(a);
  if (!first) return refuse("the first position is not a number");
  std::optional<uint64_t> last = size ? size - 1 : 0;
  if (!b.empty()) {
    last = position(b);
    if (!last) return refuse("the last position is not a number");
    if (*last < *first) return refuse("the range ends before it starts");
  }
  if (*first >= size) return refuse("the range starts past the end");
  out.kind = RangeAsked::part;
  out.first = *first;
  out.last = std::min(*last, size - 1);
  return out;
}

std::string_view Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return {};
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return v;
  }
  return std::nullopt;
}

std::string Request::cookie(std::string_view name) const {
  std::string_view all = header("cookie");
  while (!all.empty()) {
    const auto semi = all.find(';');
    std::string_view part = all.substr(0, semi);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    const auto eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) {
      return std::string(part.substr(eq + 1));
    }
    if (semi == std::string_view::npos) break;
    all.remove_prefix(semi + 1);
  }
  return {};
}

}  // namespace dj::http
