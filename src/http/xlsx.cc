#include "http/xlsx.h"

#include <unistd.h>
#include <xlsxwriter.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/crypto.h"

namespace dj::http {

Result<std::string> write_xlsx(const std::vector<Sheet>& sheets) {
  // libxlsxwriter 1.1.4 writes files only: a private temporary file.
  const auto path =
      std::filesystem::temp_directory_path() / ("dj-" + random_token().substr(0, 16) + ".xlsx");
  lxw_workbook* wb = workbook_new(path.c_str());
  if (!wb) return Error::internal("cannot create a workbook");
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  for (const auto& s : sheets) {
    lxw_worksheet* ws = workbook_add_worksheet(wb, s.name.c_str());
    std::vector<size_t> widths(s.header.size(), 8);
    for (size_t col = 0; col < s.header.size(); ++col) {
      worksheet_write_string(ws, 0, static_cast<lxw_col_t>(col), s.header[col].c_str(), bold);
      widths[col] = std::max(widths[col], s.header[col].size());
    }
    worksheet_freeze_panes(ws, 1, 0);
    for (size_t r = 0; r < s.rows.size(); ++r) {
      for (size_t col = 0; col < s.rows[r].size(); ++col) {
        const auto row = static_cast<lxw_row_t>(r + 1);
        const auto c = static_cast<lxw_col_t>(col);
        if (const auto* text = std::get_if<std::string>(&s.rows[r][col])) {
          worksheet_write_string(ws, row, c, text->c_str(), nullptr);
          if (col < widths.size()) widths[col] = std::max(widths[col], text->size());
        } else {
          worksheet_write_number(ws, row, c, std::get<double>(s.rows[r][col]), nullptr);
        }
      }
    }
    for (size_t col = 0; col < widths.size(); ++col) {
      // UTF-8 Chinese is 3 bytes a character and about 2 columns wide.
      worksheet_set_column(ws, static_cast<lxw_col_t>(col), static_cast<lxw_col_t>(col),
                           std::min<double>(60, static_cast<double>(widths[col]) * 0.8 + 2),
                           nullptr);
    }
  }
  const lxw_error err = workbook_close(wb);
  std::string bytes;
  if (err == LXW_NO_ERROR) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    bytes = buf.str();
  }
  std::error_code ec;
  std::filesystem::remove(path, ec);
  if (err != LXW_NO_ERROR) return Error::internal(std::string("xlsx: ") + lxw_strerror(err));
  return bytes;
}

Result<Response> xlsx_response(const std::vector<Sheet>& sheets, const std::string& filename) {
  DJ_ASSIGN(auto bytes, write_xlsx(sheets));
  Response res;
  res.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  res.body = std::move(bytes);
  res.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  return res;
}

Status check_table_format(const std::optional<std::string>& format) {
  if (!format || *format == "json" || *format == "xlsx") return {};
  return Error{ErrorCode::bad_request,
               "format must be json or xlsx",
               {{"format", "unknown_code", "must be json or xlsx"}}};
}

}  // namespace dj::http
