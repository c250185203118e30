// The OpenAPI 3.1 document, generated from the route table: parameters and
// permissions from each Route, request schemas by running each body's reader
// on a describing JsonBody, response schemas from the router's schemas (with
// the code lists as enums).
#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <stdexcept>

#include "http/api.h"
#include "http/input.h"

namespace dj::http {
namespace json = boost::json;

namespace {

json::object param_schema(ParamType type, bool in_path) {
  switch (type) {
    case ParamType::integer:
      return in_path ? json::object{{"type", "integer"}, {"minimum", 1}}
                     : json::object{{"type", "integer"}};
    case ParamType::boolean:
      return json::object{{"type", "boolean"}};
    case ParamType::date:
      return json::object{{"type", "string"}, {"format", "date"}};
    case ParamType::string:
      break;
  }
  return json::object{{"type", "string"}};
}

// The short form response schemas are written in (see Router::add_schemas)
// as JSON Schema 2020-12.
json::object expand(const json::value& v, const Router& r) {
  const auto& codes = r.codes();
  if (v.is_string()) {
    std::string s(v.as_string());
    const bool null_ok = s.ends_with('?');
    if (null_ok) s.pop_back();
    json::object out;
    if (s == "string" || s == "integer" || s == "number" || s == "boolean") {
      out = {{"type", s}};
    } else if (s == "date") {
      out = {{"type", "string"}, {"format", "date"}};
    } else if (s == "datetime") {
      out = {{"type", "string"}, {"format", "date-time"}};
    } else if (s == "object") {
      out = {{"type", "object"}, {"additionalProperties", true}};
    } else if (s == "any") {
      return {};
    } else if (s.starts_with("codes:")) {
      const auto it = codes.find(s.substr(6));
      if (it == codes.end()) throw std::invalid_argument("unknown code list " + s);
      out = {{"type", "string"}, {"enum", json::array(it->second.begin(), it->second.end())}};
    } else if (!s.empty() && std::isupper(static_cast<unsigned char>(s[0]))) {
      out = {{"$ref", "#/components/schemas/" + s}};
    } else {
      throw std::invalid_argument("unknown schema type " + s);
    }
    return null_ok ? nullable_schema(std::move(out)) : out;
  }
  if (v.is_array()) {
    return json::object{{"type", "array"}, {"items", expand(v.as_array().at(0), r)}};
  }
  const auto& o = v.as_object();
  if (const auto* values = o.if_contains("*")) {
    return json::object{{"type", "object"}, {"additionalProperties", expand(*values, r)}};
  }
  json::object props;
  json::array required;
  bool null_ok = false;
  // {"&": "Name", ...}: the keys of schema Name, then these.
  json::object keys;
  if (const auto* base = o.if_contains("&")) {
    const auto* named = r.schemas().if_contains(base->as_string());
    if (!named || !named->is_object()) throw std::invalid_argument("unknown schema to extend");
    keys = named->as_object();
  }
  for (const auto& [key, value] : o) {
    if (key != "&") keys[key] = value;
  }
  for (const auto& [key, value] : keys) {
    std::string name(key);
    if (name == "?") {
      null_ok = true;
      continue;
    }
    if (name.ends_with('?')) {
      name.pop_back();
    } else {
      required.emplace_back(name);
    }
    props[name] = expand(value, r);
  }
  json::object out{{"type", "object"}, {"additionalProperties", false}, {"properties", props}};
  if (!required.empty()) out["required"] = std::move(required);
  return null_ok ? nullable_schema(std::move(out)) : out;
}

// getTrainingsByIdSessionsBySidQr for GET /api/v1/trainings/{id}/sessions/{sid}/qr.
std::string operation_id(const Route& route) {
  std::string id;
  for (char c : route.method) id += static_cast<char>(std::tolower(c));
  std::string_view path = route.pattern;
  if (path.starts_with("/api/v1")) path.remove_prefix(7);
  bool upper = true;
  for (size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '/' || c == '-' || c == '.' || c == '_') {
      upper = true;
    } else if (c == '{') {
      id += "By";
      upper = true;
    } else if (c != '}') {
      id += upper ? static_cast<char>(std::toupper(c)) : c;
      upper = false;
    }
  }
  return id;
}

json::object ref(const std::string& name) {
  return json::object{{"$ref", "#/components/schemas/" + name}};
}

json::object problem_schema() {
  json::object error{{"type", "object"},
                     {"additionalProperties", false},
                     {"required", json::array{"field", "code", "message"}},
                     {"properties", json::object{{"field", json::object{{"type", "string"}}},
                                                 {"code", json::object{{"type", "string"}}},
                                                 {"message", json::object{{"type", "string"}}}}}};
  return json::object{
      {"type", "object"},
      {"description", "A problem (RFC 9457); errors name each field and why"},
      {"additionalProperties", false},
      {"required", json::array{"type", "title", "status", "detail"}},
      {"properties",
       json::object{{"type", json::object{{"type", "string"}}},
                    {"title", json::object{{"type", "string"}}},
                    {"status", json::object{{"type", "integer"}}},
                    {"detail", json::object{{"type", "string"}}},
                    {"errors", json::object{{"type", "array"}, {"items", std::move(error)}}},
                    {"report", json::object{{"description", "the import report"}}}}}};
}

json::object responses_of(const Route& route) {
  json::object out;
  for (const auto& spec : route.responses) {
    json::object response{{"description", spec.status == 201   ? "Created"
                                          : spec.status == 204 ? "No Content"
                                                               : "OK"}};
    json::object content;
    const auto media = spec.media.empty() && !spec.schema.empty()
                           ? std::vector<std::string>{"application/json"}
                           : spec.media;
    for (const auto& m : media) {
      content[m] =
          m == "application/json"
              ? json::object{{"schema", ref(spec.schema)}}
              : json::object{{"schema", json::object{{"type", "string"}, {"contentMediaType", m}}}};
    }
    const bool file = std::any_of(media.begin(), media.end(),
                                  [](const auto& m) { return m != "application/json"; });
    if (!content.empty()) response["content"] = std::move(content);
    out[std::to_string(spec.status)] = std::move(response);
    if (file && spec.status == 200 && route.method == "GET") {
      out["304"] = json::object{
          {"description", "Not Modified: If-None-Match names the file's ETag (a file answer)"}};
    }
  }
  out["4XX"] = json::object{{"description", "Problem (RFC 9457)"},
                            {"content", json::object{{"application/problem+json",
                                                      json::object{{"schema", ref("Problem")}}}}}};
  return out;
}

}  // namespace

