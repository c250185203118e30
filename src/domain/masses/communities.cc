// 双报到: communities, registrations and coverage (communities.h).
#include "domain/masses/communities.h"

#include <boost/json.hpp>
#include <set>

#include "common/json.h"
#include "common/time.h"
#include "common/validate.h"
#include "domain/audit/audit.h"
#include "domain/masses/internal.h"
#include "domain/member/citizen_id.h"
#include "domain/org/org.h"
#include "store/query.h"

namespace dj::masses {

namespace json = boost::json;
using auth::Perm;
using auth::Principal;
using detail::is_admin;
using detail::load_community;

namespace {

constexpr const char* kCommunityColumns =
    "k.id, k.code, k.name, k.street, k.district, k.contact, k.phone, k.created_at, k.updated_at";

Community community_from(const store::Row& r) {
  return {r.i64(0),     r.str(1),     r.str(2), r.str(3), r.str(4),
          r.opt_str(5), r.opt_str(6), r.i64(7), r.i64(8)};
}

Status validate(const CommunityInput& in) {
  Validator v;
  if (!in.code || in.code->empty() || in.code->size() > 30 ||
      in.code->find_first_not_of(
          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") !=
          std::string::npos) {
    v.add("code", "format", "1-30 letters, digits, '-' or '_'");
  }
  v.text("name", in.name, 100);
  v.text("street", in.street, 100);
  v.text("district", in.district, 50);
  v.text("contact", in.contact, 50, false);
  v.text("phone", in.phone, 30, false);
  return v.status();
}

constexpr const char* kRegistrationColumns =
    "r.id, r.community_id, k.name, r.org_id, o.path, r.member_id, m.name, m.phone_enc, "
    "r.registered_on, r.channel, r.status, r.agreement, r.contacts, r.reply, r.ended_on, "
    "r.end_reason, r.created_at, r.updated_at";
constexpr const char* kRegistrationFrom =
    " FROM community_registrations r JOIN communities k ON k.id = r.community_id JOIN orgs o ON "
    "o.id = r.org_id LEFT JOIN members m ON m.id = r.member_id WHERE 1=1";

Registration registration_from(const store::Row& r, const Keys& keys) {
  Registration x;
  x.id = r.i64(0);
  x.community_id = r.i64(1);
  x.community_name = r.str(2);
  x.org_id = r.i64(3);
  x.org_path = r.str(4);
  x.member_id = r.opt_i64(5);
  x.member_name = r.opt_str(6);
  if (!r.null(7)) {
    if (auto phone = keys.decrypt(r.str(7))) x.member_phone = member::mask_phone(*phone);
  }
  x.registered_on = r.str(8);
  x.channel = r.str(9);
  x.status = r.str(10);
  x.agreement = r.opt_str(11);
  x.contacts = r.opt_str(12);
  x.reply = r.opt_str(13);
  x.ended_on = r.opt_str(14);
  x.end_reason = r.opt_str(15);
  x.created_at = r.i64(16);
  x.updated_at = r.i64(17);
  return x;
}

Result<Registration> load_registration(store::Conn& c, const Keys& keys, int64_t id) {
  DJ_ASSIGN(auto r, c.query_opt(std::string("SELECT ") + kRegistrationColumns + kRegistrationFrom +
                                    " AND r.id = ?",
                                {id}));
  if (!r) return Error::not_found("registration " + std::to_string(id));
  std::vector<Registration> one{registration_from(*r, keys)};
  DJ_TRY(org::name_paths(c, one));
  return one[0];
}

// Whether p may see the registration: its community's account, an
// administrator of its organization, or the member himself.
bool may_read(const Principal& p, const Registration& x) {
  if (p.role == auth::Role::community) return p.community_id == x.community_id;
  if (x.member_id && p.member_id == x.member_id) return true;
  return is_admin(p) && auth::in_scope(p, x.org_path);
}

// The members who must report on `on` within [lo, hi): in the party, in an
// organization of the subtree on that date (their organization history), in
// service: not retired, or retired after it (their registration ended so),
// unless the retired report too. Binds on, on, lo, hi, retired_report, on.
constexpr const char* kRequiredMembers =
    " FROM members m JOIN member_org_history h ON h.member_id = m.id AND h.from_date <= ? AND "
    "(h.to_date IS NULL OR h.to_date > ?) JOIN orgs o ON o.id = h.org_id AND o.path >= ? AND "
    "o.path < ? WHERE m.deleted_at IS NULL AND m.political_status IN ('full', 'probationary') "
    "AND (m.retired = 0 OR ? = 1 OR EXISTS (SELECT 1 FROM community_registrations e WHERE "
    "e.member_id = m.id AND e.end_reason = 'retired' AND e.ended_on > ?))";
// The organizations that must report: the directly affiliated ones (under
// the committee) in [lo, hi). Binds lo, hi.
constexpr const char* kRequiredOrgs =
    " FROM orgs o WHERE o.depth = 1 AND o.deleted_at IS NULL AND o.path >= ? AND o.path < ?";
// An open registration of the member (or the organization) on a date, of a
// status. Binds on, on.
constexpr const char* kOpenMember =
    "EXISTS (SELECT 1 FROM community_registrations r WHERE r.member_id = m.id AND r.status = "
    "'{}' AND r.registered_on <= ? AND (r.ended_on IS NULL OR r.ended_on > ?))";
constexpr const char* kOpenOrg =
    "EXISTS (SELECT 1 FROM community_registrations r WHERE r.member_id IS NULL AND r.org_id = "
    "o.id AND r.status = '{}' AND r.registered_on <= ? AND (r.ended_on IS NULL OR r.ended_on > "
    "?))";

std::string open_with(const char* tmpl, std::string_view status) {
  std::string s = tmpl;
  return s.replace(s.find("{}"), 2, status);
}

Result<std::string> date_or_today(const std::optional<std::string>& on, const char* field) {
  if (!on) return today();
  if (!is_valid_date(*on)) return Error::invalid(field, "date", "must be a date (YYYY-MM-DD)");
  return *on;
}

// Inserts a registration after the checks, answering conflict (naming the
// field) when one is already open.
Result<Registration> insert(store::Conn& c, const Keys& keys, const Principal& p,
                            const RegistrationInput& in, int64_t org_id, const char* channel,
                            const std::string& path) {
  const int64_t now = now_ms();
  const char* field = in.member_id ? "member_id" : "org_id";
  DJ_ASSIGN(auto open,
            c.query_opt(in.member_id
                            ? "SELECT k.name, r.registered_on FROM community_registrations r JOIN "
                              "communities k ON k.id = r.community_id WHERE r.member_id = ? AND "
                              "r.ended_on IS NULL AND r.status <> 'rejected'"
                            : "SELECT k.name, r.registered_on FROM community_registrations r JOIN "
                              "communities k ON k.id = r.community_id WHERE r.member_id IS NULL "
                              "AND r.org_id = ? AND r.ended_on IS NULL AND r.status <> 'rejected'",
                        {in.member_id ? *in.member_id : org_id}));
  if (open) {
    const std::string why = "already registered with " + open->str(0) + " since " + open->str(1) +
                            "; end that registration first";
    return Error{ErrorCode::conflict, why, {{field, "registered", why}}};
  }
  auto ins = c.query_one(
      "INSERT INTO community_registrations (community_id, org_id, member_id, registered_on, "
      "channel, agreement, contacts, status, created_at, updated_at, created_by, updated_by) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?) RETURNING id",
      {*in.community_id, org_id, in.member_id, *in.registered_on, channel, in.agreement,
       in.contacts, now, now, p.user_id, p.user_id});
  if (!ins) {
    if (ins.error().code != ErrorCode::conflict) return ins.take_error();
    const std::string why = "already registered; end that registration first";
    return Error{ErrorCode::conflict, why, {{field, "registered", why}}};
  }
  DJ_ASSIGN(auto out, load_registration(c, keys, ins->i64(0)));
  DJ_TRY(audit::record(c, p.actor(),
                       {"community_registration.create",
                        "community_registration",
                        std::to_string(out.id),
                        path,
                        {},
                        to_json(out)}));
  return out;
}

}  // namespace

namespace detail {

Result<Community> load_community(store::Conn& c, int64_t id) {
  DJ_ASSIGN(auto r, c.query_opt(std::string("SELECT ") + kCommunityColumns +
                                    " FROM communities k WHERE k.id = ? AND k.deleted_at IS NULL",
                                {id}));
  if (!r) return Error::not_found("community " + std::to_string(id));
  return community_from(*r);
}

bool is_admin(const Principal& p) {
  return auth::has(p, Perm::org_read) && p.role != auth::Role::member &&
         p.role != auth::Role::lecturer;
}

Status check_year(int64_t year, bool next_too) {
  const int64_t last = std::stoll(today().substr(0, 4)) + (next_too ? 1 : 0);
  if (year < 2000 || year > last) {
    return Error::invalid(
        "year", "range",
        next_too ? "must be from 2000 to next year" : "must be from 2000 to this year");
  }
  return {};
}

void check_ids(Validator& v, const std::vector<int64_t>& ids) {
  if (ids.empty() || ids.size() > 500) v.add("ids", "size", "1 to 500 at once");
  std::set<int64_t> seen;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!seen.insert(ids[i]).second) {
      v.add("ids[" + std::to_string(i) + "]", "duplicate", "given twice");
    }
  }
}

}  // namespace detail

