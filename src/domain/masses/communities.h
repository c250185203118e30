// 双报到: the communities (社区) of the city, the organizations and the
// in-service members who report to them, each registration confirmed by its
// community, and the coverage the period report quotes (registered of those
// that must). A community account (role community) sees only its own
// community's registrations: names, organizations and a masked phone, never
// a citizen ID.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "common/result.h"
#include "common/rotating_code.h"
#include "common/throttle.h"
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

// A community's call: a need of its residents, or a volunteer post.
inline constexpr const char* kPostKinds[] = {"need", "volunteer"};
// A service: signed up to a post, checked in there, recorded after the fact
// (pending), then confirmed or rejected by the community.
inline constexpr const char* kServiceStatuses[] = {"signed_up", "present", "pending", "confirmed",
                                                   "rejected"};

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

struct PostInput {
  std::optional<int64_t> community_id, slots;  // community_id: the committee's choice
  std::optional<std::string> kind, title, category, description, place, starts_at, ends_at;
  std::optional<double> hours;  // credited to each who serves
};

struct Post {
  int64_t id = 0, community_id = 0;
  std::string community_name, kind, title, category, place;
  std::optional<std::string> description;
  int64_t starts_at = 0, ends_at = 0;
  std::optional<int64_t> slots;
  int64_t hours_tenths = 0, signed_up = 0;
  bool cancelled = false;
  int64_t created_at = 0;
};

struct PostPage {
  std::vector<Post> items;
  int64_t total = 0;
};

// A service done after the fact, by an organization (no member_id) or a
// member, waiting for the community's confirmation.
struct ServiceInput {
  std::optional<int64_t> community_id, org_id, member_id;
  std::optional<std::string> title, category, served_on, note;
  std::optional<double> hours;
};

struct Service {
  int64_t id = 0, community_id = 0, org_id = 0;
  std::string community_name, org_path;  // org_path not in its JSON
  std::string org_path_name;
  std::optional<int64_t> member_id, post_id, rating;
  std::optional<std::string> member_name, checkin_method, rating_comment, reply, note;
  std::string title, category, served_on, status;
  int64_t hours_tenths = 0;
  std::optional<int64_t> checked_in_at;
  int64_t created_at = 0, updated_at = 0;
};

struct ServiceQuery {
  std::optional<std::string> kind, status, category, from, to;  // from/to: served_on
  std::optional<int64_t> community_id, org_id, member_id, post_id;
  int64_t page = 1, page_size = 50;
};

struct ServicePage {
  std::vector<Service> items;
  int64_t total = 0;
};

// Confirmed services of a subtree served within [from, to]: by
// organizations and by members, each also by category.
struct ServiceFigures {
  struct Count {
    int64_t services = 0;
    std::map<std::string, int64_t> by_category;
  };
  std::string from, to;
  Count orgs, members;
};

// The rotating code of a post's check-in, for the community's screen.
struct ServiceCode {
  int64_t post_id = 0, slot = 0;
  std::string code, url;
  int64_t expires_in_ms = 0;
};

struct ServiceCheckIn {
  int64_t post_id = 0;
  std::optional<std::string> pass, code;  // the scan's pass, or the six digits
};

// What keys a post's codes apart from a training session's with the same id.
inline constexpr const char* kServiceCodePurpose = "service:";

// 双报告: a member's yearly report to his branch, or an organization's to
// its community, drafted from the year's records and edited before it is sent.
struct DualReport {
  int64_t id = 0;  // 0: a draft not saved yet
  int64_t year = 0, org_id = 0;
  std::string org_path, org_path_name;  // org_path not in its JSON
  std::optional<int64_t> member_id, community_id;
  std::optional<std::string> member_name, community_name;
  std::string body;             // the text, as drafted or edited
  boost::json::object figures;  // what the draft was made from
  std::string draft;            // the text the records give now
  std::optional<int64_t> sent_at;
  int64_t updated_at = 0;
};

struct ServiceConfig {
  // Who must report to a community: members in the party and in service;
  // with this, the retired too (serve --retired-report-to-community).
  bool retired_report = false;
  int64_t slot_ms = 10000, pass_ms = 3 * 60000;
  int64_t open_before_ms = 30 * 60000;  // check-in opens this long before the start
  int code_failures = 5;
  int64_t code_failure_window_ms = 60000;
};

