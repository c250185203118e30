#include "common/tabular.h"

#include <expat.h>
#include <iconv.h>
#include <zip.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <unordered_map>

#include "common/time.h"

namespace dj::tabular {
namespace {

Error file_error(std::string code, std::string message) {
  return Error::invalid("file", std::move(code), std::move(message));
}

Error too_large(size_t limit) {
  return Error{ErrorCode::too_large,
               "the workbook unpacks to more than " + std::to_string(limit >> 20) + " MiB",
               {{"file", "too_large", "unpacks to more than the limit (a zip bomb?)"}}};
}

constexpr size_t kCellKeeping = 32;  // what keeping a cell's text costs beyond its bytes

Error too_much_text(size_t limit) {
  return Error{
      ErrorCode::too_large,
      "the file holds more than " + std::to_string(limit >> 20) + " MiB of cell text; split it",
      {{"file", "too_large", "holds more cell text than an import may keep"}}};
}

// Counts a row's cells against the limit before the sink sees them.
Status count_cells(const Row& row, SheetInfo& info, const Limits& limits) {
  for (const auto& c : row) {
    if (c.kind != Cell::Kind::empty) info.cell_bytes += c.text.size() + kCellKeeping;
  }
  if (info.cell_bytes > limits.max_cell_bytes) return too_much_text(limits.max_cell_bytes);
  return {};
}

Error too_many_rows(size_t limit) {
  return file_error("too_many_rows",
                    "more than " + std::to_string(limit) + " rows; split the file");
}

// "AB12" → column 27 (0-based), or npos when malformed.
size_t column_of(std::string_view ref) {
  size_t col = 0, i = 0;
  for (; i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z'; ++i) {
    col = col * 26 + static_cast<size_t>(ref[i] - 'A' + 1);
    if (col > 20000) return std::string_view::npos;
  }
  return i == 0 ? std::string_view::npos : col - 1;
}

size_t row_of(std::string_view ref) {
  size_t i = 0;
  while (i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z') ++i;
  size_t row = 0;
  auto [p, ec] = std::from_chars(ref.data() + i, ref.data() + ref.size(), row);
  return ec == std::errc() && p == ref.data() + ref.size() ? row : 0;
}

std::string_view local_name(const XML_Char* name) {
  std::string_view n(name);
  if (auto colon = n.rfind(':'); colon != std::string_view::npos) n.remove_prefix(colon + 1);
  return n;
}

const char* attr(const XML_Char** atts, std::string_view want) {
  for (size_t i = 0; atts[i]; i += 2) {
    if (local_name(atts[i]) == want) return atts[i + 1];
  }
  return nullptr;
}

// One zip entry streamed through an expat parser, counting the bytes
// against the workbook's budget.
class Zip {
 public:
  static Result<std::unique_ptr<Zip>> open(std::string_view bytes, size_t budget) {
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &err);
    if (!src) return file_error("not_xlsx", "not an .xlsx file (not a zip archive)");
    zip_t* za = zip_open_from_source(src, ZIP_RDONLY, &err);
    zip_error_fini(&err);
    if (!za) {
      zip_source_free(src);
      return file_error("not_xlsx", "not an .xlsx file (not a zip archive)");
    }
    auto z = std::unique_ptr<Zip>(new Zip(za, budget));
    // The declared sizes first: a bomb usually says what it is.
    size_t declared = 0;
    const zip_int64_t n = zip_get_num_entries(za, 0);
    for (zip_int64_t i = 0; i < n; ++i) {
      zip_stat_t st;
      if (zip_stat_index(za, static_cast<zip_uint64_t>(i), 0, &st) == 0 &&
          (st.valid & ZIP_STAT_SIZE)) {
        declared += static_cast<size_t>(st.size);
        if (declared > budget) return too_large(budget);
      }
    }
    return z;
  }
  ~Zip() { zip_discard(za_); }

  bool has(const std::string& name) const { return zip_name_locate(za_, name.c_str(), 0) >= 0; }

  // Feeds the entry to `parser`; missing entries are an error naming them.
  Status parse(const std::string& name, XML_Parser parser, const std::function<Status()>& stopped) {
    const zip_int64_t idx = zip_name_locate(za_, name.c_str(), 0);
    if (idx < 0) return file_error("not_xlsx", "not an .xlsx workbook (" + name + " is missing)");
    zip_file_t* f = zip_fopen_index(za_, static_cast<zip_uint64_t>(idx), 0);
    if (!f) return file_error("corrupt", "the workbook is damaged (" + name + ")");
    constexpr int kChunk = 1 << 16;
    Status result;
    for (;;) {
      // Read straight into expat's buffer: no copy of the (large) sheet.
      void* buf = XML_GetBuffer(parser, kChunk);
      if (!buf) {
        result = Error::internal("out of memory reading the workbook");
        break;
      }
      const zip_int64_t got = zip_fread(f, buf, kChunk);
      if (got < 0) {
        result = file_error("corrupt", "the workbook is damaged (" + name + ")");
        break;
      }
      used_ += static_cast<size_t>(got);
      if (used_ > budget_) {
        result = too_large(budget_);
        break;
      }
      if (XML_ParseBuffer(parser, static_cast<int>(got), got == 0) == XML_STATUS_ERROR) {
        if (XML_GetErrorCode(parser) == XML_ERROR_ABORTED) {
          result = stopped();
        } else {
          result = file_error("corrupt", "the workbook is damaged (" + name + ": " +
                                             XML_ErrorString(XML_GetErrorCode(parser)) + ")");
        }
        break;
      }
      if (got == 0) break;
    }
    zip_fclose(f);
    return result;
  }

 private:
  Zip(zip_t* za, size_t budget) : za_(za), budget_(budget) {}
  zip_t* za_;
  size_t budget_;
  size_t used_ = 0;
};

struct ParserDeleter {
  void operator()(XML_ParserStruct* p) const { XML_ParserFree(p); }
};
using Parser = std::unique_ptr<XML_ParserStruct, ParserDeleter>;

// workbook.xml: the first sheet's name and relationship id, the date system.
struct Workbook {
  std::string sheet_name, sheet_rid;
  bool date1904 = false;
};

// The relationships file: id → target, and the shared strings' target.
struct Rels {
  std::unordered_map<std::string, std::string> targets;
  std::string shared_strings;
};

struct Strings {
  std::vector<std::string> items;
  size_t bytes = 0;  // counted like cells: the table is kept while the sheet is read
  size_t limit = 0;
  XML_Parser parser = nullptr;
  std::string current;
  bool in_si = false, in_t = false, in_phonetic = false;
};

struct SheetState {
  const Limits* limits = nullptr;
  const RowSink* sink = nullptr;
  const std::vector<std::string>* strings = nullptr;
  SheetInfo* info = nullptr;
  XML_Parser parser = nullptr;
  Row row;
  size_t row_number = 0, next_row = 1;
  size_t col = 0;
  std::string type, value, inline_text;
  bool in_v = false, in_is_t = false, has_formula = false;
  Status stop;
};

std::string resolve_target(const std::string& target) {
  if (target.starts_with('/')) return target.substr(1);
  return "xl/" + target;
}

void emit_cell(SheetState& s) {
  Cell c;
  c.formula = s.has_formula;
  if (s.type == "s") {
    size_t idx = 0;
    auto [p, ec] = std::from_chars(s.value.data(), s.value.data() + s.value.size(), idx);
    if (ec == std::errc() && idx < s.strings->size()) {
      c.kind = Cell::Kind::text;
      c.text = (*s.strings)[idx];
    }
  } else if (s.type == "inlineStr") {
    c.kind = Cell::Kind::text;
    c.text = s.inline_text;
  } else if (s.type == "str") {
    c.kind = Cell::Kind::text;
    c.text = s.value;
  } else if (s.type == "b") {
    c.kind = Cell::Kind::boolean;
    c.text = s.value == "1" ? "TRUE" : "FALSE";
    c.number = s.value == "1" ? 1 : 0;
  } else if (s.type == "e") {
    c.kind = Cell::Kind::error;
    c.text = s.value;
  } else if (!s.value.empty()) {
    c.kind = Cell::Kind::number;
    c.text = s.value;
    char* end = nullptr;
    c.number = std::strtod(s.value.c_str(), &end);
    if (end != s.value.c_str() + s.value.size()) c.kind = Cell::Kind::text;
  }
  if (c.kind == Cell::Kind::empty && !c.formula) return;
  if (c.kind == Cell::Kind::text && c.text.empty() && !c.formula) return;
  if (s.col >= s.row.size()) s.row.resize(s.col + 1);
  s.row[s.col] = std::move(c);
}

void XMLCALL sheet_start(void* data, const XML_Char* name, const XML_Char** atts) {
  auto& s = *static_cast<SheetState*>(data);
  const auto n = local_name(name);
  if (n == "row") {
    s.row.clear();
    const char* r = attr(atts, "r");
    s.row_number = r ? static_cast<size_t>(std::strtoull(r, nullptr, 10)) : s.next_row;
    if (s.row_number == 0) s.row_number = s.next_row;
    s.next_row = s.row_number + 1;
    s.col = 0;
  } else if (n == "c") {
    const char* r = attr(atts, "r");
    const char* t = attr(atts, "t");
    if (r) {
      const size_t col = column_of(r);
      if (col != std::string_view::npos) s.col = col;
    }
    s.type = t ? t : "n";
    s.value.clear();
    s.inline_text.clear();
    s.has_formula = false;
  } else if (n == "v") {
    s.in_v = true;
  } else if (n == "f") {
    s.has_formula = true;
  } else if (n == "t") {
    s.in_is_t = true;
  } else if (n == "mergeCell") {
    if (const char* ref = attr(atts, "ref")) {
      std::string_view r(ref);
      const auto colon = r.find(':');
      const auto a = r.substr(0, colon);
      const auto b = colon == std::string_view::npos ? a : r.substr(colon + 1);
      const size_t c1 = column_of(a), c2 = column_of(b), r1 = row_of(a), r2 = row_of(b);
      if (c1 != std::string_view::npos && c2 != std::string_view::npos && r1 && r2) {
        s.info->merges.push_back(
            {std::min(r1, r2), std::max(r1, r2), std::min(c1, c2), std::max(c1, c2)});
      }
    }
  }
}

void XMLCALL sheet_end(void* data, const XML_Char* name) {
  auto& s = *static_cast<SheetState*>(data);
  const auto n = local_name(name);
  if (n == "v") {
    s.in_v = false;
  } else if (n == "t") {
    s.in_is_t = false;
  } else if (n == "c") {
    if (s.col < s.limits->max_columns) emit_cell(s);
    ++s.col;
  } else if (n == "row") {
    if (s.row.empty()) return;
    if (++s.info->rows > s.limits->max_rows + 1) {  // + the header row
      s.stop = too_many_rows(s.limits->max_rows);
    } else if (s.stop = count_cells(s.row, *s.info, *s.limits); s.stop) {
      s.stop = (*s.sink)(s.row_number, s.row, *s.info);
    }
    if (!s.stop) XML_StopParser(s.parser, XML_FALSE);
  }
}

void XMLCALL sheet_text(void* data, const XML_Char* text, int len) {
  auto& s = *static_cast<SheetState*>(data);
  if (s.in_v) s.value.append(text, static_cast<size_t>(len));
  if (s.in_is_t) s.inline_text.append(text, static_cast<size_t>(len));
}

}  // namespace

Result<SheetInfo> read_xlsx(std::string_view bytes, const Limits& limits, const RowSink& sink) {
  DJ_ASSIGN(auto zip, Zip::open(bytes, limits.max_uncompressed));
  Workbook wb;
  {
    Parser p(XML_ParserCreate("UTF-8"));
    XML_SetUserData(p.get(), &wb);
    XML_SetStartElementHandler(p.get(), [](void* d, const XML_Char* name, const XML_Char** atts) {
      auto& w = *static_cast<Workbook*>(d);
      const auto n = local_name(name);
      if (n == "sheet" && w.sheet_rid.empty()) {
        const char* nm = attr(atts, "name");
        const char* id = attr(atts, "id");
        w.sheet_name = nm ? nm : "";
        w.sheet_rid = id ? id : "";
      } else if (n == "workbookPr") {
        const char* d1904 = attr(atts, "date1904");
        w.date1904 = d1904 && (std::strcmp(d1904, "1") == 0 || std::strcmp(d1904, "true") == 0);
      }
    });
    DJ_TRY(zip->parse("xl/workbook.xml", p.get(), [] { return Status{}; }));
  }
  if (wb.sheet_rid.empty()) return file_error("no_sheet", "the workbook has no worksheet");
  Rels rels;
  {
    Parser p(XML_ParserCreate("UTF-8"));
    XML_SetUserData(p.get(), &rels);
    XML_SetStartElementHandler(p.get(), [](void* d, const XML_Char* name, const XML_Char** atts) {
      auto& r = *static_cast<Rels*>(d);
      if (local_name(name) != "Relationship") return;
      const char* id = attr(atts, "Id");
      const char* target = attr(atts, "Target");
      const char* type = attr(atts, "Type");
      if (!id || !target) return;
      r.targets[id] = target;
      if (type && std::string_view(type).ends_with("/sharedStrings")) r.shared_strings = target;
    });
    DJ_TRY(zip->parse("xl/_rels/workbook.xml.rels", p.get(), [] { return Status{}; }));
  }
  auto target = rels.targets.find(wb.sheet_rid);
  if (target == rels.targets.end()) return file_error("no_sheet", "the workbook has no worksheet");
  Strings strings;
  const std::string strings_part =
      rels.shared_strings.empty() ? "xl/sharedStrings.xml" : resolve_target(rels.shared_strings);
  if (zip->has(strings_part)) {
    Parser p(XML_ParserCreate("UTF-8"));
    XML_SetUserData(p.get(), &strings);
    XML_SetElementHandler(
        p.get(),
        [](void* d, const XML_Char* name, const XML_Char**) {
          auto& s = *static_cast<Strings*>(d);
          const auto n = local_name(name);
          if (n == "si") {
            s.in_si = true;
            s.current.clear();
          } else if (n == "t") {
            s.in_t = true;
          } else if (n == "rPh") {
            s.in_phonetic = true;  // furigana-style readings are not the text
          }
        },
        [](void* d, const XML_Char* name) {
          auto& s = *static_cast<Strings*>(d);
          const auto n = local_name(name);
          if (n == "si") {
            s.in_si = false;
            s.bytes += s.current.size() + kCellKeeping;
            if (s.bytes > s.limit) XML_StopParser(s.parser, XML_FALSE);
            s.items.push_back(std::move(s.current));
            s.current.clear();
          } else if (n == "t") {
            s.in_t = false;
          } else if (n == "rPh") {
            s.in_phonetic = false;
          }
        });
    XML_SetCharacterDataHandler(p.get(), [](void* d, const XML_Char* text, int len) {
      auto& s = *static_cast<Strings*>(d);
      if (s.in_si && s.in_t && !s.in_phonetic) s.current.append(text, static_cast<size_t>(len));
    });
    strings.limit = limits.max_cell_bytes;
    strings.parser = p.get();
    DJ_TRY(zip->parse(strings_part, p.get(),
                      [&]() -> Status { return too_much_text(limits.max_cell_bytes); }));
  }
  SheetInfo info;
  info.cell_bytes = strings.bytes;
  info.name = wb.sheet_name;
  info.date1904 = wb.date1904;
  Parser p(XML_ParserCreate("UTF-8"));
  SheetState state;
  state.limits = &limits;
  state.sink = &sink;
  state.strings = &strings.items;
  state.info = &info;
  state.parser = p.get();
  XML_SetUserData(p.get(), &state);
  XML_SetElementHandler(p.get(), sheet_start, sheet_end);
  XML_SetCharacterDataHandler(p.get(), sheet_text);
  DJ_TRY(zip->parse(resolve_target(target->second), p.get(), [&] { return state.stop; }));
  return info;
}

namespace {

std::optional<std::string> convert(std::string_view in, const char* to, const char* from) {
  iconv_t cd = iconv_open(to, from);
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::string out(in.size() * 2 + 16, '\0');
  char* src = const_cast<char*>(in.data());
  size_t src_left = in.size();
  char* dst = out.data();
  size_t dst_left = out.size();
  bool ok = true;
  while (src_left > 0) {
    if (iconv(cd, &src, &src_left, &dst, &dst_left) == static_cast<size_t>(-1)) {
      if (errno == E2BIG) {
        const size_t used = static_cast<size_t>(dst - out.data());
        out.resize(out.size() * 2);
        dst = out.data() + used;
        dst_left = out.size() - used;
        continue;
      }
      ok = false;
      break;
    }
  }
  iconv_close(cd);
  if (!ok) return std::nullopt;
  out.resize(static_cast<size_t>(dst - out.data()));
  return out;
}

}  // namespace

bool is_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    if (c < 0x80) {
      n = 0;
    } else if ((c >> 5) == 0x6) {
      n = 1;
    } else if ((c >> 4) == 0xE) {
      n = 2;
    } else if ((c >> 3) == 0x1E) {
      n = 3;
    } else {
      return false;
    }
    if (i + n >= s.size() && n > 0) return false;
    for (size_t k = 1; k <= n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    }
    i += n + 1;
  }
  return true;
}

