// Small helpers for the JSON of answers and audit rows.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>

namespace dj {

// The string, or JSON null when there is none.
inline boost::json::value or_null(const std::optional<std::string>& s) {
  return s ? boost::json::value(*s) : boost::json::value(nullptr);
}

}  // namespace dj
