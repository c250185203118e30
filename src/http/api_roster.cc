// Roster import and export: the template, uploads checked row by row (a job
// for large files), exports in the template's or the national form's layout.
#include <boost/json.hpp>

#include "common/tabular.h"
#include "domain/audit/audit.h"
#include "http/api.h"
#include "http/input.h"
#include "http/xlsx.h"

namespace dj::http {
namespace {

namespace json = boost::json;

json::object report_json(const member::ImportReport& r, member::ImportMode mode) {
  json::array problems;
  for (const auto& p : r.problems) {
    problems.push_back(json::object{{"row", p.row},
                                    {"column", p.column},
                                    {"field", p.field},
                                    {"code", p.code},
                                    {"message", p.message}});
  }
  return json::object{
      {"rows", r.rows},
      {"valid", r.valid},
      {"created", r.created},
      {"updated", r.updated},
      {"unchanged", r.unchanged},
      {"committed", r.committed},
      {"mode", mode == member::ImportMode::valid_rows ? "valid-rows" : "all-or-nothing"},
      {"problems", std::move(problems)},
  };
}

// The uploaded sheet again with a 错误说明 column and the bad cells painted.
Result<Response> error_workbook(const member::ImportReport& r) {
  Sheet s;
  s.name = "导入检查";
  s.header = r.header;
  const size_t note_col = s.header.size();
  s.header.emplace_back("错误说明");
  std::map<size_t, std::vector<const member::RowProblem*>> by_row;
  for (const auto& p : r.problems) by_row[p.row].push_back(&p);
  for (const auto& [row_number, texts] : r.cells) {
    std::vector<Cell> row(texts.begin(), texts.end());
    row.resize(note_col + 1, std::string());
    if (auto it = by_row.find(row_number); it != by_row.end()) {
      std::string notes;
      for (const auto* p : it->second) {
        notes += (notes.empty() ? "" : "；") + p->message;
        for (size_t col = 0; col < r.header.size(); ++col) {
          if (!p->column.empty() && r.header[col].find(p->column) != std::string::npos) {
            s.marked.emplace_back(s.rows.size(), col);
          }
        }
      }
      row[note_col] = notes;
      s.marked.emplace_back(s.rows.size(), note_col);
    }
    s.rows.push_back(std::move(row));
  }
  return xlsx_response({s}, "import-check.xlsx");
}

Result<member::ImportMode> read_mode(const std::optional<std::string>& mode) {
  if (!mode || *mode == "all-or-nothing") return member::ImportMode::all_or_nothing;
  if (*mode == "valid-rows") return member::ImportMode::valid_rows;
  return Error::bad_request("mode", "unknown_code", "must be all-or-nothing or valid-rows");
}

// One CSV record: fields quoted when they hold a comma, quote or line break.
// A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first)
// gets a leading ' so that it is shown, not run (OWASP, CSV injection).
std::string formula_safe(std::string v) {
  if (!v.empty() && std::string_view("=+-@\t\r").find(v.front()) != std::string_view::npos) {
    v.insert(v.begin(), '\'');
  }
  return v;
}

std::string csv_line(const std::vector<std::string>& cells) {
  std::string out;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i) out += ',';
    const std::string& v = cells[i];
    if (v.find_first_of(",\"\r\n") == std::string::npos) {
      out += v;
      continue;
    }
    out += '"';
    for (char ch : v) {
      if (ch == '"') out += '"';
      out += ch;
    }
    out += '"';
  }
  out += "\r\n";
  return out;
}

}  // namespace

// Response schemas of these routes, in the short form of Router::add_schemas.
constexpr const char* kRosterSchemas = R"JSON({
  "ImportReport": {"rows": "integer", "valid": "integer", "created": "integer",
                   "updated": "integer", "unchanged": "integer", "committed": "boolean",
                   "mode": "string",
                   "problems": [{"row": "integer", "column": "string", "field": "string",
                                 "code": "string", "message": "string"}]},
  "ImportJob": {"job_id": "string", "status_url": "string"},
  "Job": {"id": "string", "kind": "string", "status": "codes:jobs.statuses", "done": "integer",
          "total": "integer", "result?": "ImportReport", "error?": "Problem"}
})JSON";

