// Services to communities (communities.h): posts, sign-up, on-site check-in
// by the rotating code through the group commit, services recorded after the
// fact, the community's confirmation and rating, and the figures.
#include <fmt/format.h>

#include <boost/json.hpp>
#include <cmath>
#include <set>

#include "common/json.h"
#include "common/time.h"
#include "common/validate.h"
#include "domain/audit/audit.h"
#include "domain/masses/communities.h"
#include "domain/masses/internal.h"
#include "domain/org/org.h"
#include "store/group_commit.h"
#include "store/query.h"

namespace dj::masses {

namespace json = boost::json;
using auth::Perm;
using auth::Principal;
using detail::is_admin;
using detail::load_community;

namespace {

constexpr const char* kPostColumns =
    "x.id, x.community_id, k.name, x.kind, x.title, x.category, x.description, x.place, "
    "x.starts_at, x.ends_at, x.slots, x.hours_tenths, x.cancelled_at, x.created_at, (SELECT "
    "COUNT(*) FROM community_services s WHERE s.post_id = x.id AND s.status <> 'rejected')";
constexpr const char* kPostFrom =
    " FROM community_posts x JOIN communities k ON k.id = x.community_id WHERE 1=1";

Post post_from(const store::Row& r) {
  Post x;
  x.id = r.i64(0);
  x.community_id = r.i64(1);
  x.community_name = r.str(2);
  x.kind = r.str(3);
  x.title = r.str(4);
  x.category = r.str(5);
  x.description = r.opt_str(6);
  x.place = r.str(7);
  x.starts_at = r.i64(8);
  x.ends_at = r.i64(9);
  x.slots = r.opt_i64(10);
  x.hours_tenths = r.i64(11);
  x.cancelled = !r.null(12);
  x.created_at = r.i64(13);
  x.signed_up = r.i64(14);
  return x;
}

Result<Post> load_post(store::Conn& c, int64_t id) {
  DJ_ASSIGN(auto r,
            c.query_opt(std::string("SELECT ") + kPostColumns + kPostFrom + " AND x.id = ?", {id}));
  if (!r) return Error::not_found("post " + std::to_string(id));
  return post_from(*r);
}

constexpr const char* kServiceColumns =
    "s.id, s.community_id, k.name, s.org_id, o.path, s.member_id, m.name, s.post_id, s.title, "
    "s.category, s.served_on, s.hours_tenths, s.status, s.checkin_method, s.checked_in_at, "
    "s.rating, s.rating_comment, s.reply, s.note, s.created_at, s.updated_at";
constexpr const char* kServiceFrom =
    " FROM community_services s JOIN communities k ON k.id = s.community_id JOIN orgs o ON o.id "
    "= s.org_id LEFT JOIN members m ON m.id = s.member_id WHERE 1=1";

Service service_from(const store::Row& r) {
  Service x;
  x.id = r.i64(0);
  x.community_id = r.i64(1);
  x.community_name = r.str(2);
  x.org_id = r.i64(3);
  x.org_path = r.str(4);
  x.member_id = r.opt_i64(5);
  x.member_name = r.opt_str(6);
  x.post_id = r.opt_i64(7);
  x.title = r.str(8);
  x.category = r.str(9);
  x.served_on = r.str(10);
  x.hours_tenths = r.i64(11);
  x.status = r.str(12);
  x.checkin_method = r.opt_str(13);
  x.checked_in_at = r.opt_i64(14);
  x.rating = r.opt_i64(15);
  x.rating_comment = r.opt_str(16);
  x.reply = r.opt_str(17);
  x.note = r.opt_str(18);
  x.created_at = r.i64(19);
  x.updated_at = r.i64(20);
  return x;
}

Result<Service> load_service(store::Conn& c, int64_t id) {
  DJ_ASSIGN(
      auto r,
      c.query_opt(std::string("SELECT ") + kServiceColumns + kServiceFrom + " AND s.id = ?", {id}));
  if (!r) return Error::not_found("service " + std::to_string(id));
  std::vector<Service> one{service_from(*r)};
  DJ_TRY(org::name_paths(c, one));
  return one[0];
}

Result<bool> is_category(store::Conn& c, const std::string& code) {
  DJ_ASSIGN(auto r, c.query_opt("SELECT 1 FROM matter_categories WHERE code = ?", {code}));
  return r.has_value();
}

// Hours as tenths: 0 to 24 in steps of a tenth.
void check_hours(Validator& v, const std::optional<double>& hours) {
  if (hours && (!std::isfinite(*hours) || *hours < 0 || *hours > 24)) {
    v.add("hours", "range", "must be 0 to 24");
  }
}
int64_t tenths(double hours) { return std::llround(hours * 10); }

// Whether p speaks for the community: its own account, or the committee.
bool speaks_for(const Principal& p, int64_t community_id) {
  return p.role == auth::Role::community ? p.community_id == community_id
                                         : auth::has(p, Perm::community_manage);
}

Status audit_service(store::Conn& c, const Principal& p, const std::string& action,
                     const std::optional<Service>& before, const Service& after) {
  return audit::record(c, p.actor(),
                       {action, "community_service", std::to_string(after.id), after.org_path,
                        before ? to_json(*before) : json::object{}, to_json(after)});
}

}  // namespace

Result<Post> CommunityService::create_post(const Principal& p, const PostInput& given) {
  PostInput in = given;
  if (p.role == auth::Role::community) {
    if (in.community_id && in.community_id != p.community_id) {
      return Error::invalid("community_id", "unknown", "a community publishes its own posts");
    }
    in.community_id = p.community_id;
  } else {
    DJ_TRY(auth::require(p, Perm::community_manage));
  }
  Validator v;
  if (!in.community_id) v.add("community_id", "required", "is required");
  if (!in.kind || (*in.kind != "need" && *in.kind != "volunteer")) {
    v.add("kind", "unknown_code", "must be need or volunteer");
  }
  v.text("title", in.title, 200);
  v.text("description", in.description, 2000, false);
  v.text("place", in.place, 200);
  std::optional<int64_t> start, end;
  if (const auto span = v.span("starts_at", in.starts_at, "ends_at", in.ends_at)) {
    std::tie(start, end) = *span;
  }
  if (in.slots && (*in.slots < 1 || *in.slots > 10000)) v.add("slots", "range", "1 to 10,000");
  check_hours(v, in.hours);
  DJ_TRY(v.status());
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Post> {
    if (!load_community(c, *in.community_id)) {
      return Error::invalid("community_id", "unknown", "no such community");
    }
    DJ_ASSIGN(const bool known, is_category(c, in.category.value_or("")));
    if (!known)
      return Error::invalid("category", "unknown_code", "is not a category of the dictionary");
    const int64_t now = now_ms();
    DJ_ASSIGN(auto ins,
              c.query_one("INSERT INTO community_posts (community_id, kind, title, category, "
                          "description, place, starts_at, ends_at, slots, hours_tenths, "
                          "created_at, updated_at, created_by, updated_by) VALUES (?, ?, ?, ?, ?, "
                          "?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          {*in.community_id, *in.kind, *in.title, *in.category, in.description,
                           *in.place, *start, *end, in.slots, tenths(in.hours.value_or(0)), now,
                           now, p.user_id, p.user_id}));
    DJ_ASSIGN(auto out, load_post(c, ins.i64(0)));
    DJ_TRY(audit::record(c, p.actor(),
                         {"community_post.create",
                          "community_post",
                          std::to_string(out.id),
                          "/",
                          {},
                          to_json(out)}));
    return out;
  });
}