Result<CommunityPage> CommunityService::list(const Principal& p,
                                             const std::optional<std::string>& q, int64_t page,
                                             int64_t page_size) {
  if (p.role != auth::Role::community) DJ_TRY(auth::require(p, Perm::org_read));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<CommunityPage> {
    store::Filter f(" FROM communities k WHERE k.deleted_at IS NULL", {});
    if (p.role == auth::Role::community) f.add("k.id = ?", p.community_id.value_or(0));
    if (q && !q->empty()) {
      const std::string like = "%" + *q + "%";
      f.add("(k.name LIKE ? OR k.street LIKE ? OR k.district LIKE ? OR k.code LIKE ?)",
            {like, like, like, like});
    }
    DJ_ASSIGN(auto found,
              store::query_page(c, kCommunityColumns, f, "k.district, k.code", page, page_size));
    CommunityPage out;
    out.total = found.total;
    for (const auto& r : found.rows) out.items.push_back(community_from(r));
    return out;
  });
}

Result<Community> CommunityService::get(const Principal& p, int64_t id) {
  if (p.role == auth::Role::community ? p.community_id != id : !auth::has(p, Perm::org_read)) {
    return Error::not_found("community " + std::to_string(id));
  }
  return store::with_conn(db_, [&](store::Conn& c) { return load_community(c, id); });
}

