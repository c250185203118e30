// Party members: the national member form's fields and codes, validated;
// citizen ID and phone encrypted at rest and masked on output; organization
// history kept across transfers.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/crypto.h"
#include "domain/auth/principal.h"
#include "store/db.h"
#include "store/query.h"

namespace dj::member {

// The codes a member record's fields take: validation, the API's enums.
inline constexpr const char* kGenders[] = {"male", "female"};
inline constexpr const char* kStatuses[] = {"full", "probationary", "development_target",
                                            "activist", "applicant"};
inline constexpr const char* kRanks[] = {"bureau", "division", "section", "staff", "none"};
inline constexpr const char* kPosts[] = {"secretary", "deputy_secretary", "committee_member",
                                         "group_leader", "none"};
inline constexpr const char* kStandings[] = {"normal", "suspended", "lost_contact"};

// A leading cadre (领导干部) holds a division- or bureau-level rank.
inline bool is_leading_cadre(std::string_view cadre_rank) {
  return cadre_rank == "division" || cadre_rank == "bureau";
}
// The same test in SQL, for `<column> IN kLeadingCadreRanksSql`.
inline constexpr const char* kLeadingCadreRanksSql = "('division', 'bureau')";

// Whom a training class or a course assignment is for (学员类别).
inline constexpr const char* kTargetGroups[] = {"new_members",         "activists",
                                                "development_targets", "party_workers",
                                                "leading_cadres",      "all_members"};
struct GroupFacts {
  std::string political_status, cadre_rank;
  bool party_worker = false;
  std::optional<std::string> joined_on;
};
// Whether a member is in any of `groups` (no groups: everyone); a new member
// joined within `new_member_months`.
bool in_target_groups(const std::vector<std::string>& groups, const GroupFacts& m,
                      int new_member_months);

struct Member {
  int64_t id = 0;
  int64_t org_id = 0;
  std::string org_name, org_path;
  std::string org_path_name;  // org::path_names: filled by get and list
  std::string name, gender;
  std::optional<std::string> ethnicity, birth_date, education;
  std::string citizen_id;  // plaintext in memory only
  std::optional<std::string> phone;
  std::optional<std::string> joined_on, full_member_on;
  std::string political_status, cadre_rank, standing, post;
  std::optional<std::string> work_unit, job_title;
  bool retired = false, infirm = false, party_worker = false;
  std::vector<std::string> tags;
  int64_t created_at = 0, updated_at = 0;
};

// The writable fields; absent optionals mean "not given".
struct MemberInput {
  std::optional<int64_t> org_id;
  std::optional<std::string> name, gender, ethnicity, birth_date, education, citizen_id, phone,
      joined_on, full_member_on, political_status, work_unit, job_title, cadre_rank, standing, post;
  std::optional<bool> retired, infirm, party_worker;
  std::optional<std::vector<std::string>> tags;
};

struct MemberConfig {
  int new_member_months = 12;
};

// JSON for output, citizen ID and phone always masked (the full values are
// MemberService::reveal). Derived categories (leading cadre, new member) are
// computed here, never stored.
boost::json::object to_json(const Member& m, const MemberConfig& cfg);

// One member's personal information in full.
struct Pii {
  std::string citizen_id;
  std::optional<std::string> phone;
};

struct ListQuery {
  std::optional<int64_t> org_id;  // subtree; default the caller's scope
  std::optional<std::string> political_status, cadre_rank, post;
  std::optional<bool> retired, infirm, party_worker, leading_cadre, new_member;
  std::string q;  // name contains
  int64_t page = 1, page_size = 50;
};

struct Page {
  std::vector<Member> items;
  int64_t total = 0;
};

// A pasted line (a name or a citizen ID) and the members in scope it names:
// one when found, several when people share the name, none when not found.
struct Match {
  std::string line;
  std::vector<Member> members;
};

struct Transfer {
  std::optional<int64_t> to_org_id;
  std::optional<std::string> date;  // default today
  std::optional<std::string> reason;
};

struct HistoryEntry {
  int64_t org_id;
  std::string org_name;
  std::string from_date;
  std::optional<std::string> to_date;
  std::optional<std::string> reason;
};

class MemberService {
 public:
  MemberService(store::Db& db, const Keys& keys, MemberConfig cfg)
      : db_(db), keys_(keys), cfg_(cfg) {}

  const MemberConfig& config() const { return cfg_; }
  // True when p may reveal this member's citizen ID and phone: member:pii,
  // or the member himself.
  bool may_see_pii(const auth::Principal& p, const Member& m) const;
  // The citizen ID and phone in full: one explicit act on one record, audited
  // (member.pii_revealed); forbidden without may_see_pii.
  Result<Pii> reveal(const auth::Principal& p, int64_t id);

  // not_found when absent, deleted, or outside what p may read.
  Result<Member> get(const auth::Principal& p, int64_t id);
  Result<Page> list(const auth::Principal& p, const ListQuery& q);
  // Finds the members a pasted list names, one name or citizen ID a line
  // (blank lines and repeats dropped; at most kMaxMatchLines), within the
  // caller's scope or `org_id`'s subtree: exact names, citizen IDs by their
  // lookup hash. At most 5 namesakes a line.
  static constexpr size_t kMaxMatchLines = 1000;
  Result<std::vector<Match>> match(const auth::Principal& p, const std::vector<std::string>& lines,
                                   std::optional<int64_t> org_id);
  // Calls `fn` for every member the list filters match (paging ignored), in
  // organization order, reading a batch at a time: exports of any size.
  Status for_each(const auth::Principal& p, const ListQuery& q,
                  const std::function<Status(const Member&)>& fn);
  Result<Member> create(const auth::Principal& p, const MemberInput& in);
  Result<Member> update(const auth::Principal& p, int64_t id, const MemberInput& patch);
  Result<Member> transfer(const auth::Principal& p, int64_t id, const Transfer& t);
  Status remove(const auth::Principal& p, int64_t id);
  Result<std::vector<HistoryEntry>> history(const auth::Principal& p, int64_t id);

  // Inserts a validated member (see validate) without permission checks or
  // audit, inside the caller's transaction: create() and bulk loads use it.
  Result<int64_t> insert(store::Conn& c, MemberInput in, std::optional<int64_t> by);
  // The same for many, in multi-row statements (imports).
  Status insert_many(store::Conn& c, const std::vector<const MemberInput*>& inputs,
                     std::optional<int64_t> by);
  // Checks every rule on a new member's input, after filling the defaults
  // (codes "none"/"normal") and what the citizen ID implies (birth date, gender).
  static Status validate(const MemberInput& in);
  // The members (not deleted) with these citizen IDs, by citizen ID; no scope check.
  Result<std::unordered_map<std::string, Member>> find_by_citizen_ids(
      store::Conn& c, const std::vector<std::string>& citizen_ids) const;
  // A member's writable fields as input, for merging a change into them.
  static MemberInput input_of(const Member& m);
  // Writes a validated, complete input over `before` without permission
  // checks or audit (the caller does both); a new org_id moves the member
  // with a history entry giving `reason`.
  Status overwrite(store::Conn& c, const Member& before, MemberInput in, std::optional<int64_t> by,
                   const std::string& reason);

 private:
  Result<store::Filter> filter_of(store::Conn& c, const auth::Principal& p,
                                  const ListQuery& q) const;
  Result<Member> load(store::Conn& c, int64_t id);
  Result<Member> load_readable(store::Conn& c, const auth::Principal& p, int64_t id);

  store::Db& db_;
  const Keys& keys_;
  MemberConfig cfg_;
};

}  // namespace dj::member
