#include "domain/org/org.h"

#include <boost/json.hpp>
#include <set>

#include "common/json.h"
#include "common/time.h"
#include "common/validate.h"
#include "domain/audit/audit.h"
#include "store/query.h"

namespace dj::org {
namespace {

namespace json = boost::json;
using auth::Perm;
using auth::Principal;

constexpr const char* kColumns =
    "o.id, o.parent_id, o.path, o.depth, o.code, o.name, o.type, o.leader, o.department, "
    "o.founded_on, o.term_start, o.term_end, o.created_at, o.updated_at";

// Members currently in the subtree and live children, for one organization row.
constexpr const char* kCountColumns =
    ", (SELECT COUNT(*) FROM members m JOIN orgs mo ON mo.id = m.org_id "
    "WHERE mo.path >= o.path AND mo.path < substr(o.path, 1, length(o.path) - 1) || '0' "
    "AND m.deleted_at IS NULL AND mo.deleted_at IS NULL), "
    "(SELECT COUNT(*) FROM orgs c WHERE c.parent_id = o.id AND c.deleted_at IS NULL)";

Org from_row(const store::Row& r, bool with_counts) {
  Org o;
  o.id = r.i64(0);
  o.parent_id = r.opt_i64(1);
  o.path = r.str(2);
  o.depth = static_cast<int>(r.i64(3));
  o.code = r.str(4);
  o.name = r.str(5);
  o.type = parse_type(r.str(6)).value_or(OrgType::branch);
  o.leader = r.opt_str(7);
  o.department = r.opt_str(8);
  o.founded_on = r.opt_str(9);
  o.term_start = r.opt_str(10);
  o.term_end = r.opt_str(11);
  o.created_at = r.i64(12);
  o.updated_at = r.i64(13);
  if (with_counts) {
    o.member_count = r.i64(14);
    o.child_count = r.i64(15);
  }
  return o;
}

Status validate(const OrgInput& in) {
  Validator v;
  v.text("code", in.code, 32);
  if (in.code) {
    for (unsigned char ch : *in.code) {
      if (!std::isalnum(ch) && ch != '-' && ch != '_' && ch != '.') {
        v.add("code", "format", "may use letters, digits, '-', '_' and '.' only");
        break;
      }
    }
  }
  v.text("name", in.name, 100);
  if (!in.type) {
    v.add("type", "required", "is required");
  } else if (!parse_type(*in.type)) {
    v.add("type", "unknown_code",
          "must be one of committee, party_committee, general_branch, branch, group");
  }
  v.text("leader", in.leader, 50, false);
  v.text("department", in.department, 100, false);
  v.date("founded_on", in.founded_on);
  v.date("term_start", in.term_start);
  v.date("term_end", in.term_end);
  if (in.term_start && in.term_end && is_valid_date(*in.term_start) &&
      is_valid_date(*in.term_end) && *in.term_end < *in.term_start) {
    v.add("term_end", "before_start", "must not be before term_start");
  }
  return v.status();
}

// Loads an organization in scope or answers not_found.
Result<Org> load_in_scope(store::Conn& c, const Principal& p, int64_t id, const char* field) {
  auto o = OrgService::load(c, id);
  if (!o || !auth::in_scope(p, o->path)) {
    if (field) return Error::invalid(field, "unknown", "no such organization in your scope");
    return Error::not_found("organization " + std::to_string(id));
  }
  return o;
}

}  // namespace

const char* const kOrgTypes[5] = {"committee", "party_committee", "general_branch", "branch",
                                  "group"};

std::optional<OrgType> parse_type(std::string_view s) {
  for (size_t i = 0; i < std::size(kOrgTypes); ++i) {
    if (s == kOrgTypes[i]) return static_cast<OrgType>(i);
  }
  return std::nullopt;
}

const char* to_string(OrgType t) { return kOrgTypes[static_cast<size_t>(t)]; }

bool may_contain(OrgType parent, OrgType child) {
  switch (parent) {
    case OrgType::committee:
      return child == OrgType::party_committee || child == OrgType::general_branch ||
             child == OrgType::branch;
    case OrgType::party_committee:
      return child == OrgType::general_branch || child == OrgType::branch;
    case OrgType::general_branch:
      return child == OrgType::branch;
    case OrgType::branch:
      return child == OrgType::group;
    case OrgType::group:
      return false;
  }
  return false;
}

json::object to_json(const Org& o) {
  return json::object{
      {"id", o.id},
      {"parent_id", o.parent_id ? json::value(*o.parent_id) : json::value(nullptr)},
      {"path", o.path},
      {"path_name", o.path_name},
      {"depth", o.depth},
      {"code", o.code},
      {"name", o.name},
      {"type", to_string(o.type)},
      {"leader", or_null(o.leader)},
      {"department", or_null(o.department)},
      {"founded_on", or_null(o.founded_on)},
      {"term_start", or_null(o.term_start)},
      {"term_end", or_null(o.term_end)},
      {"member_count", o.member_count},
      {"child_count", o.child_count},
      {"created_at", format_instant(o.created_at)},
      {"updated_at", format_instant(o.updated_at)},
  };
}

std::vector<int64_t> path_name_ids(std::string_view path) {
  std::vector<int64_t> ids;
  size_t pos = 1;
  while (pos < path.size()) {
    const size_t next = path.find('/', pos);
    if (next == std::string_view::npos) break;
    ids.push_back(std::stoll(std::string(path.substr(pos, next - pos))));
    pos = next + 1;
  }
  if (!ids.empty()) ids.erase(ids.begin());
  if (ids.size() > 3) ids.erase(ids.begin(), ids.end() - 3);
  return ids;
}

std::string path_name(std::string_view path,
                      const std::function<const std::string*(int64_t)>& name_of) {
  std::string text;
  for (int64_t id : path_name_ids(path)) {
    if (const std::string* name = name_of(id)) text += (text.empty() ? "" : " / ") + *name;
  }
  return text;
}

Result<std::unordered_map<std::string, std::string>> path_names(
    store::Conn& c, const std::vector<std::string>& paths) {
  std::set<int64_t> wanted;
  for (const auto& p : paths) {
    for (int64_t id : path_name_ids(p)) wanted.insert(id);
  }
  std::unordered_map<int64_t, std::string> name;
  std::vector<int64_t> all(wanted.begin(), wanted.end());
  constexpr size_t kChunk = 500;
  for (size_t i = 0; i < all.size(); i += kChunk) {
    std::string sql = "SELECT id, name FROM orgs WHERE id IN (";
    store::Params params;
    for (size_t k = i; k < std::min(all.size(), i + kChunk); ++k) {
      sql += k == i ? "?" : ", ?";
      params.emplace_back(all[k]);
    }
    DJ_ASSIGN(auto rows, c.query(sql + ")", params));
    for (const auto& r : rows) name[r.i64(0)] = r.str(1);
  }
  auto lookup = [&](int64_t id) -> const std::string* {
    auto it = name.find(id);
    return it == name.end() ? nullptr : &it->second;
  };
  std::unordered_map<std::string, std::string> out;
  for (const auto& p : paths) {
    if (!out.contains(p)) out[p] = path_name(p, lookup);
  }
  return out;
}

Result<Org> OrgService::load(store::Conn& c, int64_t id) {
  DJ_ASSIGN(auto row, c.query_opt(std::string("SELECT ") + kColumns + kCountColumns +
                                      " FROM orgs o WHERE o.id = ? AND o.deleted_at IS NULL",
                                  {id}));
  if (!row) return Error::not_found("organization " + std::to_string(id));
  Org o = from_row(*row, true);
  DJ_ASSIGN(auto names, path_names(c, {o.path}));
  o.path_name = names[o.path];
  return o;
}

Result<std::string> OrgService::subtree(store::Conn& c, const Principal& p,
                                        std::optional<int64_t> org_id) {
  if (!org_id) return p.scope_path;
  auto o = load(c, *org_id);
  if (!o || !auth::in_scope(p, o->path)) {
    return Error::invalid("org_id", "unknown", "no such organization in your scope");
  }
  return o->path;
}

Result<Org> OrgService::get(const Principal& p, int64_t id) {
  DJ_TRY(auth::require(p, Perm::org_read));
  return store::with_conn(db_, [&](store::Conn& c) { return load_in_scope(c, p, id, nullptr); });
}

Result<Page> OrgService::list(const Principal& p, const ListQuery& q) {
  DJ_TRY(auth::require(p, Perm::org_read));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<Page> {
    // A search matches any part of the path shown with the name: each word
    // (split at spaces and "/") is in the organization's own name or code,
    // or in the name of its parent or grandparent below the root.
    std::vector<std::string> words;
    for (size_t at = 0; at < q.q.size() && words.size() < 5;) {
      const size_t end = std::min(q.q.find_first_of(" /\t", at), q.q.size());
      if (end > at) words.push_back(q.q.substr(at, end - at));
      at = end + 1;
    }
    store::Filter f(
        std::string(" FROM orgs o") +
            (words.empty() ? ""
                           : " LEFT JOIN orgs p1 ON p1.id = o.parent_id AND p1.depth >= "
                             "1 LEFT JOIN orgs p2 ON p2.id = p1.parent_id AND "
                             "p2.depth >= 1") +
            " WHERE o.deleted_at IS NULL AND o.path >= ? AND o.path < ?",
        {p.scope_path, auth::subtree_end(p.scope_path)});
    if (q.parent_id) {
      DJ_TRY(load_in_scope(c, p, *q.parent_id, "parent_id"));
      f.add("o.parent_id = ?", *q.parent_id);
    }
    if (q.subtree_of) {
      DJ_ASSIGN(auto root, load_in_scope(c, p, *q.subtree_of, "subtree_of"));
      f.add("o.path >= ? AND o.path < ?", {root.path, auth::subtree_end(root.path)});
    }
    if (q.type) {
      if (!parse_type(*q.type)) return Error::invalid("type", "unknown_code", "unknown type");
      f.add("o.type = ?", *q.type);
    }
    if (q.depth) f.add("o.depth = ?", *q.depth);
    for (const auto& word : words) {
      const std::string like = store::like_contains(word);
      f.add(
          "(o.name LIKE ? ESCAPE '\\' OR o.code LIKE ? ESCAPE '\\' OR p1.name LIKE ? ESCAPE "
          "'\\' OR p2.name LIKE ? ESCAPE '\\')",
          {like, like, like, like});
    }
    DJ_ASSIGN(auto found, store::query_page(c, std::string(kColumns) + kCountColumns, f,
                                            "o.depth, o.code", q.page, q.page_size));
    Page page;
    page.total = found.total;
    for (const auto& r : found.rows) page.items.push_back(from_row(r, true));
    std::vector<std::string> paths;
    for (const auto& o : page.items) paths.push_back(o.path);
    DJ_ASSIGN(auto names, path_names(c, paths));
    for (auto& o : page.items) o.path_name = names[o.path];
    return page;
  });
}

