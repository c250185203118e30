#include "http/xlsx.h"

#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
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
  size_t cells = 0;
  for (const auto& s : sheets) cells += s.rows.size() * s.header.size();
  lxw_workbook_options options{};
  // Above this size rows go straight to disk instead of being kept in memory.
  options.constant_memory = cells > 200000 ? LXW_TRUE : LXW_FALSE;
  lxw_workbook* wb = workbook_new_opt(path.c_str(), &options);
  if (!wb) return Error::internal("cannot create a workbook");
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  lxw_format* date = workbook_add_format(wb);
  format_set_num_format(date, "yyyy-mm-dd");
  lxw_format* text = workbook_add_format(wb);
  format_set_num_format(text, "@");
  lxw_format* marked = workbook_add_format(wb);
  format_set_bg_color(marked, 0xFFC7CE);
  format_set_font_color(marked, 0x9C0006);
  lxw_format* marked_date = workbook_add_format(wb);
  format_set_bg_color(marked_date, 0xFFC7CE);
  format_set_num_format(marked_date, "yyyy-mm-dd");
  for (const auto& s : sheets) {
    lxw_worksheet* ws = workbook_add_worksheet(wb, s.name.c_str());
    std::vector<size_t> widths(s.header.size(), 8);
    for (size_t col = 0; col < s.header.size(); ++col) {
      widths[col] = std::max(widths[col], s.header[col].size());
    }
    std::vector<bool> is_text(s.header.size(), false);
    for (size_t col : s.text_columns) {
      if (col < is_text.size()) is_text[col] = true;
    }
    // Widths from the first rows (set before any cell: constant memory mode needs it).
    for (size_t r = 0; r < std::min<size_t>(s.rows.size(), 200); ++r) {
      for (size_t col = 0; col < s.rows[r].size() && col < widths.size(); ++col) {
        if (const auto* t = std::get_if<std::string>(&s.rows[r][col])) {
          widths[col] = std::max(widths[col], t->size());
        } else if (std::holds_alternative<Date>(s.rows[r][col])) {
          widths[col] = std::max<size_t>(widths[col], 12);
        }
      }
    }
    for (size_t col = 0; col < widths.size(); ++col) {
      // UTF-8 Chinese is 3 bytes a character and about 2 columns wide.
      worksheet_set_column(ws, static_cast<lxw_col_t>(col), static_cast<lxw_col_t>(col),
                           std::min<double>(60, static_cast<double>(widths[col]) * 0.8 + 2),
                           is_text[col] ? text : nullptr);
    }
    for (size_t col = 0; col < s.header.size(); ++col) {
      worksheet_write_string(ws, 0, static_cast<lxw_col_t>(col), s.header[col].c_str(), bold);
    }
    worksheet_freeze_panes(ws, 1, 0);
    std::vector<std::pair<size_t, size_t>> marks = s.marked;
    std::sort(marks.begin(), marks.end());
    auto is_marked = [&](size_t r, size_t c) {
      return std::binary_search(marks.begin(), marks.end(), std::make_pair(r, c));
    };
    for (size_t r = 0; r < s.rows.size(); ++r) {
      for (size_t col = 0; col < s.rows[r].size(); ++col) {
        const auto row = static_cast<lxw_row_t>(r + 1);
        const auto c = static_cast<lxw_col_t>(col);
        const bool mark = !marks.empty() && is_marked(r, col);
        const bool as_text = col < is_text.size() && is_text[col];
        if (const auto* t = std::get_if<std::string>(&s.rows[r][col])) {
          if (t->empty() && !mark) continue;
          worksheet_write_string(ws, row, c, t->c_str(), mark ? marked : as_text ? text : nullptr);
        } else if (const auto* d = std::get_if<Date>(&s.rows[r][col])) {
          lxw_datetime dt{};
          if (d->ymd.size() == 10 &&
              std::sscanf(d->ymd.c_str(), "%d-%d-%d", &dt.year, &dt.month, &dt.day) == 3) {
            worksheet_write_datetime(ws, row, c, &dt, mark ? marked_date : date);
          } else if (mark) {
            worksheet_write_blank(ws, row, c, marked);
          }
        } else {
          worksheet_write_number(ws, row, c, std::get<double>(s.rows[r][col]),
                                 mark ? marked : nullptr);
        }
      }
    }
    for (const auto& [col, values] : s.choices) {
      std::vector<char*> list;
      for (const auto& v : values) list.push_back(const_cast<char*>(v.c_str()));
      list.push_back(nullptr);
      lxw_data_validation dv{};
      dv.validate = LXW_VALIDATION_TYPE_LIST;
      dv.value_list = list.data();
      dv.ignore_blank = LXW_VALIDATION_ON;
      worksheet_data_validation_range(ws, 1, static_cast<lxw_col_t>(col), 100000,
                                      static_cast<lxw_col_t>(col), &dv);
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
