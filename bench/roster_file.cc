// Writes a roster .xlsx of N new members into the branches of a demo city,
// for the import benchmark: roster_file --db URL --rows N --out FILE
#include <xlsxwriter.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "domain/member/citizen_id.h"
#include "store/db.h"

int main(int argc, char** argv) {
  std::string db_url, out;
  size_t rows = 100000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--db") db_url = argv[i + 1];
    if (a == "--rows") rows = std::strtoul(argv[i + 1], nullptr, 10);
    if (a == "--out") out = argv[i + 1];
  }
  auto db = dj::store::open_db(db_url, 1);
  if (!db) {
    std::cerr << db.error().message << "\n";
    return 1;
  }
  auto codes = dj::store::with_conn(**db, [](dj::store::Conn& c) {
    return c.query("SELECT code FROM orgs WHERE type = 'branch' ORDER BY id", {});
  });
  if (!codes || codes->empty()) return 1;
  lxw_workbook_options opt{};
  opt.constant_memory = LXW_TRUE;
  lxw_workbook* wb = workbook_new_opt(out.c_str(), &opt);
  lxw_worksheet* ws = workbook_add_worksheet(wb, "党员名册");
  lxw_format* date = workbook_add_format(wb);
  format_set_num_format(date, "yyyy-mm-dd");
  const char* header[] = {"姓名",     "性别",     "民族",     "出生日期", "学历",     "身份证号",
                          "手机号",   "入党日期", "转正日期", "人员类别", "干部级别", "所在党组织",
                          "党内职务", "离退休",   "年老体弱", "党务干部"};
  for (lxw_col_t c = 0; c < 16; ++c) worksheet_write_string(ws, 0, c, header[c], nullptr);
  const char* surnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄"};
  for (size_t i = 0; i < rows; ++i) {
    const auto r = static_cast<lxw_row_t>(i + 1);
    const int year = 1960 + static_cast<int>(i % 40), month = 1 + static_cast<int>(i % 12),
              day = 1 + static_cast<int>(i % 28);
    char first17[18];
    std::snprintf(first17, sizeof first17, "53%04zu%04d%02d%02d%03zu", i / 1000 % 10000, year,
                  month, day, i % 1000);
    const std::string id = std::string(first17) + dj::member::citizen_id_check_digit(first17);
    const bool male = (id[16] - '0') % 2 == 1;
    const std::string name = std::string(surnames[i % 8]) + "导" + std::to_string(i);
    char phone[12];
    std::snprintf(phone, sizeof phone, "139%08zu", i);
    lxw_datetime born{year, month, day, 0, 0, 0}, joined{year + 25, month, day, 0, 0, 0},
        full{year + 26, month, day, 0, 0, 0};
    worksheet_write_string(ws, r, 0, name.c_str(), nullptr);
    worksheet_write_string(ws, r, 1, male ? "男" : "女", nullptr);
    worksheet_write_string(ws, r, 2, "汉族", nullptr);
    worksheet_write_datetime(ws, r, 3, &born, date);
    worksheet_write_string(ws, r, 4, "大学本科", nullptr);
    worksheet_write_string(ws, r, 5, id.c_str(), nullptr);
    worksheet_write_string(ws, r, 6, phone, nullptr);
    worksheet_write_datetime(ws, r, 7, &joined, date);
    worksheet_write_datetime(ws, r, 8, &full, date);
    worksheet_write_string(ws, r, 9, "正式党员", nullptr);
    worksheet_write_string(ws, r, 10, "一般干部", nullptr);
    worksheet_write_string(ws, r, 11, (*codes)[i % codes->size()].str(0).c_str(), nullptr);
    worksheet_write_string(ws, r, 12, "无", nullptr);
    worksheet_write_string(ws, r, 13, "否", nullptr);
    worksheet_write_string(ws, r, 14, "否", nullptr);
    worksheet_write_string(ws, r, 15, "否", nullptr);
  }
  return workbook_close(wb) == LXW_NO_ERROR ? 0 : 1;
}
