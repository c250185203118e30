#include <boost/json.hpp>
#include <map>

#include "common/period.h"
#include "domain/activity/stats.h"
#include "domain/compliance/compliance.h"
#include "http/api.h"
#include "http/input.h"
#include "http/xlsx.h"

namespace dj::http {
namespace json = boost::json;

namespace {

const Body<compliance::RuleInput> kRuleInput{"RuleInput",
                                             [](JsonBody& body, compliance::RuleInput& in) {
                                               body.str("code", in.code);
                                               body.str("kind", in.kind, compliance::kRuleKinds);
                                               body.str("effective_from", in.effective_from);
                                               body.str("source", in.source);
                                               body.str("label_zh", in.label_zh);
                                               body.str("label_en", in.label_en);
                                               body.boolean("enabled", in.enabled);
                                               body.object("params", in.params);
                                             }};

Result<int> read_year(QueryReader& q) {
  auto year = q.id("year");
  DJ_TRY(q.finish());
  if (!year) return Error::invalid("year", "required", "is required, e.g. year=2021");
  if (*year < 1949 || *year > 2999)
    return Error::invalid("year", "range", "is not a plausible year");
  return static_cast<int>(*year);
}

// The report as a workbook: each organization's rates, then the open to-dos
// and the missed items, organizations by their path and rules in words.
Result<Response> compliance_workbook(Services& s, const auth::Principal& p,
                                     const json::object& rep) {
  DJ_ASSIGN(auto rules, s.compliance.rules(p));
  std::map<std::string, std::string> label;
  for (const auto& r : rules) label[r.code] = r.label_zh;
  auto text = [](const json::value& v) { return Cell(std::string(v.as_string())); };
  auto num = [](const json::value& v) {
    return v.is_null() ? Cell("") : Cell(v.to_number<double>());
  };
  auto rule = [&](const json::value& v) {
    const std::string code(v.as_string());
    return Cell(label.contains(code) ? label[code] : code);
  };
  Sheet orgs{"落实情况", {"党组织", "落实率", "已落实", "未落实", "进行中", "含下级落实率"}, {}};
  for (const auto& o : rep.at("organizations").as_array()) {
    const auto& x = o.as_object();
    orgs.rows.push_back({text(x.at("name")), num(x.at("rate")), num(x.at("met")),
                         num(x.at("missed")), num(x.at("due")), num(x.at("subtree_rate"))});
  }
  Sheet todos{"本期待办", {"党组织", "制度要求", "周期", "还差", "截止日期"}, {}};
  for (const auto& t : rep.at("todos").as_array()) {
    const auto& x = t.as_object();
    todos.rows.push_back({text(x.at("org_path_name")), rule(x.at("rule")), text(x.at("unit")),
                          num(x.at("remaining")), text(x.at("due_date"))});
  }
  Sheet missed{"未落实", {"党组织", "制度要求", "周期", "要求", "实际", "截止日期"}, {}};
  for (const auto& t : rep.at("overdue").as_array()) {
    const auto& x = t.as_object();
    missed.rows.push_back({text(x.at("org_path_name")), rule(x.at("rule")), text(x.at("unit")),
                           num(x.at("required")), num(x.at("actual")), text(x.at("due_date"))});
  }
  return xlsx_response({orgs, todos, missed}, "compliance.xlsx");
}

// The statistics as a workbook: a summary sheet and one sheet per breakdown,
// with Chinese headers and type names.
Result<Response> stats_workbook(Services& s, const json::object& stats) {
  DJ_ASSIGN(auto types, s.activities.types());
  std::map<std::string, std::string> label;
  for (const auto& t : types) label[t.code] = t.label_zh;
  auto num = [](const json::value& v) { return Cell(v.to_number<double>()); };
  const auto& period = stats.at("period").as_object();
  const auto& leaders = stats.at("leaders").as_object();
  std::vector<Sheet> sheets;
  sheets.push_back({"概况",
                    {"指标", "数值"},
                    {{Cell("统计期间"), Cell(std::string(period.at("label").as_string()))},
                     {Cell("活动次数"), num(stats.at("total"))},
                     {Cell("参加人次"), num(stats.at("attendances"))},
                     {Cell("补录次数"), num(stats.at("late_entries"))},
                     {Cell("异地/现场教学次数"), num(stats.at("off_site").at("count"))},
                     {Cell("参加支部组织生活的县处级以上领导干部人数"), num(leaders.at("count"))},
                     {Cell("领导干部参加组织生活人次"), num(leaders.at("attendances"))},
                     {Cell("其中参加三会一课人次"), num(leaders.at("three_meetings_one_lecture"))},
                     {Cell("领导干部讲党课次数"), num(leaders.at("lectures_given"))}}});
  // Each breakdown's keys in words: types by their dictionary, a contest's
  // kinds, the teaching methods and the known tags (a free tag as written).
  static const std::map<std::string, std::string> words = {
      {"contest.knowledge", "知识竞赛"},
      {"contest.skill", "技能竞赛"},
      {"contest.speech", "演讲比赛"},
      {"contest.computer", "计算机技能竞赛"},
      {"lecture", "讲授"},
      {"case", "案例"},
      {"discussion", "研讨"},
      {"observation", "观摩"},
      {"xi_thought", "习近平新时代中国特色社会主义思想"},
      {"party_history", "党史学习教育"}};
  auto word = [&](const std::string& k) {
    if (auto w = words.find(k); w != words.end()) return w->second;
    if (auto l = label.find(k); l != label.end()) return l->second;
    const std::string type = k.substr(0, k.find('.'));  // a subtype of a type
    if (auto l = label.find(type); l != label.end())
      return l->second + "（" + k.substr(type.size() + 1) + "）";
    return k;
  };
  auto breakdown = [&](const char* name, const char* key, const char* first) {
    Sheet sheet{name, {first, "次数", "参加人次"}, {}};
    for (const auto& [k, v] : stats.at(key).as_object()) {
      sheet.rows.push_back(
          {Cell(word(std::string(k))), num(v.at("count")), num(v.at("attendances"))});
    }
    sheets.push_back(std::move(sheet));
  };
  breakdown("按类型", "by_type", "类型");
  breakdown("按子类型", "by_subtype", "子类型");
  breakdown("按标签", "by_tag", "标签");
  breakdown("按教学方式", "by_method", "教学方式");
  return xlsx_response(sheets,
                       "activity-stats-" + std::string(period.at("label").as_string()) + ".xlsx");
}

}  // namespace

// Response schemas of these routes, in the short form of Router::add_schemas.
constexpr const char* kComplianceSchemas = R"JSON({
  "Period": {"label": "string", "from": "date", "to": "date"},
  "Rule": {"id": "integer", "code": "string", "version": "integer",
           "kind": "codes:compliance.rule_kinds",
           "params": "object", "effective_from": "date", "source": "string",
           "label_zh": "string", "label_en": "string", "enabled": "boolean"},
  "RuleList": {"items": ["Rule"], "total": "integer"},
  "ComplianceItem": {"rule": "string", "unit": "string", "from": "date", "to": "date",
                     "required": "number", "actual": "number", "status": "string",
                     "due_date": "date"},
  "ComplianceReport": {
    "period": "Period", "as_of": "date", "org_id": "integer",
    "summary": {"met": "integer", "missed": "integer", "due": "integer", "rate": "number?"},
    "organizations?": [{"org_id": "integer", "parent_id": "integer?", "name": "string",
                       "type": "codes:org.types", "met": "integer", "missed": "integer",
                       "due": "integer", "rate": "number?", "subtree_met": "integer",
                       "subtree_missed": "integer", "subtree_due": "integer",
                       "subtree_rate": "number?", "items?": ["ComplianceItem"]}],
    "people?": [{"member_id": "integer", "name": "string", "org_id": "integer",
                 "items": ["ComplianceItem"]}],
    "people_total?": "integer",
    "alerts?": [{"rule": "string", "subject": "string", "id": "integer", "name": "string",
                "last_date": "date?", "days": "integer"}],
    "todos": [{"org_id": "integer", "org_name": "string", "org_path_name": "string",
               "rule": "string", "unit": "string",
               "remaining": "integer", "due_date": "date"}],
    "todos_total": "integer",
    "overdue?": [{"org_id": "integer", "org_name": "string", "org_path_name": "string",
                 "rule": "string", "unit": "string",
                 "required": "integer", "actual": "integer", "due_date": "date"}]},
  "Tally": {"count": "integer", "attendances": "integer"},
  "ActivityStats": {"period": "Period", "org_id": "integer?", "total": "integer",
                    "attendances": "integer", "late_entries": "integer",
                    "by_type": {"*": "Tally"}, "by_subtype": {"*": "Tally"},
                    "by_tag": {"*": "Tally"}, "by_method": {"*": "Tally"}, "off_site": "Tally",
                    "leaders": {"count": "integer", "attendances": "integer",
                                "three_meetings_one_lecture": "integer",
                                "lectures_given": "integer"}},
  "MemberHoursSummary": {"member_id": "integer", "name": "string", "org_id": "integer",
                         "year": "integer", "total": "number", "target": "number",
                         "exempt": "boolean", "met": "boolean"},
  "MemberHours": {"&": "MemberHoursSummary",
                  "entries": [{"on_date": "date", "source": "string", "source_id": "integer",
                               "title": "string", "hours": "number"}]},
  "MemberHoursPage": {"items": ["MemberHoursSummary"], "total": "integer"}
})JSON";