Result<Community> CommunityService::create(const Principal& p, const CommunityInput& in) {
  DJ_TRY(auth::require(p, Perm::community_manage));
  DJ_TRY(validate(in));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Community> {
    const int64_t now = now_ms();
    auto ins = c.query_one(
        "INSERT INTO communities (code, name, street, district, contact, phone, qr_token, "
        "created_at, updated_at, created_by, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?) RETURNING id",
        {*in.code, *in.name, *in.street, *in.district, in.contact, in.phone, random_token(), now,
         now, p.user_id, p.user_id});
    if (!ins) {
      if (ins.error().code != ErrorCode::conflict) return ins.take_error();
      return Error{ErrorCode::conflict, "code already exists", {{"code", "taken", "exists"}}};
    }
    DJ_ASSIGN(auto out, load_community(c, ins->i64(0)));
    DJ_TRY(audit::record(
        c, p.actor(),
        {"community.create", "community", std::to_string(out.id), "/", {}, to_json(out)}));
    return out;
  });
}

Result<Community> CommunityService::update(const Principal& p, int64_t id,
                                           const CommunityInput& patch) {
  DJ_TRY(auth::require(p, Perm::community_manage));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Community> {
    DJ_ASSIGN(auto before, load_community(c, id));
    CommunityInput in{before.code,     before.name,    before.street,
                      before.district, before.contact, before.phone};
    // An empty contact or phone clears it.
    auto take = [](std::optional<std::string>& field, const std::optional<std::string>& v) {
      if (v) field = v->empty() ? std::nullopt : v;
    };
    if (patch.code) in.code = patch.code;
    if (patch.name) in.name = patch.name;
    if (patch.street) in.street = patch.street;
    if (patch.district) in.district = patch.district;
    take(in.contact, patch.contact);
    take(in.phone, patch.phone);
    DJ_TRY(validate(in));
    auto done = c.exec(
        "UPDATE communities SET code = ?, name = ?, street = ?, district = ?, contact = ?, "
        "phone = ?, updated_at = ?, updated_by = ? WHERE id = ?",
        {*in.code, *in.name, *in.street, *in.district, in.contact, in.phone, now_ms(), p.user_id,
         id});
    if (!done) {
      if (done.error().code != ErrorCode::conflict) return done.take_error();
      return Error{ErrorCode::conflict, "code already exists", {{"code", "taken", "exists"}}};
    }
    DJ_ASSIGN(auto after, load_community(c, id));
    DJ_TRY(audit::record(c, p.actor(),
                         {"community.update", "community", std::to_string(id), "/", to_json(before),
                          to_json(after)}));
    return after;
  });
}

