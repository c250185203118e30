#include "domain/member/roster.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "common/tabular.h"
#include "common/time.h"
#include "domain/audit/audit.h"
#include "domain/member/citizen_id.h"

namespace dj::member {
namespace {

namespace json = boost::json;
using tabular::Cell;

const std::vector<std::pair<std::string, std::string>> kYesNo = {{"true", "是"}, {"false", "否"}};

// Other names cadres give the same column.
const std::map<std::string, std::string> kAliases = {
    {"政治面貌", "political_status"},
    {"党员类别", "political_status"},
    {"公民身份号码", "citizen_id"},
    {"身份证号码", "citizen_id"},
    {"身份证", "citizen_id"},
    {"手机号码", "phone"},
    {"联系电话", "phone"},
    {"手机", "phone"},
    {"党组织", "org"},
    {"所在支部", "org"},
    {"所在党支部", "org"},
    {"党组织编码", "org"},
    {"org_code", "org"},
    {"职级", "cadre_rank"},
    {"文化程度", "education"},
    {"出生年月", "birth_date"},
    {"错误说明", "_errors"},  // our own column in the error workbook: ignored
};

std::string trim(std::string_view s) {
  auto is_space = [](std::string_view t, size_t i, size_t& len) {
    if (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || t[i] == '\n') {
      len = 1;
      return true;
    }
    if (t.substr(i).starts_with("\xE3\x80\x80")) {  // ideographic space
      len = 3;
      return true;
    }
    return false;
  };
  size_t len = 0;
  while (!s.empty() && is_space(s, 0, len)) s.remove_prefix(len);
  while (!s.empty()) {
    size_t i = s.size() - 1;
    if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
      s.remove_suffix(1);
    } else if (s.ends_with("\xE3\x80\x80")) {
      s.remove_suffix(3);
    } else {
      break;
    }
  }
  return std::string(s);
}

// "*姓名（必填）" → "姓名"
std::string header_key(std::string_view raw) {
  std::string h = trim(raw);
  for (std::string_view mark : {"*", "\xEF\xBC\x8A"}) {  // * and full-width ＊
    if (h.starts_with(mark)) h = trim(h.substr(mark.size()));
  }
  for (std::string_view tail : {"(必填)", "（必填）", "(选填)", "（选填）"}) {
    if (h.ends_with(tail)) h = trim(h.substr(0, h.size() - tail.size()));
  }
  return h;
}

// A cell as text; a whole number the file wrote as 1.3912345678E10 or
// 13912345678.0 reads as 13912345678.
std::string cell_text(const Cell& c) {
  if (c.kind == Cell::Kind::number && std::floor(c.number) == c.number &&
      std::fabs(c.number) < 1e18 && c.text.find_first_of(".Ee") != std::string::npos) {
    return fmt::format("{:.0f}", c.number);
  }
  return trim(c.text);
}

// A date as a cadre writes it: 1990-01-02, 1990/1/2, 1990.1.2, 1990年1月2日, 19900102.
std::optional<std::string> parse_date(const std::string& s) {
  std::vector<int> parts;
  std::string digits;
  bool compact = true;
  for (size_t i = 0; i < s.size();) {
    const char ch = s[i];
    if (ch >= '0' && ch <= '9') {
      digits += ch;
      ++i;
      continue;
    }
    compact = false;
    if (!digits.empty()) {
      parts.push_back(std::stoi(digits.substr(0, 6)));
      digits.clear();
    }
    const unsigned char u = static_cast<unsigned char>(ch);
    i += u < 0x80 ? 1 : u < 0xE0 ? 2 : u < 0xF0 ? 3 : 4;  // 年 月 日 / . - and the like
  }
  if (!digits.empty()) {
    if (compact && digits.size() == 8) {
      parts = {std::stoi(digits.substr(0, 4)), std::stoi(digits.substr(4, 2)),
               std::stoi(digits.substr(6, 2))};
    } else {
      parts.push_back(std::stoi(digits.substr(0, 6)));
    }
  }
  if (parts.size() != 3 || parts[0] < 1900 || parts[0] > 9999) return std::nullopt;
  const std::string out = fmt::format("{:04d}-{:02d}-{:02d}", parts[0], parts[1], parts[2]);
  return is_valid_date(out) ? std::optional(out) : std::nullopt;
}

struct OrgIndex {
  struct Entry {
    int64_t id;
    std::string path;
  };
  std::unordered_map<std::string, Entry> by_code;
  std::unordered_map<std::string, std::vector<Entry>> by_name_path;  // every suffix of the path