Result<Post> CommunityService::cancel_post(const Principal& p, int64_t id) {
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Post> {
    auto before = load_post(c, id);
    if (!before || !speaks_for(p, before->community_id)) {
      return Error::not_found("post " + std::to_string(id));
    }
    if (before->cancelled) return Error::conflict("the post is cancelled already");
    const int64_t now = now_ms();
    DJ_TRY(
        c.exec("UPDATE community_posts SET cancelled_at = ?, updated_at = ?, updated_by = ? "
               "WHERE id = ?",
               {now, now, p.user_id, id}));
    DJ_TRY(
        c.exec("UPDATE community_services SET status = 'rejected', reply = '活动已取消', "
               "decided_at = ?, decided_by = ?, updated_at = ? WHERE post_id = ? AND status = "
               "'signed_up'",
               {now, p.user_id, now, id}));
    DJ_ASSIGN(auto after, load_post(c, id));
    DJ_TRY(audit::record(c, p.actor(),
                         {"community_post.cancel", "community_post", std::to_string(id), "/",
                          to_json(*before), to_json(after)}));
    return after;
  });
}

Result<PostPage> CommunityService::posts(const Principal& p, std::optional<int64_t> community_id,
                                         bool open_only, int64_t page, int64_t page_size) {
  return store::with_conn(db_, [&](store::Conn& c) -> Result<PostPage> {
    store::Filter f(kPostFrom, {});
    if (p.role == auth::Role::community) {
      f.add("x.community_id = ?", p.community_id.value_or(0));
    } else if (community_id) {
      f.add("x.community_id = ?", *community_id);
    }
    if (open_only) {
      f.add("x.ends_at > ?", now_ms());
      f.add_fixed("x.cancelled_at IS NULL");
    }
    DJ_ASSIGN(auto found,
              store::query_page(c, kPostColumns, f,
                                open_only ? "x.starts_at, x.id" : "x.starts_at DESC, x.id DESC",
                                page, page_size));
    PostPage out;
    out.total = found.total;
    for (const auto& r : found.rows) out.items.push_back(post_from(r));
    return out;
  });
}

