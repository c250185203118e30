#include "domain/ledger/ledger.h"

#include "common/time.h"
#include "store/bulk.h"

namespace dj::ledger {

Status post(store::Conn& c, const std::string& source, int64_t source_id, const std::string& title,
            const std::vector<Entry>& entries) {
  DJ_TRY(
      c.exec("DELETE FROM hour_entries WHERE source = ? AND source_id = ?", {source, source_id}));
  const int64_t now = now_ms();
  std::vector<store::Params> rows;
  rows.reserve(entries.size());
  for (const auto& e : entries) {
    rows.push_back({e.member_id, std::stoi(e.on_date.substr(0, 4)), e.on_date, source, source_id,
                    e.hours_tenths, title, now});
  }
  return store::insert_rows(c, "hour_entries",
                            {"member_id", "year", "on_date", "source", "source_id", "hours_tenths",
                             "title", "created_at"},
                            rows);
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
