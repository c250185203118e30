#include "domain/member/member.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "common/json.h"
#include "common/time.h"
#include "common/validate.h"
#include "domain/audit/audit.h"
#include "domain/member/citizen_id.h"
#include "domain/org/org.h"
#include "store/bulk.h"
#include "store/query.h"

namespace dj::member {

bool in_target_groups(const std::vector<std::string>& groups, const GroupFacts& m,
                      int new_member_months) {
  const std::string& status = m.political_status;
  for (const auto& g : groups) {
    if (g == "all_members" && (status == "full" || status == "probationary")) return true;
    if (g == "activists" && status == "activist") return true;
    if (g == "development_targets" && status == "development_target") return true;
    if (g == "party_workers" && m.party_worker) return true;
    if (g == "leading_cadres" && is_leading_cadre(m.cadre_rank)) return true;
    if (g == "new_members" && m.joined_on &&
        *m.joined_on >= months_before(today(), new_member_months)) {
      return true;
    }
  }
  return groups.empty();
}
namespace {

namespace json = boost::json;
using auth::Perm;
using auth::Principal;

template <size_t N>
std::string list_codes(const char* const (&codes)[N]) {
  std::string s;
  for (const char* c : codes) s += (s.empty() ? "" : ", ") + std::string(c);
  return s;
}

constexpr const char* kColumns =
    "m.id, m.org_id, o.name, o.path, m.name, m.gender, m.ethnicity, m.birth_date, m.education, "
    "m.citizen_id_enc, m.phone_enc, m.joined_on, m.full_member_on, m.political_status, "
    "m.work_unit, m.job_title, m.cadre_rank, m.standing, m.retired, m.infirm, m.party_worker, "
    "m.post, m.tags, m.created_at, m.updated_at";

Member from_row(const store::Row& r, const Keys& keys) {
  Member m;
  m.id = r.i64(0);
  m.org_id = r.i64(1);
  m.org_name = r.str(2);
  m.org_path = r.str(3);
  m.name = r.str(4);
  m.gender = r.str(5);
  m.ethnicity = r.opt_str(6);
  m.birth_date = r.opt_str(7);
  m.education = r.opt_str(8);
  m.citizen_id = keys.decrypt(r.str(9)).value_or("");
  if (!r.null(10)) m.phone = keys.decrypt(r.str(10));
  m.joined_on = r.opt_str(11);
  m.full_member_on = r.opt_str(12);
  m.political_status = r.str(13);
  m.work_unit = r.opt_str(14);
  m.job_title = r.opt_str(15);
  m.cadre_rank = r.str(16);
  m.standing = r.str(17);
  m.retired = r.flag(18);
  m.infirm = r.flag(19);
  m.party_worker = r.flag(20);
  m.post = r.str(21);
  if (auto tags = json::parse(r.str(22)); tags.is_array()) {
    for (const auto& t : tags.as_array()) {
      if (t.is_string()) m.tags.emplace_back(t.as_string());
    }
  }
  m.created_at = r.i64(23);
  m.updated_at = r.i64(24);
  return m;
}

MemberInput input_of(const Member& m) {
  MemberInput in;
  in.org_id = m.org_id;
  in.name = m.name;
  in.gender = m.gender;
  in.ethnicity = m.ethnicity;
  in.birth_date = m.birth_date;
  in.education = m.education;
  in.citizen_id = m.citizen_id;
  in.phone = m.phone;
  in.joined_on = m.joined_on;
  in.full_member_on = m.full_member_on;
  in.political_status = m.political_status;
  in.work_unit = m.work_unit;
  in.job_title = m.job_title;
  in.cadre_rank = m.cadre_rank;
  in.standing = m.standing;
  in.post = m.post;
  in.retired = m.retired;
  in.infirm = m.infirm;
  in.party_worker = m.party_worker;
  in.tags = m.tags;
  return in;
}

// Fills the defaults a new member gets and what the citizen ID implies.
void complete(MemberInput& in) {
  if (in.citizen_id && !citizen_id_problem(*in.citizen_id)) {
    const auto info = citizen_id_info(*in.citizen_id);
    if (!in.birth_date) in.birth_date = info.birth_date;
    if (!in.gender) in.gender = info.gender;
  }
  if (!in.cadre_rank) in.cadre_rank = "none";
  if (!in.standing) in.standing = "normal";
  if (!in.post) in.post = "none";
  if (!in.tags) in.tags.emplace();
}

std::string tags_json(const std::vector<std::string>& tags) {
  json::array a;
  for (const auto& t : tags) a.emplace_back(t);
  return json::serialize(a);
}

// The columns a member's input writes, in the order of writable_values().
constexpr const char* kWritable[] = {"name",
                                     "gender",
                                     "ethnicity",
                                     "birth_date",
                                     "education",
                                     "citizen_id_enc",
                                     "citizen_id_hash",
                                     "phone_enc",
                                     "joined_on",
                                     "full_member_on",
                                     "political_status",
                                     "work_unit",
                                     "job_title",
                                     "cadre_rank",
                                     "standing",
                                     "retired",
                                     "infirm",
                                     "party_worker",
                                     "post",
                                     "tags"};

template <size_t N>
std::string join(const char* const (&parts)[N], const char* sep) {
  std::string out;
  for (size_t i = 0; i < N; ++i) out += (i ? sep : "") + std::string(parts[i]);
  return out;
}

// Values for kWritable from a complete, validated input; personal
// information encrypted, the citizen ID also as its lookup hash.
store::Params writable_values(const MemberInput& in, const Keys& keys) {
  return {*in.name,
          *in.gender,
          in.ethnicity,
          in.birth_date,
          in.education,
          keys.encrypt(*in.citizen_id),
          keys.lookup_hash(*in.citizen_id),
          in.phone ? store::Value(keys.encrypt(*in.phone)) : store::Value(),
          in.joined_on,
          in.full_member_on,
          *in.political_status,
          in.work_unit,
          in.job_title,
          *in.cadre_rank,
          *in.standing,
          in.retired.value_or(false),
          in.infirm.value_or(false),
          in.party_worker.value_or(false),
          *in.post,
          tags_json(*in.tags)};
}

Result<org::Org> org_in_scope(store::Conn& c, const Principal& p, int64_t id, const char* field) {
  auto o = org::OrgService::load(c, id);
  if (!o || !auth::in_scope(p, o->path)) {
    return Error::invalid(field, "unknown", "no such organization in your scope");
  }
  return o;
}

// The same answer wherever the person is registered: the caller learns only
// that the ID is taken, not by whom.
Error conflict_on_citizen_id() {
  return Error{ErrorCode::conflict,
               "this person is already registered with a party organization; ask the committee "
               "to transfer them",
               {{"citizen_id", "taken",
                 "is already registered with a party organization; ask the committee to "
                 "transfer them"}}};
}

}  // namespace

json::object to_json(const Member& m, const MemberConfig& cfg) {
  json::array tags;
  for (const auto& t : m.tags) tags.emplace_back(t);
  const bool leading = is_leading_cadre(m.cadre_rank);
  const bool is_new = m.joined_on && *m.joined_on >= months_before(today(), cfg.new_member_months);
  return json::object{
      {"id", m.id},
      {"org_id", m.org_id},
      {"org_name", m.org_name},
      {"org_path_name", m.org_path_name},
      {"name", m.name},
      {"gender", m.gender},
      {"ethnicity", or_null(m.ethnicity)},
      {"birth_date", or_null(m.birth_date)},
      {"education", or_null(m.education)},
      {"citizen_id", mask_citizen_id(m.citizen_id)},
      {"phone", m.phone ? json::value(mask_phone(*m.phone)) : json::value(nullptr)},
      {"joined_on", or_null(m.joined_on)},
      {"full_member_on", or_null(m.full_member_on)},
      {"political_status", m.political_status},
      {"work_unit", or_null(m.work_unit)},
      {"job_title", or_null(m.job_title)},
      {"cadre_rank", m.cadre_rank},
      {"standing", m.standing},
      {"retired", m.retired},
      {"infirm", m.infirm},
      {"party_worker", m.party_worker},
      {"post", m.post},
      {"tags", tags},
      {"is_leading_cadre", leading},
      {"is_new_member", is_new},
      {"created_at", format_instant(m.created_at)},
      {"updated_at", format_instant(m.updated_at)},
  };
}

Status MemberService::validate(const MemberInput& given) {
  MemberInput in = given;
  complete(in);
  Validator v;
  if (!in.org_id) v.add("org_id", "required", "is required");
  v.text("name", in.name, 50);
  v.text("ethnicity", in.ethnicity, 20, false);
  v.text("education", in.education, 50, false);
  v.text("work_unit", in.work_unit, 100, false);
  v.text("job_title", in.job_title, 100, false);
  v.date("birth_date", in.birth_date);
  v.date("joined_on", in.joined_on);
  v.date("full_member_on", in.full_member_on);
  if (!in.citizen_id) {
    v.add("citizen_id", "required", "is required");
  } else if (auto why = citizen_id_problem(*in.citizen_id)) {
    v.add("citizen_id", "invalid", *why);
  } else {
    const auto info = citizen_id_info(*in.citizen_id);
    if (in.birth_date && *in.birth_date != info.birth_date) {
      v.add("birth_date", "mismatch", "does not match the birth date in the citizen ID");
    }
    if (in.gender && *in.gender != info.gender) {
      v.add("gender", "mismatch", "does not match the gender in the citizen ID");
    }
  }
  if (in.gender && !one_of(*in.gender, kGenders)) {
    v.add("gender", "unknown_code", "must be one of " + list_codes(kGenders));
  }
  if (in.phone && !is_valid_phone(*in.phone)) {
    v.add("phone", "format",
          "must be a mobile number like 13812345678 or a landline like 0871-12345678");
  }
  if (!in.political_status) {
    v.add("political_status", "required", "is required");
  } else if (!one_of(*in.political_status, kStatuses)) {
    v.add("political_status", "unknown_code", "must be one of " + list_codes(kStatuses));
  }
  if (in.cadre_rank && !one_of(*in.cadre_rank, kRanks)) {
    v.add("cadre_rank", "unknown_code", "must be one of " + list_codes(kRanks));
  }
  if (in.post && !one_of(*in.post, kPosts)) {
    v.add("post", "unknown_code", "must be one of " + list_codes(kPosts));
  }
  if (in.standing && !one_of(*in.standing, kStandings)) {
    v.add("standing", "unknown_code", "must be one of " + list_codes(kStandings));
  }
  const std::string now = today();
  if (in.joined_on && is_valid_date(*in.joined_on) && *in.joined_on > now) {
    v.add("joined_on", "in_future", "must not be in the future");
  }
  if (in.joined_on && in.birth_date && *in.joined_on <= *in.birth_date) {
    v.add("joined_on", "before_birth", "must be after the birth date");
  }
  if (in.full_member_on && !in.joined_on) {
    v.add("joined_on", "required", "is required when full_member_on is given");
  }
  if (in.full_member_on && in.joined_on && is_valid_date(*in.full_member_on) &&
      *in.full_member_on <= *in.joined_on) {
    v.add("full_member_on", "before_join", "must be after joined_on");
  }
  if (in.political_status &&
      (*in.political_status == "full" || *in.political_status == "probationary") && !in.joined_on) {
    v.add("joined_on", "required", "is required for full and probationary members");
  }
  v.tags("tags", in.tags);
  return v.status();
}

bool MemberService::may_see_pii(const Principal& p, const Member& m) const {
  return auth::has(p, Perm::member_pii) || (p.member_id && *p.member_id == m.id);
}

Result<Member> MemberService::load(store::Conn& c, int64_t id) {
  DJ_ASSIGN(auto r, c.query_opt(std::string("SELECT ") + kColumns +
                                    " FROM members m JOIN orgs o ON o.id = m.org_id "
                                    "WHERE m.id = ? AND m.deleted_at IS NULL",
                                {id}));
  if (!r) return Error::not_found("member " + std::to_string(id));
  std::vector<Member> one{from_row(*r, keys_)};
  DJ_TRY(org::name_paths(c, one));
  return std::move(one.front());
}

Result<Member> MemberService::load_readable(store::Conn& c, const Principal& p, int64_t id) {
  auto m = load(c, id);
  if (!m) return m;
  const bool self = p.member_id && *p.member_id == id;
  if (!self && !(auth::has(p, Perm::member_read) && auth::in_scope(p, m->org_path))) {
    return Error::not_found("member " + std::to_string(id));
  }
  return m;
}

Result<Member> MemberService::get(const Principal& p, int64_t id) {
  return store::with_conn(db_, [&](store::Conn& c) { return load_readable(c, p, id); });
}

Result<Pii> MemberService::reveal(const Principal& p, int64_t id) {
  DJ_ASSIGN(auto m, get(p, id));
  if (!may_see_pii(p, m)) {
    return Error::forbidden("revealing a citizen ID and phone requires permission member:pii");
  }
  DJ_TRY(audit::record_now(
      db_, p.actor(), {"member.pii_revealed", "member", std::to_string(id), m.org_path, {}, {}}));
  return Pii{std::move(m.citizen_id), std::move(m.phone)};
}

Result<store::Filter> MemberService::filter_of(store::Conn& c, const Principal& p,
                                               const ListQuery& q) const {
  DJ_TRY(auth::require(p, Perm::member_read));
  auto check_code = [](const std::optional<std::string>& v, const char* field,
                       auto& codes) -> Status {
    if (v && !one_of(*v, codes)) {
      return Error::invalid(field, "unknown_code", "must be one of " + list_codes(codes));
    }
    return {};
  };
  DJ_TRY(check_code(q.political_status, "political_status", kStatuses));
  DJ_TRY(check_code(q.cadre_rank, "cadre_rank", kRanks));
  DJ_TRY(check_code(q.post, "post", kPosts));
  DJ_ASSIGN(const std::string scope, org::OrgService::subtree(c, p, q.org_id));
  store::Filter f(
      " FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.deleted_at IS NULL "
      "AND o.path >= ? AND o.path < ?",
      {scope, auth::subtree_end(scope)});
  f.add_if("m.political_status = ?", q.political_status);
  f.add_if("m.cadre_rank = ?", q.cadre_rank);
  f.add_if("m.post = ?", q.post);
  f.add_if("m.retired = ?", q.retired);
  f.add_if("m.infirm = ?", q.infirm);
  f.add_if("m.party_worker = ?", q.party_worker);
  if (q.leading_cadre) {
    f.add_fixed(std::string(*q.leading_cadre ? "m.cadre_rank IN " : "m.cadre_rank NOT IN ") +
                kLeadingCadreRanksSql);
  }
  if (q.new_member) {
    f.add(*q.new_member ? "m.joined_on >= ?" : "(m.joined_on IS NULL OR m.joined_on < ?)",
          months_before(today(), cfg_.new_member_months));
  }
  if (!q.q.empty()) f.add("m.name LIKE ? ESCAPE '\\'", store::like_contains(q.q));
  return f;
}

Result<Page> MemberService::list(const Principal& p, const ListQuery& q) {
  return store::with_conn(db_, [&](store::Conn& c) -> Result<Page> {
    DJ_ASSIGN(auto f, filter_of(c, p, q));
    DJ_ASSIGN(auto found, store::query_page(c, kColumns, f, "o.path, m.id", q.page, q.page_size));
    Page page;
    page.total = found.total;
    for (const auto& r : found.rows) page.items.push_back(from_row(r, keys_));
    DJ_TRY(org::name_paths(c, page.items));
    return page;
  });
}

namespace {

std::string trim(std::string_view s) {
  const size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string_view::npos) return {};
  return std::string(s.substr(a, s.find_last_not_of(" \t\r\n") - a + 1));
}

}  // namespace

