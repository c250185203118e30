#include "common/tabular.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <zip.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace dj::tabular {
namespace {

// A zip in memory from name → content, the way Excel lays out an .xlsx.
std::string make_zip(const std::map<std::string, std::string>& entries) {
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* out = zip_source_buffer_create(nullptr, 0, 0, &err);
  zip_source_keep(out);
  zip_t* za = zip_open_from_source(out, ZIP_TRUNCATE, &err);
  for (const auto& [name, content] : entries) {
    zip_source_t* s = zip_source_buffer(za, content.data(), content.size(), 0);
    zip_file_add(za, name.c_str(), s, ZIP_FL_OVERWRITE);
  }
  zip_close(za);
  zip_source_open(out);
  zip_source_seek(out, 0, SEEK_END);
  const auto size = static_cast<size_t>(zip_source_tell(out));
  zip_source_seek(out, 0, SEEK_SET);
  std::string bytes(size, '\0');
  zip_source_read(out, bytes.data(), size);
  zip_source_close(out);
  zip_source_free(out);
  return bytes;
}

std::string workbook(const std::string& sheet, const std::string& strings = "",
                     bool date1904 = false) {
  std::map<std::string, std::string> e;
  e["xl/workbook.xml"] =
      std::string(
          R"(<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">)") +
      (date1904 ? R"(<workbookPr date1904="1"/>)" : "") +
      R"(<sheets><sheet name="党员名册" sheetId="1" r:id="rId1"/><sheet name="说明" sheetId="2" r:id="rId2"/></sheets></workbook>)";
  e["xl/_rels/workbook.xml.rels"] =
      R"(<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet2.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>)";
  e["xl/worksheets/sheet1.xml"] =
      R"(<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">)" +
      sheet + "</worksheet>";
  e["xl/worksheets/sheet2.xml"] =
      R"(<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>second</t></is></c></row></sheetData></worksheet>)";
  if (!strings.empty()) {
    e["xl/sharedStrings.xml"] =
        R"(<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">)" +
        strings + "</sst>";
  }
  return make_zip(e);
}

struct Collected {
  std::vector<std::pair<size_t, Row>> rows;
  RowSink sink() {
    return [this](size_t n, const Row& r, const SheetInfo&) {
      rows.emplace_back(n, r);
      return Status{};
    };
  }
};

TEST(Xlsx, ReadsSharedAndInlineStringsNumbersFormulasAndMerges) {
  const std::string bytes = workbook(
      R"(<sheetData>
      <row r="1"><c r="A1" t="s"><v>0</v></c></row>
      <row r="2"><c r="A2" t="s"><v>1</v></c><c r="C2" t="inlineStr"><is><t>身份证号</t></is></c></row>
      <row r="3"><c r="A3" t="s"><v>2</v></c><c r="B3"><v>32874</v></c><c r="C3" t="s"><v>3</v></c><c r="D3"><f>1+1</f><v>2</v></c><c r="E3" t="b"><v>1</v></c></row>
      <row r="5"><c r="B5" t="str"><v>文本</v></c></row>
      </sheetData><mergeCells count="1"><mergeCell ref="A1:P1"/></mergeCells>)",
      R"(<si><t>党员名册</t></si><si><t>姓名</t></si><si><r><t>张</t></r><r><t>三</t></r><rPh><t>zhang</t></rPh></si><si><t>110105194912310029</t></si>)");
  Collected got;
  auto info = read_xlsx(bytes, {}, got.sink());
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->name, "党员名册");
  ASSERT_EQ(got.rows.size(), 4u);
  EXPECT_EQ(got.rows[0].second[0].text, "党员名册");
  EXPECT_EQ(got.rows[1].second[2].text, "身份证号");
  EXPECT_EQ(got.rows[1].second[1].kind, Cell::Kind::empty);
  const Row& r3 = got.rows[2].second;
  EXPECT_EQ(got.rows[2].first, 3u);
  EXPECT_EQ(r3[0].text, "张三");  // rich text runs joined, phonetic reading left out
  EXPECT_EQ(r3[1].kind, Cell::Kind::number);
  EXPECT_EQ(excel_date(r3[1].number, info->date1904), "1990-01-01");
  EXPECT_EQ(r3[2].text, "110105194912310029");  // a number stored as text stays text
  EXPECT_TRUE(r3[3].formula);
  EXPECT_EQ(r3[4].kind, Cell::Kind::boolean);
  EXPECT_EQ(got.rows[3].first, 5u);
  EXPECT_EQ(got.rows[3].second[1].text, "文本");
  ASSERT_EQ(info->merges.size(), 1u);
  EXPECT_EQ(info->merges[0].last_col, 15u);
  EXPECT_EQ(info->merges[0].first_row, 1u);
}

