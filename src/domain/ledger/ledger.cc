#include "domain/ledger/ledger.h"

#include <map>

#include "common/time.h"
#include "store/bulk.h"

namespace dj::ledger {
namespace {

// Adds sign * tenths to the yearly totals for rows of (member_id, year, tenths).
Status add_totals(store::Conn& c, const std::vector<store::Params>& rows, int sign) {
  std::map<std::pair<int64_t, int64_t>, int64_t> sums;
  for (const auto& r : rows) {
    sums[{std::stoll(r[0].text()), std::stoll(r[1].text())}] += sign * std::stoll(r[2].text());
  }
  std::vector<store::Params> upserts;
  for (const auto& [k, v] : sums) upserts.push_back({k.first, k.second, v});
  return store::upsert_add(c, "hour_totals", {"member_id", "year"}, "hours_tenths", upserts);
}

}  // namespace

Status post(store::Conn& c, const std::string& source, int64_t source_id, const std::string& title,
            const std::vector<Entry>& entries) {
  DJ_ASSIGN(auto old, c.query("SELECT member_id, year, hours_tenths FROM hour_entries WHERE "
                              "source = ? AND source_id = ?",
                              {source, source_id}));
  if (!old.empty()) {
    std::vector<store::Params> rows;
    for (const auto& r : old) rows.push_back({r.i64(0), r.i64(1), r.i64(2)});
    DJ_TRY(add_totals(c, rows, -1));
    DJ_TRY(
        c.exec("DELETE FROM hour_entries WHERE source = ? AND source_id = ?", {source, source_id}));
  }
  const int64_t now = now_ms();
  std::vector<store::Params> rows, totals;
  rows.reserve(entries.size());
  for (const auto& e : entries) {
    const int year = std::stoi(e.on_date.substr(0, 4));
    rows.push_back({e.member_id, year, e.on_date, source, source_id, e.hours_tenths, title, now});
    totals.push_back({e.member_id, year, e.hours_tenths});
  }
  DJ_TRY(store::insert_rows(c, "hour_entries",
                            {"member_id", "year", "on_date", "source", "source_id", "hours_tenths",
                             "title", "created_at"},
                            rows));
  return add_totals(c, totals, 1);
}

Result<std::vector<Posted>> entries(store::Conn& c, int64_t member_id, int year) {
  DJ_ASSIGN(auto rows, c.query("SELECT on_date, source, title, source_id, hours_tenths FROM "
                               "hour_entries WHERE member_id = ? AND year = ? ORDER BY on_date, id",
                               {member_id, year}));
  std::vector<Posted> out;
  for (const auto& r : rows) out.push_back({r.str(0), r.str(1), r.str(2), r.i64(3), r.i64(4)});
  return out;
}

}  // namespace dj::ledger