std::optional<std::string> gb18030_to_utf8(std::string_view s) {
  return convert(s, "UTF-8", "GB18030");
}

std::optional<std::string> utf8_to_gb18030(std::string_view s) {
  return convert(s, "GB18030", "UTF-8");
}

Result<SheetInfo> read_csv(std::string_view bytes, const Limits& limits, const RowSink& sink) {
  std::string text;
  if (bytes.starts_with("\xEF\xBB\xBF")) {
    text = bytes.substr(3);
  } else if (bytes.starts_with("\xFF\xFE") || bytes.starts_with("\xFE\xFF")) {
    return file_error("encoding", "UTF-16 text is not supported; save as CSV (UTF-8) or CSV");
  } else if (is_utf8(bytes)) {
    text = bytes;
  } else if (auto converted = gb18030_to_utf8(bytes)) {
    text = std::move(*converted);
  } else {
    return file_error("encoding", "the file is neither UTF-8 nor GB18030/GBK text");
  }
  if (text.find('\0') != std::string::npos) return file_error("not_csv", "not a CSV text file");
  // The delimiter is whichever of , ; TAB the first line uses most.
  const std::string_view first(text.data(), std::min(text.find('\n'), text.size()));
  char delim = ',';
  size_t best = static_cast<size_t>(std::count(first.begin(), first.end(), ','));
  for (char d : {'\t', ';'}) {
    const auto n = static_cast<size_t>(std::count(first.begin(), first.end(), d));
    if (n > best) best = n, delim = d;
  }
  SheetInfo info;
  Row row;
  std::string field;
  size_t record = 0;
  bool quoted = false, any = false;
  auto end_field = [&] {
    Cell c;
    if (!field.empty()) {
      c.kind = Cell::Kind::text;
      c.text = std::move(field);
    }
    if (row.size() < limits.max_columns) row.push_back(std::move(c));
    field.clear();
  };
  auto end_record = [&]() -> Status {
    end_field();
    ++record;
    const bool empty = std::all_of(row.begin(), row.end(),
                                   [](const Cell& c) { return c.kind == Cell::Kind::empty; });
    if (!empty) {
      if (++info.rows > limits.max_rows + 1) return too_many_rows(limits.max_rows);
      DJ_TRY(count_cells(row, info, limits));
      DJ_TRY(sink(record, row, info));
    }
    row.clear();
    any = false;
    return {};
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (quoted) {
      if (ch == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        field += ch;
      }
      continue;
    }
    any = true;
    if (ch == '"' && field.empty()) {
      quoted = true;
    } else if (ch == delim) {
      end_field();
    } else if (ch == '\n' || ch == '\r') {
      if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      DJ_TRY(end_record());
    } else {
      field += ch;
    }
  }
  if (quoted) return file_error("corrupt", "a quoted field is not closed");
  if (any || !field.empty()) DJ_TRY(end_record());
  return info;
}

std::optional<std::string> excel_date(double serial, bool date1904) {
  if (!std::isfinite(serial) || serial < (date1904 ? 0 : 1) || serial > 2958465) {
    return std::nullopt;
  }
  auto days = static_cast<int64_t>(std::floor(serial));
  // Day 1 is 1900-01-01, and Excel counts a 29 February 1900.
  if (date1904) {
    days += 1461;  // day 0 is 1904-01-01
  } else if (days >= 60) {
    days -= 1;
  }
  return date_from_days(days_from_date("1899-12-31") + days);
}

std::string column_name(size_t col) {
  std::string out;
  ++col;
  while (col > 0) {
    out.insert(out.begin(), static_cast<char>('A' + (col - 1) % 26));
    col = (col - 1) / 26;
  }
  return out;
}

}  // namespace dj::tabular