TEST(Xlsx, ReadsWhatLibxlsxwriterWrites) {
  const auto path =
      std::filesystem::temp_directory_path() / ("dj-tab-" + std::to_string(getpid()) + ".xlsx");
  lxw_workbook* wb = workbook_new(path.c_str());
  lxw_worksheet* ws = workbook_add_worksheet(wb, "名册");
  worksheet_write_string(ws, 0, 0, "姓名", nullptr);
  worksheet_write_string(ws, 1, 0, "李四", nullptr);
  worksheet_write_number(ws, 1, 1, 45000, nullptr);
  ASSERT_EQ(workbook_close(wb), LXW_NO_ERROR);
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  std::filesystem::remove(path);
  Collected got;
  auto info = read_xlsx(buf.str(), {}, got.sink());
  ASSERT_TRUE(info) << info.error().message;
  ASSERT_EQ(got.rows.size(), 2u);
  EXPECT_EQ(got.rows[1].second[0].text, "李四");
  EXPECT_EQ(excel_date(got.rows[1].second[1].number, false), "2023-03-15");
}

TEST(Xlsx, Reads1904Dates) {
  Collected got;
  auto info = read_xlsx(
      workbook(R"(<sheetData><row r="1"><c r="A1"><v>0</v></c></row></sheetData>)", "", true), {},
      got.sink());
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->date1904);
  EXPECT_EQ(excel_date(1, true), "1904-01-02");
}

TEST(Xlsx, RefusesWhatIsNotAWorkbook) {
  Collected got;
  auto r = read_xlsx("PK\x03\x04 this is not a zip", {}, got.sink());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().fields.at(0).code, "not_xlsx");
  auto empty_zip = read_xlsx(make_zip({{"hello.txt", "hi"}}), {}, got.sink());
  ASSERT_FALSE(empty_zip);
  EXPECT_EQ(empty_zip.error().fields.at(0).code, "not_xlsx");
  auto broken = read_xlsx(workbook("<sheetData><row><c>"), {}, got.sink());
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().fields.at(0).code, "corrupt");
}

TEST(Xlsx, StopsAZipBombAndTooManyRows) {
  Limits small;
  small.max_uncompressed = 1 << 20;
  Collected got;
  const std::string zeros(2 << 20, '0');
  auto bomb =
      read_xlsx(workbook("<sheetData/>" + std::string("<!--") + zeros + "-->"), small, got.sink());
  ASSERT_FALSE(bomb);
  EXPECT_EQ(bomb.error().code, ErrorCode::too_large);
  std::string rows = "<sheetData>";
  for (int i = 1; i <= 20; ++i) {
    rows += "<row r=\"" + std::to_string(i) + "\"><c t=\"inlineStr\"><is><t>x</t></is></c></row>";
  }
  Limits few;
  few.max_rows = 10;
  auto many = read_xlsx(workbook(rows + "</sheetData>"), few, got.sink());
  ASSERT_FALSE(many);
  EXPECT_EQ(many.error().fields.at(0).code, "too_many_rows");
}