Result<Service> CommunityService::sign_up(const Principal& p, int64_t post_id) {
  if (!p.member_id) return Error::forbidden("signing up is a member's own");
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Service> {
    // The post's row is written first: concurrent sign-ups for it wait for
    // each other (a row lock on PostgreSQL, the write lock on SQLite), so the
    // places are counted one at a time.
    DJ_TRY(c.exec("UPDATE community_posts SET updated_at = updated_at WHERE id = ?", {post_id}));
    DJ_ASSIGN(auto x, load_post(c, post_id));
    const int64_t now = now_ms();
    if (x.cancelled || x.ends_at <= now) {
      return Error::invalid("post_id", "closed", "the post is over or cancelled");
    }
    if (x.slots && x.signed_up >= *x.slots) {
      const std::string why = fmt::format("all {} places are taken", *x.slots);
      return Error{ErrorCode::conflict, why, {{"post_id", "full", why}}};
    }
    DJ_ASSIGN(auto m, c.query_opt("SELECT org_id FROM members WHERE id = ? AND deleted_at IS NULL",
                                  {*p.member_id}));
    if (!m) return Error::forbidden("signing up is a member's own");
    auto ins = c.query_one(
        "INSERT INTO community_services (community_id, org_id, member_id, post_id, title, "
        "category, served_on, hours_tenths, status, created_at, updated_at, created_by, "
        "updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'signed_up', ?, ?, ?, ?) RETURNING id",
        {x.community_id, m->i64(0), *p.member_id, post_id, x.title, x.category,
         date_of_instant(x.starts_at), x.hours_tenths, now, now, p.user_id, p.user_id});
    if (!ins) {
      if (ins.error().code != ErrorCode::conflict) return ins.take_error();
      const std::string why = "you have signed up already";
      return Error{ErrorCode::conflict, why, {{"post_id", "signed_up", why}}};
    }
    DJ_ASSIGN(auto out, load_service(c, ins->i64(0)));
    DJ_TRY(audit_service(c, p, "community_service.sign_up", std::nullopt, out));
    return out;
  });
}

Result<ServiceCode> CommunityService::code(const Principal& p, int64_t post_id,
                                           const std::string& base_url) {
  return store::with_conn(db_, [&](store::Conn& c) -> Result<ServiceCode> {
    auto x = load_post(c, post_id);
    if (!x || !speaks_for(p, x->community_id)) {
      return Error::not_found("post " + std::to_string(post_id));
    }
    const int64_t now = now_ms();
    const int64_t slot = codes_.slot_at(now);
    return ServiceCode{post_id, slot, codes_.code(post_id, slot),
                       base_url + "/checkin?service=" + std::to_string(post_id) + "&slot=" +
                           std::to_string(slot) + "&token=" + codes_.token(post_id, slot),
                       (slot + 1) * codes_.slot_ms() - now};
  });
}

Result<std::string> CommunityService::scan(int64_t post_id, int64_t slot,
                                           const std::string& token) const {
  const int64_t now = now_ms();
  if (!codes_.token_valid(post_id, slot, token, now)) {
    return Error::invalid("token", "expired_or_forged",
                          "the code is old or not this service's; scan the screen again");
  }
  return codes_.pass(post_id, now);
}