Result<std::vector<Match>> MemberService::match(const Principal& p,
                                                const std::vector<std::string>& lines,
                                                std::optional<int64_t> org_id) {
  // An 18-character line ending in a digit or X is a citizen ID (its check
  // letter taken in upper case); any other, a name.
  auto is_id = [](const std::string& s) {
    return s.size() == 18 && std::all_of(s.begin(), s.end() - 1, ::isdigit) &&
           (::isdigit(s.back()) || s.back() == 'X' || s.back() == 'x');
  };
  std::vector<Match> out;
  std::set<std::string> seen;
  for (const auto& raw : lines) {
    std::string line = trim(raw);
    if (is_id(line) && line.back() == 'x') line.back() = 'X';
    if (!line.empty() && line.size() <= 64 && seen.insert(line).second) out.push_back({line, {}});
  }
  if (out.empty()) return Error::invalid("lines", "required", "paste at least one name or ID");
  if (out.size() > kMaxMatchLines) {
    return Error::invalid("lines", "too_many",
                          "at most " + std::to_string(kMaxMatchLines) + " lines at a time");
  }
  return store::with_conn(db_, [&](store::Conn& c) -> Result<std::vector<Match>> {
    ListQuery q;
    q.org_id = org_id;
    DJ_ASSIGN(auto f, filter_of(c, p, q));
    std::string names, ids;
    store::Params name_params, id_params;
    for (const auto& m : out) {
      if (is_id(m.line)) {
        ids += ids.empty() ? "?" : ", ?";
        id_params.emplace_back(keys_.lookup_hash(m.line));
      } else {
        names += names.empty() ? "?" : ", ?";
        name_params.emplace_back(m.line);
      }
    }
    std::string clause = names.empty() ? "" : "m.name IN (" + names + ")";
    if (!ids.empty())
      clause += (clause.empty() ? "" : " OR ") + ("m.citizen_id_hash IN (" + ids + ")");
    name_params.insert(name_params.end(), id_params.begin(), id_params.end());
    f.add("(" + clause + ")", name_params);
    DJ_ASSIGN(auto rows,
              c.query(std::string("SELECT ") + kColumns + f.sql() +
                          " ORDER BY o.path, m.id LIMIT " + std::to_string(out.size() * 6),
                      f.params()));
    std::vector<Member> found;
    for (const auto& r : rows) found.push_back(from_row(r, keys_));
    DJ_TRY(org::name_paths(c, found));
    for (auto& m : out) {
      for (const auto& x : found) {
        if ((x.name == m.line || x.citizen_id == m.line) && m.members.size() < 5) {
          m.members.push_back(x);
        }
      }
    }
    return out;
  });
}