Result<std::string> CommunityService::qr_token(const Principal& p, int64_t id) {
  if (!(auth::has(p, Perm::community_manage) ||
        (p.role == auth::Role::community && p.community_id == id))) {
    return Error::not_found("community " + std::to_string(id));
  }
  return store::with_conn(db_, [&](store::Conn& c) -> Result<std::string> {
    DJ_ASSIGN(
        auto r,
        c.query_opt("SELECT qr_token FROM communities WHERE id = ? AND deleted_at IS NULL", {id}));
    if (!r) return Error::not_found("community " + std::to_string(id));
    return r->str(0);
  });
}

Result<Community> CommunityService::by_token(const std::string& token) {
  return store::with_conn(db_, [&](store::Conn& c) -> Result<Community> {
    DJ_ASSIGN(auto r, c.query_opt(std::string("SELECT ") + kCommunityColumns +
                                      " FROM communities k WHERE k.qr_token = ? AND "
                                      "k.deleted_at IS NULL",
                                  {token}));
    if (!r) return Error::not_found("no community has this code");
    return community_from(*r);
  });
}

Result<Registration> CommunityService::register_one(const Principal& p,
                                                    const RegistrationInput& given) {
  DJ_TRY(auth::require(p, Perm::org_write));
  RegistrationInput in = given;
  if (!in.registered_on) in.registered_on = today();
  Validator v;
  if (!in.community_id) v.add("community_id", "required", "is required");
  if (in.member_id && in.org_id) {
    v.add("org_id", "not_allowed", "give an organization or a member, not both");
  } else if (!in.member_id && !in.org_id) {
    v.add("org_id", "required", "give the organization or the member that reports");
  }
  v.date("registered_on", in.registered_on, true);
  v.text("agreement", in.agreement, 2000, false);
  v.text("contacts", in.contacts, 200, false);
  if (in.registered_on && is_valid_date(*in.registered_on) && *in.registered_on > today()) {
    v.add("registered_on", "in_future", "must not be in the future");
  }
  DJ_TRY(v.status());
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Registration> {
    auto k = load_community(c, *in.community_id);
    if (!k) return Error::invalid("community_id", "unknown", "no such community");
    if (in.member_id) {
      DJ_ASSIGN(auto m, c.query_opt("SELECT m.org_id, o.path, m.political_status, m.retired FROM "
                                    "members m JOIN orgs o ON o.id = m.org_id WHERE m.id = ? AND "
                                    "m.deleted_at IS NULL",
                                    {*in.member_id}));
      if (!m || !auth::in_scope(p, m->str(1))) {
        return Error::invalid("member_id", "unknown", "no such member in your scope");
      }
      const bool in_party = m->str(2) == "full" || m->str(2) == "probationary";
      if (!in_party || (m->flag(3) && !cfg_.retired_report)) {
        return Error::invalid("member_id", "not_required",
                              "only members in the party (and in service, unless the retired "
                              "report too) report to a community");
      }
      return insert(c, keys_, p, in, m->i64(0), "admin", m->str(1));
    }
    auto o = org::OrgService::load(c, *in.org_id);
    if (!o || !auth::in_scope(p, o->path)) {
      return Error::invalid("org_id", "unknown", "no such organization in your scope");
    }
    return insert(c, keys_, p, in, o->id, "admin", o->path);
  });
}