void CommunityService::check_in(const Principal& p, const ServiceCheckIn& in,
                                std::function<void(Result<Service>)> done) {
  if (!p.member_id) {
    return done(Error::forbidden("check-in is for members: log in with a member's account"));
  }
  if (!in.pass && !in.code) {
    return done(Error::invalid("pass", "required", "scan the QR code, or send the numeric code"));
  }
  const int64_t now = now_ms();
  const std::string throttle_key = std::to_string(*p.member_id) + ":" + std::to_string(in.post_id);
  auto too_many = [](int64_t wait_ms) {
    return Error::too_many("code", "too many wrong codes", wait_ms);
  };
  if (const int64_t wait = code_failures_.wait_ms(throttle_key, now)) return done(too_many(wait));
  const std::optional<std::string> pass_hash =
      in.pass ? std::optional<std::string>(sha256_hex(*in.pass)) : std::nullopt;
  bool wrong_code = false;
  // The checks read on the request's thread; only the change and its audit
  // row join the group commit.
  auto checked = store::with_conn(db_, [&](store::Conn& c) -> Result<std::optional<Service>> {
    DJ_ASSIGN(auto row,
              c.query_opt("SELECT x.starts_at, x.ends_at, x.cancelled_at, s.id, s.status, "
                          "(SELECT COUNT(*) FROM community_services u WHERE "
                          "u.scan_pass = ?) FROM community_posts x LEFT JOIN "
                          "community_services s ON s.post_id = x.id AND s.member_id = ? "
                          "WHERE x.id = ?",
                          {pass_hash, *p.member_id, in.post_id}));
    if (!row) return Error::not_found("post " + std::to_string(in.post_id));
    // Signed up first: one who did not learns nothing about a code.
    if (row->null(3) || row->str(4) == "rejected") {
      return Error::forbidden("you have not signed up for this service");
    }
    if (in.pass ? !codes_.pass_valid(*in.pass, in.post_id, now)
                : !codes_.code_valid(in.post_id, *in.code, now)) {
      wrong_code = true;
      return in.pass ? Error::invalid("pass", "expired_or_forged",
                                      "the scan is old or not this service's; scan again")
                     : Error::invalid("code", "wrong", "the code is wrong or has changed");
    }
    if (row->str(4) != "signed_up") {  // checked in already: the service as it is
      DJ_ASSIGN(auto s, load_service(c, row->i64(3)));
      return std::optional<Service>(std::move(s));
    }
    if (row->i64(5) > 0) {
      wrong_code = true;
      return Error::invalid("pass", "used",
                            "this scan has checked someone in already; scan the screen yourself");
    }
    if (!row->null(2) || now < row->i64(0) - cfg_.open_before_ms || now > row->i64(1)) {
      return Error::invalid("post_id", "outside_window",
                            fmt::format("check-in is open from {} minutes before the start to "
                                        "the end ({} – {})",
                                        cfg_.open_before_ms / 60000, format_instant(row->i64(0)),
                                        format_instant(row->i64(1))));
    }
    return std::optional<Service>();
  });
  if (wrong_code) {
    const int64_t wait = code_failures_.fail(throttle_key, now);
    (void)audit::record_now(
        db_, p.actor(),
        {"community_service.check_in_refused",
         "community_post",
         std::to_string(in.post_id),
         "/",
         {},
         json::object{{"member_id", *p.member_id}, {"reason", checked.error().fields.at(0).code}}});
    if (wait > 0) return done(too_many(wait));
  }
  if (!checked) return done(checked.take_error());
  if (*checked) return done(std::move(**checked));
  const int64_t member_id = *p.member_id, post_id = in.post_id;
  const std::string method = in.pass ? "qr" : "code";
  auto actor = p.actor();
  auto work = [=](store::Conn& c) -> Status {
    DJ_ASSIGN(auto n, c.exec("UPDATE community_services SET status = 'present', checkin_method = "
                             "?, checked_in_at = ?, scan_pass = ?, updated_at = ? WHERE post_id = "
                             "? AND member_id = ? AND status = 'signed_up'",
                             {method, now, pass_hash, now, post_id, member_id}));
    if (n == 0) return Error::conflict("already checked in");
    return audit::record(c, actor,
                         {"community_service.check_in",
                          "community_post",
                          std::to_string(post_id),
                          "/",
                          {},
                          json::object{{"member_id", member_id}, {"method", method}}});
  };
  auto answer = [this, member_id, post_id, done = std::move(done)](Status s) {
    if (!s && s.error().code != ErrorCode::conflict) return done(s.take_error());
    // Committed, or a concurrent repeat won: the service as it now is.
    done(store::with_conn(db_, [&](store::Conn& c) -> Result<Service> {
      DJ_ASSIGN(auto r, c.query_opt("SELECT id FROM community_services WHERE post_id = ? AND "
                                    "member_id = ?",
                                    {post_id, member_id}));
      if (!r) return Error::not_found("service");
      return load_service(c, r->i64(0));
    }));
  };
  db_.group_commit().submit(std::move(work), std::move(answer));
}

