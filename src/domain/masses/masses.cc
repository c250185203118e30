#include "domain/masses/masses.h"

#include <boost/json.hpp>
#include <map>
#include <set>

#include "common/crypto.h"
#include "common/json.h"
#include "common/time.h"
#include "common/validate.h"
#include "domain/audit/audit.h"
#include "domain/org/org.h"
#include "store/blobs.h"
#include "store/query.h"

namespace dj::masses {

namespace json = boost::json;
using auth::Perm;
using auth::Principal;

namespace {

constexpr const char* kColumns =
    "x.id, x.org_id, o.path, x.member_id, m.name, x.title, x.category, x.beneficiaries, "
    "x.planned_on, x.responsible, x.status, x.done_on, x.evidence, x.feedback, x.created_at, "
    "x.updated_at";
constexpr const char* kFrom =
    " FROM matters x JOIN orgs o ON o.id = x.org_id LEFT JOIN members m ON m.id = x.member_id "
    "WHERE x.deleted_at IS NULL";

Matter from_row(const store::Row& r) {
  Matter x;
  x.id = r.i64(0);
  x.org_id = r.i64(1);
  x.org_path = r.str(2);
  x.member_id = r.opt_i64(3);
  x.member_name = r.opt_str(4);
  x.title = r.str(5);
  x.category = r.str(6);
  x.beneficiaries = r.opt_str(7);
  x.planned_on = r.str(8);
  x.responsible = r.opt_str(9);
  x.status = r.str(10);
  x.done_on = r.opt_str(11);
  x.evidence = r.opt_str(12);
  x.feedback = r.opt_str(13);
  x.created_at = r.i64(14);
  x.updated_at = r.i64(15);
  return x;
}

int rank(const std::string& status) {
  for (int i = 0; i < 3; ++i) {
    if (status == kStatuses[i]) return i;
  }
  return -1;
}

// Fills the files of each matter (one query per 500 matters).
Status fill_files(store::Conn& c, std::vector<Matter>& items) {
  std::map<int64_t, Matter*> by_id;
  for (auto& m : items) by_id[m.id] = &m;
  for (size_t start = 0; start < items.size(); start += 500) {
    std::string marks;
    store::Params ids;
    for (size_t i = start; i < std::min(items.size(), start + 500); ++i) {
      marks += marks.empty() ? "?" : ", ?";
      ids.emplace_back(items[i].id);
    }
    DJ_ASSIGN(auto rows, c.query("SELECT id, matter_id, sha256, content_type, size, filename, "
                                 "created_at FROM matter_files WHERE deleted_at IS NULL AND "
                                 "matter_id IN (" +
                                     marks + ") ORDER BY id",
                                 ids));
    for (const auto& f : rows) {
      by_id[f.i64(1)]->files.push_back(
          {f.i64(0), f.i64(1), f.str(2), f.str(3), f.str(5), f.i64(4), f.i64(6)});
    }
  }
  return {};
}

Result<Matter> load(store::Conn& c, int64_t id) {
  DJ_ASSIGN(auto r, c.query_opt(std::string("SELECT ") + kColumns + kFrom + " AND x.id = ?", {id}));
  if (!r) return Error::not_found("matter " + std::to_string(id));
  std::vector<Matter> one{from_row(*r)};
  DJ_TRY(org::name_paths(c, one));
  DJ_TRY(fill_files(c, one));
  return one[0];
}

// Whether p may change the matter: an administrator (org:write) of its
// organization, or the member it belongs to.
bool may_change(const Principal& p, const Matter& x) {
  if (x.member_id && p.member_id == x.member_id) return true;
  return auth::has(p, Perm::org_write) && auth::in_scope(p, x.org_path);
}

bool may_read(const Principal& p, const Matter& x) {
  if (x.member_id && p.member_id == x.member_id) return true;
  return auth::has(p, Perm::org_read) && auth::in_scope(p, x.org_path) &&
         (p.role != auth::Role::member);
}

// The whole record's rules, after a create's defaults or a change's merge.
Status validate(const MatterInput& in, const std::set<std::string>& categories,
                bool has_files = false) {
  Validator v;
  v.text("title", in.title, 200);
  if (!in.category || !categories.contains(*in.category)) {
    v.add("category", "unknown_code", "is not a category of the dictionary");
  }
  v.text("beneficiaries", in.beneficiaries, 200, false);
  v.date("planned_on", in.planned_on, true);
  v.text("responsible", in.responsible, 50, false);
  if (!in.status || rank(*in.status) < 0) {
    v.add("status", "unknown_code", "must be planned, in_progress or done");
  }
  v.date("done_on", in.done_on);
  v.text("evidence", in.evidence, 5000, false);
  v.text("feedback", in.feedback, 2000, false);
  if (in.status == "done" && (!in.evidence || in.evidence->empty()) && !has_files) {
    v.add("evidence", "required", "a matter done needs its evidence: what was done, or a file");
  }
  if (in.status == "done" && in.done_on && in.planned_on && is_valid_date(*in.done_on) &&
      *in.done_on > today()) {
    v.add("done_on", "in_future", "must not be in the future");
  }
  return v.status();
}

Result<std::set<std::string>> category_codes(store::Conn& c) {
  DJ_ASSIGN(auto rows, c.query("SELECT code FROM matter_categories", {}));
  std::set<std::string> out;
  for (const auto& r : rows) out.insert(r.str(0));
  return out;
}

}  // namespace

Result<std::vector<Category>> MassesService::categories() {
  return store::with_conn(db_, [&](store::Conn& c) -> Result<std::vector<Category>> {
    DJ_ASSIGN(auto rows, c.query("SELECT code, label_zh, label_en, builtin FROM "
                                 "matter_categories ORDER BY builtin DESC, created_at, code",
                                 {}));
    std::vector<Category> out;
    for (const auto& r : rows) out.push_back({r.str(0), r.str(1), r.str(2), r.flag(3)});
    return out;
  });
}

Result<std::map<std::string, std::string>> MassesService::category_labels(store::Db& db) {
  return store::with_conn(db, [](store::Conn& c) -> Result<std::map<std::string, std::string>> {
    DJ_ASSIGN(auto rows, c.query("SELECT code, label_zh FROM matter_categories", {}));
    std::map<std::string, std::string> out;
    for (const auto& r : rows) out[r.str(0)] = r.str(1);
    return out;
  });
}

Result<Category> MassesService::add_category(const Principal& p, const Category& in) {
  DJ_TRY(auth::require(p, Perm::activity_type_manage));
  Validator v;
  if (in.code.empty() || in.code.size() > 30 ||
      in.code.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos) {
    v.add("code", "format", "1-30 of a-z, 0-9 and _");
  }
  v.text("label_zh", std::optional<std::string>(in.label_zh), 50);
  v.text("label_en", std::optional<std::string>(in.label_en), 50);
  DJ_TRY(v.status());
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Category> {
    DJ_ASSIGN(auto codes, category_codes(c));
    if (codes.contains(in.code)) {
      return Error{ErrorCode::conflict, "code already exists", {{"code", "taken", "exists"}}};
    }
    DJ_TRY(
        c.exec("INSERT INTO matter_categories (code, label_zh, label_en, builtin, created_at) "
               "VALUES (?, ?, ?, 0, ?)",
               {in.code, in.label_zh, in.label_en, now_ms()}));
    Category out{in.code, in.label_zh, in.label_en, false};
    DJ_TRY(audit::record(
        c, p.actor(),
        {"matter_category.create", "matter_category", in.code, p.scope_path, {}, to_json(out)}));
    return out;
  });
}

