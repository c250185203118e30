// QR codes as SVG or PNG (libqrencode; PNG written with zlib).
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "common/result.h"
#include "http/message.h"

namespace dj::http {

// An SVG image of `text` as a QR code (error correction M), scalable.
Result<std::string> qr_svg(const std::string& text);

// A PNG image of `text` as a QR code, `scale` pixels a module, black on white.
Result<std::string> qr_png(const std::string& text, int scale = 8);

// A check-in or registration code's answer, never cached: `url` as an SVG
// or PNG QR code (?format=svg, png), or `as_json` (json); bad_request naming
// `format` otherwise.
Result<Response> qr_response(std::string_view format, const std::string& url,
                             const boost::json::object& as_json);

}  // namespace dj::http