TEST(Tabular, TheCellTextKeptIsBoundedWhateverTheShape) {
  Limits tight;
  tight.max_cell_bytes = 64 << 10;
  // Many tiny cells: 100 rows of 256 one-letter cells, 256 * 33 bytes counted a row.
  std::string wide = "<sheetData>";
  for (int r = 1; r <= 100; ++r) {
    wide += "<row>";
    for (int c = 0; c < 256; ++c) wide += "<c t=\"inlineStr\"><is><t>a</t></is></c>";
    wide += "</row>";
  }
  Collected got;
  auto many = read_xlsx(workbook(wide + "</sheetData>"), tight, got.sink());
  ASSERT_FALSE(many);
  EXPECT_EQ(many.error().code, ErrorCode::too_large);
  EXPECT_LT(got.rows.size(), 10u);  // stopped early, not after the whole sheet
  // A huge shared-string table, even one the sheet never uses.
  std::string strings;
  for (int i = 0; i < 3000; ++i) strings += "<si><t>" + std::to_string(i) + "</t></si>";
  auto table = read_xlsx(workbook("<sheetData/>", strings), tight, got.sink());
  ASSERT_FALSE(table);
  EXPECT_EQ(table.error().fields.at(0).code, "too_large");
  // The same in CSV; a file within the bound reads, and says what it counted.
  std::string csv;
  for (int r = 0; r < 100; ++r) {
    for (int c = 0; c < 256; ++c) csv += c ? ",a" : "a";
    csv += "\n";
  }
  auto long_csv = read_csv(csv, tight, got.sink());
  ASSERT_FALSE(long_csv);
  EXPECT_EQ(long_csv.error().code, ErrorCode::too_large);
  auto small = read_csv("a,b\n1,2\n", tight, got.sink());
  ASSERT_TRUE(small);
  EXPECT_EQ(small->cell_bytes, 4 * (1 + 32u));
}

TEST(Csv, ReadsUtf8WithBomQuotesAndCrlf) {
  Collected got;
  auto info = read_csv(
      "\xEF\xBB\xBF姓名,身份证号\r\n\"王,五\",\"11010519491231002X\"\r\n\"多\n行\",\"a\"\"b\"\r\n",
      {}, got.sink());
  ASSERT_TRUE(info);
  ASSERT_EQ(got.rows.size(), 3u);
  EXPECT_EQ(got.rows[0].second[0].text, "姓名");
  EXPECT_EQ(got.rows[1].second[0].text, "王,五");
  EXPECT_EQ(got.rows[2].second[0].text, "多\n行");
  EXPECT_EQ(got.rows[2].second[1].text, "a\"b");
}

TEST(Csv, ReadsGbkAndSemicolons) {
  auto gbk = utf8_to_gb18030("姓名;民族\n赵六;汉族\n");
  ASSERT_TRUE(gbk);
  EXPECT_FALSE(is_utf8(*gbk));
  Collected got;
  ASSERT_TRUE(read_csv(*gbk, {}, got.sink()));
  ASSERT_EQ(got.rows.size(), 2u);
  EXPECT_EQ(got.rows[1].second[0].text, "赵六");
  EXPECT_EQ(got.rows[1].second[1].text, "汉族");
  auto utf16 = read_csv("\xFF\xFEx\0", {}, got.sink());
  ASSERT_FALSE(utf16);
  EXPECT_EQ(utf16.error().fields.at(0).code, "encoding");
}

TEST(Tabular, DatesAndColumnNames) {
  EXPECT_EQ(excel_date(1, false), "1900-01-01");
  EXPECT_EQ(excel_date(59, false), "1900-02-28");
  EXPECT_EQ(excel_date(61, false), "1900-03-01");
  EXPECT_EQ(excel_date(0, false), std::nullopt);
  EXPECT_EQ(column_name(0), "A");
  EXPECT_EQ(column_name(25), "Z");
  EXPECT_EQ(column_name(27), "AB");
}

}  // namespace
}  // namespace dj::tabular