void add_compliance_routes(Router& r, Services& s) {
  r.add_schemas(kComplianceSchemas);
  r.add_codes("compliance.rule_kinds", compliance::kRuleKinds);
  r.add({.method = "GET",
         .pattern = "/api/v1/rules",
         .tag = "compliance",
         .summary = "Every version of every rule",
         .perm = auth::Perm::org_read,
         .responses = {{200, "RuleList"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto rules, s.compliance.rules(c.p()));
           json::array items;
           for (const auto& x : rules) items.push_back(compliance::to_json(x));
           const auto n = static_cast<int64_t>(items.size());
           return json_response(json::object{{"items", std::move(items)}, {"total", n}});
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/rules",
         .tag = "compliance",
         .summary = "Add a version of a rule, in force from effective_from (committee_admin)",
         .perm = auth::Perm::rule_manage,
         .body = &kRuleInput,
         .responses = {{201, "Rule"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kRuleInput.parse(c.req));
           DJ_ASSIGN(auto rule, s.compliance.add_rule_version(c.p(), in));
           return json_response(compliance::to_json(rule), 201);
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/compliance",
         .tag = "compliance",
         .summary = "Rules evaluated for a period and subtree: items, rates rolled up, to-dos, "
                    "alerts; the people with their items a page at a time (people_page, "
                    "people_page_size, at most 1000)",
         .perm = auth::Perm::org_read,
         .query = {{"period", ParamType::string},
                   {"from", ParamType::string},
                   {"to", ParamType::string},
                   {"org_id", ParamType::integer},
                   {"detail", ParamType::string},
                   {"people_page", ParamType::integer},
                   {"people_page_size", ParamType::integer},
                   {"todos_page", ParamType::integer},
                   {"todos_page_size", ParamType::integer},
                   {"format", ParamType::string}},
         .responses = {{200,
                        "ComplianceReport",
                        {"application/json",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto org_id = q.id("org_id");
           auto detail = q.str("detail", 10);
           auto format = q.str("format", 10);
           const int64_t people_page = q.id("people_page").value_or(1);
           const int64_t people_size = q.id("people_page_size").value_or(100);
           const std::optional<int64_t> todos_page = q.id("todos_page");
           const std::optional<int64_t> todos_size = q.id("todos_page_size");
           DJ_ASSIGN(auto period, read_period(q, c.req));
           if (people_size > 1000) {
             return Error::bad_request("people_page_size", "range", "must be at most 1000");
           }
           if (todos_size && *todos_size > 1000) {
             return Error::bad_request("todos_page_size", "range", "must be at most 1000");
           }
           if (detail && *detail != "full" && *detail != "summary" && *detail != "totals") {
             return Error::bad_request("detail", "unknown_code", "must be full, summary or totals");
           }
           if (format && *format != "xlsx") {
             return Error::bad_request("format", "unknown_code", "must be xlsx (or left out)");
           }
           DJ_ASSIGN(auto rep, s.compliance.evaluate(c.p(), period, org_id));
           auto out = compliance::to_json(rep);
           if (format) return compliance_workbook(s, c.p(), out);
           // A page of a long list (page from 1), with the list's length under `total_key`.
           auto page_of = [&](const char* key, const char* total_key, int64_t page, int64_t size) {
             auto& all = out[key].as_array();
             const auto total = static_cast<int64_t>(all.size());
             const int64_t from =
                 page - 1 > total / size ? total : std::min(total, (page - 1) * size);
             json::array part(all.begin() + from, all.begin() + std::min(total, from + size));
             out[key] = std::move(part);
             out[total_key] = total;
           };
           out["todos_total"] = static_cast<int64_t>(out["todos"].as_array().size());
           if (detail == "totals") {
             // The dashboard: the figures and a page of the open to-dos, a few KB.
             for (const char* key : {"organizations", "people", "alerts", "overdue"}) {
               out.erase(key);
             }
             page_of("todos", "todos_total", todos_page.value_or(1), todos_size.value_or(10));
           } else if (detail == "summary") {
             // Rates and counts per organization, without the items and people.
             for (auto& o : out["organizations"].as_array()) o.as_object().erase("items");
             out.erase("people");
           } else {
             // Every member's items of a subtree and period are many: a page of them.
             page_of("people", "people_total", people_page, people_size);
           }
           if (todos_page && detail != "totals") {
             page_of("todos", "todos_total", *todos_page, todos_size.value_or(100));
           }
           return json_response(out);
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/stats/activities",
         .tag = "compliance",
         .summary = "Activity figures for a period and subtree (by type, tag, method; leaders)",
         .perm = auth::Perm::org_read,
         .query = {{"period", ParamType::string},
                   {"from", ParamType::string},
                   {"to", ParamType::string},
                   {"org_id", ParamType::integer},
                   {"format", ParamType::string}},
         .responses = {{200,
                        "ActivityStats",
                        {"application/json",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto org_id = q.id("org_id");
           auto format = q.str("format", 10);
           DJ_ASSIGN(auto period, read_period(q, c.req));
           DJ_TRY(check_table_format(format));
           DJ_ASSIGN(auto stats, activity::activity_stats(s.db, c.p(), period, org_id));
           if (format == "xlsx") return stats_workbook(s, stats);
           return json_response(stats);
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/members/{id}/hours",
         .tag = "compliance",
         .summary = "A member's study-hour ledger for a year against the target",
         .query = {{"year", ParamType::integer, true}},
         .responses = {{200, "MemberHours"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           QueryReader q(c.req);
           DJ_ASSIGN(auto year, read_year(q));
           DJ_ASSIGN(auto h, s.compliance.member_hours(c.p(), id, year));
           return json_response(compliance::to_json(h));
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/orgs/{id}/hours",
         .tag = "compliance",
         .summary = "Members of a subtree with their yearly hours and targets",
         .perm = auth::Perm::member_read,
         .query = {{"year", ParamType::integer, true}, {"below_target", ParamType::boolean}},
         .responses = {{200, "MemberHoursPage"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           QueryReader q(c.req);
           auto below = q.boolean("below_target");
           DJ_ASSIGN(auto year, read_year(q));
           DJ_ASSIGN(auto list, s.compliance.org_hours(c.p(), id, year, below.value_or(false)));
           json::array items;
           for (auto& h : list) {
             auto o = compliance::to_json(h);
             o.erase("entries");
             items.push_back(std::move(o));
           }
           const auto n = static_cast<int64_t>(items.size());
           return json_response(json::object{{"items", std::move(items)}, {"total", n}});
         }});
}

}  // namespace dj::http
