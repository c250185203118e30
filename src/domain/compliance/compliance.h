// Rules as data, and their evaluation for a period and an organization subtree.
//
// A rule has a stable code and versions; the version in force on a unit's
// last day (its due date) is the one that counts. Kinds:
//   org_count          activities of given types per organization per unit
//   leader_lecture     lectures given by each leading cadre per unit
//   leader_branch_life each leading cadre's attendance at branch-level
//                      organizational life per unit
//   person_hours       each member's ledger hours per year, with exemptions
//   silence_org        organizations with no activity for N days
//   silence_member     members with no organizational life for N months
// Periods count activities by the date held (Asia/Shanghai). A unit still
// running is "due" until its last day, never "missed".
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/period.h"
#include "domain/auth/principal.h"
#include "store/db.h"

namespace dj::compliance {

// The kinds above; kRuleKinds holds their codes in this order.
enum class RuleKind {
  org_count,
  leader_lecture,
  leader_branch_life,
  person_hours,
  silence_org,
  silence_member
};
inline constexpr const char* kRuleKinds[] = {"org_count",    "leader_lecture", "leader_branch_life",
                                             "person_hours", "silence_org",    "silence_member"};
std::optional<RuleKind> parse_rule_kind(std::string_view s);
const char* to_string(RuleKind k);

struct Rule {
  int64_t id = 0;
  std::string code;
  int version = 1;
  RuleKind kind = RuleKind::org_count;
  boost::json::object params;
  std::string effective_from;
  std::string source, label_zh, label_en;
  bool enabled = true;
};

boost::json::object to_json(const Rule& r);

struct RuleInput {
  std::optional<std::string> code, kind, effective_from, source, label_zh, label_en;
  std::optional<boost::json::object> params;
  std::optional<bool> enabled;
};

struct Item {
  std::string rule;  // code
  std::string unit;  // "2021-04", "2021Q2", "2021"
  std::string from, to;
  int64_t required = 0, actual = 0;  // hours rules: tenths of an hour
  std::string status;                // met, due, missed
};

struct OrgResult {
  int64_t org_id = 0;
  std::optional<int64_t> parent_id;
  std::string name, type, path;
  std::vector<Item> items;
  int64_t met = 0, missed = 0, due = 0;
  int64_t subtree_met = 0, subtree_missed = 0, subtree_due = 0;
};

struct PersonResult {
  int64_t member_id = 0;
  std::string name;
  int64_t org_id = 0;
  std::vector<Item> items;
};

struct Alert {
  std::string rule, subject;  // subject: org or member
  int64_t id = 0;
  std::string name;
  std::optional<std::string> last_date;  // last activity / organizational life
  int64_t days = 0;                      // days without
};

struct Report {
  Period period;
  std::string as_of;  // the earlier of today and the period's end
  int64_t org_id = 0;
  std::vector<OrgResult> orgs;  // the subtree, tree order
  std::vector<PersonResult> people;
  std::vector<Alert> alerts;
};

boost::json::object to_json(const Report& r);

struct HoursEntry {
  std::string on_date, source, title;
  int64_t source_id = 0, hours_tenths = 0;
};

struct MemberHours {
  int64_t member_id = 0;
  std::string name;
  int64_t org_id = 0;
  int year = 0;
  int64_t total_tenths = 0, target_tenths = 0;
  bool exempt = false;
  std::vector<HoursEntry> entries;  // only for one member's view
};

boost::json::object to_json(const MemberHours& h);

class ComplianceService {
 public:
  explicit ComplianceService(store::Db& db) : db_(db) {}

  // Every version of every rule, newest version first within a code.
  Result<std::vector<Rule>> rules(const auth::Principal& p);
  // Adds a version of a rule (a new code starts at version 1); committee_admin.
  Result<Rule> add_rule_version(const auth::Principal& p, const RuleInput& in);

  Result<Report> evaluate(const auth::Principal& p, const Period& period,
                          std::optional<int64_t> org_id);

  // One member's ledger for a year against the target (the member himself or
  // a reader in scope).
  Result<MemberHours> member_hours(const auth::Principal& p, int64_t member_id, int year);
  // Members of a subtree with their totals and targets; `below_target` keeps
  // those short of it.
  Result<std::vector<MemberHours>> org_hours(const auth::Principal& p, int64_t org_id, int year,
                                             bool below_target);

 private:
  store::Db& db_;
};

}  // namespace dj::compliance
