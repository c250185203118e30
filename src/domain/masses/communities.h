// 双报到: the communities (社区) of the city, the organizations and the
// in-service members who report to them, each registration confirmed by its
// community, and the coverage the period report quotes (registered of those
// that must). A community account (role community) sees only its own
// community's registrations: names, organizations and a masked phone, never
// a citizen ID.
#pragma once

#include <boost/json/fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "common/result.h"
#include "domain/auth/principal.h"
#include "store/db.h"

namespace dj::masses {

inline constexpr const char* kRegistrationKinds[] = {"org", "member"};
inline constexpr const char* kRegistrationStatuses[] = {"pending", "confirmed", "rejected"};
// How a registration was made: by an administrator, or by the member
// scanning the community's code.
inline constexpr const char* kRegistrationChannels[] = {"admin", "qr"};
// Why a registration ended: the member moved home, retired, left for another
// organization, or otherwise.
inline constexpr const char* kRegistrationEnds[] = {"moved", "retired", "transferred", "other"};

struct CommunityInput {
  std::optional<std::string> code, name, street, district, contact, phone;
};

struct Community {
  int64_t id = 0;
  std::string code, name, street, district;
  std::optional<std::string> contact, phone;  // the community office's
  int64_t created_at = 0, updated_at = 0;
};

struct CommunityPage {
  std::vector<Community> items;
  int64_t total = 0;
};

struct RegistrationInput {
  std::optional<int64_t> community_id, org_id, member_id;  // member_id: a member's
  std::optional<std::string> registered_on, agreement, contacts;
};

struct Registration {
  int64_t id = 0, community_id = 0, org_id = 0;
  std::string community_name, org_path;  // org_path not in its JSON
  std::string org_path_name;
  std::optional<int64_t> member_id;
  std::optional<std::string> member_name, member_phone;  // the phone masked
  std::string registered_on, channel, status;
  std::optional<std::string> agreement, contacts, reply, ended_on, end_reason;
  int64_t created_at = 0, updated_at = 0;
};

struct RegistrationQuery {
  std::optional<std::string> kind, status;
  std::optional<int64_t> community_id, org_id, member_id;
  std::optional<std::string> on;  // open on that date
  int64_t page = 1, page_size = 50;
};

struct RegistrationPage {
  std::vector<Registration> items;
  int64_t total = 0;
};

// Who must report on a date, and how many have a confirmed registration then.
struct Coverage {
  struct Count {
    int64_t required = 0, registered = 0, pending = 0;
  };
  std::string on;
  Count orgs, members;
};

// One that must report and has no confirmed registration open on the date.
struct Unregistered {
  int64_t org_id = 0;
  std::string org_path, org_path_name;  // org_path not in its JSON
  std::optional<int64_t> member_id;
  std::optional<std::string> member_name;
  bool pending = false;  // registered, waiting for the community
};

struct UnregisteredPage {
  std::vector<Unregistered> items;
  int64_t total = 0;
};

class CommunityService {
 public:
  CommunityService(store::Db& db, const Keys& keys) : db_(db), keys_(keys) {}

  // The registry: readable by every account of the tree (org:read) to pick
  // from; a community account reads its own.
  Result<CommunityPage> list(const auth::Principal& p, const std::optional<std::string>& q,
                             int64_t page, int64_t page_size);
  Result<Community> get(const auth::Principal& p, int64_t id);
  // community:manage (the committee). Code unique, name, street, district required.
  Result<Community> create(const auth::Principal& p, const CommunityInput& in);
  Result<Community> update(const auth::Principal& p, int64_t id, const CommunityInput& patch);
  // The secret in the community's registration code (its QR): to the
  // committee and to the community's own accounts.
  Result<std::string> qr_token(const auth::Principal& p, int64_t id);
  // The community a scanned code names, to any member.
  Result<Community> by_token(const auth::Principal& p, const std::string& token);

  // An administrator registers an organization (org_id) or a member
  // (member_id) of his subtree; the member must be one who must report
  // (in the party, not retired). Pending until the community confirms.
  // Conflict when one is already open (end it first, e.g. on moving home).
  Result<Registration> register_one(const auth::Principal& p, const RegistrationInput& in);
  // A member reports himself by the community's code (channel qr).
  Result<Registration> register_mine(const auth::Principal& p, const std::string& token,
                                     const std::optional<std::string>& registered_on);
  // The community's answer on registrations of its own (or the committee's
  // for any): confirmed or rejected, all of them or none.
  Result<std::vector<Registration>> decide(const auth::Principal& p,
                                           const std::vector<int64_t>& ids,
                                           const std::string& result,
                                           const std::optional<std::string>& reply);
  // Ends an open registration on a date with a reason (kRegistrationEnds):
  // an administrator of its organization, or the member himself.
  Result<Registration> end(const auth::Principal& p, int64_t id, const std::string& on,
                           const std::string& reason);
  Result<Registration> get_registration(const auth::Principal& p, int64_t id);
  // A subtree's registrations (an administrator), a community's own (a
  // community account), or a member's own history (a member).
  Result<RegistrationPage> registrations(const auth::Principal& p, const RegistrationQuery& q);
  // On a date (default today), in a subtree: the directly affiliated
  // organizations and the members in the party and in service there then.
  Result<Coverage> coverage(const auth::Principal& p, std::optional<int64_t> org_id,
                            const std::optional<std::string>& on);
  Result<UnregisteredPage> unregistered(const auth::Principal& p, std::optional<int64_t> org_id,
                                        const std::optional<std::string>& on,
                                        const std::string& kind, int64_t page, int64_t page_size);

 private:
  store::Db& db_;
  const Keys& keys_;
};

boost::json::object to_json(const Community& c);
boost::json::object to_json(const Registration& r);
boost::json::object to_json(const Coverage& c);
boost::json::object to_json(const Unregistered& u);

}  // namespace dj::masses
