// QR codes as SVG (libqrencode).
#pragma once

#include <string>

#include "common/result.h"

namespace dj::http {

// An SVG image of `text` as a QR code (error correction M), scalable.
Result<std::string> qr_svg(const std::string& text);

}  // namespace dj::http