json::object openapi_document(const Router& r) {
  json::object paths;
  json::object schemas{{"Problem", problem_schema()}};
  std::map<std::string, std::string> tag_names;
  for (const auto& route : r.routes()) {
    json::array params;
    for (size_t i = 0; i < route.pattern.size(); ++i) {
      if (route.pattern[i] != '{') continue;
      const size_t j = route.pattern.find('}', i);
      Param p{route.pattern.substr(i + 1, j - i - 1), ParamType::integer};
      for (const auto& declared : route.path) {
        if (declared.name == p.name) p = declared;
      }
      params.push_back(json::object{{"name", p.name},
                                    {"in", "path"},
                                    {"required", true},
                                    {"schema", param_schema(p.type, true)}});
    }
    for (const auto& q : route.query) {
      json::object param{
          {"name", q.name}, {"in", "query"}, {"schema", param_schema(q.type, false)}};
      if (q.required) param["required"] = true;
      params.push_back(std::move(param));
    }
    json::object op{
        {"summary", route.summary},
        {"tags", json::array{json::value(route.tag)}},
        {"operationId", operation_id(route)},
        {"responses", responses_of(route)},
    };
    if (!params.empty()) op["parameters"] = std::move(params);
    tag_names[route.tag] = route.tag;
    if (route.perm) op["x-permission"] = auth::to_string(*route.perm);
    if (route.body) {
      schemas[route.body->name] = route.body->schema();
      op["requestBody"] = json::object{
          {"required", true},
          {"content",
           json::object{{"application/json", json::object{{"schema", ref(route.body->name)}}}}}};
    } else if (route.upload) {
      op["requestBody"] = json::object{
          {"required", true},
          {"content", json::object{{"application/octet-stream",
                                    json::object{{"schema", json::object{{"type", "string"}}}}},
                                   {"multipart/form-data",
                                    json::object{{"schema", json::object{{"type", "object"}}}}}}}};
    }
    op["security"] = route.access == Access::open
                         ? json::array{}
                         : json::array{json::object{{"bearer", json::array{}}},
                                       json::object{{"cookie", json::array{}}}};
    std::string lower_method = route.method;
    for (auto& c : lower_method) c = static_cast<char>(std::tolower(c));
    auto& path = paths[route.pattern];
    if (!path.is_object()) path = json::object{};
    path.as_object()[lower_method] = std::move(op);
  }
  for (const auto& [name, schema] : r.schemas()) schemas[name] = expand(schema, r);
  json::array tags;
  for (const auto& [name, _] : tag_names) {
    tags.push_back(json::object{{"name", name}, {"description", "The " + name + " routes"}});
  }
  // The code lists the services validate with, for clients that offer them
  // as choices (the web app's selects).
  json::object code_lists;
  for (const auto& [name, values] : r.codes()) {
    code_lists[name] = json::array(values.begin(), values.end());
  }
  return json::object{
      {"openapi", "3.1.0"},
      {"x-code-lists", std::move(code_lists)},
      {"info", json::object{{"title", "dangjiao API"},
                            {"version", "1"},
                            {"description", "Party member education and training platform"},
                            {"license", json::object{{"name", "Proprietary"},
                                                     {"identifier", "LicenseRef-dangjiao"}}}}},
      {"servers", json::array{json::object{{"url", "/"}}}},
      {"tags", std::move(tags)},
      {"paths", paths},
      {"components",
       json::object{{"securitySchemes",
                     json::object{{"bearer", json::object{{"type", "http"}, {"scheme", "bearer"}}},
                                  {"cookie", json::object{{"type", "apiKey"},
                                                          {"in", "cookie"},
                                                          {"name", "dangjiao_session"}}}}},
                    {"schemas", std::move(schemas)}}},
  };
}

}  // namespace dj::http