Result<Org> OrgService::create(const Principal& p, const OrgInput& in) {
  DJ_TRY(auth::require(p, Perm::org_write));
  DJ_TRY(validate(in));
  const OrgType type = *parse_type(*in.type);
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Org> {
    std::string parent_path = "/";
    int depth = 0;
    if (in.parent_id) {
      DJ_ASSIGN(auto parent, load_in_scope(c, p, *in.parent_id, "parent_id"));
      if (!may_contain(parent.type, type)) {
        return Error::invalid(
            "type", "not_allowed_here",
            std::string("a ") + to_string(type) + " cannot sit under a " + to_string(parent.type));
      }
      parent_path = parent.path;
      depth = parent.depth + 1;
    } else if (p.scope_path != "/") {
      return Error::invalid("parent_id", "required", "is required");
    } else if (type != OrgType::committee) {
      return Error::invalid("parent_id", "required", "only a committee may be a root");
    }
    const int64_t now = now_ms();
    auto ins = c.query_one(
        "INSERT INTO orgs (parent_id, path, depth, code, name, type, leader, department, "
        "founded_on, term_start, term_end, created_at, updated_at, created_by, updated_by) "
        "VALUES (?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        {in.parent_id, depth, *in.code, *in.name, *in.type, in.leader, in.department, in.founded_on,
         in.term_start, in.term_end, now, now, p.user_id, p.user_id});
    if (!ins) {
      if (ins.error().code == ErrorCode::conflict) {
        return Error{ErrorCode::conflict,
                     "code already in use",
                     {{"code", "taken", "another organization uses this code"}}};
      }
      return ins.take_error();
    }
    const int64_t id = ins->i64(0);
    DJ_TRY(c.exec("UPDATE orgs SET path = ? WHERE id = ?",
                  {parent_path + std::to_string(id) + "/", id}));
    DJ_ASSIGN(auto o, load(c, id));
    DJ_TRY(audit::record(c, p.actor(),
                         {"org.create", "org", std::to_string(id), o.path, {}, to_json(o)}));
    return o;
  });
}

