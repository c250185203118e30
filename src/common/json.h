// Small helpers for the JSON of answers and audit rows.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>

namespace dj {

// The string (or number), or JSON null when there is none.
inline boost::json::value or_null(const std::optional<std::string>& s) {
  return s ? boost::json::value(*s) : boost::json::value(nullptr);
}
inline boost::json::value or_null(const std::optional<int64_t>& n) {
  return n ? boost::json::value(*n) : boost::json::value(nullptr);
}

}  // namespace dj
