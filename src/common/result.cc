#include "common/result.h"

namespace dj {

const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::bad_request:
      return "bad_request";
    case ErrorCode::invalid:
      return "invalid";
    case ErrorCode::not_found:
      return "not_found";
    case ErrorCode::method_not_allowed:
      return "method_not_allowed";
    case ErrorCode::conflict:
      return "conflict";
    case ErrorCode::forbidden:
      return "forbidden";
    case ErrorCode::unauthenticated:
      return "unauthenticated";
    case ErrorCode::too_large:
      return "too_large";
    case ErrorCode::locked:
      return "locked";
    case ErrorCode::too_many:
      return "too_many";
    case ErrorCode::unavailable:
      return "unavailable";
    case ErrorCode::internal:
      return "internal";
  }
  return "internal";
}

}  // namespace dj
