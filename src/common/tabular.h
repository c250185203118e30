// Reading spreadsheets a row at a time: .xlsx (a zip of XML parts, read with
// libzip and expat, streamed) and .csv (UTF-8 with or without BOM, or
// GB18030/GBK as Chinese Excel saves it). Limits keep a hostile file — a zip
// bomb, a million rows — from exhausting the server; every failure is an
// Error naming the field "file".
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace dj::tabular {

struct Cell {
  enum class Kind { empty, text, number, boolean, error };
  Kind kind = Kind::empty;
  std::string text;  // the text, or the number as the file wrote it
  double number = 0;
  bool formula = false;  // the cell holds a formula (its cached value is in text/number)
};
using Row = std::vector<Cell>;  // by column: A is 0

struct Limits {
  size_t max_uncompressed = 256u << 20;  // all parts of an .xlsx together
  size_t max_rows = 200000;              // data rows
  size_t max_columns = 256;
  // The cell text a file may hand over (shared strings included), counted
  // with 32 bytes a non-empty cell for its keeping: whatever the sheet's
  // shape (many tiny cells, few huge ones), a reader of the rows holds at
  // most about this much. 200,000 real roster rows count about 130 MiB.
  size_t max_cell_bytes = 256u << 20;
};

// Cells merged into one (as the sheet declares them): rows 1-based, columns 0-based.
struct Merge {
  size_t first_row, last_row, first_col, last_col;
};

struct SheetInfo {
  std::string name;       // the sheet read (the first of the workbook)
  bool date1904 = false;  // the workbook counts days from 1904
  std::vector<Merge> merges;
  size_t rows = 0;        // rows handed to the sink
  size_t cell_bytes = 0;  // counted against Limits::max_cell_bytes
};

// Called with each row that has a cell, its 1-based row number as the file
// counts it, and what is known of the sheet so far (the date system; merges
// come only at the end); an error stops the reading and is returned.
using RowSink = std::function<Status(size_t row_number, const Row& row, const SheetInfo& sheet)>;

Result<SheetInfo> read_xlsx(std::string_view bytes, const Limits& limits, const RowSink& sink);
Result<SheetInfo> read_csv(std::string_view bytes, const Limits& limits, const RowSink& sink);

// An Excel day number as YYYY-MM-DD (the 1900 system counts a 29 Feb 1900
// that never was); nullopt outside 1900–9999.
std::optional<std::string> excel_date(double serial, bool date1904);

// 0 → "A", 27 → "AB".
std::string column_name(size_t col);

// True when the bytes are valid UTF-8.
bool is_utf8(std::string_view s);
// GB18030 (a superset of GBK and GB2312) to UTF-8; nullopt when it is not GB18030 either.
std::optional<std::string> gb18030_to_utf8(std::string_view s);
// UTF-8 to GB18030, for exports on request.
std::optional<std::string> utf8_to_gb18030(std::string_view s);

}  // namespace dj::tabular