Result<Service> CommunityService::record(const Principal& p, const ServiceInput& given) {
  ServiceInput in = given;
  if (!in.member_id && !in.org_id && p.member_id) in.member_id = p.member_id;  // his own
  Validator v;
  if (!in.community_id) v.add("community_id", "required", "is required");
  if (in.member_id && in.org_id) {
    v.add("org_id", "not_allowed", "give an organization or a member, not both");
  } else if (!in.member_id && !in.org_id) {
    v.add("org_id", "required", "give the organization or the member that served");
  }
  v.text("title", in.title, 200);
  v.date("served_on", in.served_on, true);
  if (in.served_on && is_valid_date(*in.served_on) && *in.served_on > today()) {
    v.add("served_on", "in_future", "must not be in the future");
  }
  v.text("note", in.note, 2000, false);
  check_hours(v, in.hours);
  DJ_TRY(v.status());
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Service> {
    if (!load_community(c, *in.community_id)) {
      return Error::invalid("community_id", "unknown", "no such community");
    }
    DJ_ASSIGN(const bool known, is_category(c, in.category.value_or("")));
    if (!known)
      return Error::invalid("category", "unknown_code", "is not a category of the dictionary");
    int64_t org_id = 0;
    if (in.member_id) {
      DJ_ASSIGN(auto m, c.query_opt("SELECT m.org_id, o.path FROM members m JOIN orgs o ON o.id = "
                                    "m.org_id WHERE m.id = ? AND m.deleted_at IS NULL",
                                    {*in.member_id}));
      const bool own = m && p.member_id == in.member_id;
      if (!m || (!own && !(auth::has(p, Perm::org_write) && auth::in_scope(p, m->str(1))))) {
        return Error::invalid("member_id", "unknown", "no such member in your scope");
      }
      org_id = m->i64(0);
    } else {
      DJ_TRY(auth::require(p, Perm::org_write));
      auto o = org::OrgService::load(c, *in.org_id);
      if (!o || !auth::in_scope(p, o->path)) {
        return Error::invalid("org_id", "unknown", "no such organization in your scope");
      }
      org_id = o->id;
    }
    const int64_t now = now_ms();
    DJ_ASSIGN(
        auto ins,
        c.query_one("INSERT INTO community_services (community_id, org_id, member_id, "
                    "title, category, served_on, hours_tenths, status, note, created_at, "
                    "updated_at, created_by, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, "
                    "'pending', ?, ?, ?, ?, ?) RETURNING id",
                    {*in.community_id, org_id, in.member_id, *in.title, *in.category, *in.served_on,
                     tenths(in.hours.value_or(0)), in.note, now, now, p.user_id, p.user_id}));
    DJ_ASSIGN(auto out, load_service(c, ins.i64(0)));
    DJ_TRY(audit_service(c, p, "community_service.record", std::nullopt, out));
    return out;
  });
}