  static std::string normalize_path(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size();) {
      std::string_view rest(s.data() + i, s.size() - i);
      size_t len = 1;
      bool sep = false;
      for (std::string_view mark :
           {"/", "\\", ">", "\xEF\xBC\x8F", "\xEF\xBC\x9E", "\xE2\x80\x94"}) {
        if (rest.starts_with(mark)) {
          sep = true;
          len = mark.size();
          break;
        }
      }
      if (sep) {
        if (!out.empty() && out.back() != '/') out += '/';
      } else if (s[i] != ' ') {
        out += s[i];
      }
      i += len;
    }
    while (!out.empty() && out.back() == '/') out.pop_back();
    return out;
  }

  static Result<OrgIndex> load(store::Conn& c) {
    DJ_ASSIGN(auto rows,
              c.query("SELECT id, code, name, path FROM orgs WHERE deleted_at IS NULL", {}));
    std::unordered_map<int64_t, std::string> names;
    for (const auto& r : rows) names[r.i64(0)] = r.str(2);
    OrgIndex idx;
    for (const auto& r : rows) {
      Entry e{r.i64(0), r.str(3)};
      idx.by_code[r.str(1)] = e;
      // "/1/2/3/" → the names from the top, and every tail of them.
      std::vector<std::string> chain;
      size_t pos = 1;
      const std::string& path = e.path;
      while (pos < path.size()) {
        const size_t next = path.find('/', pos);
        if (next == std::string::npos) break;
        chain.push_back(names[std::stoll(path.substr(pos, next - pos))]);
        pos = next + 1;
      }
      std::string tail;
      for (size_t k = chain.size(); k-- > 0;) {
        tail = tail.empty() ? chain[k] : chain[k] + "/" + tail;
        idx.by_name_path[normalize_path(tail)].push_back(e);
      }
    }
    return idx;
  }
};

// The Chinese words for what validate() reports, by code.
std::string problem_words(const std::string& field, const std::string& code,
                          const std::string& english) {
  static const std::map<std::string, std::string> by_field_code = {
      {"citizen_id.required", "不能为空"},
      {"citizen_id.duplicate", "在文件中重复"},
      {"citizen_id.taken_elsewhere", "已属于您管理范围以外的党组织，请联系上级党组织办理转接"},
      {"citizen_id.stored_as_number",
       "以数字格式保存，末几位可能已丢失；请把该列设为文本后重新填写"},
      {"birth_date.mismatch", "与身份证号中的出生日期不一致"},
      {"gender.mismatch", "与身份证号中的性别不一致"},
      {"joined_on.in_future", "不能晚于今天"},
      {"joined_on.before_birth", "须晚于出生日期"},
      {"joined_on.required", "正式党员和预备党员须填写入党日期"},
      {"full_member_on.before_join", "须晚于入党日期"},
      {"org_id.required", "不能为空（或在导入时指定默认党组织）"},
      {"phone.format", "格式不正确，应为11位手机号或带区号的固定电话"},
      {"political_status.required", "不能为空"},
  };
  static const std::map<std::string, std::string> by_code = {
      {"required", "不能为空"},
      {"too_long", "太长"},
      {"unknown_code", "不是可选的值"},
      {"format", "格式不正确"},
      {"date", "日期无法识别（可写作 1990-01-02、1990/1/2 或 1990年1月2日）"},
      {"formula", "含公式，请复制后“粘贴为数值”"},
  };
  if (field == "citizen_id" && code == "invalid") {
    if (const auto at = english.find("should be "); at != std::string::npos) {
      // "... (it should be 7, not 1)": what is expected and what the file has.
      return fmt::format("校验位错误：应为{}，表中为{}", english[at + 10],
                         english.back() == ')' ? english[english.size() - 2] : '?');
    }
    if (english.find("birth date") != std::string::npos) return "中的出生日期无效";
    if (english.find("region") != std::string::npos) return "地区码无效";
    return "应为18位：17位数字加1位数字或X";
  }
  if (auto it = by_field_code.find(field + "." + code); it != by_field_code.end()) {
    return it->second;
  }
  if (auto it = by_code.find(code); it != by_code.end()) return it->second;
  return english;
}

