// Writing .xlsx workbooks (libxlsxwriter): sheets of a bold, frozen header
// row and rows of text or numbers.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/result.h"
#include "http/message.h"

namespace dj::http {

using Cell = std::variant<std::string, double>;

struct Sheet {
  std::string name;
  std::vector<std::string> header;
  std::vector<std::vector<Cell>> rows;
};

// The workbook's bytes.
Result<std::string> write_xlsx(const std::vector<Sheet>& sheets);

// The workbook as a download named `filename`.
Result<Response> xlsx_response(const std::vector<Sheet>& sheets, const std::string& filename);

// Ok for an absent, "json" or "xlsx" ?format=; a 400 naming it otherwise.
Status check_table_format(const std::optional<std::string>& format);

}  // namespace dj::http