Result<Registration> CommunityService::register_mine(const Principal& p, const std::string& token,
                                                     const std::optional<std::string>& on) {
  if (!p.member_id) return Error::forbidden("reporting by the community's code is a member's own");
  DJ_ASSIGN(const std::string date, date_or_today(on, "registered_on"));
  if (date > today())
    return Error::invalid("registered_on", "in_future", "must not be in the future");
  DJ_ASSIGN(auto k, by_token(token));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Registration> {
    DJ_ASSIGN(auto m, c.query_opt("SELECT m.org_id, o.path, m.political_status, m.retired FROM "
                                  "members m JOIN orgs o ON o.id = m.org_id WHERE m.id = ? AND "
                                  "m.deleted_at IS NULL",
                                  {*p.member_id}));
    if (!m) return Error::forbidden("reporting by the community's code is a member's own");
    const bool in_party = m->str(2) == "full" || m->str(2) == "probationary";
    if (!in_party || (m->flag(3) && !cfg_.retired_report)) {
      return Error::invalid("member_id", "not_required",
                            "only members in the party (and in service, unless the retired "
                            "report too) report to a community");
    }
    RegistrationInput in;
    in.community_id = k.id;
    in.member_id = p.member_id;
    in.registered_on = date;
    return insert(c, keys_, p, in, m->i64(0), "qr", m->str(1));
  });
}

Result<std::vector<Registration>> CommunityService::decide(
    const Principal& p, const std::vector<int64_t>& ids, const std::string& result,
    const std::optional<std::string>& reply) {
  DJ_TRY(auth::require(p, Perm::community_confirm));
  Validator v;
  if (result != "confirmed" && result != "rejected") {
    v.add("result", "unknown_code", "must be confirmed or rejected");
  }
  detail::check_ids(v, ids);
  v.text("reply", reply, 500, false);
  DJ_TRY(v.status());
  return store::with_tx(db_, [&](store::Conn& c) -> Result<std::vector<Registration>> {
    std::vector<Registration> out;
    const int64_t now = now_ms();
    for (size_t i = 0; i < ids.size(); ++i) {
      const std::string field = "ids[" + std::to_string(i) + "]";
      auto x = load_registration(c, keys_, ids[i]);
      // Another community's registration is not there for this one.
      if (!x || (p.role == auth::Role::community && p.community_id != x->community_id)) {
        return Error::invalid(field, "unknown", "no such registration with your community");
      }
      if (x->status != "pending" || x->ended_on) {
        const std::string why = "registration " + std::to_string(ids[i]) + " is already " +
                                (x->ended_on ? "ended" : x->status);
        return Error{ErrorCode::conflict, why, {{field, "decided", why}}};
      }
      DJ_TRY(
          c.exec("UPDATE community_registrations SET status = ?, reply = ?, decided_at = ?, "
                 "decided_by = ?, updated_at = ?, updated_by = ? WHERE id = ?",
                 {result, reply, now, p.user_id, now, p.user_id, ids[i]}));
      DJ_ASSIGN(auto after, load_registration(c, keys_, ids[i]));
      DJ_TRY(audit::record(
          c, p.actor(),
          {"community_registration." + std::string(result == "confirmed" ? "confirm" : "reject"),
           "community_registration", std::to_string(after.id), after.org_path, to_json(*x),
           to_json(after)}));
      out.push_back(std::move(after));
    }
    return out;
  });
}

Result<Registration> CommunityService::end(const Principal& p, int64_t id, const std::string& on,
                                           const std::string& reason) {
  Validator v;
  v.date("on", std::optional<std::string>(on), true);
  if (std::find(std::begin(kRegistrationEnds), std::end(kRegistrationEnds), reason) ==
      std::end(kRegistrationEnds)) {
    v.add("reason", "unknown_code", "must be moved, retired, transferred or other");
  }
  if (is_valid_date(on) && on > today()) v.add("on", "in_future", "must not be in the future");
  DJ_TRY(v.status());
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Registration> {
    auto x = load_registration(c, keys_, id);
    const bool own = x && x->member_id && p.member_id == x->member_id;
    if (!x || !(own || (auth::has(p, Perm::org_write) && auth::in_scope(p, x->org_path)))) {
      return Error::not_found("registration " + std::to_string(id));
    }
    if (x->ended_on || x->status == "rejected") {
      const std::string why = "the registration is no longer open";
      return Error{ErrorCode::conflict, why, {{"on", "ended", why}}};
    }
    if (on <= x->registered_on) {
      return Error::invalid("on", "before_start",
                            "must be after the registration date " + x->registered_on);
    }
    const int64_t now = now_ms();
    DJ_TRY(
        c.exec("UPDATE community_registrations SET ended_on = ?, end_reason = ?, updated_at "
               "= ?, updated_by = ? WHERE id = ?",
               {on, reason, now, p.user_id, id}));
    DJ_ASSIGN(auto after, load_registration(c, keys_, id));
    DJ_TRY(audit::record(c, p.actor(),
                         {"community_registration.end", "community_registration",
                          std::to_string(id), x->org_path, to_json(*x), to_json(after)}));
    return after;
  });
}