struct ParsedRow {
  size_t row = 0;
  MemberInput given;  // what the row says; after checking, the member as it will be
  std::optional<std::string> org_text;
  const Member* before = nullptr;  // the member with this citizen ID, if any
  bool bad = false, changed = true;
};

}  // namespace

const std::vector<RosterColumn>& roster_columns() {
  static const std::vector<RosterColumn> cols = {
      {"name", "姓名", "必填，最多50字", {}},
      {"gender", "性别", "男或女；不填则按身份证号", {{"male", "男"}, {"female", "女"}}},
      {"ethnicity", "民族", "如：汉族", {}},
      {"birth_date", "出生日期", "不填则按身份证号；日期如 1985-07-01", {}},
      {"education", "学历", "如：大学本科", {}},
      {"citizen_id", "身份证号", "必填，18位；请把该列设为文本格式", {}},
      {"phone", "手机号", "11位手机号", {}},
      {"joined_on", "入党日期", "正式党员、预备党员必填", {}},
      {"full_member_on", "转正日期", "预备党员不填", {}},
      {"political_status",
       "人员类别",
       "必填",
       {{"full", "正式党员"},
        {"probationary", "预备党员"},
        {"development_target", "发展对象"},
        {"activist", "入党积极分子"},
        {"applicant", "入党申请人"}}},
      {"cadre_rank",
       "干部级别",
       "不填为“无”",
       {{"bureau", "厅局级"},
        {"division", "县处级"},
        {"section", "乡科级"},
        {"staff", "一般干部"},
        {"none", "无"}}},
      {"org",
       "所在党组织",
       "党组织编码（如 KMGW-001-003）或全称路径（如 市发改委机关党委/办公室党支部）",
       {}},
      {"post",
       "党内职务",
       "不填为“无”",
       {{"secretary", "书记"},
        {"deputy_secretary", "副书记"},
        {"committee_member", "委员"},
        {"group_leader", "党小组组长"},
        {"none", "无"}}},
      {"retired", "离退休", "是或否", kYesNo},
      {"infirm", "年老体弱", "是或否", kYesNo},
      {"party_worker", "党务干部", "是或否", kYesNo},
  };
  return cols;
}

std::string roster_label(std::string_view field, const std::string& code) {
  for (const auto& col : roster_columns()) {
    if (col.field != field) continue;
    for (const auto& [c, label] : col.choices) {
      if (c == code) return label;
    }
  }
  return code;
}

namespace {

// One import, step by step: the header and every row's cells read into
// inputs (read), what the file says about itself (check_file: merged cells,
// the same person twice), then against the database (run: organizations,
// the members already there, validation) and, when asked, the writes.
class Importer {
 public:
  Importer(const auth::Principal& p, const ImportOptions& opt, MemberService& members)
      : p_(p), opt_(opt), members_(members), columns_(roster_columns()) {}

  Status read(std::string_view file) {
    const bool is_zip = file.starts_with("PK\x03\x04");
    tabular::Limits limits;
    limits.max_rows = opt_.max_rows;
    auto sink = [this](size_t row_number, const tabular::Row& row,
                       const tabular::SheetInfo& sheet) { return on_row(row_number, row, sheet); };
    DJ_ASSIGN(info_, is_zip ? tabular::read_xlsx(file, limits, sink)
                            : tabular::read_csv(file, limits, sink));
    if (rep_.header_row == 0) {
      return Error::invalid("file", "missing_headers",
                            "no header row found (姓名, 身份证号, 人员类别 …); use the template");
    }
    return required_columns();
  }

