// Reading request input: a JSON body against the fields a route accepts
// (unknown fields and wrong types are 400s naming the field), and query
// parameters (paging, ids, booleans).
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/period.h"
#include "common/result.h"
#include "http/message.h"

namespace dj::http {

class JsonBody {
 public:
  // The body as a JSON object; bad_request when it is not JSON, not an
  // object, or not sent as application/json.
  static Result<JsonBody> parse(const Request& req);

  // Each reader marks the field as known; a present value of the wrong type
  // is recorded as an error. A JSON null leaves `out` unchanged.
  void str(const char* name, std::optional<std::string>& out);
  void i64(const char* name, std::optional<int64_t>& out);
  void boolean(const char* name, std::optional<bool>& out);
  void strings(const char* name, std::optional<std::vector<std::string>>& out);
  // A JSON object, taken as it is (the domain validates its content).
  void object(const char* name, std::optional<boost::json::object>& out);
  // An integer or a decimal number.
  void number(const char* name, std::optional<double>& out);
  // An array of objects, each read by `each(JsonBody&)` with its own known
  // fields; errors are named `name[i].field`.
  template <class F>
  void objects(const char* name, F&& each);
  // Ok when every field was known and of the right type.
  Status finish() const;

 private:
  const boost::json::value* find(const char* name);
  void type_error(const char* name, const char* expected);
  boost::json::object obj_;
  std::vector<std::string> known_;
  Error error_{ErrorCode::bad_request, "", {}};
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
  const boost::json::value* v = find(name);
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

// A period from ?period=2021Q2, or from ?from=2021-04-01&to=2021-06-30;
// finishes the reader.
Result<Period> read_period(QueryReader& q, const Request& req);

}  // namespace dj::http
