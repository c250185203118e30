// The study-hour ledger (学时档案): one entry per member per source record.
// Activities post here now; training and online learning post the same way.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/db.h"

namespace dj::ledger {

// How a member attended an activity or a training session; present and late
// earn the record's hours.
inline constexpr const char* kAttendanceMarks[] = {"present", "late", "leave", "absent"};

struct Entry {
  int64_t member_id = 0;
  std::string on_date;  // YYYY-MM-DD; the year counts by this date
  int64_t hours_tenths = 0;
};

struct Posted {
  std::string on_date, source, title;
  int64_t source_id = 0;
  int64_t hours_tenths = 0;
};

// Replaces whatever `source`/`source_id` posted before with `entries`,
// inside the caller's transaction, keeping the yearly totals (hour_totals)
// in step.
Status post(store::Conn& c, const std::string& source, int64_t source_id, const std::string& title,
            const std::vector<Entry>& entries);

// A member's entries for a year, oldest first.
Result<std::vector<Posted>> entries(store::Conn& c, int64_t member_id, int year);

}  // namespace dj::ledger
