// Layered training classes (分层分类培训): classes with sessions, seat quotas
// per directly affiliated organization, enrolment, check-in (roster, rotating
// QR code, numeric code), completion with certificates, hours to the ledger.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "common/rotating_code.h"
#include "common/throttle.h"
#include "domain/auth/principal.h"
#include "domain/member/member.h"
#include "store/db.h"
#include "store/migrations.h"

namespace dj::training {

// The codes training records take: validation, the API's enums, the web app.
inline constexpr const char* kLevels[] = {"demonstration", "unit", "party_school"};
inline constexpr const auto& kGroups = member::kTargetGroups;
inline constexpr const char* kMethods[] = {"lecture", "case", "discussion", "observation"};
inline constexpr const char* kPlanKinds[] = {"multi_year", "annual"};

// This capability's schema migrations (migrations.cc), in version order.
std::span<const store::Migration> migrations();

struct Config {
  int64_t slot_ms = 10000;  // the QR code and numeric code change this often
  // A scanned QR code becomes a pass for that phone's page, good this long
  // (time to log in) and for one check-in.
  int64_t pass_ms = 3 * 60000;
  int64_t grace_ms = 10 * 60000;        // after the start a check-in is late
  int64_t open_before_ms = 30 * 60000;  // check-in opens this long before the start
  int new_member_months = 12;
  // Wrong check-in codes a member may send for one session within the
  // window; then he waits until the window has passed (429, Retry-After).
  int code_failures = 5;
  int64_t code_failure_window_ms = 60000;
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
  // A lecturer of the pool (师资库); his name becomes lecturer_name.
  std::optional<int64_t> lecturer_id;
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
  std::optional<std::string> pass, code;  // a scan's pass, or the numeric code
  std::string idempotency_key;            // may be empty
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

// What the service answers: typed records, turned into JSON by to_json (the
// HTTP layer's answers and the audit rows).

struct Training {
  int64_t id = 0, org_id = 0;
  std::string org_path;  // of the organizer (not in its JSON)
  std::string title, level;
  std::vector<std::string> target_groups;
  std::string starts_on, ends_on;
  std::optional<std::string> venue, itinerary;
  int64_t capacity = 0, attendance_threshold = 80, pass_score = 60;
  bool off_site = false, exam_required = false;
};

struct Session {
  int64_t id = 0, training_id = 0;
  std::string title;
  std::optional<std::string> lecturer_name, method, venue;
  std::optional<int64_t> lecturer_id;
  int64_t started_at = 0, ended_at = 0, hours_tenths = 0;  // epoch ms; tenths of an hour
  bool required = false, first_course = false;
  std::optional<double> latitude, longitude;  // the geofence, with radius_m
  std::optional<int64_t> radius_m;
};

struct Quota {
  int64_t org_id = 0;
  std::string org_name;
  int64_t seats = 0, enrolled = 0;
};

struct TrainingDetail {
  Training training;
  std::vector<Session> sessions;
  std::vector<Quota> quotas;
  int64_t enrolled = 0, waitlisted = 0, completed = 0;
};

struct TrainingPage {
  std::vector<Training> items;
  int64_t total = 0;
};

// A session just added, with what its organizer should know (a busy venue).
struct NewSession {
  struct Warning {
    std::string code, message;
    int64_t session_id = 0;
  };
  Session session;
  std::vector<Warning> warnings;
};

struct QuotaAllocation {
  std::vector<std::pair<int64_t, int64_t>> quotas;  // (org_id, seats)
  int64_t total = 0, capacity = 0;
};

struct Enrolment {
  int64_t training_id = 0, member_id = 0;
  std::string name, status;  // enrolled, waitlisted
  int64_t seats_left = 0;
};

struct EnrolmentRow {
  int64_t member_id = 0;
  std::string name, status;
  std::optional<int64_t> exam_score;
  bool completed = false;
  int64_t hours_tenths = 0;
  std::optional<std::string> certificate_serial;
  std::optional<int64_t> quota_org_id;
};

// A member's recorded attendance of a session: a check-in, a roster mark or a leave.
struct Attendance {
  std::string status, method;
  int64_t at = 0;
  std::optional<std::string> reason;
};

struct AttendanceSheet {
  struct Row {
    int64_t member_id = 0;
    std::string name;
    std::optional<Attendance> checkin;
  };
  int64_t session_id = 0;
  std::vector<Row> items;
  int64_t checked_in = 0;  // present or late
};

// A class as its member sees it: his enrolment and his attendance of each session.
struct MyTraining {
  Training training;
  std::string status;
  bool completed = false;
  std::optional<std::string> certificate_serial;
  std::vector<std::pair<Session, std::optional<Attendance>>> sessions;
};

struct CheckInCode {
  int64_t session_id = 0, slot = 0;
  std::string token, code, url;
  int64_t expires_in_ms = 0;
};

struct CheckInResult {
  int64_t session_id = 0, member_id = 0;
  std::string status, method;  // present or late; qr or code
  int64_t at = 0;
  bool repeated = false;  // the first result again, for the same Idempotency-Key
};

struct LeaveResult {
  int64_t session_id = 0, member_id = 0;
  std::string reason;
};

struct RosterResult {
  int64_t session_id = 0, marked = 0;
};

struct Completion {
  int64_t training_id = 0, enrolled = 0, completed = 0, total_hours_tenths = 0;
};

struct Certificate {
  std::string serial, name;  // the name masked
  std::string training, level;
  int64_t hours_tenths = 0;
  std::string completed_on, from, to;
};

struct Delivery {
  int64_t id = 0, member_id = 0;
  std::string name, delivered_by, delivered_on, content;
  int64_t hours_tenths = 0;
};

struct TrainingStats {
  std::string from, to;
  int64_t classes = 0;
  std::map<std::string, int64_t> classes_by_level, people_by_target_group;
  std::map<int64_t, int64_t> people_by_affiliated_org;
  int64_t people_trained = 0, enrolments = 0, completed = 0, hours_tenths = 0;
};

struct Plan {
  int64_t id = 0, org_id = 0;
  std::string org_path;  // not in its JSON
  std::string title, kind;
  int64_t from_year = 0, to_year = 0;
  boost::json::object targets;
};

struct PlanDetail {
  struct Figure {
    std::string figure;  // "people_trained", "classes_by_level.unit", ...
    double target = 0, actual = 0;
  };
  Plan plan;
  TrainingStats actual;
  std::vector<Figure> plan_vs_actual;
};

boost::json::object to_json(const Training& t);
boost::json::object to_json(const Session& s);
boost::json::object to_json(const TrainingDetail& d);
boost::json::object to_json(const TrainingPage& p);
boost::json::object to_json(const NewSession& s);
boost::json::object to_json(const QuotaAllocation& q);
boost::json::object to_json(const Enrolment& e);
boost::json::object to_json(const std::vector<EnrolmentRow>& rows);
boost::json::object to_json(const AttendanceSheet& a);
boost::json::object to_json(const std::vector<MyTraining>& mine);
boost::json::object to_json(const CheckInCode& c);
boost::json::object to_json(const CheckInResult& r);
boost::json::object to_json(const LeaveResult& r);
boost::json::object to_json(const RosterResult& r);
boost::json::object to_json(const Completion& c);
boost::json::object to_json(const Certificate& c);
boost::json::object to_json(const Delivery& d);
boost::json::object to_json(const std::vector<Delivery>& deliveries);
boost::json::object to_json(const TrainingStats& s);
boost::json::object to_json(const Plan& p);
boost::json::object to_json(const std::vector<Plan>& plans);
boost::json::object to_json(const PlanDetail& d);

class TrainingService {
 public:
  TrainingService(store::Db& db, const Keys& keys, Config cfg)
      : db_(db),
        codes_(keys.subkey("qr"), "", cfg.slot_ms, cfg.pass_ms),
        cfg_(cfg),
        code_failures_(cfg.code_failures, cfg.code_failure_window_ms) {}

