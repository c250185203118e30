// Writing .xlsx workbooks (libxlsxwriter): sheets of a bold, frozen header
// row and rows of text, numbers or dates; optionally cells painted as
// errors and drop-down lists. Large sheets are written in constant memory.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/result.h"
#include "http/message.h"

namespace dj::http {

// A calendar date (YYYY-MM-DD), written as a real date cell.
struct Date {
  std::string ymd;
};
using Cell = std::variant<std::string, double, Date>;

struct Sheet {
  std::string name;
  std::vector<std::string> header;
  std::vector<std::vector<Cell>> rows;
  std::vector<std::pair<size_t, size_t>> marked;  // (row in rows, column) painted red
  // Drop-down lists: column → the allowed values, for the rows below the header.
  std::vector<std::pair<size_t, std::vector<std::string>>> choices;
  std::vector<size_t> text_columns;  // formatted as text, so Excel keeps long digit strings
};

// The workbook's bytes.
Result<std::string> write_xlsx(const std::vector<Sheet>& sheets);

// A one-sheet workbook written row by row in constant memory, for exports
// of any size: the first 200 rows are held back to size the columns.
class XlsxStream {
 public:
  XlsxStream(std::string sheet_name, std::vector<std::string> header,
             std::vector<size_t> text_columns);
  ~XlsxStream();
  void add_row(std::vector<Cell> row);
  // The workbook's bytes; the stream is done after it.
  Result<std::string> finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The workbook as a download named `filename`.
Result<Response> xlsx_response(const std::vector<Sheet>& sheets, const std::string& filename);

// Ok for an absent, "json" or "xlsx" ?format=; a 400 naming it otherwise.
Status check_table_format(const std::optional<std::string>& format);

}  // namespace dj::http