Result<Matter> MassesService::create(const Principal& p, const MatterInput& given) {
  MatterInput in = given;
  if (!in.member_id && !in.org_id && p.member_id) in.member_id = p.member_id;  // a member's own
  if (!in.status) in.status = "planned";
  if (in.status == "done" && !in.done_on) in.done_on = today();
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Matter> {
    DJ_ASSIGN(auto codes, category_codes(c));
    DJ_TRY(validate(in, codes));
    std::string path;
    if (in.member_id) {
      // A member's matter belongs to his organization.
      DJ_ASSIGN(auto m, c.query_opt("SELECT m.org_id, o.path FROM members m JOIN orgs o ON o.id = "
                                    "m.org_id WHERE m.id = ? AND m.deleted_at IS NULL",
                                    {*in.member_id}));
      const bool own = m && p.member_id == in.member_id;
      if (!m || (!own && !(auth::has(p, Perm::org_write) && auth::in_scope(p, m->str(1))))) {
        return Error::invalid("member_id", "unknown", "no such member in your scope");
      }
      in.org_id = m->i64(0);
      path = m->str(1);
    } else {
      DJ_TRY(auth::require(p, Perm::org_write));
      if (!in.org_id) return Error::invalid("org_id", "required", "is required");
      auto o = org::OrgService::load(c, *in.org_id);
      if (!o || !auth::in_scope(p, o->path)) {
        return Error::invalid("org_id", "unknown", "no such organization in your scope");
      }
      path = o->path;
    }
    const int64_t now = now_ms();
    DJ_ASSIGN(auto ins,
              c.query_one("INSERT INTO matters (org_id, member_id, title, category, beneficiaries, "
                          "planned_on, responsible, status, done_on, evidence, feedback, "
                          "created_at, updated_at, created_by, updated_by) VALUES (?, ?, ?, ?, ?, "
                          "?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          {*in.org_id, in.member_id, *in.title, *in.category, in.beneficiaries,
                           *in.planned_on, in.responsible, *in.status,
                           in.status == "done" ? store::Value(in.done_on) : store::Value(),
                           in.evidence, in.feedback, now, now, p.user_id, p.user_id}));
    DJ_ASSIGN(auto out, load(c, ins.i64(0)));
    DJ_TRY(audit::record(
        c, p.actor(), {"matter.create", "matter", std::to_string(out.id), path, {}, to_json(out)}));
    return out;
  });
}