  // Classes, quotas, enrolment and completion (classes.cc).
  Result<Training> create(const auth::Principal& p, const TrainingInput& in);
  // Changes a class not yet completed (org:write, organized in scope): the
  // fields given, checked as a whole record; the organizer stays; the
  // capacity stays at least the enrolled and the allocated seats, and the
  // dates keep every session inside. Audited with before and after.
  Result<Training> update(const auth::Principal& p, int64_t id, const TrainingInput& patch);
  // The class with sessions, quotas and enrolment counts.
  Result<TrainingDetail> get(const auth::Principal& p, int64_t id);
  Result<TrainingPage> list(const auth::Principal& p, int64_t page, int64_t page_size);
  // Replaces the quotas (quota:manage): directly affiliated organizations,
  // seats adding up to at most the capacity.
  Result<QuotaAllocation> set_quotas(const auth::Principal& p, int64_t id,
                                     const std::vector<std::pair<int64_t, int64_t>>& quotas);
  Result<Enrolment> enrol(const auth::Principal& p, int64_t id, const EnrolInput& in);
  // Takes a member off the class (member:write, the member in scope), before
  // completion and before he has checked in; a freed seat goes to the first
  // waitlisted member of the same quota, whose id is answered. Audited.
  Result<std::optional<int64_t>> withdraw(const auth::Principal& p, int64_t id, int64_t member_id);
  // Cancels a class not yet completed (soft: it leaves every list, its
  // records stay); the reason is audited.
  Status cancel(const auth::Principal& p, int64_t id, const std::string& reason);
  // The enrolled in the caller's subtree.
  Result<std::vector<EnrolmentRow>> enrolments(const auth::Principal& p, int64_t id);
  // The classes of the caller as a member.
  Result<std::vector<MyTraining>> mine(const auth::Principal& p);
  Status set_exam_score(const auth::Principal& p, int64_t id, int64_t member_id, int64_t score);
  // Decides completion for every enrolled member, issues certificates and
  // posts the hours of those who completed to the ledger (source training).
  Result<Completion> complete(const auth::Principal& p, int64_t id);
  // Public: what a certificate says, the name masked.
  Result<Certificate> verify(const std::string& serial);