Result<Org> OrgService::update(const Principal& p, int64_t id, const OrgInput& patch) {
  DJ_TRY(auth::require(p, Perm::org_write));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Org> {
    DJ_ASSIGN(auto before, load_in_scope(c, p, id, nullptr));
    OrgInput in{before.code,       before.name,       std::string(to_string(before.type)),
                before.parent_id,  before.leader,     before.department,
                before.founded_on, before.term_start, before.term_end};
    auto take = [](auto& dst, const auto& src) {
      if (src) dst = src;
    };
    take(in.code, patch.code);
    take(in.name, patch.name);
    take(in.type, patch.type);
    take(in.leader, patch.leader);
    take(in.department, patch.department);
    take(in.founded_on, patch.founded_on);
    take(in.term_start, patch.term_start);
    take(in.term_end, patch.term_end);
    if (patch.parent_id && patch.parent_id != before.parent_id) {
      return Error::invalid("parent_id", "use_move", "use POST /orgs/{id}/move to move");
    }
    DJ_TRY(validate(in));
    const OrgType type = *parse_type(*in.type);
    if (type != before.type) {
      if (before.parent_id) {
        DJ_ASSIGN(auto parent, load(c, *before.parent_id));
        if (!may_contain(parent.type, type)) {
          return Error::invalid("type", "not_allowed_here", "the parent cannot hold this type");
        }
      }
      DJ_ASSIGN(auto kids, c.query("SELECT type FROM orgs WHERE parent_id = ? AND "
                                   "deleted_at IS NULL",
                                   {id}));
      for (const auto& k : kids) {
        if (!may_contain(type, parse_type(k.str(0)).value_or(OrgType::group))) {
          return Error::invalid("type", "children_not_allowed",
                                "its sub-organizations cannot sit under this type");
        }
      }
    }
    auto n = c.exec(
        "UPDATE orgs SET code = ?, name = ?, type = ?, leader = ?, department = ?, "
        "founded_on = ?, term_start = ?, term_end = ?, updated_at = ?, updated_by = ? "
        "WHERE id = ?",
        {*in.code, *in.name, *in.type, in.leader, in.department, in.founded_on, in.term_start,
         in.term_end, now_ms(), p.user_id, id});
    if (!n) {
      if (n.error().code == ErrorCode::conflict) {
        return Error{ErrorCode::conflict,
                     "code already in use",
                     {{"code", "taken", "another organization uses this code"}}};
      }
      return n.take_error();
    }
    DJ_ASSIGN(auto after, load(c, id));
    DJ_TRY(audit::record(
        c, p.actor(),
        {"org.update", "org", std::to_string(id), after.path, to_json(before), to_json(after)}));
    return after;
  });
}

