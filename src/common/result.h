// Result<T>: a value or an Error. Expected failures (bad input, missing rows,
// conflicts, denied access) travel as values; exceptions are for the truly
// exceptional and are caught once at the top of each request.
#pragma once

#include <cassert>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace dj {

enum class ErrorCode {
  bad_request,         // 400: malformed input (syntax, types, unknown fields)
  invalid,             // 422: well-formed input that breaks a rule
  not_found,           // 404
  method_not_allowed,  // 405: the path exists, not with this method
  conflict,            // 409: uniqueness, state, or dependent records
  forbidden,           // 403
  unauthenticated,     // 401
  too_large,           // 413
  locked,              // 423: account locked, record locked
  too_many,            // 429: too many attempts; retry_after_s says when to try again
  unavailable,         // 503: database unreachable
  internal,            // 500: a bug; details are logged, never sent
};

// One problem with one input field: `field` is the JSON name (dotted for
// nested values), `code` a stable machine code, `message` for people.
struct FieldError {
  std::string field;
  std::string code;
  std::string message;
};

struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string message;
  std::vector<FieldError> fields;
  int64_t retry_after_s = 0;  // too_many: the answer's Retry-After

  // Malformed input in one field; the detail is "<field> <message>" unless given.
  static Error bad_request(std::string field, std::string code, std::string message,
                           std::string detail = {}) {
    if (detail.empty()) detail = field + " " + message;
    return Error{ErrorCode::bad_request,
                 std::move(detail),
                 {{std::move(field), std::move(code), std::move(message)}}};
  }
  static Error invalid(std::string field, std::string code, std::string message) {
    return Error{ErrorCode::invalid, message, {{std::move(field), std::move(code), message}}};
  }
  // Too many failed attempts of `field`: `what` happened, and the caller waits
  // `wait_ms` (stated in the detail, the field error and Retry-After).
  static Error too_many(std::string field, std::string what, int64_t wait_ms) {
    const int64_t s = (wait_ms + 999) / 1000;
    const std::string wait = "try again in " + std::to_string(s) + " s";
    Error e{
        ErrorCode::too_many, what + "; " + wait, {{std::move(field), "too_many_attempts", wait}}};
    e.retry_after_s = s;
    return e;
  }
  static Error not_found(std::string what) { return {ErrorCode::not_found, std::move(what), {}}; }
  static Error conflict(std::string why) { return {ErrorCode::conflict, std::move(why), {}}; }
  static Error forbidden(std::string why) { return {ErrorCode::forbidden, std::move(why), {}}; }
  static Error internal(std::string why) { return {ErrorCode::internal, std::move(why), {}}; }
};

const char* to_string(ErrorCode code);

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }
  Error&& take_error() {
    assert(!ok());
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }
  Error&& take_error() {
    assert(!ok_);
    return std::move(error_);
  }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace dj

// Early return of a failed Result from a function that returns a Result.
#define DJ_TRY(expr)                               \
  do {                                             \
    auto dj_try_r_ = (expr);                       \
    if (!dj_try_r_) return dj_try_r_.take_error(); \
  } while (0)

#define DJ_CONCAT_INNER(a, b) a##b
#define DJ_CONCAT(a, b) DJ_CONCAT_INNER(a, b)
// `DJ_ASSIGN(auto x, f());` declares x from a successful Result or returns its error.
#define DJ_ASSIGN(decl, expr) DJ_ASSIGN_IMPL(DJ_CONCAT(dj_assign_r_, __LINE__), decl, expr)
#define DJ_ASSIGN_IMPL(tmp, decl, expr) \
  auto tmp = (expr);                    \
  if (!tmp) return tmp.take_error();    \
  decl = std::move(tmp).value()
