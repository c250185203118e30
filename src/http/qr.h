// QR codes as SVG or PNG (libqrencode; PNG written with zlib).
#pragma once

#include <string>

#include "common/result.h"

namespace dj::http {

// An SVG image of `text` as a QR code (error correction M), scalable.
Result<std::string> qr_svg(const std::string& text);

// A PNG image of `text` as a QR code, `scale` pixels a module, black on white.
Result<std::string> qr_png(const std::string& text, int scale = 8);

}  // namespace dj::http