Status MemberService::for_each(const Principal& p, const ListQuery& q,
                               const std::function<Status(const Member&)>& fn) {
  constexpr int64_t kBatch = 2000;
  std::string after_path;
  int64_t after_id = 0;
  for (;;) {
    DJ_ASSIGN(
        auto rows, store::with_conn(db_, [&](store::Conn& c) -> Result<store::Rows> {
          DJ_ASSIGN(auto f, filter_of(c, p, q));
          // Keyset paging on the order (o.path, m.id): each batch starts after the last.
          if (after_id) {
            f.add("(o.path > ? OR (o.path = ? AND m.id > ?))", {after_path, after_path, after_id});
          }
          return c.query(std::string("SELECT ") + kColumns + f.sql() +
                             " ORDER BY o.path, m.id LIMIT " + std::to_string(kBatch),
                         f.params());
        }));
    for (const auto& r : rows) {
      const Member m = from_row(r, keys_);
      DJ_TRY(fn(m));
      after_path = m.org_path;
      after_id = m.id;
    }
    if (static_cast<int64_t>(rows.size()) < kBatch) return {};
  }
}

Result<std::unordered_map<std::string, Member>> MemberService::find_by_citizen_ids(
    store::Conn& c, const std::vector<std::string>& citizen_ids) const {
  std::unordered_map<std::string, Member> out;
  constexpr size_t kBatch = 500;
  for (size_t i = 0; i < citizen_ids.size(); i += kBatch) {
    const size_t n = std::min(kBatch, citizen_ids.size() - i);
    std::string sql = std::string("SELECT ") + kColumns +
                      " FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.deleted_at IS "
                      "NULL AND m.citizen_id_hash IN (";
    store::Params params;
    for (size_t k = 0; k < n; ++k) {
      sql += k ? ", ?" : "?";
      params.emplace_back(keys_.lookup_hash(citizen_ids[i + k]));
    }
    sql += ")";
    DJ_ASSIGN(auto rows, c.query(sql, params));
    for (const auto& r : rows) {
      auto m = from_row(r, keys_);
      out.emplace(m.citizen_id, std::move(m));
    }
  }
  return out;
}

