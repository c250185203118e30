// Writing .xlsx workbooks (libxlsxwriter): sheets of a bold, frozen header
// row and rows of text or numbers.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "common/result.h"

namespace dj::http {

using Cell = std::variant<std::string, double>;

struct Sheet {
  std::string name;
  std::vector<std::string> header;
  std::vector<std::vector<Cell>> rows;
};

// The workbook's bytes.
Result<std::string> write_xlsx(const std::vector<Sheet>& sheets);

}  // namespace dj::http
