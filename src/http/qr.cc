#include "http/qr.h"

#include <fmt/format.h>
#include <qrencode.h>
#include <zlib.h>

#include <boost/json.hpp>
#include <iterator>

namespace dj::http {

Result<std::string> qr_svg(const std::string& text) {
  QRcode* code = QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (!code) return Error::internal("cannot encode the QR code");
  const int w = code->width, quiet = 4, size = w + 2 * quiet;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {0} {0}\" "
      "shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
      "<path fill=\"#000\" d=\"",
      size);
  for (int y = 0; y < w; ++y) {
    for (int x = 0; x < w; ++x) {
      if (code->data[y * w + x] & 1) {
        fmt::format_to(std::back_inserter(svg), "M{} {}h1v1h-1z", x + quiet, y + quiet);
      }
    }
  }
  svg += "\"/></svg>";
  QRcode_free(code);
  return svg;
}

namespace {

void put32(std::string& out, uint32_t v) {
  for (int shift : {24, 16, 8, 0}) out += static_cast<char>((v >> shift) & 0xFF);
}

void chunk(std::string& png, const char* type, const std::string& data) {
  put32(png, static_cast<uint32_t>(data.size()));
  std::string body = std::string(type, 4) + data;
  png += body;
  put32(png, static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(body.data()),
                                         static_cast<uInt>(body.size()))));
}

}  // namespace

Result<std::string> qr_png(const std::string& text, int scale) {
  QRcode* code = QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (!code) return Error::internal("cannot encode the QR code");
  const int w = code->width, quiet = 4, modules = w + 2 * quiet, px = modules * scale;
  // 8-bit greyscale scanlines, each led by filter type 0.
  std::string raw;
  raw.reserve(static_cast<size_t>(px) * (px + 1));
  for (int y = 0; y < px; ++y) {
    raw += '\0';
    const int my = y / scale - quiet;
    for (int x = 0; x < px; ++x) {
      const int mx = x / scale - quiet;
      const bool dark = mx >= 0 && my >= 0 && mx < w && my < w && (code->data[my * w + mx] & 1);
      raw += static_cast<char>(dark ? 0x00 : 0xFF);
    }
  }
  QRcode_free(code);
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::string deflated(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(deflated.data()), &size,
                reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()),
                Z_BEST_SPEED) != Z_OK) {
    return Error::internal("cannot compress the PNG");
  }
  deflated.resize(size);
  std::string png = "\x89PNG\r\n\x1a\n";
  std::string ihdr;
  put32(ihdr, static_cast<uint32_t>(px));
  put32(ihdr, static_cast<uint32_t>(px));
  ihdr +=
      std::string("\x08\x00\x00\x00\x00", 5);  // 8-bit, greyscale, deflate, no filter, no interlace
  chunk(png, "IHDR", ihdr);
  chunk(png, "IDAT", deflated);
  chunk(png, "IEND", "");
  return png;
}

Result<Response> qr_response(std::string_view format, const std::string& url,
                             const boost::json::object& as_json) {
  Response res;
  res.headers.emplace_back("Cache-Control", "no-store");
  if (format == "svg") {
    DJ_ASSIGN(res.body, qr_svg(url));
    res.content_type = "image/svg+xml";
  } else if (format == "png") {
    DJ_ASSIGN(res.body, qr_png(url));
    res.content_type = "image/png";
  } else if (format == "json") {
    res.body = boost::json::serialize(as_json);
  } else {
    return Error::bad_request("format", "unknown_code", "must be json, svg or png");
  }
  return res;
}

}  // namespace dj::http
