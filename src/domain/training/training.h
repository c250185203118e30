// Layered training classes (分层分类培训): classes with sessions, seat quotas
// per directly affiliated organization, enrolment, check-in (roster, rotating
// QR code, numeric code), completion with certificates, hours to the ledger.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "domain/auth/principal.h"
#include "store/db.h"
#include "store/migrations.h"

namespace dj::training {

// The codes training records take: validation, the API's enums, the web app.
inline constexpr const char* kLevels[] = {"demonstration", "unit", "party_school"};
inline constexpr const char* kGroups[] = {"new_members",   "activists",      "development_targets",
                                          "party_workers", "leading_cadres", "all_members"};
inline constexpr const char* kMethods[] = {"lecture", "case", "discussion", "observation"};
inline constexpr const char* kPlanKinds[] = {"multi_year", "annual"};

// This capability's schema migrations (migrations.cc), in version order.
std::span<const store::Migration> migrations();

struct Config {
  int64_t slot_ms = 15000;              // the QR code and numeric code change this often
  int64_t grace_ms = 10 * 60000;        // after the start a check-in is late
  int64_t open_before_ms = 30 * 60000;  // check-in opens this long before the start
  int new_member_months = 12;
};

struct TrainingInput {
  std::optional<int64_t> org_id;
  std::optional<std::string> title, level, starts_on, ends_on, venue, itinerary;
  std::optional<std::vector<std::string>> target_groups;
  std::optional<int64_t> capacity, attendance_threshold, pass_score;
  std::optional<bool> off_site, exam_required;
};

struct SessionInput {
  std::optional<std::string> title, lecturer_name, started_at, ended_at, method, venue;
  std::optional<double> hours;
  std::optional<bool> required, first_course;
  // An optional geofence: phones that send coordinates must be within it.
  std::optional<double> latitude, longitude;
  std::optional<int64_t> radius_m;
};

struct Location {
  double latitude = 0, longitude = 0;
};

// A member's check-in as the phone sends it.
struct CheckIn {
  int64_t session_id = 0;
  std::optional<int64_t> slot;  // with the token
  std::optional<std::string> token, code;
  std::string idempotency_key;  // may be empty
  std::optional<Location> where;
};

struct PlanInput {
  std::optional<int64_t> org_id, from_year, to_year;
  std::optional<std::string> title, kind;  // kind: multi_year, annual
  std::optional<boost::json::object> targets;
};

struct DeliveryInput {
  std::optional<int64_t> member_id;
  std::optional<std::string> delivered_by, delivered_on, content;
  std::optional<double> hours;
};

struct EnrolInput {
  std::optional<int64_t> member_id;
  std::optional<bool> waitlist;                // join the waitlist when the quota is full
  std::optional<std::string> override_reason;  // committee_admin: outside the target group
};

struct Mark {
  std::optional<int64_t> member_id;
  std::optional<std::string> status;  // present, late, leave, absent
};

class TrainingService {
 public:
  TrainingService(store::Db& db, const Keys& keys, Config cfg)
      : db_(db), qr_key_(keys.subkey("qr")), cfg_(cfg) {}

  Result<boost::json::object> create(const auth::Principal& p, const TrainingInput& in);
  // The class with sessions, quotas and enrolment counts.
  Result<boost::json::object> get(const auth::Principal& p, int64_t id);
  Result<boost::json::object> list(const auth::Principal& p, int64_t page, int64_t page_size);
  // Adds a session; answers it with any warnings (a venue used at the same time).
  Result<boost::json::object> add_session(const auth::Principal& p, int64_t id,
                                          const SessionInput& in);
  // Replaces the quotas (committee_admin): directly affiliated organizations,
  // seats adding up to at most the capacity.
  Result<boost::json::object> set_quotas(const auth::Principal& p, int64_t id,
                                         const std::vector<std::pair<int64_t, int64_t>>& quotas);
  Result<boost::json::object> enrol(const auth::Principal& p, int64_t id, const EnrolInput& in);
  Result<boost::json::object> enrolments(const auth::Principal& p, int64_t id);
  // A session's attendance so far: every enrolled member in the caller's
  // subtree with the check-in (status, method, time) or null, and the counts.
  Result<boost::json::object> attendance(const auth::Principal& p, int64_t id, int64_t session_id);
  // The classes of the caller as a member.
  Result<boost::json::object> mine(const auth::Principal& p);

  // The current check-in URL, token and numeric code of a session, for the
  // venue's screen.
  Result<boost::json::object> qr(const auth::Principal& p, int64_t id, int64_t session_id,
                                 const std::string& base_url);
  // Checks the caller (a member) in with a QR token or the numeric code.
  // A repeat with the same idempotency key answers the first result. The
  // check-in joins the database's group commit: `done` runs once it has
  // committed (on the committing thread), or at once for a refusal that
  // needs no database.
  void check_in(const auth::Principal& p, const CheckIn& in,
                std::function<void(Result<boost::json::object>)> done);
  // A member asks leave for a session of a class he is enrolled in.
  Result<boost::json::object> request_leave(const auth::Principal& p, int64_t session_id,
                                            const std::string& reason);
  Result<boost::json::object> mark_roster(const auth::Principal& p, int64_t id, int64_t session_id,
                                          const std::vector<Mark>& marks);
  Status set_exam_score(const auth::Principal& p, int64_t id, int64_t member_id, int64_t score);
  // Decides completion for every enrolled member, issues certificates and
  // posts the hours of those who completed to the ledger (source training).
  Result<boost::json::object> complete(const auth::Principal& p, int64_t id);
  // Public: what a certificate says, the name masked.
  Result<boost::json::object> verify(const std::string& serial);

  // Records learning delivered at home to an infirm or retired member and
  // posts its hours to the ledger (source home_delivery).
  Result<boost::json::object> deliver(const auth::Principal& p, const DeliveryInput& in);
  // Deliveries to members of a subtree in a year.
  Result<boost::json::object> deliveries(const auth::Principal& p, std::optional<int64_t> org_id,
                                         int year);

  // Classes by level; distinct people enrolled, by target group and by
  // directly affiliated organization; hours; completion rate; for classes
  // starting within [from, to].
  Result<boost::json::object> stats(const auth::Principal& p, const std::string& from,
                                    const std::string& to,
                                    std::optional<int64_t> org_id = std::nullopt);

  // Training plans: targets {"classes_by_level": {level: n}, "people_by_target_group":
  // {group: n}, "people_trained": n, "hours": n}, any subset.
  Result<boost::json::object> create_plan(const auth::Principal& p, const PlanInput& in);
  Result<boost::json::object> plans(const auth::Principal& p);
  // A plan with its targets against the actual figures of its years and subtree.
  Result<boost::json::object> plan(const auth::Principal& p, int64_t id);

  // Token and code for a session and time slot (exposed for tests).
  std::string token_for(int64_t session_id, int64_t slot) const;
  std::string code_for(int64_t session_id, int64_t slot) const;
  int64_t slot_at(int64_t ms) const { return ms / cfg_.slot_ms; }

 private:
  store::Db& db_;
  std::string qr_key_;
  Config cfg_;
};

}  // namespace dj::training