Result<Matter> MassesService::get(const Principal& p, int64_t id) {
  return store::with_conn(db_, [&](store::Conn& c) -> Result<Matter> {
    DJ_ASSIGN(auto x, load(c, id));
    if (!may_read(p, x)) return Error::not_found("matter " + std::to_string(id));
    return x;
  });
}

Result<Page> MassesService::list(const Principal& p, const ListQuery& q) {
  if (q.planned_by && *q.planned_by != "org" && *q.planned_by != "member") {
    return Error::invalid("planned_by", "unknown_code", "must be org or member");
  }
  if (q.status && rank(*q.status) < 0) {
    return Error::invalid("status", "unknown_code", "must be planned, in_progress or done");
  }
  return store::with_conn(db_, [&](store::Conn& c) -> Result<Page> {
    store::Filter f(kFrom, {});
    if (q.mine || !auth::has(p, Perm::org_read) || p.role == auth::Role::member) {
      if (!p.member_id) return Page{};
      f.add("x.member_id = ?", *p.member_id);
    } else {
      DJ_ASSIGN(const std::string scope, org::OrgService::subtree(c, p, q.org_id));
      f.add("o.path >= ? AND o.path < ?", {scope, auth::subtree_end(scope)});
    }
    if (q.planned_by)
      f.add_fixed(*q.planned_by == "org" ? "x.member_id IS NULL" : "x.member_id IS NOT NULL");
    f.add_if("x.status = ?", q.status);
    f.add_if("x.category = ?", q.category);
    f.add_if("x.planned_on >= ?", q.from);
    f.add_if("x.planned_on <= ?", q.to);
    DJ_ASSIGN(auto found, store::query_page(c, kColumns, f, "x.planned_on DESC, x.id DESC", q.page,
                                            q.page_size));
    Page out;
    out.total = found.total;
    for (const auto& r : found.rows) out.items.push_back(from_row(r));
    DJ_TRY(org::name_paths(c, out.items));
    DJ_TRY(fill_files(c, out.items));
    return out;
  });
}

Result<Matter> MassesService::update(const Principal& p, int64_t id, const MatterInput& patch) {
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Matter> {
    DJ_ASSIGN(auto before, load(c, id));
    if (!may_read(p, before)) return Error::not_found("matter " + std::to_string(id));
    if (!may_change(p, before))
      return Error::forbidden("only its organization or member changes it");
    if ((patch.org_id && *patch.org_id != before.org_id) ||
        (patch.member_id && patch.member_id != before.member_id)) {
      return Error::invalid(patch.org_id ? "org_id" : "member_id", "immutable",
                            "who planned it stays; remove it and plan it again");
    }
    if (before.status == "done") {
      const bool only_feedback = !patch.title && !patch.category && !patch.beneficiaries &&
                                 !patch.planned_on && !patch.responsible && !patch.done_on &&
                                 !patch.evidence && (!patch.status || *patch.status == "done");
      if (!only_feedback) {
        const std::string why = "the matter is done; only the feedback of those served is added";
        return Error{ErrorCode::conflict, why, {{"status", "done", why}}};
      }
    }
    if (patch.status && rank(*patch.status) >= 0 && rank(*patch.status) < rank(before.status)) {
      const std::string why = "the status moves forward only";
      return Error{ErrorCode::conflict, why, {{"status", "backwards", why}}};
    }
    MatterInput in;
    in.title = patch.title.value_or(before.title);
    in.category = patch.category.value_or(before.category);
    in.beneficiaries = patch.beneficiaries ? patch.beneficiaries : before.beneficiaries;
    in.planned_on = patch.planned_on.value_or(before.planned_on);
    in.responsible = patch.responsible ? patch.responsible : before.responsible;
    in.status = patch.status.value_or(before.status);
    in.evidence = patch.evidence ? patch.evidence : before.evidence;
    in.feedback = patch.feedback ? patch.feedback : before.feedback;
    in.done_on = patch.done_on ? patch.done_on : before.done_on;
    if (in.status == "done" && !in.done_on) in.done_on = today();
    DJ_ASSIGN(auto codes, category_codes(c));
    DJ_TRY(validate(in, codes, !before.files.empty()));
    DJ_TRY(
        c.exec("UPDATE matters SET title = ?, category = ?, beneficiaries = ?, planned_on = ?, "
               "responsible = ?, status = ?, done_on = ?, evidence = ?, feedback = ?, "
               "updated_at = ?, updated_by = ? WHERE id = ?",
               {*in.title, *in.category, in.beneficiaries, *in.planned_on, in.responsible,
                *in.status, in.status == "done" ? store::Value(in.done_on) : store::Value(),
                in.evidence, in.feedback, now_ms(), p.user_id, id}));
    DJ_ASSIGN(auto after, load(c, id));
    DJ_TRY(audit::record(c, p.actor(),
                         {"matter.update", "matter", std::to_string(id), before.org_path,
                          to_json(before), to_json(after)}));
    return after;
  });
}