MemberInput MemberService::input_of(const Member& m) { return dj::member::input_of(m); }

Status MemberService::overwrite(store::Conn& c, const Member& before, MemberInput in,
                                std::optional<int64_t> by, const std::string& reason) {
  complete(in);
  const int64_t now = now_ms();
  store::Params params = writable_values(in, keys_);
  params.emplace_back(now);
  params.emplace_back(by);
  params.emplace_back(before.id);
  static const std::string sql = "UPDATE members SET " + join(kWritable, " = ?, ") +
                                 " = ?, updated_at = ?, updated_by = ? WHERE id = ?";
  DJ_TRY(c.exec(sql, params));
  if (in.org_id && *in.org_id != before.org_id) {
    const std::string date = today();
    DJ_TRY(
        c.exec("UPDATE member_org_history SET to_date = ? WHERE member_id = ? AND to_date IS "
               "NULL",
               {date, before.id}));
    DJ_TRY(
        c.exec("INSERT INTO member_org_history (member_id, org_id, from_date, reason, "
               "created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)",
               {before.id, *in.org_id, date, reason, now, by}));
    DJ_TRY(c.exec("UPDATE members SET org_id = ? WHERE id = ?", {*in.org_id, before.id}));
  }
  return {};
}

Result<int64_t> MemberService::insert(store::Conn& c, MemberInput in, std::optional<int64_t> by) {
  complete(in);
  const int64_t now = now_ms();
  store::Params params{*in.org_id};
  for (auto& v : writable_values(in, keys_)) params.push_back(std::move(v));
  for (const store::Value& v :
       {store::Value(now), store::Value(now), store::Value(by), store::Value(by)}) {
    params.push_back(v);
  }
  static const std::string sql = [] {
    std::string marks;
    for (size_t i = 0; i < std::size(kWritable) + 5; ++i) marks += i ? ", ?" : "?";
    return "INSERT INTO members (org_id, " + join(kWritable, ", ") +
           ", created_at, updated_at, created_by, updated_by) VALUES (" + marks + ") RETURNING id";
  }();
  auto ins = c.query_one(sql, params);
  if (!ins) {
    if (ins.error().code == ErrorCode::conflict) return conflict_on_citizen_id();
    return ins.take_error();
  }
  const int64_t id = ins->i64(0);
  DJ_TRY(
      c.exec("INSERT INTO member_org_history (member_id, org_id, from_date, reason, "
             "created_at, created_by) VALUES (?, ?, ?, 'joined', ?, ?)",
             {id, *in.org_id, in.joined_on.value_or(today()), now, by}));
  return id;
}