  void check_file() {
    rep_.rows = parsed_.size();
    // Merged cells below the header hide values in every cell but the first.
    for (const auto& m : info_.merges) {
      for (auto& pr : parsed_) {
        if (pr.row > rep_.header_row && pr.row >= m.first_row && pr.row <= m.last_row) {
          rep_.problems.push_back(
              {pr.row, "", "", "merged_cells",
               fmt::format("第{}行有合并单元格（{}{}:{}{}），请取消合并后逐行填写", pr.row,
                           tabular::column_name(m.first_col), m.first_row,
                           tabular::column_name(m.last_col), m.last_row)});
          pr.bad = true;
        }
      }
    }
    // The same person twice in the file.
    std::unordered_map<std::string, size_t> first_row;
    for (auto& pr : parsed_) {
      if (!pr.given.citizen_id) continue;
      auto [it, fresh] = first_row.emplace(*pr.given.citizen_id, pr.row);
      if (!fresh) {
        rep_.problems.push_back(
            {pr.row, "身份证号", "citizen_id", "duplicate",
             fmt::format("第{}行「身份证号」与第{}行重复", pr.row, it->second)});
        pr.bad = true;
      }
    }
  }

  Result<ImportReport> run(store::Conn& c) {
    DJ_ASSIGN(auto orgs, OrgIndex::load(c));
    // The default organization must be the caller's to fill.
    bool default_org_ok = false;
    for (const auto& [code, e] : orgs.by_code) {
      if (opt_.default_org_id && e.id == *opt_.default_org_id)
        default_org_ok = auth::in_scope(p_, e.path);
    }
    std::vector<std::string> ids;
    for (const auto& pr : parsed_) {
      if (pr.given.citizen_id && !citizen_id_problem(*pr.given.citizen_id)) {
        ids.push_back(*pr.given.citizen_id);
      }
    }
    DJ_ASSIGN(auto existing, members_.find_by_citizen_ids(c, ids));
    for (auto& pr : parsed_) {
      progress(++step_);
      resolve_org(pr, orgs);
      merge(pr, existing, default_org_ok);
    }
    count();
    const bool write = opt_.commit && rep_.valid > 0 &&
                       (opt_.mode == ImportMode::valid_rows || rep_.valid == rep_.rows);
    if (write) DJ_TRY(write_rows(c));
    return rep_;
  }

 private:
  // The column of a header (its template name, field name or an alias): an
  // index into columns_, -2 for the error column of a marked sheet, -1 unknown.
  int find_column(const std::string& key) const {
    std::string field = key;
    if (auto a = kAliases.find(key); a != kAliases.end()) field = a->second;
    if (field == "_errors") return -2;
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (key == columns_[i].header_zh || field == columns_[i].field) return static_cast<int>(i);
    }
    return -1;
  }

  void problem(ParsedRow& pr, int col, const std::string& field, const std::string& code,
               const std::string& english) {
    // The template's header of the field (validate() names org_id, the file says 所在党组织).
    std::string column;
    if (col >= 0) {
      column = columns_[static_cast<size_t>(col)].header_zh;
    } else {
      const std::string_view want = field == "org_id" ? "org" : field;
      for (const auto& c : columns_) {
        if (c.field == want) column = c.header_zh;
      }
    }
    const std::string words = problem_words(field, code, english);
    rep_.problems.push_back({pr.row, column, field == "org_id" ? "org" : field, code,
                             column.empty()
                                 ? fmt::format("第{}行{}", pr.row, words)
                                 : fmt::format("第{}行「{}」{}", pr.row, column, words)});
    pr.bad = true;
  }

  Status on_row(size_t row_number, const tabular::Row& row, const tabular::SheetInfo& sheet) {
    if (rep_.header_row == 0) return header(row_number, row);
    convert(row_number, row, sheet.date1904);
    return {};
  }