Status MassesService::remove(const Principal& p, int64_t id) {
  return store::with_tx(db_, [&](store::Conn& c) -> Status {
    DJ_ASSIGN(auto x, load(c, id));
    if (!may_read(p, x)) return Error::not_found("matter " + std::to_string(id));
    if (!may_change(p, x)) return Error::forbidden("only its organization or member removes it");
    if (x.status == "done") {
      const std::string why = "a matter done stays on the record";
      return Error{ErrorCode::conflict, why, {{"status", "done", why}}};
    }
    DJ_TRY(c.exec("UPDATE matters SET deleted_at = ?, updated_at = ?, updated_by = ? WHERE id = ?",
                  {now_ms(), now_ms(), p.user_id, id}));
    return audit::record(c, p.actor(),
                         {"matter.delete", "matter", std::to_string(id), x.org_path, to_json(x),
                          json::object{{"deleted", true}}});
  });
}

Result<MatterFile> MassesService::attach(const Principal& p, int64_t id,
                                         const std::string& claimed_type,
                                         const std::string& filename, const std::string& bytes) {
  DJ_TRY(store::check_upload(claimed_type, filename, bytes, cfg_.max_file_bytes));
  const std::string sha = sha256_hex(bytes);
  return store::with_tx(db_, [&](store::Conn& c) -> Result<MatterFile> {
    DJ_ASSIGN(auto x, load(c, id));
    if (!may_read(p, x)) return Error::not_found("matter " + std::to_string(id));
    if (!may_change(p, x)) return Error::forbidden("only its organization or member changes it");
    DJ_TRY(store::put_blob(cfg_.blob_dir, sha, bytes));
    const int64_t now = now_ms();
    DJ_ASSIGN(auto ins, c.query_one("INSERT INTO matter_files (matter_id, sha256, content_type, "
                                    "size, filename, created_at, created_by) VALUES (?, ?, ?, ?, "
                                    "?, ?, ?) RETURNING id",
                                    {id, sha, claimed_type, static_cast<int64_t>(bytes.size()),
                                     filename, now, p.user_id}));
    MatterFile out{ins.i64(0), id, sha, claimed_type, filename, static_cast<int64_t>(bytes.size()),
                   now};
    DJ_TRY(audit::record(
        c, p.actor(),
        {"matter.attach", "matter", std::to_string(id), x.org_path, {}, to_json(out)}));
    return out;
  });
}

Result<std::pair<MatterFile, std::string>> MassesService::file(const Principal& p, int64_t id,
                                                               int64_t file_id) {
  DJ_ASSIGN(auto x, get(p, id));
  for (const auto& f : x.files) {
    if (f.id != file_id) continue;
    DJ_ASSIGN(auto bytes, store::get_blob(cfg_.blob_dir, f.sha256));
    return std::pair{f, std::move(bytes)};
  }
  return Error::not_found("file " + std::to_string(file_id));
}

