// Reading request input: a JSON body against the fields a route accepts
// (unknown fields and wrong types are 400s naming the field), and query
// parameters (paging, ids, booleans).
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/period.h"
#include "common/result.h"
#include "http/message.h"

namespace dj::http {

// `schema` that also admits null: a null type (and enum value) added, or
// anyOf with null for a $ref. The readers' fields and the response schemas use it.
boost::json::object nullable_schema(boost::json::object schema);

class JsonBody {
 public:
  // The body as a JSON object; bad_request when it is not JSON, not an
  // object, or not sent as application/json.
  static Result<JsonBody> parse(const Request& req);

  // A body that reads nothing and records, reader by reader, the JSON Schema
  // of the fields it is asked for: the OpenAPI document is made by running a
  // route's reader (Body::read) on one, so the two cannot drift.
  static JsonBody describing();
  // The object schema recorded while describing.
  boost::json::object schema() const;

  // Each reader marks the field as known; a present value of the wrong type
  // is recorded as an error. A JSON null leaves `out` unchanged. `codes`, when
  // given, are the values the service accepts (it validates them with the
  // same list): they become the field's enum in the document.
  void str(const char* name, std::optional<std::string>& out,
           std::span<const char* const> codes = {});
  void i64(const char* name, std::optional<int64_t>& out);
  void boolean(const char* name, std::optional<bool>& out);
  // An array of integers (ids).
  void i64s(const char* name, std::optional<std::vector<int64_t>>& out);
  void strings(const char* name, std::optional<std::vector<std::string>>& out,
               std::span<const char* const> codes = {});
  // A JSON object, taken as it is (the domain validates its content).
  void object(const char* name, std::optional<boost::json::object>& out);
  // An integer or a decimal number.
  void number(const char* name, std::optional<double>& out);
  // An array of objects, each read by `each(JsonBody&)` with its own known
  // fields; errors are named `name[i].field`.
  template <class F>
  void objects(const char* name, F&& each);
  // True when the body holds `name` with a value other than null (never
  // while describing).
  bool has(const char* name) const;
  // Ok when every field was known and of the right type.
  Status finish() const;

 private:
  const boost::json::value* find(const char* name, boost::json::object schema);
  void type_error(const char* name, const char* expected);
  bool describing_ = false;
  boost::json::object properties_;  // while describing
  boost::json::object obj_;
  std::vector<std::string> known_;
  Error error_{ErrorCode::bad_request, "", {}};
};

// A route's request body: its name in the OpenAPI document and the function
// that reads it into T (also run on a describing JsonBody for the document).
struct BodySpec {
  const char* name;
  virtual boost::json::object schema() const = 0;

 protected:
  explicit BodySpec(const char* n) : name(n) {}
  ~BodySpec() = default;
};

template <class T>
struct Body final : BodySpec {
  using Reader = void (*)(JsonBody&, T&);
  Body(const char* name, Reader r) : BodySpec(name), read(r) {}
  Reader read;

  // The request's body read into a T; bad_request for malformed JSON, unknown
  // fields and wrong types.
  Result<T> parse(const Request& req) const {
    DJ_ASSIGN(auto body, JsonBody::parse(req));
    T out{};
    read(body, out);
    DJ_TRY(body.finish());
    return out;
  }
  boost::json::object schema() const override {
    JsonBody body = JsonBody::describing();
    T ignored{};
    read(body, ignored);
    return body.schema();
  }
};

// An uploaded file: the first file part of a multipart/form-data body, or
// the raw body (named by ?filename= then).
struct Upload {
  std::string filename;
  std::string_view bytes;  // into the request's body
};
Result<Upload> read_upload(const Request& req, const std::optional<std::string>& filename);

struct Paging {
  int64_t page = 1;
  int64_t page_size = 50;
};

class QueryReader {
 public:
  explicit QueryReader(const Request& req) : req_(req) {}
  Paging paging();
  std::optional<int64_t> id(const char* name);
  std::optional<bool> boolean(const char* name);
  std::optional<std::string> str(const char* name, size_t max = 100);
  std::optional<std::string> date(const char* name);
  Status finish() const;

 private:
  void fail(const char* name, const char* code, const std::string& msg);
  const Request& req_;
  Error error_{ErrorCode::bad_request, "", {}};
};

template <class F>
void JsonBody::objects(const char* name, F&& each) {
  if (describing_) {
    JsonBody item = describing();
    each(item);
    find(name, boost::json::object{{"type", "array"}, {"items", item.schema()}});
    return;
  }
  const boost::json::value* v = find(name, {});
  if (!v) return;
  if (!v->is_array()) return type_error(name, "an array of objects");
  size_t i = 0;
  for (const auto& item : v->as_array()) {
    const std::string prefix = std::string(name) + "[" + std::to_string(i++) + "]";
    if (!item.is_object()) {
      error_.fields.push_back({prefix, "type", "must be an object"});
      if (error_.message.empty()) error_.message = prefix + " must be an object";
      continue;
    }
    JsonBody inner;
    inner.obj_ = item.as_object();
    each(inner);
    auto s = inner.finish();
    if (!s) {
      for (auto f : s.error().fields) {
        f.field = prefix + "." + f.field;
        if (error_.message.empty()) error_.message = f.field + " " + f.message;
        error_.fields.push_back(std::move(f));
      }
    }
  }
}

// The longest from/to period a report is asked for: three years.
inline constexpr int64_t kMaxPeriodDays = 3 * 366;

// A period from ?period=2021Q2, or from ?from=2021-04-01&to=2021-06-30 (at
// most kMaxPeriodDays); finishes the reader.
Result<Period> read_period(QueryReader& q, const Request& req);

}  // namespace dj::http