Status MemberService::insert_many(store::Conn& c, const std::vector<const MemberInput*>& inputs,
                                  std::optional<int64_t> by) {
  if (inputs.empty()) return {};
  const int64_t now = now_ms();
  static const std::vector<std::string> columns = [] {
    std::vector<std::string> cols{"org_id"};
    for (const char* w : kWritable) cols.emplace_back(w);
    for (const char* w : {"created_at", "updated_at", "created_by", "updated_by"}) {
      cols.emplace_back(w);
    }
    return cols;
  }();
  std::vector<store::Params> rows;
  rows.reserve(inputs.size());
  for (const MemberInput* given : inputs) {
    MemberInput in = *given;
    complete(in);
    store::Params params{*in.org_id};
    params.reserve(columns.size());
    for (auto& v : writable_values(in, keys_)) params.push_back(std::move(v));
    params.emplace_back(now);
    params.emplace_back(now);
    params.emplace_back(by);
    params.emplace_back(by);
    rows.push_back(std::move(params));
  }
  DJ_ASSIGN(auto last, c.query_one("SELECT COALESCE(MAX(id), 0) FROM members", {}));
  auto ins = store::insert_rows(c, "members", columns, rows);
  if (!ins) {
    if (ins.error().code == ErrorCode::conflict) return conflict_on_citizen_id();
    return ins;
  }
  // Their first membership, in one statement: the members past the largest
  // id before the insert that have no history yet (another transaction's
  // members come with theirs).
  DJ_TRY(c.exec(
      "INSERT INTO member_org_history (member_id, org_id, from_date, reason, created_at, "
      "created_by) SELECT m.id, m.org_id, COALESCE(m.joined_on, ?), 'joined', ?, ? FROM members "
      "m WHERE m.id > ? AND NOT EXISTS (SELECT 1 FROM member_org_history h WHERE "
      "h.member_id = m.id)",
      {today(), now, by, last.i64(0)}));
  return {};
}

