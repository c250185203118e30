// Organizations: the tree of domain.md (committee -> party committee or
// general branch -> branch -> party group), kept as materialized paths.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "domain/auth/principal.h"
#include "store/db.h"
#include "store/migrations.h"

namespace dj::org {

// This capability's schema migrations (migrations.cc), in version order.
std::span<const store::Migration> migrations();

// Stable type codes.
enum class OrgType { committee, party_committee, general_branch, branch, group };
// The codes of OrgType, in its order: validation and the API's enum.
extern const char* const kOrgTypes[5];
std::optional<OrgType> parse_type(std::string_view s);
const char* to_string(OrgType t);
// True when an organization of type `child` may sit directly under `parent`.
bool may_contain(OrgType parent, OrgType child);

struct Org {
  int64_t id = 0;
  std::optional<int64_t> parent_id;
  std::string path;  // "/1/12/305/"
  int depth = 0;
  std::string code, name;
  OrgType type = OrgType::branch;
  std::optional<std::string> leader, department, founded_on, term_start, term_end;
  std::string path_name;     // path_names: filled by get and list
  int64_t member_count = 0;  // current members in the whole subtree
  int64_t child_count = 0;
  int64_t created_at = 0, updated_at = 0;
};

boost::json::object to_json(const Org& o);

// How an organization is named to people: its name after its ancestors below
// the root, at most three levels ("市发改委机关党委 / 办公室党支部"), for
// materialized paths like "/1/12/305/". One query for all of `paths`.
// The ids that name the organization at `path`: those below the root, at
// most the last three (none for the root).
std::vector<int64_t> path_name_ids(std::string_view path);
// Their names joined with " / "; an id `name_of` does not know (nullptr) is
// left out.
std::string path_name(std::string_view path,
                      const std::function<const std::string*(int64_t)>& name_of);

Result<std::unordered_map<std::string, std::string>> path_names(
    store::Conn& c, const std::vector<std::string>& paths);

// Fills `T::org_path_name` of each item from its `org_path`.
template <class T>
Status name_paths(store::Conn& c, std::vector<T>& items) {
  std::vector<std::string> paths;
  for (const auto& x : items) paths.push_back(x.org_path);
  DJ_ASSIGN(auto names, path_names(c, paths));
  for (auto& x : items) x.org_path_name = names[x.org_path];
  return {};
}

// The writable fields; absent optionals mean "not set".
struct OrgInput {
  std::optional<std::string> code, name, type;
  std::optional<int64_t> parent_id;
  std::optional<std::string> leader, department, founded_on, term_start, term_end;
};

struct ListQuery {
  std::optional<int64_t> parent_id;   // direct children of
  std::optional<int64_t> subtree_of;  // everything under (inclusive)
  std::optional<std::string> type;
  std::optional<int64_t> depth;  // 0 the root, 1 the directly affiliated organizations, ...
  std::string q;  // each word in the name or code, or in the parent's or grandparent's name
  int64_t page = 1, page_size = 50;
};

struct Page {
  std::vector<Org> items;
  int64_t total = 0;
};

class OrgService {
 public:
  explicit OrgService(store::Db& db) : db_(db) {}

  // not_found when absent, deleted or outside p's subtree (never reveals it).
  Result<Org> get(const auth::Principal& p, int64_t id);
  Result<Page> list(const auth::Principal& p, const ListQuery& q);
  Result<Org> create(const auth::Principal& p, const OrgInput& in);
  // Updates the given fields; the parent changes only through move().
  Result<Org> update(const auth::Principal& p, int64_t id, const OrgInput& patch);
  // Moves the subtree under `new_parent_id` in one transaction; refuses cycles.
  Result<Org> move(const auth::Principal& p, int64_t id, int64_t new_parent_id);
  // Soft-deletes an organization with no children, members or accounts;
  // otherwise conflict, saying why.
  Status remove(const auth::Principal& p, int64_t id);

  // For other capabilities: the organization within a transaction, no scope check.
  static Result<Org> load(store::Conn& c, int64_t id);
  // The subtree a query covers: the caller's scope, or the organization
  // `org_id` inside it (invalid, naming org_id, when it is not there).
  static Result<std::string> subtree(store::Conn& c, const auth::Principal& p,
                                     std::optional<int64_t> org_id);

 private:
  store::Db& db_;
};

}  // namespace dj::org
