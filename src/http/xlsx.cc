#include "http/xlsx.h"

#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "common/crypto.h"

namespace dj::http {

namespace {

struct Formats {
  lxw_format *bold, *date, *text, *marked, *marked_date;
};

Formats add_formats(lxw_workbook* wb) {
  Formats f{};
  f.bold = workbook_add_format(wb);
  format_set_bold(f.bold);
  f.date = workbook_add_format(wb);
  format_set_num_format(f.date, "yyyy-mm-dd");
  f.text = workbook_add_format(wb);
  format_set_num_format(f.text, "@");
  f.marked = workbook_add_format(wb);
  format_set_bg_color(f.marked, 0xFFC7CE);
  format_set_font_color(f.marked, 0x9C0006);
  f.marked_date = workbook_add_format(wb);
  format_set_bg_color(f.marked_date, 0xFFC7CE);
  format_set_num_format(f.marked_date, "yyyy-mm-dd");
  return f;
}

// libxlsxwriter 1.1.4 writes files only: a private temporary file.
std::filesystem::path temp_path() {
  return std::filesystem::temp_directory_path() / ("dj-" + random_token().substr(0, 16) + ".xlsx");
}

std::vector<bool> text_flags(const Sheet& s) {
  std::vector<bool> is_text(s.header.size(), false);
  for (size_t col : s.text_columns) {
    if (col < is_text.size()) is_text[col] = true;
  }
  return is_text;
}

// Column widths from the header and the first rows, the text columns'
// format, and the bold frozen header row: all before any cell (constant
// memory mode writes rows as they come).
void start_sheet(lxw_worksheet* ws, const Sheet& s, const std::vector<std::vector<Cell>>& sample,
                 const Formats& f) {
  std::vector<size_t> widths(s.header.size(), 8);
  for (size_t col = 0; col < s.header.size(); ++col) {
    widths[col] = std::max(widths[col], s.header[col].size());
  }
  for (size_t r = 0; r < std::min<size_t>(sample.size(), 200); ++r) {
    for (size_t col = 0; col < sample[r].size() && col < widths.size(); ++col) {
      if (const auto* t = std::get_if<std::string>(&sample[r][col])) {
        widths[col] = std::max(widths[col], t->size());
      } else if (std::holds_alternative<Date>(sample[r][col])) {
        widths[col] = std::max<size_t>(widths[col], 12);
      }
    }
  }
  const auto is_text = text_flags(s);
  for (size_t col = 0; col < widths.size(); ++col) {
    // UTF-8 Chinese is 3 bytes a character and about 2 columns wide.
    worksheet_set_column(ws, static_cast<lxw_col_t>(col), static_cast<lxw_col_t>(col),
                         std::min<double>(60, static_cast<double>(widths[col]) * 0.8 + 2),
                         is_text[col] ? f.text : nullptr);
  }
  for (size_t col = 0; col < s.header.size(); ++col) {
    worksheet_write_string(ws, 0, static_cast<lxw_col_t>(col), s.header[col].c_str(), f.bold);
  }
  worksheet_freeze_panes(ws, 1, 0);
}

void write_cell(lxw_worksheet* ws, lxw_row_t row, lxw_col_t c, const Cell& cell, const Formats& f,
                bool mark, bool as_text) {
  if (const auto* t = std::get_if<std::string>(&cell)) {
    if (t->empty() && !mark) return;
    worksheet_write_string(ws, row, c, t->c_str(), mark ? f.marked : as_text ? f.text : nullptr);
  } else if (const auto* d = std::get_if<Date>(&cell)) {
    lxw_datetime dt{};
    if (d->ymd.size() == 10 &&
        std::sscanf(d->ymd.c_str(), "%d-%d-%d", &dt.year, &dt.month, &dt.day) == 3) {
      worksheet_write_datetime(ws, row, c, &dt, mark ? f.marked_date : f.date);
    } else if (mark) {
      worksheet_write_blank(ws, row, c, f.marked);
    }
  } else {
    worksheet_write_number(ws, row, c, std::get<double>(cell), mark ? f.marked : nullptr);
  }
}

Result<std::string> close_and_read(lxw_workbook* wb, const std::filesystem::path& path) {
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

}  // namespace

Result<std::string> write_xlsx(const std::vector<Sheet>& sheets) {
  const auto path = temp_path();
  size_t cells = 0;
  for (const auto& s : sheets) cells += s.rows.size() * s.header.size();
  lxw_workbook_options options{};
  // Above this size rows go straight to disk instead of being kept in memory.
  options.constant_memory = cells > 200000 ? LXW_TRUE : LXW_FALSE;
  lxw_workbook* wb = workbook_new_opt(path.c_str(), &options);
  if (!wb) return Error::internal("cannot create a workbook");
  const Formats f = add_formats(wb);
  for (const auto& s : sheets) {
    lxw_worksheet* ws = workbook_add_worksheet(wb, s.name.c_str());
    start_sheet(ws, s, s.rows, f);
    const auto is_text = text_flags(s);
    std::vector<std::pair<size_t, size_t>> marks = s.marked;
    std::sort(marks.begin(), marks.end());
    for (size_t r = 0; r < s.rows.size(); ++r) {
      for (size_t col = 0; col < s.rows[r].size(); ++col) {
        const bool mark = !marks.empty() &&
                          std::binary_search(marks.begin(), marks.end(), std::make_pair(r, col));
        write_cell(ws, static_cast<lxw_row_t>(r + 1), static_cast<lxw_col_t>(col), s.rows[r][col],
                   f, mark, col < is_text.size() && is_text[col]);
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
  return close_and_read(wb, path);
}

struct XlsxStream::Impl {
  std::filesystem::path path = temp_path();
  lxw_workbook* wb = nullptr;
  lxw_worksheet* ws = nullptr;
  Formats f{};
  Sheet sheet;  // the header, text columns, and the rows held back to size the columns
  std::vector<bool> is_text;
  size_t next_row = 1;
  bool started = false;

  void start() {
    start_sheet(ws, sheet, sheet.rows, f);
    started = true;
    for (const auto& row : sheet.rows) write(row);
    sheet.rows.clear();
  }
  void write(const std::vector<Cell>& row) {
    for (size_t col = 0; col < row.size(); ++col) {
      write_cell(ws, static_cast<lxw_row_t>(next_row), static_cast<lxw_col_t>(col), row[col], f,
                 false, col < is_text.size() && is_text[col]);
    }
    ++next_row;
  }
};

XlsxStream::XlsxStream(std::string sheet_name, std::vector<std::string> header,
                       std::vector<size_t> text_columns)
    : impl_(std::make_unique<Impl>()) {
  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;
  impl_->wb = workbook_new_opt(impl_->path.c_str(), &options);
  if (!impl_->wb) return;
  impl_->f = add_formats(impl_->wb);
  impl_->ws = workbook_add_worksheet(impl_->wb, sheet_name.c_str());
  impl_->sheet.header = std::move(header);
  impl_->sheet.text_columns = std::move(text_columns);
  impl_->is_text = text_flags(impl_->sheet);
}

XlsxStream::~XlsxStream() {
  if (impl_->wb) {
    workbook_close(impl_->wb);
    std::error_code ec;
    std::filesystem::remove(impl_->path, ec);
  }
}

void XlsxStream::add_row(std::vector<Cell> row) {
  if (!impl_->wb) return;
  if (impl_->started) {
    impl_->write(row);
  } else {
    impl_->sheet.rows.push_back(std::move(row));
    if (impl_->sheet.rows.size() == 200) impl_->start();
  }
}

Result<std::string> XlsxStream::finish() {
  if (!impl_->wb) return Error::internal("cannot create a workbook");
  if (!impl_->started) impl_->start();
  lxw_workbook* wb = std::exchange(impl_->wb, nullptr);
  return close_and_read(wb, impl_->path);
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
  return Error::bad_request("format", "unknown_code", "must be json or xlsx");
}

}  // namespace dj::http