Result<Member> MemberService::create(const Principal& p, const MemberInput& in) {
  DJ_TRY(auth::require(p, Perm::member_write));
  DJ_TRY(validate(in));
  auto made = store::with_tx(db_, [&](store::Conn& c) -> Result<Member> {
    DJ_TRY(org_in_scope(c, p, *in.org_id, "org_id"));
    DJ_ASSIGN(const int64_t id, insert(c, in, p.user_id));
    DJ_ASSIGN(auto m, load(c, id));
    DJ_TRY(audit::record(
        c, p.actor(),
        {"member.create", "member", std::to_string(id), m.org_path, {}, to_json(m, cfg_)}));
    return m;
  });
  if (!made && made.error().code == ErrorCode::conflict) {
    // Someone tried a citizen ID that is taken: on the record, masked.
    (void)audit::record_now(db_, p.actor(),
                            {"member.create_refused",
                             "member",
                             "",
                             p.scope_path,
                             {},
                             json::object{{"citizen_id", mask_citizen_id(*in.citizen_id)},
                                          {"reason", "citizen_id_taken"}}});
  }
  return made;
}

Result<Member> MemberService::update(const Principal& p, int64_t id, const MemberInput& patch) {
  DJ_TRY(auth::require(p, Perm::member_write));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Member> {
    DJ_ASSIGN(auto before, load_readable(c, p, id));
    if (!auth::in_scope(p, before.org_path)) return Error::not_found("member");
    if (patch.org_id && *patch.org_id != before.org_id) {
      return Error::invalid("org_id", "use_transfer", "use POST /members/{id}/transfer");
    }
    MemberInput in = input_of(before);
    auto take = [](auto& dst, const auto& src) {
      if (src) dst = src;
    };
    take(in.name, patch.name);
    take(in.gender, patch.gender);
    take(in.ethnicity, patch.ethnicity);
    take(in.birth_date, patch.birth_date);
    take(in.education, patch.education);
    take(in.citizen_id, patch.citizen_id);
    take(in.phone, patch.phone);
    take(in.joined_on, patch.joined_on);
    take(in.full_member_on, patch.full_member_on);
    take(in.political_status, patch.political_status);
    take(in.work_unit, patch.work_unit);
    take(in.job_title, patch.job_title);
    take(in.cadre_rank, patch.cadre_rank);
    take(in.standing, patch.standing);
    take(in.post, patch.post);
    take(in.retired, patch.retired);
    take(in.infirm, patch.infirm);
    take(in.party_worker, patch.party_worker);
    take(in.tags, patch.tags);
    if (patch.citizen_id && !patch.birth_date && !citizen_id_problem(*patch.citizen_id)) {
      const auto info = citizen_id_info(*patch.citizen_id);
      in.birth_date = info.birth_date;
      if (!patch.gender) in.gender = info.gender;
    }
    DJ_TRY(validate(in));
    auto n = overwrite(c, before, in, p.user_id, "");
    if (!n) {
      if (n.error().code == ErrorCode::conflict) return conflict_on_citizen_id();
      return n.take_error();
    }
    DJ_ASSIGN(auto after, load(c, id));
    DJ_TRY(audit::record(c, p.actor(),
                         {"member.update", "member", std::to_string(id), after.org_path,
                          to_json(before, cfg_), to_json(after, cfg_)}));
    return after;
  });
}