Result<std::vector<Service>> CommunityService::decide_services(
    const Principal& p, const std::vector<int64_t>& ids, const std::string& result,
    std::optional<double> hours, const std::optional<std::string>& reply) {
  DJ_TRY(auth::require(p, Perm::community_confirm));
  Validator v;
  if (result != "confirmed" && result != "rejected") {
    v.add("result", "unknown_code", "must be confirmed or rejected");
  }
  detail::check_ids(v, ids);
  check_hours(v, hours);
  v.text("reply", reply, 500, false);
  DJ_TRY(v.status());
  return store::with_tx(db_, [&](store::Conn& c) -> Result<std::vector<Service>> {
    std::vector<Service> out;
    const int64_t now = now_ms();
    for (size_t i = 0; i < ids.size(); ++i) {
      const std::string field = "ids[" + std::to_string(i) + "]";
      auto x = load_service(c, ids[i]);
      // Another community's service is not there for this one.
      if (!x || (p.role == auth::Role::community && p.community_id != x->community_id)) {
        return Error::invalid(field, "unknown", "no such service with your community");
      }
      if (x->status != "present" && x->status != "pending" &&
          !(result == "rejected" && x->status == "signed_up")) {
        const std::string why =
            x->status == "signed_up"
                ? "service " + std::to_string(ids[i]) + " was signed up for, not checked in"
                : "service " + std::to_string(ids[i]) + " is already " + x->status;
        return Error{ErrorCode::conflict, why, {{field, "decided", why}}};
      }
      DJ_TRY(
          c.exec("UPDATE community_services SET status = ?, hours_tenths = ?, reply = ?, "
                 "decided_at = ?, decided_by = ?, updated_at = ?, updated_by = ? WHERE id = ?",
                 {result, hours ? tenths(*hours) : x->hours_tenths, reply, now, p.user_id, now,
                  p.user_id, ids[i]}));
      DJ_ASSIGN(auto after, load_service(c, ids[i]));
      DJ_TRY(audit_service(
          c, p, result == "confirmed" ? "community_service.confirm" : "community_service.reject",
          *x, after));
      out.push_back(std::move(after));
    }
    return out;
  });
}

Result<Service> CommunityService::rate(const Principal& p, int64_t id, int64_t rating,
                                       const std::optional<std::string>& comment) {
  DJ_TRY(auth::require(p, Perm::community_confirm));
  Validator v;
  if (rating < 1 || rating > 5) v.add("rating", "range", "1 to 5");
  v.text("comment", comment, 500, false);
  DJ_TRY(v.status());
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Service> {
    auto x = load_service(c, id);
    // Only the community that received the service rates it.
    if (!x || (p.role == auth::Role::community && p.community_id != x->community_id)) {
      return Error::not_found("service " + std::to_string(id));
    }
    if (x->status != "confirmed") {
      const std::string why = "only a confirmed service is rated";
      return Error{ErrorCode::conflict, why, {{"rating", "not_confirmed", why}}};
    }
    const int64_t now = now_ms();
    DJ_TRY(
        c.exec("UPDATE community_services SET rating = ?, rating_comment = ?, rated_at = ?, "
               "updated_at = ?, updated_by = ? WHERE id = ?",
               {rating, comment, now, now, p.user_id, id}));
    DJ_ASSIGN(auto after, load_service(c, id));
    DJ_TRY(audit_service(c, p, "community_service.rate", *x, after));
    return after;
  });
}

Result<ServicePage> CommunityService::services(const Principal& p, const ServiceQuery& q) {
  Validator v;
  if (q.kind && *q.kind != "org" && *q.kind != "member") {
    v.add("kind", "unknown_code", "must be org or member");
  }
  if (q.status && std::find(std::begin(kServiceStatuses), std::end(kServiceStatuses), *q.status) ==
                      std::end(kServiceStatuses)) {
    v.add("status", "unknown_code", "is not a status of a service");
  }
  DJ_TRY(v.status());
  return store::with_conn(db_, [&](store::Conn& c) -> Result<ServicePage> {
    store::Filter f(kServiceFrom, {});
    if (p.role == auth::Role::community) {
      f.add("s.community_id = ?", p.community_id.value_or(0));
      f.add_if("s.org_id = ?", q.org_id);
    } else if (!is_admin(p)) {
      if (!p.member_id) return ServicePage{};
      f.add("s.member_id = ?", *p.member_id);
    } else {
      DJ_ASSIGN(const std::string scope, org::OrgService::subtree(c, p, q.org_id));
      f.add("o.path >= ? AND o.path < ?", {scope, auth::subtree_end(scope)});
    }
    if (p.role != auth::Role::community) f.add_if("s.community_id = ?", q.community_id);
    if (q.kind) f.add_fixed(*q.kind == "org" ? "s.member_id IS NULL" : "s.member_id IS NOT NULL");
    f.add_if("s.status = ?", q.status);
    f.add_if("s.category = ?", q.category);
    f.add_if("s.member_id = ?", q.member_id);
    f.add_if("s.post_id = ?", q.post_id);
    f.add_if("s.served_on >= ?", q.from);
    f.add_if("s.served_on <= ?", q.to);
    DJ_ASSIGN(auto found, store::query_page(c, kServiceColumns, f, "s.served_on DESC, s.id DESC",
                                            q.page, q.page_size));
    ServicePage out;
    out.total = found.total;
    for (const auto& r : found.rows) out.items.push_back(service_from(r));
    DJ_TRY(org::name_paths(c, out.items));
    return out;
  });
}

