// Member rosters in and out of spreadsheets. Import: the template's Chinese
// headers (or the API's field names) found in an .xlsx or .csv, every row
// checked with the same rules as the API plus organization lookup by code or
// name path and duplicates inside the file, then an upsert keyed by citizen
// ID — all or nothing, or the valid rows only — audited as one import.
// Export: the same columns, or the national collection form's layout.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "domain/auth/principal.h"
#include "domain/member/member.h"
#include "store/db.h"

namespace dj::member {

// One column of the roster: the field it fills and its Chinese header.
struct RosterColumn {
  const char* field;
  const char* header_zh;
  const char* note_zh;  // what the template's notes sheet says about it
  std::vector<std::pair<std::string, std::string>> choices;  // code → Chinese label
};
// The template's columns, in order.
const std::vector<RosterColumn>& roster_columns();
// The Chinese label of a code in a coded column ("male" → "男"), or the code.
std::string roster_label(std::string_view field, const std::string& code);

struct RowProblem {
  size_t row = 0;       // as the spreadsheet numbers it
  std::string column;   // the template's header of the column ("" for the whole row)
  std::string field;    // the API field name
  std::string code;     // stable, e.g. check_digit, duplicate, unknown_org
  std::string message;  // for the cadre, e.g. 第12行「身份证号」校验位错误
};

enum class ImportMode { all_or_nothing, valid_rows };

struct ImportOptions {
  bool commit = false;
  ImportMode mode = ImportMode::all_or_nothing;
  std::optional<int64_t> default_org_id;  // for rows without 所在党组织
  std::string filename;                   // for the audit record
  size_t max_rows = 200000;
  bool keep_sheet = false;  // keep the cells' texts (ImportReport::cells) for an error workbook
  // Called now and then while checking and writing: rows done, rows in all.
  std::function<void(size_t done, size_t total)> progress;
};

struct ImportReport {
  size_t rows = 0, valid = 0, created = 0, updated = 0, unchanged = 0;
  bool committed = false;
  std::vector<RowProblem> problems;
  // The sheet as read (with keep_sheet), for the workbook that marks the errors.
  size_t header_row = 0;
  std::vector<std::string> header;
  std::vector<std::pair<size_t, std::vector<std::string>>> cells;  // row number, texts
};

enum class ExportLayout {
  roster,    // the template's columns: exports can be edited and imported again
  national,  // the national member information collection form (docs/roster.md)
};

struct ExportColumns {
  std::vector<std::string> header;
  std::vector<size_t> date_columns;  // YYYY-MM-DD texts, written as dates
  std::vector<size_t> text_columns;  // digit strings to keep as text (citizen ID, phone)
};
const ExportColumns& export_columns(ExportLayout layout);

class RosterService {
 public:
  RosterService(store::Db& db, MemberService& members) : db_(db), members_(members) {}

  // Reads the file (.xlsx or .csv, told apart by content), checks every row
  // and, when asked to commit and the mode allows, writes them. A file that
  // cannot be read at all is an Error naming "file"; row problems are in
  // the report (and nothing is written in all-or-nothing mode).
  Result<ImportReport> import(const auth::Principal& p, std::string_view file,
                              const ImportOptions& opt);

  // The members the list filters match, one row each (export_columns'
  // order) handed to `row` as they are read, in organization order; citizen
  // ID and phone masked, or in full when `full_pii` (member:pii, else
  // forbidden; the caller audits the export as such).
  Status export_rows(const auth::Principal& p, const ListQuery& q, ExportLayout layout,
                     bool full_pii, const std::function<Status(std::vector<std::string>&)>& row);

 private:
  store::Db& db_;
  MemberService& members_;
};

}  // namespace dj::member