Result<Member> MemberService::transfer(const Principal& p, int64_t id, const Transfer& t) {
  DJ_TRY(auth::require(p, Perm::member_write));
  Validator v;
  if (!t.to_org_id) v.add("to_org_id", "required", "is required");
  v.date("date", t.date);
  v.text("reason", t.reason, 200, false);
  DJ_TRY(v.status());
  const std::string date = t.date.value_or(today());
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Member> {
    DJ_ASSIGN(auto before, load_readable(c, p, id));
    if (!auth::in_scope(p, before.org_path)) return Error::not_found("member");
    DJ_ASSIGN(auto target, org_in_scope(c, p, *t.to_org_id, "to_org_id"));
    if (target.id == before.org_id) {
      return Error::invalid("to_org_id", "same_org", "the member already belongs there");
    }
    DJ_ASSIGN(auto cur, c.query_one("SELECT id, from_date FROM member_org_history WHERE "
                                    "member_id = ? AND to_date IS NULL ORDER BY id DESC LIMIT 1",
                                    {id}));
    if (date < cur.str(1)) {
      return Error::invalid("date", "before_current",
                            "must not be before the current membership began (" + cur.str(1) + ")");
    }
    const int64_t now = now_ms();
    DJ_TRY(c.exec("UPDATE member_org_history SET to_date = ? WHERE id = ?", {date, cur.i64(0)}));
    DJ_TRY(
        c.exec("INSERT INTO member_org_history (member_id, org_id, from_date, reason, "
               "created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)",
               {id, target.id, date, t.reason.value_or("transfer"), now, p.user_id}));
    DJ_TRY(c.exec("UPDATE members SET org_id = ?, updated_at = ?, updated_by = ? WHERE id = ?",
                  {target.id, now, p.user_id, id}));
    DJ_ASSIGN(auto after, load(c, id));
    DJ_TRY(audit::record(
        c, p.actor(),
        {"member.transfer", "member", std::to_string(id), target.path,
         json::object{{"org_id", before.org_id}},
         json::object{{"org_id", target.id},
                      {"date", date},
                      {"reason", t.reason ? json::value(*t.reason) : json::value(nullptr)}}}));
    return after;
  });
}