Result<Registration> CommunityService::get_registration(const Principal& p, int64_t id) {
  return store::with_conn(db_, [&](store::Conn& c) -> Result<Registration> {
    auto x = load_registration(c, keys_, id);
    if (!x || !may_read(p, *x)) return Error::not_found("registration " + std::to_string(id));
    return x;
  });
}

Result<RegistrationPage> CommunityService::registrations(const Principal& p,
                                                         const RegistrationQuery& q) {
  Validator v;
  if (q.kind && *q.kind != "org" && *q.kind != "member") {
    v.add("kind", "unknown_code", "must be org or member");
  }
  if (q.status && *q.status != "pending" && *q.status != "confirmed" && *q.status != "rejected") {
    v.add("status", "unknown_code", "must be pending, confirmed or rejected");
  }
  DJ_TRY(v.status());
  return store::with_conn(db_, [&](store::Conn& c) -> Result<RegistrationPage> {
    store::Filter f(kRegistrationFrom, {});
    if (p.role == auth::Role::community) {
      f.add("r.community_id = ?", p.community_id.value_or(0));
      if (q.org_id) {
        f.add("r.org_id = ?", *q.org_id);  // its own registrations of that organization
      }
    } else if (!is_admin(p)) {
      if (!p.member_id) return RegistrationPage{};
      f.add("r.member_id = ?", *p.member_id);
    } else {
      DJ_ASSIGN(const std::string scope, org::OrgService::subtree(c, p, q.org_id));
      f.add("o.path >= ? AND o.path < ?", {scope, auth::subtree_end(scope)});
    }
    if (q.community_id && p.role != auth::Role::community) {
      f.add("r.community_id = ?", *q.community_id);
    }
    if (q.kind) f.add_fixed(*q.kind == "org" ? "r.member_id IS NULL" : "r.member_id IS NOT NULL");
    f.add_if("r.status = ?", q.status);
    f.add_if("r.member_id = ?", q.member_id);
    if (q.on) {
      f.add("r.registered_on <= ? AND (r.ended_on IS NULL OR r.ended_on > ?)", {*q.on, *q.on});
    }
    DJ_ASSIGN(auto found,
              store::query_page(c, kRegistrationColumns, f, "r.registered_on DESC, r.id DESC",
                                q.page, q.page_size));
    RegistrationPage out;
    out.total = found.total;
    for (const auto& r : found.rows) out.items.push_back(registration_from(r, keys_));
    DJ_TRY(org::name_paths(c, out.items));
    return out;
  });
}

Result<Coverage> CommunityService::coverage(const Principal& p, std::optional<int64_t> org_id,
                                            const std::optional<std::string>& on) {
  DJ_TRY(auth::require(p, Perm::member_read));
  DJ_ASSIGN(const std::string date, date_or_today(on, "on"));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<Coverage> {
    DJ_ASSIGN(const std::string lo, org::OrgService::subtree(c, p, org_id));
    const std::string hi = auth::subtree_end(lo);
    Coverage out;
    out.on = date;
    DJ_ASSIGN(
        auto m,
        c.query_one(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN " + open_with(kOpenMember, "confirmed") +
                " THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN " +
                open_with(kOpenMember, "pending") + " THEN 1 ELSE 0 END), 0)" + kRequiredMembers,
            {date, date, date, date, date, date, lo, hi, int64_t{cfg_.retired_report}, date}));
    out.members = {m.i64(0), m.i64(1), m.i64(2)};
    DJ_ASSIGN(
        auto o,
        c.query_one("SELECT COUNT(*), COALESCE(SUM(CASE WHEN " + open_with(kOpenOrg, "confirmed") +
                        " THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN " +
                        open_with(kOpenOrg, "pending") + " THEN 1 ELSE 0 END), 0)" + kRequiredOrgs,
                    {date, date, date, date, lo, hi}));
    out.orgs = {o.i64(0), o.i64(1), o.i64(2)};
    return out;
  });
}

