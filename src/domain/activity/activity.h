// Organizational life and study activities with attendance, and the member
// study-hour ledger they post to.
//
// An activity belongs to one organization and is counted by the date it was
// held (Asia/Shanghai), never by the date it was entered. Recording a meeting
// is one request: the organization's members on that date are expected and
// present by default; the request lists only the exceptions and guests.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/auth/principal.h"
#include "store/db.h"
#include "store/migrations.h"

namespace dj::activity {

// This capability's schema migrations (migrations.cc), in version order.
std::span<const store::Migration> migrations();

struct ActivityType {
  std::string code, label_zh, label_en;
  bool three_meetings = false;  // 三会一课
  bool org_life = false;        // counts as organizational life
  bool builtin = false;
};

struct AttendeeInput {
  std::optional<int64_t> member_id;
  std::optional<std::string> status;  // present, late, leave, absent
  std::optional<std::string> reason;
};

struct ActivityInput {
  std::optional<int64_t> org_id;
  std::optional<std::string> type, subtype, title;
  std::optional<std::vector<std::string>> tags;
  std::optional<std::string> started_at, ended_at;  // ISO 8601 with offset
  std::optional<std::string> place, destination, method, lecturer_name, minutes;
  std::optional<bool> off_site;
  std::optional<int64_t> lecturer_member_id;
  std::optional<double> hours;  // default from duration and the hour conventions
  std::optional<std::vector<AttendeeInput>> attendees;  // exceptions and guests
  std::optional<std::string> change_reason;             // required to change a locked record
};

struct Attendee {
  int64_t member_id = 0;
  std::string name;
  int64_t org_id = 0;
  std::string status;
  std::optional<std::string> reason;
  bool guest = false;
};

struct Attachment {
  int64_t id = 0;
  int64_t activity_id = 0;
  std::string sha256, content_type, filename;
  int64_t size = 0;
  int64_t created_at = 0;
};

boost::json::object to_json(const Attachment& a);

struct Activity {
  int64_t id = 0;
  int64_t org_id = 0;
  std::string org_name, org_path;
  std::string org_path_name;  // org::path_names: filled by get and list
  std::string type;
  std::optional<std::string> subtype;
  std::string title;
  std::vector<std::string> tags;
  int64_t started_at = 0, ended_at = 0;
  std::string held_on;
  std::optional<std::string> place, destination, method, lecturer_name, minutes;
  bool off_site = false;
  std::optional<int64_t> lecturer_member_id;
  int64_t hours_tenths = 0;
  bool late_entry = false;
  bool locked = false;
  int64_t expected_count = 0, present_count = 0;
  std::vector<Attendee> attendees;      // filled by get()
  std::vector<Attachment> attachments;  // filled by get()
  int64_t created_at = 0, updated_at = 0;
};

boost::json::object to_json(const Activity& a, bool with_attendees);
boost::json::object to_json(const ActivityType& t);

struct Config {
  int lock_days = 30;                     // a record locks this many days after it was held
  double full_day_hours = 8;              // courses of 6 hours or more
  double half_day_hours = 4;              // lectures of 3 to 6 hours
  std::string blob_dir = "./data/blobs";  // attachment bytes, content-addressed
  size_t max_attachment_bytes = 10 * 1024 * 1024;
};

struct ListQuery {
  std::optional<int64_t> org_id;  // subtree; default the caller's scope
  std::optional<std::string> type, from, to;
  std::optional<bool> late_entry;
  int64_t page = 1, page_size = 50;
};

struct Page {
  std::vector<Activity> items;
  int64_t total = 0;
};

// The activities held on one day, by type.
struct DayCount {
  std::string date;
  int64_t total = 0;
  std::map<std::string, int64_t> by_type;
};

// Credited hours for a duration by the conventions: 8 for a full day, 4 for
// a half day, else the actual length rounded to a tenth.
int64_t default_hours_tenths(int64_t duration_ms, const Config& cfg);

class ActivityService {
 public:
  ActivityService(store::Db& db, Config cfg) : db_(db), cfg_(cfg) {}
  const Config& config() const { return cfg_; }

  Result<std::vector<ActivityType>> types();
  // Adds a type code to the dictionary (committee_admin).
  Result<ActivityType> add_type(const auth::Principal& p, const ActivityType& t);

  Result<Activity> create(const auth::Principal& p, const ActivityInput& in);
  // The activity with attendance and attachments; without member:read the
  // caller sees only his own attendance row.
  Result<Activity> get(const auth::Principal& p, int64_t id);
  Result<Page> list(const auth::Principal& p, const ListQuery& q);
  // Every day of [q.from, q.to] (both required, at most 366 days) that has
  // activities matching the list's filters, with their count by type: a
  // calendar of any size from one grouped query. Paging is ignored.
  Result<std::vector<DayCount>> by_day(const auth::Principal& p, const ListQuery& q);
  // Changes the given fields; `attendees` given replaces the exceptions.
  // After the lock date only a committee_admin with a change_reason may.
  Result<Activity> update(const auth::Principal& p, int64_t id, const ActivityInput& patch);
  Status remove(const auth::Principal& p, int64_t id, const std::optional<std::string>& reason);

  // Stores a photo (JPEG, PNG) or PDF for an activity. The bytes must be of
  // the claimed type (checked by content, not by name) and within the size
  // limit. Locked records follow the same rule as edits.
  Result<Attachment> attach(const auth::Principal& p, int64_t activity_id,
                            const std::string& claimed_type, const std::string& filename,
                            const std::string& bytes, const std::optional<std::string>& reason);
  // The attachment and its bytes.
  Result<std::pair<Attachment, std::string>> attachment(const auth::Principal& p,
                                                        int64_t activity_id, int64_t id);
  Status detach(const auth::Principal& p, int64_t activity_id, int64_t id,
                const std::optional<std::string>& reason);

 private:
  store::Db& db_;
  Config cfg_;
};

}  // namespace dj::activity