  // Sessions and check-in (checkin.cc).
  // Adds a session; answers it with any warnings (a venue used at the same time).
  Result<NewSession> add_session(const auth::Principal& p, int64_t id, const SessionInput& in);
  // Changes a session of a class not yet completed: the fields given, checked
  // as a whole record like a new one; once anyone has checked in, its time
  // and hours stay (409). Answers it with any venue warnings. Audited.
  Result<NewSession> update_session(const auth::Principal& p, int64_t id, int64_t session_id,
                                    const SessionInput& patch);
  // Cancels a session nobody has checked in to or asked leave from (it is
  // deleted; the audit row keeps it); 409 otherwise.
  Status remove_session(const auth::Principal& p, int64_t id, int64_t session_id);
  // A session's attendance so far: every enrolled member in the caller's
  // subtree with the check-in (status, method, time) or none, and the counts.
  Result<AttendanceSheet> attendance(const auth::Principal& p, int64_t id, int64_t session_id);
  // The current check-in URL, token and numeric code of a session, for the
  // venue's screen.
  Result<CheckInCode> qr(const auth::Principal& p, int64_t id, int64_t session_id,
                         const std::string& base_url);
  // The QR code as scanned (its slot and token, current or previous slot)
  // exchanged for a pass: the phone's page holds it, nobody else has it, and
  // it checks in once within Config::pass_ms. A forwarded link is worth
  // something only within the slot it was shown in. No caller is needed:
  // a member who must log in first scans, then logs in.
  struct ScanPass {
    std::string pass;
    int64_t expires_at;
  };
  Result<ScanPass> scan(int64_t session_id, int64_t slot, const std::string& token) const;
  // Checks the caller (a member) in with a scan's pass or the numeric code.
  // A member not enrolled is refused whatever he sends; wrong codes count
  // against Config::code_failures and are audited; a session with a
  // geofence needs the phone's location. A repeat with the same
  // idempotency key answers the first result. The
  // check-in joins the database's group commit: `done` runs once it has
  // committed (on the committing thread), or at once for a refusal that
  // needs no database.
  void check_in(const auth::Principal& p, const CheckIn& in,
                std::function<void(Result<CheckInResult>)> done);
  // A member asks leave for a session of a class he is enrolled in.
  Result<LeaveResult> request_leave(const auth::Principal& p, int64_t session_id,
                                    const std::string& reason);
  Result<RosterResult> mark_roster(const auth::Principal& p, int64_t id, int64_t session_id,
                                   const std::vector<Mark>& marks);

  // Learning delivered at home (deliveries.cc): records it for an infirm or
  // retired member and posts its hours to the ledger (source home_delivery).
  Result<Delivery> deliver(const auth::Principal& p, const DeliveryInput& in);
  // Deliveries to members of a subtree in a year.
  Result<std::vector<Delivery>> deliveries(const auth::Principal& p, std::optional<int64_t> org_id,
                                           int year);

  // Figures and plans (plans.cc).
  // Classes by level; distinct people enrolled, by target group and by
  // directly affiliated organization; hours; completion rate; for classes
  // starting within [from, to].
  Result<TrainingStats> stats(const auth::Principal& p, const std::string& from,
                              const std::string& to, std::optional<int64_t> org_id = std::nullopt);
  // Training plans: targets {"classes_by_level": {level: n}, "people_by_target_group":
  // {group: n}, "people_trained": n, "hours": n}, any subset.
  Result<Plan> create_plan(const auth::Principal& p, const PlanInput& in);
  Result<std::vector<Plan>> plans(const auth::Principal& p);
  // A plan with its targets against the actual figures of its years and subtree.
  Result<PlanDetail> plan(const auth::Principal& p, int64_t id);

  const Config& config() const { return cfg_; }
  // Token and code for a session and time slot (exposed for tests).
  std::string token_for(int64_t session_id, int64_t slot) const;
  std::string code_for(int64_t session_id, int64_t slot) const;
  int64_t slot_at(int64_t ms) const { return codes_.slot_at(ms); }

 private:
  store::Db& db_;
  RotatingCode codes_;
  Config cfg_;
  FailureThrottle code_failures_;  // per member and session
};

}  // namespace dj::training