Status MemberService::remove(const Principal& p, int64_t id) {
  DJ_TRY(auth::require(p, Perm::member_write));
  return store::with_tx(db_, [&](store::Conn& c) -> Status {
    DJ_ASSIGN(auto m, load_readable(c, p, id));
    if (!auth::in_scope(p, m.org_path)) return Error::not_found("member");
    DJ_TRY(c.exec("UPDATE members SET deleted_at = ?, updated_at = ?, updated_by = ? WHERE id = ?",
                  {now_ms(), now_ms(), p.user_id, id}));
    return audit::record(
        c, p.actor(),
        {"member.delete", "member", std::to_string(id), m.org_path, to_json(m, cfg_), {}});
  });
}

Result<std::vector<HistoryEntry>> MemberService::history(const Principal& p, int64_t id) {
  return store::with_conn(db_, [&](store::Conn& c) -> Result<std::vector<HistoryEntry>> {
    DJ_TRY(load_readable(c, p, id));
    DJ_ASSIGN(auto rows, c.query("SELECT h.org_id, o.name, h.from_date, h.to_date, h.reason "
                                 "FROM member_org_history h JOIN orgs o ON o.id = h.org_id "
                                 "WHERE h.member_id = ? ORDER BY h.from_date, h.id",
                                 {id}));
    std::vector<HistoryEntry> out;
    for (const auto& r : rows) {
      out.push_back({r.i64(0), r.str(1), r.str(2), r.opt_str(3), r.opt_str(4)});
    }
    return out;
  });
}

}  // namespace dj::member