  // The header is the first row naming at least two known columns; titles
  // and merged banners above it are skipped.
  Status header(size_t row_number, const tabular::Row& row) {
    int known = 0;
    for (const auto& c : row) known += find_column(header_key(cell_text(c))) >= 0;
    if (known < 2) {
      if (row_number > 20) {
        return Error::invalid("file", "missing_headers",
                              "no header row in the first 20 rows (姓名, 身份证号, 人员类别 …)");
      }
      return {};
    }
    rep_.header_row = row_number;
    for (const auto& c : row) {
      rep_.header.push_back(cell_text(c));
      const std::string key = header_key(cell_text(c));
      const int idx = key.empty() ? -2 : find_column(key);
      if (idx == -1) {
        return Error::invalid("file", "unknown_header",
                              "unknown column 「" + key + "」; use the template's headers");
      }
      if (idx >= 0 && std::find(mapping_.begin(), mapping_.end(), idx) != mapping_.end()) {
        return Error::invalid("file", "duplicate_header", "column 「" + key + "」 appears twice");
      }
      mapping_.push_back(idx);
    }
    return {};
  }

  Status required_columns() const {
    std::vector<std::string> missing;
    auto has_field = [&](std::string_view f) {
      for (int idx : mapping_) {
        if (idx >= 0 && columns_[static_cast<size_t>(idx)].field == f) return true;
      }
      return false;
    };
    for (const char* required : {"name", "citizen_id", "political_status"}) {
      if (!has_field(required)) {
        for (const auto& c : columns_) {
          if (std::string_view(c.field) == required) missing.emplace_back(c.header_zh);
        }
      }
    }
    if (!has_field("org") && !opt_.default_org_id) missing.emplace_back("所在党组织");
    if (missing.empty()) return {};
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : "、") + m;
    return Error::invalid("file", "missing_headers", "missing columns: " + list);
  }

  // Cells into inputs, a row as it is read.
  void convert(size_t row_number, const tabular::Row& row, bool date1904) {
    ParsedRow pr;
    pr.row = row_number;
    std::vector<std::string> texts;
    for (size_t i = 0; i < row.size(); ++i) {
      const Cell& c = row[i];
      std::string text = cell_text(c);
      if (i < mapping_.size() && mapping_[i] >= 0) {
        const auto& col = columns_[static_cast<size_t>(mapping_[i])];
        const std::string field = col.field;
        const bool is_date =
            field == "birth_date" || field == "joined_on" || field == "full_member_on";
        if (is_date && c.kind == Cell::Kind::number) {
          text = tabular::excel_date(c.number, date1904).value_or(text);
        }
        if (c.formula) {
          problem(pr, mapping_[i], field, "formula", "holds a formula");
        } else if (!text.empty()) {
          cell(pr, mapping_[i], c, text, is_date);
        }
      }
      if (opt_.keep_sheet) texts.push_back(std::move(text));
    }
    if (opt_.keep_sheet) rep_.cells.emplace_back(row_number, std::move(texts));
    parsed_.push_back(std::move(pr));
  }

  // One non-empty cell of column `col` into the row's input.
  void cell(ParsedRow& pr, int col_index, const Cell& c, const std::string& text, bool is_date) {
    const auto& col = columns_[static_cast<size_t>(col_index)];
    const std::string field = col.field;
    if (field == "citizen_id") {
      if (c.kind == Cell::Kind::number && c.number >= 1e15 &&
          (c.text.find_first_of("Ee") != std::string::npos || c.number >= 1e17)) {
        problem(pr, col_index, field, "stored_as_number", "stored as a number");
      }
      std::string up = text;
      std::transform(up.begin(), up.end(), up.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
      pr.given.citizen_id = up;
    } else if (is_date) {
      if (auto d = parse_date(text)) {
        (field == "birth_date"  ? pr.given.birth_date
         : field == "joined_on" ? pr.given.joined_on
                                : pr.given.full_member_on) = *d;
      } else {
        problem(pr, col_index, field, "date", "is not a date");
      }
    } else if (field == "org") {
      pr.org_text = text;
    } else if (!col.choices.empty()) {
      choice(pr, col, text);
    } else if (field == "name") {
      pr.given.name = text;
    } else if (field == "ethnicity") {
      pr.given.ethnicity = text;
    } else if (field == "education") {
      pr.given.education = text;
    } else if (field == "phone") {
      pr.given.phone = text;
    }
  }

  // A coded column's cell: its label or code (是/否 also as Y, 1, √ …).
  void choice(ParsedRow& pr, const RosterColumn& col, const std::string& text) {
    const std::string field = col.field;
    std::optional<std::string> code;
    for (const auto& [k, label] : col.choices) {
      if (text == label || text == k) code = k;
    }
    if (col.choices == kYesNo && !code) {
      for (std::string_view yes : {"Y", "y", "1", "TRUE", "True", "√", "是的"}) {
        if (text == yes) code = "true";
      }
      for (std::string_view no : {"N", "n", "0", "FALSE", "False", "×", "不是"}) {
        if (text == no) code = "false";
      }
    }
    if (!code) {
      std::string allowed;
      for (const auto& [k, label] : col.choices) allowed += (allowed.empty() ? "" : "、") + label;
      rep_.problems.push_back({pr.row, col.header_zh, field, "unknown_code",
                               fmt::format("第{}行「{}」应为{}之一，而不是「{}」", pr.row,
                                           col.header_zh, allowed, text)});
      pr.bad = true;
    } else if (col.choices == kYesNo) {
      const bool v = *code == "true";
      (field == "retired"  ? pr.given.retired
       : field == "infirm" ? pr.given.infirm
                           : pr.given.party_worker) = v;
    } else if (field == "gender") {
      pr.given.gender = code;
    } else if (field == "political_status") {
      pr.given.political_status = code;
    } else if (field == "cadre_rank") {
      pr.given.cadre_rank = code;
    } else if (field == "post") {
      pr.given.post = code;
    }
  }

  // The row's 所在党组织 (a code or a name path) to an organization in scope.
  void resolve_org(ParsedRow& pr, const OrgIndex& orgs) {
    if (!pr.org_text) return;
    std::optional<OrgIndex::Entry> found;
    if (auto it = orgs.by_code.find(*pr.org_text); it != orgs.by_code.end()) {
      found = it->second;
    } else if (auto named = orgs.by_name_path.find(OrgIndex::normalize_path(*pr.org_text));
               named != orgs.by_name_path.end()) {
      if (named->second.size() == 1) {
        found = named->second.front();
      } else {
        problem(pr, -1, "org", "ambiguous_org", "ambiguous");
        rep_.problems.back().message = fmt::format(
            "第{}行「所在党组织」「{}」有多个同名组织，请写编码或全称路径", pr.row, *pr.org_text);
      }
    } else {
      problem(pr, -1, "org", "unknown_org", "unknown");
      rep_.problems.back().message =
          fmt::format("第{}行「所在党组织」找不到「{}」", pr.row, *pr.org_text);
    }
    if (found && !auth::in_scope(p_, found->path)) {
      problem(pr, -1, "org", "outside_scope", "outside your scope");
      rep_.problems.back().message =
          fmt::format("第{}行「所在党组织」「{}」不在您的管理范围内", pr.row, *pr.org_text);
      found.reset();
    }
    if (found) pr.given.org_id = found->id;
  }

  // The row over the member with its citizen ID, if any (empty cells keep
  // his values), then validated: from here on pr.given is the member as he
  // will be.
  void merge(ParsedRow& pr, const std::unordered_map<std::string, Member>& existing,
             bool default_org_ok) {
    const Member* before = nullptr;
    if (pr.given.citizen_id) {
      if (auto it = existing.find(*pr.given.citizen_id); it != existing.end()) {
        before = &it->second;
        if (!auth::in_scope(p_, before->org_path)) {
          problem(pr, -1, "citizen_id", "taken_elsewhere", "belongs elsewhere");
        }
      }
    }
    MemberInput in = before ? MemberService::input_of(*before) : MemberInput{};
    pr.before = before;
    if (!before && !pr.given.org_id && !pr.org_text) in.org_id = opt_.default_org_id;
    if (!before && !pr.given.org_id && opt_.default_org_id && !pr.org_text && !default_org_ok) {
      problem(pr, -1, "org", "outside_scope", "outside your scope");
    }
    bool changed = !before;
    auto take = [&](auto& dst, auto& src) {
      if (src && (!dst || *dst != *src)) {
        dst = std::move(src);
        changed = true;
      }
    };
    MemberInput& g = pr.given;
    take(in.org_id, g.org_id);
    take(in.name, g.name);
    take(in.gender, g.gender);
    take(in.ethnicity, g.ethnicity);
    take(in.birth_date, g.birth_date);
    take(in.education, g.education);
    take(in.citizen_id, g.citizen_id);
    take(in.phone, g.phone);
    take(in.joined_on, g.joined_on);
    take(in.full_member_on, g.full_member_on);
    take(in.political_status, g.political_status);
    take(in.cadre_rank, g.cadre_rank);
    take(in.post, g.post);
    take(in.retired, g.retired);
    take(in.infirm, g.infirm);
    take(in.party_worker, g.party_worker);
    if (!pr.bad) {
      if (auto v = MemberService::validate(in); !v) {
        for (const auto& f : v.error().fields) problem(pr, -1, f.field, f.code, f.message);
      }
    }
    pr.changed = changed;
    pr.given = std::move(in);
  }

  // Valid, new, changed and unchanged rows; the problems in row order.
  void count() {
    rep_.valid = 0;
    for (const auto& pr : parsed_) rep_.valid += !pr.bad;
    std::sort(rep_.problems.begin(), rep_.problems.end(),
              [](const RowProblem& a, const RowProblem& b) { return a.row < b.row; });
    for (const auto& pr : parsed_) {
      if (pr.bad) continue;
      if (!pr.before) {
        ++rep_.created;
      } else if (pr.changed) {
        ++rep_.updated;
      } else {
        ++rep_.unchanged;
      }
    }
  }

  Status write_rows(store::Conn& c) {
    const std::optional<int64_t> by = p_.user_id ? std::optional(p_.user_id) : std::nullopt;
    std::vector<const MemberInput*> fresh;
    for (const auto& pr : parsed_) {
      progress(++step_);
      if (pr.bad || !pr.changed) continue;
      if (pr.before) {
        DJ_TRY(members_.overwrite(c, *pr.before, pr.given, by, "import"));
      } else {
        fresh.push_back(&pr.given);
      }
      if (fresh.size() == 1000) {
        DJ_TRY(members_.insert_many(c, fresh, by));
        fresh.clear();
      }
    }
    DJ_TRY(members_.insert_many(c, fresh, by));
    rep_.committed = true;
    return audit::record(
        c, p_.actor(),
        {"member.import",
         "import",
         opt_.filename,
         p_.scope_path,
         {},
         json::object{
             {"file", opt_.filename},
             {"mode", opt_.mode == ImportMode::valid_rows ? "valid-rows" : "all-or-nothing"},
             {"rows", rep_.rows},
             {"created", rep_.created},
             {"updated", rep_.updated},
             {"unchanged", rep_.unchanged},
             {"rejected", rep_.rows - rep_.valid}}});
  }

  void progress(size_t done) const {
    const size_t total_steps = rep_.rows * (opt_.commit ? 2 : 1);
    if (opt_.progress && (done % 1000 == 0 || done == total_steps))
      opt_.progress(done, total_steps);
  }

  const auth::Principal& p_;
  const ImportOptions& opt_;
  MemberService& members_;
  const std::vector<RosterColumn>& columns_;
  ImportReport rep_;
  std::vector<int> mapping_;  // column in the file -> index into columns_, or -2 ignored
  std::vector<ParsedRow> parsed_;
  tabular::SheetInfo info_;
  size_t step_ = 0;
};

}  // namespace