Result<Org> OrgService::move(const Principal& p, int64_t id, int64_t new_parent_id) {
  DJ_TRY(auth::require(p, Perm::org_write));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Org> {
    DJ_ASSIGN(auto org, load_in_scope(c, p, id, nullptr));
    if (org.path == p.scope_path) {
      return Error::forbidden("you cannot move the root of your own scope");
    }
    DJ_ASSIGN(auto parent, load_in_scope(c, p, new_parent_id, "parent_id"));
    if (parent.path.starts_with(org.path)) {
      return Error::invalid("parent_id", "cycle",
                            "cannot move an organization under itself or its own descendant");
    }
    if (!may_contain(parent.type, org.type)) {
      return Error::invalid("parent_id", "not_allowed_here",
                            std::string("a ") + to_string(org.type) + " cannot sit under a " +
                                to_string(parent.type));
    }
    const std::string new_path = parent.path + std::to_string(id) + "/";
    const int depth_delta = parent.depth + 1 - org.depth;
    DJ_TRY(
        c.exec("UPDATE orgs SET path = ? || substr(path, ?), depth = depth + ?, "
               "updated_at = ?, updated_by = ? WHERE path >= ? AND path < ?",
               {new_path, static_cast<int64_t>(org.path.size() + 1), depth_delta, now_ms(),
                p.user_id, org.path, auth::subtree_end(org.path)}));
    DJ_TRY(c.exec("UPDATE orgs SET parent_id = ? WHERE id = ?", {new_parent_id, id}));
    DJ_ASSIGN(auto after, load(c, id));
    DJ_TRY(audit::record(c, p.actor(),
                         {"org.move", "org", std::to_string(id), after.path,
                          json::object{{"parent_id", org.parent_id ? json::value(*org.parent_id)
                                                                   : json::value(nullptr)},
                                       {"path", org.path}},
                          json::object{{"parent_id", new_parent_id}, {"path", after.path}}}));
    return after;
  });
}

