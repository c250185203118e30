#include "http/qr.h"

#include <fmt/format.h>
#include <qrencode.h>

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

}  // namespace dj::http