class CommunityService {
 public:
  CommunityService(store::Db& db, const Keys& keys, ServiceConfig cfg = {})
      : db_(db),
        keys_(keys),
        cfg_(cfg),
        codes_(keys.subkey("qr"), kServiceCodePurpose, cfg.slot_ms, cfg.pass_ms),
        code_failures_(cfg.code_failures, cfg.code_failure_window_ms) {}

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
  // The community a scanned code names (the route lets any signed-in account ask).
  Result<Community> by_token(const std::string& token);

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

  // Services (services.cc). A community (its account, or the committee
  // naming it) publishes a need or a volunteer post.
  Result<Post> create_post(const auth::Principal& p, const PostInput& in);
  // Cancels a post; those signed up who have not served are rejected.
  Result<Post> cancel_post(const auth::Principal& p, int64_t id);
  // Posts, latest start first: a community's own; to everyone else every
  // community's (open_only: not ended nor cancelled).
  Result<PostPage> posts(const auth::Principal& p, std::optional<int64_t> community_id,
                         bool open_only, int64_t page, int64_t page_size);
  // A member signs up while the post is open and has room (conflict twice).
  Result<Service> sign_up(const auth::Principal& p, int64_t post_id);
  // The current code of a post for the community's screen.
  Result<ServiceCode> code(const auth::Principal& p, int64_t post_id, const std::string& base_url);
  // The scanned token (current or previous slot) traded for a pass.
  Result<std::string> scan(int64_t post_id, int64_t slot, const std::string& token) const;
  // Checks a member who signed up in, from 30 minutes before the start to
  // the end, with the pass or the code; wrong codes are throttled per member
  // and post and audited. Joins the group commit: `done` runs once it has
  // committed. A repeat answers the service as it is.
  void check_in(const auth::Principal& p, const ServiceCheckIn& in,
                std::function<void(Result<Service>)> done);
  // A service done after the fact: an administrator's organization (or a
  // member of his subtree), or a member's own. Pending.
  Result<Service> record(const auth::Principal& p, const ServiceInput& in);
  // The community confirms (with the hours, default the post's or those
  // recorded) or rejects services present or pending, its own only; all or none.
  Result<std::vector<Service>> decide_services(const auth::Principal& p,
                                               const std::vector<int64_t>& ids,
                                               const std::string& result,
                                               std::optional<double> hours,
                                               const std::optional<std::string>& reply);
  // The community that received a confirmed service rates it (1-5); the
  // organization sees the rating with the service.
  Result<Service> rate(const auth::Principal& p, int64_t id, int64_t rating,
                       const std::optional<std::string>& comment);
  Result<ServicePage> services(const auth::Principal& p, const ServiceQuery& q);
  Result<ServiceFigures> service_figures(const auth::Principal& p, std::optional<int64_t> org_id,
                                         const std::string& from, const std::string& to);

  // 双报告 (reports.cc). The year's report as saved, or drafted from the
  // records: the caller's own (a member, org_id left out), or an
  // organization's in scope. A part without records says so.
  Result<DualReport> dual_report(const auth::Principal& p, int64_t year,
                                 std::optional<int64_t> org_id);
  // Saves the text (the member's own, or an administrator's organization's)
  // until it is sent; conflict after.
  Result<DualReport> save_dual_report(const auth::Principal& p, int64_t year,
                                      std::optional<int64_t> org_id, const std::string& body);
  // Sends it: to the branch (a member's) or to the community it reported to
  // (an organization's, which must have one); fixed from then on.
  Result<DualReport> send_dual_report(const auth::Principal& p, int64_t id);
  // Reports of a year: a subtree's (an administrator: members' and
  // organizations'), those sent to the community (its account), or the own.
  Result<std::vector<DualReport>> dual_reports(const auth::Principal& p, int64_t year,
                                               std::optional<int64_t> org_id);

 private:
  store::Db& db_;
  const Keys& keys_;
  ServiceConfig cfg_;
  RotatingCode codes_;
  FailureThrottle code_failures_;  // per member and post
};

boost::json::object to_json(const Community& c);
boost::json::object to_json(const Registration& r);
boost::json::object to_json(const Coverage& c);
boost::json::object to_json(const Unregistered& u);
boost::json::object to_json(const Post& x);
boost::json::object to_json(const Service& x);
boost::json::object to_json(const ServiceFigures& f);
boost::json::object to_json(const ServiceCode& c);
boost::json::object to_json(const DualReport& r);

}  // namespace dj::masses