void add_roster_routes(Router& r, Services& s) {
  r.add_schemas(kRosterSchemas);
  r.add_codes("jobs.statuses", Jobs::kStatuses);
  r.add(
      {.method = "GET",
       .pattern = "/api/v1/members/import-template.xlsx",
       .tag = "members",
       .summary =
           "The roster import template: Chinese headers, drop-downs for coded columns, an example "
           "row and a notes sheet",
       .perm = auth::Perm::member_read,
       .responses = {{200,
                      "",
                      {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}}},
       .handler = [](Ctx&) -> Result<Response> {
         Sheet roster{"党员名册", {}, {}, {}, {}, {}};
         Sheet notes{"填写说明", {"列名", "说明", "可选值"}, {}, {}, {}, {}};
         const auto& cols = member::roster_columns();
         std::vector<Cell> example;
         const std::map<std::string, std::string> sample = {{"name", "张三"},
                                                            {"gender", "男"},
                                                            {"ethnicity", "汉族"},
                                                            {"birth_date", "1985-07-01"},
                                                            {"education", "大学本科"},
                                                            {"citizen_id", "530102198507010012"},
                                                            {"phone", "13800000000"},
                                                            {"joined_on", "2008-07-01"},
                                                            {"full_member_on", "2009-07-01"},
                                                            {"political_status", "正式党员"},
                                                            {"cadre_rank", "乡科级"},
                                                            {"org", "KMGW-001-001"},
                                                            {"post", "无"},
                                                            {"retired", "否"},
                                                            {"infirm", "否"},
                                                            {"party_worker", "否"}};
         for (size_t i = 0; i < cols.size(); ++i) {
           roster.header.emplace_back(cols[i].header_zh);
           const std::string v = sample.at(cols[i].field);
           if (std::string_view(cols[i].field).ends_with("_on") ||
               std::string_view(cols[i].field) == "birth_date") {
             example.emplace_back(Date{v});
           } else {
             example.emplace_back(v);
           }
           std::string choices;
           std::vector<std::string> labels;
           for (const auto& [code, label] : cols[i].choices) {
             labels.push_back(label);
             choices += (choices.empty() ? "" : "、") + label;
           }
           if (!labels.empty()) roster.choices.emplace_back(i, labels);
           notes.rows.push_back(
               {std::string(cols[i].header_zh), std::string(cols[i].note_zh), choices});
         }
         roster.rows.push_back(std::move(example));
         roster.text_columns = {5, 6};
         notes.rows.push_back(
             {std::string("说明"),
              std::string("第一行为表头，不要改名；示例行请删除后再导入。同一身份证号再次导入"
                          "时按新值更新，未填的单元格保持原值。"),
              std::string()});
         return xlsx_response({roster, notes}, "roster-template.xlsx");
       }});
  r.add(
      {.method = "POST",
       .pattern = "/api/v1/members/import",
       .tag = "members",
       .summary =
           "Import a roster (.xlsx or .csv as the body or a multipart file): a dry run by default, "
           "?commit=true writes (mode all-or-nothing or valid-rows); ?format=xlsx answers the "
           "sheet with the problems marked; large files (or ?async=true) run as a job",
       .perm = auth::Perm::member_read,
       .query = {{"commit", ParamType::boolean},
                 {"mode", ParamType::string},
                 {"org_id", ParamType::integer},
                 {"filename", ParamType::string},
                 {"format", ParamType::string},
                 {"async", ParamType::boolean}},
       .responses = {{200,
                      "ImportReport",
                      {"application/json",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}},
                     {202, "ImportJob"}},
       .upload = true,
       .handler = [&s](Ctx& c) -> Result<Response> {
         QueryReader q(c.req);
         const bool commit = q.boolean("commit").value_or(false);
         const bool async = q.boolean("async").value_or(false);
         auto mode_text = q.str("mode", 20);
         auto org_id = q.id("org_id");
         auto filename = q.str("filename", 200);
         auto format = q.str("format", 10);
         DJ_TRY(q.finish());
         DJ_TRY(check_table_format(format));
         DJ_ASSIGN(auto mode, read_mode(mode_text));
         // Checked here too so that a job is never started for someone who may not.
         DJ_TRY(auth::require(c.p(), commit ? auth::Perm::member_write : auth::Perm::member_read));
         DJ_ASSIGN(auto upload, read_upload(c.req, filename));
         if (upload.bytes.size() > s.import_limit) {
           return Error{ErrorCode::too_large,
                        "the file is larger than " + std::to_string(s.import_limit >> 20) + " MiB",
                        {{"file", "too_large", "too large"}}};
         }
         member::ImportOptions opt;
         opt.commit = commit;
         opt.mode = mode;
         opt.default_org_id = org_id;
         opt.filename = upload.filename;
         opt.keep_sheet = format == "xlsx";
         if (async || upload.bytes.size() > (1u << 20)) {
           if (format == "xlsx") {
             return Error::bad_request("format", "not_for_jobs", "leave out format or async",
                                       "format=xlsx is for files checked at once, not jobs");
           }
           auto bytes = std::make_shared<std::string>(upload.bytes);
           const auth::Principal who = c.p();
           DJ_ASSIGN(
               const std::string id,
               s.jobs.start(who.user_id, "member.import",
                            [&s, bytes, who, opt,
                             mode](const Jobs::Progress& progress) mutable -> Result<json::value> {
                              opt.progress = progress;
                              DJ_ASSIGN(auto rep, s.roster.import(who, *bytes, opt));
                              return json::value(report_json(rep, mode));
                            }));
           Response res = json_response(
               json::object{{"job_id", id}, {"status_url", "/api/v1/jobs/" + id}}, 202);
           res.headers.emplace_back("Location", "/api/v1/jobs/" + id);
           return res;
         }
         DJ_ASSIGN(auto rep, s.roster.import(c.p(), upload.bytes, opt));
         if (format == "xlsx") return error_workbook(rep);
         auto body = report_json(rep, mode);
         if (commit && !rep.committed && !rep.problems.empty()) {
           json::array errors;
           for (const auto& p : rep.problems) {
             errors.push_back(
                 json::object{{"field", "rows[" + std::to_string(p.row) + "]." + p.field},
                              {"code", p.code},
                              {"message", p.message}});
           }
           json::object problem{
               {"type", "urn:dangjiao:problem:invalid"},
               {"title", "Unprocessable Content"},
               {"status", 422},
               {"detail", std::to_string(rep.rows - rep.valid) +
                              " rows have problems; nothing was written (all-or-nothing)"},
               {"errors", std::move(errors)},
               {"report", std::move(body)}};
           Response res = json_response(problem, 422);
           res.content_type = "application/problem+json";
           return res;
         }
         return json_response(body);
       }});
  r.add({.method = "GET",
         .pattern = "/api/v1/jobs/{id}",
         .tag = "members",
         .summary = "A background job's progress and result",
         .path = {{"id", ParamType::string}},
         .responses = {{200, "Job"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           const std::string& id = c.params.at(0);
           auto job = id.size() <= 32 ? s.jobs.get(id, c.p().user_id) : std::nullopt;
           if (!job) return Error::not_found("job " + id);
           return json_response(*job);
         }});
  auto export_route = [&s](const char* ext) {
    return [&s, ext = std::string(ext)](Ctx& c) -> Result<Response> {
      QueryReader q(c.req);
      member::ListQuery lq = read_member_filters(q);
      auto layout_text = q.str("layout", 20);
      auto encoding = q.str("encoding", 20);
      auto pii = q.str("pii", 20);
      DJ_TRY(q.finish());
      if (pii && *pii != "masked" && *pii != "full") {
        return Error::bad_request("pii", "unknown_code", "must be masked or full");
      }
      const bool full_pii = pii == "full";
      if (layout_text && *layout_text != "roster" && *layout_text != "national") {
        return Error::bad_request("layout", "unknown_code", "must be roster or national");
      }
      if (encoding && *encoding != "utf-8" && *encoding != "gb18030") {
        return Error::bad_request("encoding", "unknown_code", "must be utf-8 or gb18030");
      }
      const auto layout =
          layout_text == "national" ? member::ExportLayout::national : member::ExportLayout::roster;
      const auto& cols = member::export_columns(layout);
      const std::string base =
          layout == member::ExportLayout::national ? "members-national" : "members";
      size_t count = 0;
      Response res;
      if (ext == "xlsx") {
        XlsxStream book(layout == member::ExportLayout::national ? "党员信息采集" : "党员名册",
                        cols.header, cols.text_columns);
        DJ_TRY(
            s.roster.export_rows(c.p(), lq, layout, full_pii, [&](std::vector<std::string>& row) {
              std::vector<Cell> cells;
              cells.reserve(row.size());
              for (size_t i = 0; i < row.size(); ++i) {
                const bool is_date = std::find(cols.date_columns.begin(), cols.date_columns.end(),
                                               i) != cols.date_columns.end();
                if (is_date && !row[i].empty()) {
                  cells.emplace_back(Date{std::move(row[i])});
                } else {
                  cells.emplace_back(std::move(row[i]));
                }
              }
              book.add_row(std::move(cells));
              ++count;
              return Status{};
            }));
        DJ_ASSIGN(res.body, book.finish());
        res.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
      } else {
        std::string csv = csv_line(cols.header);
        DJ_TRY(
            s.roster.export_rows(c.p(), lq, layout, full_pii, [&](std::vector<std::string>& row) {
              for (auto& v : row) v = formula_safe(std::move(v));
              csv += csv_line(row);
              ++count;
              return Status{};
            }));
        if (encoding == "gb18030") {
          auto converted = tabular::utf8_to_gb18030(csv);
          if (!converted) return Error::internal("cannot convert to GB18030");
          res.body = std::move(*converted);
          res.content_type = "text/csv; charset=gb18030";
        } else {
          res.body = "\xEF\xBB\xBF" + csv;  // the BOM makes Excel read UTF-8
          res.content_type = "text/csv; charset=utf-8";
        }
      }
      res.headers.emplace_back("Content-Disposition",
                               "attachment; filename=\"" + base + "." + ext + "\"");
      (void)audit::record_now(s.db, c.p().actor(),
                              {"member.export",
                               "member",
                               "",
                               c.p().scope_path,
                               {},
                               json::object{{"rows", count},
                                            {"format", ext},
                                            {"layout", layout_text.value_or("roster")},
                                            {"pii", full_pii ? "full" : "masked"}}});
      return res;
    };
  };
  auto filters = kMemberFilters;
  filters.push_back({"layout", ParamType::string});
  filters.push_back({"pii", ParamType::string});
  r.add({.method = "GET",
         .pattern = "/api/v1/members/export.xlsx",
         .tag = "members",
         .summary =
             "Members matching the list filters as .xlsx (?layout=roster|national); citizen IDs "
             "and phones masked, or in full with ?pii=full (member:pii; the export is audited as "
             "such)",
         .perm = auth::Perm::member_read,
         .query = filters,
         .responses = {{200,
                        "",
                        {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}}},
         .handler = export_route("xlsx")});
  auto csv_filters = filters;
  csv_filters.push_back({"encoding", ParamType::string});
  r.add({.method = "GET",
         .pattern = "/api/v1/members/export.csv",
         .tag = "members",
         .summary = "The same as CSV: UTF-8 with BOM, or ?encoding=gb18030",
         .perm = auth::Perm::member_read,
         .query = csv_filters,
         .responses = {{200, "", {"text/csv"}}},
         .handler = export_route("csv")});
}

}  // namespace dj::http