Result<UnregisteredPage> CommunityService::unregistered(const Principal& p,
                                                        std::optional<int64_t> org_id,
                                                        const std::optional<std::string>& on,
                                                        const std::string& kind, int64_t page,
                                                        int64_t page_size) {
  DJ_TRY(auth::require(p, Perm::member_read));
  if (kind != "org" && kind != "member") {
    return Error::invalid("kind", "unknown_code", "must be org or member");
  }
  DJ_ASSIGN(const std::string date, date_or_today(on, "on"));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<UnregisteredPage> {
    DJ_ASSIGN(const std::string lo, org::OrgService::subtree(c, p, org_id));
    const std::string hi = auth::subtree_end(lo);
    const bool members = kind == "member";
    store::Filter f(members ? kRequiredMembers : kRequiredOrgs,
                    members ? store::Params{date, date, lo, hi, int64_t{cfg_.retired_report}, date}
                            : store::Params{lo, hi});
    f.add("NOT " + open_with(members ? kOpenMember : kOpenOrg, "confirmed"), {date, date});
    // Waiting for the community: a pending registration open now.
    const std::string columns =
        members ? "o.id, o.path, m.id, m.name, CASE WHEN EXISTS (SELECT 1 FROM "
                  "community_registrations r WHERE r.member_id = m.id AND r.status = 'pending' "
                  "AND r.ended_on IS NULL) THEN 1 ELSE 0 END"
                : "o.id, o.path, NULL, NULL, CASE WHEN EXISTS (SELECT 1 FROM "
                  "community_registrations r WHERE r.member_id IS NULL AND r.org_id = o.id AND "
                  "r.status = 'pending' AND r.ended_on IS NULL) THEN 1 ELSE 0 END";
    DJ_ASSIGN(auto found,
              store::query_page(c, columns, f, members ? "o.path, m.name, m.id" : "o.path", page,
                                page_size));
    UnregisteredPage out;
    out.total = found.total;
    for (const auto& r : found.rows) {
      out.items.push_back({r.i64(0), r.str(1), "", r.opt_i64(2), r.opt_str(3), r.i64(4) != 0});
    }
    DJ_TRY(org::name_paths(c, out.items));
    return out;
  });
}

json::object to_json(const Community& k) {
  return {{"id", k.id},
          {"code", k.code},
          {"name", k.name},
          {"street", k.street},
          {"district", k.district},
          {"contact", or_null(k.contact)},
          {"phone", or_null(k.phone)},
          {"created_at", format_instant(k.created_at)},
          {"updated_at", format_instant(k.updated_at)}};
}

json::object to_json(const Registration& x) {
  return {{"id", x.id},
          {"kind", x.member_id ? "member" : "org"},
          {"community_id", x.community_id},
          {"community_name", x.community_name},
          {"org_id", x.org_id},
          {"org_path_name", x.org_path_name},
          {"member_id", or_null(x.member_id)},
          {"member_name", or_null(x.member_name)},
          {"member_phone", or_null(x.member_phone)},
          {"registered_on", x.registered_on},
          {"channel", x.channel},
          {"status", x.status},
          {"agreement", or_null(x.agreement)},
          {"contacts", or_null(x.contacts)},
          {"reply", or_null(x.reply)},
          {"ended_on", or_null(x.ended_on)},
          {"end_reason", or_null(x.end_reason)},
          {"created_at", format_instant(x.created_at)},
          {"updated_at", format_instant(x.updated_at)}};
}

json::object to_json(const Coverage& c) {
  auto count = [](const Coverage::Count& n) {
    return json::object{
        {"required", n.required}, {"registered", n.registered}, {"pending", n.pending}};
  };
  return {{"on", c.on}, {"orgs", count(c.orgs)}, {"members", count(c.members)}};
}

json::object to_json(const Unregistered& u) {
  return {{"org_id", u.org_id},
          {"org_path_name", u.org_path_name},
          {"member_id", or_null(u.member_id)},
          {"member_name", or_null(u.member_name)},
          {"pending", u.pending}};
}

}  // namespace dj::masses