Status OrgService::remove(const Principal& p, int64_t id) {
  DJ_TRY(auth::require(p, Perm::org_write));
  return store::with_tx(db_, [&](store::Conn& c) -> Status {
    DJ_ASSIGN(auto org, load_in_scope(c, p, id, nullptr));
    if (org.path == p.scope_path) {
      return Error::forbidden("you cannot delete the root of your own scope");
    }
    if (org.child_count > 0) {
      return Error::conflict("it has " + std::to_string(org.child_count) +
                             " sub-organizations; move or delete them first");
    }
    DJ_ASSIGN(auto members,
              c.query_one("SELECT COUNT(*) FROM member_org_history WHERE org_id = ?", {id}));
    if (members.i64(0) > 0) {
      return Error::conflict("it has " + std::to_string(members.i64(0)) +
                             " member records (current or past); transfer them, the history stays");
    }
    DJ_ASSIGN(auto users, c.query_one("SELECT COUNT(*) FROM users WHERE org_id = ?", {id}));
    if (users.i64(0) > 0) {
      return Error::conflict("it has " + std::to_string(users.i64(0)) + " user accounts");
    }
    DJ_TRY(c.exec("UPDATE orgs SET deleted_at = ?, updated_at = ?, updated_by = ? WHERE id = ?",
                  {now_ms(), now_ms(), p.user_id, id}));
    return audit::record(c, p.actor(),
                         {"org.delete", "org", std::to_string(id), org.path, to_json(org), {}});
  });
}

}  // namespace dj::org