Result<ServiceFigures> CommunityService::service_figures(const Principal& p,
                                                         std::optional<int64_t> org_id,
                                                         const std::string& from,
                                                         const std::string& to) {
  DJ_TRY(auth::require(p, Perm::member_read));
  Validator v;
  v.date("from", std::optional<std::string>(from), true);
  v.date("to", std::optional<std::string>(to), true);
  DJ_TRY(v.status());
  return store::with_conn(db_, [&](store::Conn& c) -> Result<ServiceFigures> {
    DJ_ASSIGN(const std::string scope, org::OrgService::subtree(c, p, org_id));
    DJ_ASSIGN(auto rows,
              c.query("SELECT CASE WHEN s.member_id IS NULL THEN 1 ELSE 0 END AS by_org, "
                      "s.category, COUNT(*) FROM community_services s JOIN orgs o ON o.id = "
                      "s.org_id WHERE s.status = 'confirmed' AND s.served_on >= ? AND "
                      "s.served_on <= ? AND o.path >= ? AND o.path < ? GROUP BY 1, 2",
                      {from, to, scope, auth::subtree_end(scope)}));
    ServiceFigures out;
    out.from = from;
    out.to = to;
    for (const auto& r : rows) {
      auto& count = r.flag(0) ? out.orgs : out.members;
      count.services += r.i64(2);
      count.by_category[r.str(1)] += r.i64(2);
    }
    return out;
  });
}

json::object to_json(const Post& x) {
  return {{"id", x.id},
          {"community_id", x.community_id},
          {"community_name", x.community_name},
          {"kind", x.kind},
          {"title", x.title},
          {"category", x.category},
          {"description", or_null(x.description)},
          {"place", x.place},
          {"starts_at", format_instant(x.starts_at)},
          {"ends_at", format_instant(x.ends_at)},
          {"slots", or_null(x.slots)},
          {"hours", static_cast<double>(x.hours_tenths) / 10},
          {"signed_up", x.signed_up},
          {"cancelled", x.cancelled},
          {"created_at", format_instant(x.created_at)}};
}

json::object to_json(const Service& x) {
  return {{"id", x.id},
          {"kind", x.member_id ? "member" : "org"},
          {"community_id", x.community_id},
          {"community_name", x.community_name},
          {"org_id", x.org_id},
          {"org_path_name", x.org_path_name},
          {"member_id", or_null(x.member_id)},
          {"member_name", or_null(x.member_name)},
          {"post_id", or_null(x.post_id)},
          {"title", x.title},
          {"category", x.category},
          {"served_on", x.served_on},
          {"hours", static_cast<double>(x.hours_tenths) / 10},
          {"status", x.status},
          {"checkin_method", or_null(x.checkin_method)},
          {"checked_in_at",
           x.checked_in_at ? json::value(format_instant(*x.checked_in_at)) : json::value(nullptr)},
          {"rating", or_null(x.rating)},
          {"rating_comment", or_null(x.rating_comment)},
          {"reply", or_null(x.reply)},
          {"note", or_null(x.note)},
          {"created_at", format_instant(x.created_at)},
          {"updated_at", format_instant(x.updated_at)}};
}

json::object to_json(const ServiceFigures& f) {
  auto count = [](const ServiceFigures::Count& n) {
    json::object by;
    for (const auto& [k, v] : n.by_category) by[k] = v;
    return json::object{{"services", n.services}, {"by_category", std::move(by)}};
  };
  return {{"from", f.from}, {"to", f.to}, {"orgs", count(f.orgs)}, {"members", count(f.members)}};
}

json::object to_json(const ServiceCode& c) {
  return {{"post_id", c.post_id},
          {"slot", c.slot},
          {"code", c.code},
          {"url", c.url},
          {"expires_in_ms", c.expires_in_ms}};
}

}  // namespace dj::masses