Result<ImportReport> RosterService::import(const auth::Principal& p, std::string_view file,
                                           const ImportOptions& opt) {
  DJ_TRY(auth::require(p, opt.commit ? auth::Perm::member_write : auth::Perm::member_read));
  Importer importer(p, opt, members_);
  DJ_TRY(importer.read(file));
  importer.check_file();
  auto run = [&](store::Conn& c) { return importer.run(c); };
  if (opt.commit) return store::with_tx(db_, run);
  return store::with_conn(db_, run);
}

const ExportColumns& export_columns(ExportLayout layout) {
  static const ExportColumns roster = [] {
    ExportColumns c;
    for (const auto& col : roster_columns()) c.header.emplace_back(col.header_zh);
    c.date_columns = {3, 7, 8};
    c.text_columns = {5, 6};
    return c;
  }();
  static const ExportColumns national{
      {"序号", "姓名", "性别", "公民身份号码", "民族", "出生日期", "学历", "人员类别", "所在党支部",
       "入党日期", "转正日期", "工作岗位", "联系电话", "党籍状态", "是否离退休", "工作单位"},
      {5, 9, 10},
      {3, 12}};
  return layout == ExportLayout::roster ? roster : national;
}

Status RosterService::export_rows(const auth::Principal& p, const ListQuery& q, ExportLayout layout,
                                  bool full_pii,
                                  const std::function<Status(std::vector<std::string>&)>& row) {
  if (full_pii) DJ_TRY(auth::require(p, auth::Perm::member_pii));
  DJ_ASSIGN(auto names, store::with_conn(db_, [](store::Conn& c) -> Result<store::Rows> {
              return c.query("SELECT id, name FROM orgs", {});
            }));
  std::unordered_map<int64_t, std::string> org_name;
  for (const auto& r : names) org_name[r.i64(0)] = r.str(1);
  // "/1/2/3/" → "市直机关工委/市发改委机关党委/办公室党支部", importable again.
  std::unordered_map<std::string, std::string> path_names;
  auto name_path = [&](const std::string& path) -> const std::string& {
    auto [it, fresh] = path_names.try_emplace(path);
    if (fresh) {
      size_t pos = 1;
      while (pos < path.size()) {
        const size_t next = path.find('/', pos);
        if (next == std::string::npos) break;
        if (!it->second.empty()) it->second += '/';
        it->second += org_name[std::stoll(path.substr(pos, next - pos))];
        pos = next + 1;
      }
    }
    return it->second;
  };
  static const std::map<std::string, std::string> standing = {
      {"normal", "正常"}, {"suspended", "停止党籍"}, {"lost_contact", "失去联系"}};
  const auto opt = [](const std::optional<std::string>& s) { return s.value_or(""); };
  const auto yes_no = [](bool b) { return std::string(b ? "是" : "否"); };
  size_t n = 0;
  return members_.for_each(p, q, [&](const Member& m) -> Status {
    std::string citizen = full_pii ? m.citizen_id : mask_citizen_id(m.citizen_id);
    std::string phone = m.phone ? (full_pii ? *m.phone : mask_phone(*m.phone)) : "";
    std::vector<std::string> cells;
    if (layout == ExportLayout::roster) {
      cells = {m.name,
               roster_label("gender", m.gender),
               opt(m.ethnicity),
               opt(m.birth_date),
               opt(m.education),
               std::move(citizen),
               std::move(phone),
               opt(m.joined_on),
               opt(m.full_member_on),
               roster_label("political_status", m.political_status),
               roster_label("cadre_rank", m.cadre_rank),
               name_path(m.org_path),
               roster_label("post", m.post),
               yes_no(m.retired),
               yes_no(m.infirm),
               yes_no(m.party_worker)};
    } else {
      const auto st = standing.find(m.standing);
      cells = {std::to_string(++n),
               m.name,
               roster_label("gender", m.gender),
               std::move(citizen),
               opt(m.ethnicity),
               opt(m.birth_date),
               opt(m.education),
               roster_label("political_status", m.political_status),
               m.org_name,
               opt(m.joined_on),
               opt(m.full_member_on),
               opt(m.job_title),
               std::move(phone),
               st == standing.end() ? m.standing : st->second,
               yes_no(m.retired),
               opt(m.work_unit)};
    }
    return row(cells);
  });
}

}  // namespace dj::member
