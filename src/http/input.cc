#include "http/input.h"

#include <algorithm>
#include <boost/json.hpp>

#include "common/time.h"
#include "common/validate.h"

namespace dj::http {
namespace json = boost::json;

Result<JsonBody> JsonBody::parse(const Request& req) {
  const auto ct = req.header("content-type");
  if (!ct.starts_with("application/json")) {
    return Error::bad_request("Content-Type", "unsupported", "must be application/json",
                              "send the body as application/json");
  }
  json::error_code ec;
  json::value v = json::parse(req.body, ec);
  if (ec) {
    return Error::bad_request("body", "malformed_json", ec.message(),
                              "the body is not valid JSON: " + ec.message());
  }
  if (!v.is_object()) {
    return Error::bad_request("body", "type", "must be a JSON object",
                              "the body must be a JSON object");
  }
  JsonBody b;
  b.obj_ = std::move(v.as_object());
  return b;
}

JsonBody JsonBody::describing() {
  JsonBody b;
  b.describing_ = true;
  return b;
}

json::object JsonBody::schema() const {
  json::object out{{"type", "object"}, {"additionalProperties", false}};
  out["properties"] = properties_;
  return out;
}

json::object nullable_schema(json::object schema) {
  if (schema.contains("$ref")) {
    return json::object{{"anyOf", json::array{std::move(schema), json::object{{"type", "null"}}}}};
  }
  if (auto* values = schema.if_contains("enum")) values->as_array().emplace_back(nullptr);
  json::value& type = schema["type"];
  type = json::array{type, "null"};
  return schema;
}

namespace {

// A property that may also be sent as null (a null leaves the value unset).
json::object nullable(const char* type) { return nullable_schema(json::object{{"type", type}}); }

}  // namespace

const json::value* JsonBody::find(const char* name, json::object schema) {
  known_.emplace_back(name);
  if (describing_) {
    properties_[name] = std::move(schema);
    return nullptr;
  }
  const auto* v = obj_.if_contains(name);
  return v && !v->is_null() ? v : nullptr;
}

void JsonBody::type_error(const char* name, const char* expected) {
  if (error_.message.empty()) error_.message = std::string(name) + " must be " + expected;
  error_.fields.push_back({name, "type", std::string("must be ") + expected});
}

void JsonBody::str(const char* name, std::optional<std::string>& out,
                   std::span<const char* const> codes) {
  json::object schema{{"type", "string"}};
  if (!codes.empty()) schema["enum"] = json::array(codes.begin(), codes.end());
  if (const auto* v = find(name, nullable_schema(std::move(schema)))) {
    if (v->is_string()) {
      out = std::string(v->as_string());
    } else {
      type_error(name, "a string");
    }
  }
}

void JsonBody::i64(const char* name, std::optional<int64_t>& out) {
  if (const auto* v = find(name, nullable("integer"))) {
    if (v->is_int64()) {
      out = v->as_int64();
    } else if (v->is_uint64() && v->as_uint64() <= INT64_MAX) {
      out = static_cast<int64_t>(v->as_uint64());
    } else {
      type_error(name, "an integer");
    }
  }
}

void JsonBody::i64s(const char* name, std::optional<std::vector<int64_t>>& out) {
  json::object schema = nullable("array");
  schema["items"] = json::object{{"type", "integer"}};
  if (const auto* v = find(name, std::move(schema))) {
    if (!v->is_array()) return type_error(name, "an array of integers");
    std::vector<int64_t> items;
    for (const auto& e : v->as_array()) {
      if (e.is_int64()) {
        items.push_back(e.as_int64());
      } else if (e.is_uint64() && e.as_uint64() <= INT64_MAX) {
        items.push_back(static_cast<int64_t>(e.as_uint64()));
      } else {
        return type_error(name, "an array of integers");
      }
    }
    out = std::move(items);
  }
}

void JsonBody::object(const char* name, std::optional<json::object>& out) {
  json::object schema = nullable("object");
  schema["additionalProperties"] = true;
  if (const auto* v = find(name, std::move(schema))) {
    if (v->is_object()) {
      out = v->as_object();
    } else {
      type_error(name, "an object");
    }
  }
}

void JsonBody::number(const char* name, std::optional<double>& out) {
  if (const auto* v = find(name, nullable("number"))) {
    if (v->is_number()) {
      out = v->to_number<double>();
    } else {
      type_error(name, "a number");
    }
  }
}

void JsonBody::boolean(const char* name, std::optional<bool>& out) {
  if (const auto* v = find(name, nullable("boolean"))) {
    if (v->is_bool()) {
      out = v->as_bool();
    } else {
      type_error(name, "true or false");
    }
  }
}

void JsonBody::strings(const char* name, std::optional<std::vector<std::string>>& out,
                       std::span<const char* const> codes) {
  json::object items{{"type", "string"}};
  if (!codes.empty()) items["enum"] = json::array(codes.begin(), codes.end());
  json::object schema = nullable("array");
  schema["items"] = std::move(items);
  if (const auto* v = find(name, std::move(schema))) {
    if (!v->is_array()) return type_error(name, "an array of strings");
    std::vector<std::string> items;
    for (const auto& e : v->as_array()) {
      if (!e.is_string()) return type_error(name, "an array of strings");
      items.emplace_back(e.as_string());
    }
    out = std::move(items);
  }
}

bool JsonBody::has(const char* name) const {
  const auto* v = obj_.if_contains(name);
  return v && !v->is_null();
}

Status JsonBody::finish() const {
  Error e = error_;
  for (const auto& [k, _] : obj_) {
    if (std::find(known_.begin(), known_.end(), k) == known_.end()) {
      if (e.message.empty()) e.message = "unknown field " + std::string(k);
      e.fields.push_back({std::string(k), "unknown_field", "is not a field of this request"});
    }
  }
  if (e.fields.empty()) return {};
  return e;
}

void QueryReader::fail(const char* name, const char* code, const std::string& msg) {
  if (error_.message.empty()) error_.message = std::string(name) + " " + msg;
  error_.fields.push_back({name, code, msg});
}

Paging QueryReader::paging() {
  Paging p;
  if (auto v = id("page")) p.page = *v;
  if (auto v = id("page_size")) {
    if (*v > 500) {
      fail("page_size", "too_large", "must be at most 500");
    } else {
      p.page_size = *v;
    }
  }
  return p;
}

std::optional<int64_t> QueryReader::id(const char* name) {
  auto s = req_.query_param(name);
  if (!s) return std::nullopt;
  if (s->empty() || s->size() > 18 ||
      !std::all_of(s->begin(), s->end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoll(*s) <= 0) {
    fail(name, "type", "must be a positive integer");
    return std::nullopt;
  }
  return std::stoll(*s);
}

std::optional<bool> QueryReader::boolean(const char* name) {
  auto s = req_.query_param(name);
  if (!s) return std::nullopt;
  if (*s == "true" || *s == "1") return true;
  if (*s == "false" || *s == "0") return false;
  fail(name, "type", "must be true or false");
  return std::nullopt;
}

std::optional<std::string> QueryReader::str(const char* name, size_t max) {
  auto s = req_.query_param(name);
  if (s && utf8_length(*s) > max) {
    fail(name, "too_long", "must be at most " + std::to_string(max) + " characters");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> QueryReader::date(const char* name) {
  auto s = req_.query_param(name);
  if (s && !is_valid_date(*s)) {
    fail(name, "date", "must be a date written as YYYY-MM-DD");
    return std::nullopt;
  }
  return s;
}

Status QueryReader::finish() const {
  if (error_.fields.empty()) return {};
  return error_;
}

Result<Period> read_period(QueryReader& q, const Request& req) {
  auto label = q.str("period", 30);
  auto from = q.date("from");
  auto to = q.date("to");
  DJ_TRY(q.finish());
  if (label) return parse_period(*label);
  if (from && to) {
    DJ_ASSIGN(auto period, period_between(*from, *to));
    // Reports read every record of their period: at most three years (plus
    // the leap days) at a time.
    if (days_from_date(period.to) - days_from_date(period.from) > kMaxPeriodDays) {
      return Error::invalid("to", "too_long",
                            "a period is at most 3 years; ask for it in parts (e.g. year by year)");
    }
    return period;
  }
  if (req.query_param("from") || req.query_param("to")) {
    return Error::invalid("to", "required", "give both from and to, or period");
  }
  return Error::invalid("period", "required",
                        "give period (2021, 2021H1, 2021Q2, 2021-06) or from and to");
}

Result<Upload> read_upload(const Request& req, const std::optional<std::string>& filename) {
  const std::string_view type = req.header("content-type");
  const std::string_view body = req.body;
  if (!type.starts_with("multipart/form-data")) {
    if (body.empty()) return Error::invalid("file", "required", "send the file as the body");
    return Upload{filename.value_or(""), body};
  }
  auto b = type.find("boundary=");
  if (b == std::string_view::npos) {
    return Error::bad_request("Content-Type", "format",
                              "needs boundary=", "multipart body without a boundary");
  }
  std::string boundary(type.substr(b + 9));
  if (auto semi = boundary.find(';'); semi != std::string::npos) boundary.resize(semi);
  if (boundary.size() >= 2 && boundary.front() == '"' && boundary.back() == '"') {
    boundary = boundary.substr(1, boundary.size() - 2);
  }
  const std::string delim = "--" + boundary;
  size_t pos = body.find(delim);
  while (pos != std::string_view::npos) {
    pos += delim.size();
    if (body.substr(pos, 2) == "--") break;  // the closing delimiter
    const size_t head_end = body.find("\r\n\r\n", pos);
    if (head_end == std::string_view::npos) break;
    const std::string_view head = body.substr(pos, head_end - pos);
    const size_t content = head_end + 4;
    const size_t next = body.find("\r\n" + delim, content);
    if (next == std::string_view::npos) break;
    if (auto f = head.find("filename=\""); f != std::string_view::npos) {
      const size_t start = f + 10;
      const size_t end = head.find('"', start);
      Upload up;
      up.filename =
          std::string(head.substr(start, end == std::string_view::npos ? 0 : end - start));
      up.bytes = body.substr(content, next - content);
      return up;
    }
    pos = next + 2;
  }
  return Error::invalid("file", "required", "no file part in the multipart body");
}

}  // namespace dj::http