Status MassesService::detach(const Principal& p, int64_t id, int64_t file_id) {
  return store::with_tx(db_, [&](store::Conn& c) -> Status {
    DJ_ASSIGN(auto x, load(c, id));
    if (!may_read(p, x)) return Error::not_found("matter " + std::to_string(id));
    if (!may_change(p, x)) return Error::forbidden("only its organization or member changes it");
    if (x.status == "done") {
      const std::string why = "a matter done keeps its evidence";
      return Error{ErrorCode::conflict, why, {{"status", "done", why}}};
    }
    for (const auto& f : x.files) {
      if (f.id != file_id) continue;
      DJ_TRY(c.exec("UPDATE matter_files SET deleted_at = ? WHERE id = ?", {now_ms(), file_id}));
      return audit::record(
          c, p.actor(),
          {"matter.detach", "matter", std::to_string(id), x.org_path, to_json(f), {}});
    }
    return Error::not_found("file " + std::to_string(file_id));
  });
}

Result<Figures> MassesService::figures(const Principal& p, std::optional<int64_t> org_id,
                                       const std::string& from, const std::string& to) {
  DJ_TRY(auth::require(p, Perm::org_read));
  Validator v;
  v.date("from", from, true);
  v.date("to", to, true);
  DJ_TRY(v.status());
  if (to < from) return Error::invalid("to", "before_start", "must not be before from");
  return store::with_conn(db_, [&](store::Conn& c) -> Result<Figures> {
    DJ_ASSIGN(const std::string scope, org::OrgService::subtree(c, p, org_id));
    DJ_ASSIGN(auto rows,
              c.query("SELECT x.category, CASE WHEN x.member_id IS NULL THEN 0 ELSE 1 END, "
                      "COUNT(*), SUM(CASE WHEN x.status = 'done' THEN 1 ELSE 0 END) FROM matters x "
                      "JOIN orgs o ON o.id = x.org_id WHERE x.deleted_at IS NULL AND o.path >= ? "
                      "AND o.path < ? AND x.planned_on >= ? AND x.planned_on <= ? GROUP BY "
                      "x.category, CASE WHEN x.member_id IS NULL THEN 0 ELSE 1 END",
                      {scope, auth::subtree_end(scope), from, to}));
    Figures out;
    out.from = from;
    out.to = to;
    std::map<std::string, Figures::Count> by;
    for (const auto& r : rows) {
      auto& whose = r.i64(1) ? out.members : out.orgs;
      whose.planned += r.i64(2);
      whose.done += r.i64(3);
      by[r.str(0)].planned += r.i64(2);
      by[r.str(0)].done += r.i64(3);
    }
    out.by_category.assign(by.begin(), by.end());
    return out;
  });
}

json::object to_json(const Category& c) {
  return json::object{
      {"code", c.code}, {"label_zh", c.label_zh}, {"label_en", c.label_en}, {"builtin", c.builtin}};
}

json::object to_json(const MatterFile& f) {
  return json::object{{"id", f.id},
                      {"matter_id", f.matter_id},
                      {"filename", f.filename},
                      {"content_type", f.content_type},
                      {"size", f.size},
                      {"created_at", format_instant(f.created_at)}};
}

json::object to_json(const Matter& m) {
  json::array files;
  for (const auto& f : m.files) files.push_back(to_json(f));
  return json::object{
      {"id", m.id},
      {"org_id", m.org_id},
      {"org_path_name", m.org_path_name},
      {"member_id", m.member_id ? json::value(*m.member_id) : json::value(nullptr)},
      {"member_name", or_null(m.member_name)},
      {"planned_by", m.member_id ? "member" : "org"},
      {"title", m.title},
      {"category", m.category},
      {"beneficiaries", or_null(m.beneficiaries)},
      {"planned_on", m.planned_on},
      {"responsible", or_null(m.responsible)},
      {"status", m.status},
      {"done_on", or_null(m.done_on)},
      {"evidence", or_null(m.evidence)},
      {"feedback", or_null(m.feedback)},
      {"created_at", format_instant(m.created_at)},
      {"updated_at", format_instant(m.updated_at)},
      {"files", std::move(files)},
  };
}

json::object to_json(const Page& p) {
  json::array items;
  for (const auto& m : p.items) items.push_back(to_json(m));
  return json::object{{"items", std::move(items)}, {"total", p.total}};
}

json::object to_json(const Figures& f) {
  auto count = [](const Figures::Count& c) {
    return json::object{{"planned", c.planned}, {"done", c.done}};
  };
  json::object by;
  for (const auto& [k, v] : f.by_category) by[k] = count(v);
  return json::object{{"from", f.from},
                      {"to", f.to},
                      {"orgs", count(f.orgs)},
                      {"members", count(f.members)},
                      {"by_category", std::move(by)}};
}

}  // namespace dj::masses
