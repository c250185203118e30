// Courses assigned to the members of a subtree in some target groups by a
// date, with their completion by organization and who is overdue
// (learning.h).
#include <algorithm>
#include <boost/json.hpp>
#include <map>

#include "common/json.h"
#include "common/time.h"
#include "common/validate.h"
#include "domain/audit/audit.h"
#include "domain/learning/internal.h"
#include "domain/member/member.h"
#include "domain/org/org.h"

namespace dj::learning {

namespace json = boost::json;
using auth::Perm;
using auth::Principal;

namespace {

constexpr const char* kAssignmentSelect =
    "SELECT a.id, a.course_id, c.title, a.org_id, o.path, a.target_groups, a.due_on, a.note, "
    "a.created_at FROM course_assignments a JOIN courses c ON c.id = a.course_id JOIN orgs o ON "
    "o.id = a.org_id WHERE a.deleted_at IS NULL";

std::vector<std::string> groups_of(const std::string& text) {
  std::vector<std::string> out;
  const json::value v = json::parse(text);
  for (const auto& g : v.as_array()) out.emplace_back(g.as_string());
  return out;
}

// The members an assignment covers now: current members of its subtree in
// its groups, each with whether he completed the course.
struct Covered {
  int64_t member_id = 0;
  std::string name, org_path;
  bool completed = false;
};
Result<std::vector<Covered>> covered(store::Conn& c, const Assignment& a, int new_months) {
  DJ_ASSIGN(auto rows,
            c.query("SELECT m.id, m.name, o.path, m.political_status, m.cadre_rank, "
                    "m.party_worker, m.joined_on, (SELECT COUNT(*) FROM course_completions cc "
                    "WHERE cc.member_id = m.id AND cc.course_id = ?) FROM members m JOIN orgs o "
                    "ON o.id = m.org_id WHERE o.path LIKE ? AND m.deleted_at IS NULL ORDER BY "
                    "o.path, m.name, m.id",
                    {a.course_id, a.org_path + "%"}));
  std::vector<Covered> out;
  for (const auto& r : rows) {
    if (!member::in_target_groups(a.target_groups, {r.str(3), r.str(4), r.flag(5), r.opt_str(6)},
                                  new_months)) {
      continue;
    }
    out.push_back({r.i64(0), r.str(1), r.str(2), r.i64(7) > 0});
  }
  return out;
}

Status count(store::Conn& c, Assignment& a, int new_months) {
  DJ_ASSIGN(auto list, covered(c, a, new_months));
  a.assigned = static_cast<int64_t>(list.size());
  a.completed = std::count_if(list.begin(), list.end(), [](const auto& m) { return m.completed; });
  a.overdue = a.due_on < today() ? a.assigned - a.completed : 0;
  return {};
}

Result<std::vector<Assignment>> select_assignments(store::Conn& c, const std::string& and_where,
                                                   const store::Params& params) {
  DJ_ASSIGN(auto rows,
            c.query(std::string(kAssignmentSelect) + and_where + " ORDER BY a.due_on, o.path, a.id",
                    params));
  std::vector<Assignment> out;
  for (const auto& r : rows) {
    Assignment a;
    a.id = r.i64(0);
    a.course_id = r.i64(1);
    a.course_title = r.str(2);
    a.org_id = r.i64(3);
    a.org_path = r.str(4);
    a.target_groups = groups_of(r.str(5));
    a.due_on = r.str(6);
    a.note = r.opt_str(7);
    a.created_at = r.i64(8);
    out.push_back(std::move(a));
  }
  DJ_TRY(org::name_paths(c, out));
  return out;
}

// A course p may assign: he may manage it and is not its lecturer only.
Status may_assign(const Principal& p) {
  DJ_TRY(auth::require(p, Perm::course_manage));
  if (p.role == auth::Role::lecturer) return Error::forbidden("a lecturer does not assign courses");
  return {};
}

}  // namespace

json::value to_json(const Assignment& a) {
  json::array groups;
  for (const auto& g : a.target_groups) groups.emplace_back(g);
  return json::object{{"id", a.id},
                      {"course_id", a.course_id},
                      {"course_title", a.course_title},
                      {"org_id", a.org_id},
                      {"org_path_name", a.org_path_name},
                      {"target_groups", std::move(groups)},
                      {"due_on", a.due_on},
                      {"note", or_null(a.note)},
                      {"assigned", a.assigned},
                      {"completed", a.completed},
                      {"overdue", a.overdue},
                      {"created_at", format_instant(a.created_at)}};
}

json::value to_json(const AssignmentProgress& a) {
  json::array orgs, missing;
  for (const auto& o : a.orgs) {
    orgs.push_back(json::object{{"org_id", o.org_id},
                                {"org_path_name", o.org_path_name},
                                {"assigned", o.assigned},
                                {"completed", o.completed}});
  }
  for (const auto& m : a.missing) {
    missing.push_back(json::object{{"member_id", m.member_id},
                                   {"name", m.name},
                                   {"org_path_name", m.org_path_name},
                                   {"lessons_done", m.lessons_done}});
  }
  return json::object{{"assignment", to_json(a.assignment)},
                      {"orgs", std::move(orgs)},
                      {"missing", std::move(missing)}};
}

Result<Assignment> LearningService::assign(const Principal& p, int64_t course_id,
                                           const AssignmentInput& in) {
  DJ_TRY(may_assign(p));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Assignment> {
    auto k = detail::load_course(c, course_id);
    if (!k || !auth::in_scope(p, k->org_path)) {
      return Error::not_found("course " + std::to_string(course_id));
    }
    Validator v;
    v.date("due_on", in.due_on, true);
    v.text("note", in.note, 500, false);
    for (const auto& g : in.target_groups.value_or(std::vector<std::string>{})) {
      if (!one_of(g, member::kTargetGroups)) {
        v.add("target_groups", "unknown_code", "unknown target group " + g);
      }
    }
    if (in.due_on && v.ok() && *in.due_on < today()) {
      v.add("due_on", "past", "the date has passed");
    }
    if (k->status != "published") v.add("course_id", "not_published", "publish the course first");
    DJ_TRY(v.status());
    const int64_t org_id = in.org_id.value_or(p.org_id.value_or(0));
    DJ_ASSIGN(auto path, org::OrgService::subtree(c, p, org_id));
    if (!path.starts_with(k->org_path)) {
      return Error::invalid("org_id", "outside_course",
                            "the course is open only to " + k->org_path_name + " and below");
    }
    json::array groups;
    for (const auto& g : in.target_groups.value_or(std::vector<std::string>{}))
      groups.emplace_back(g);
    DJ_ASSIGN(auto row, c.query_one("INSERT INTO course_assignments (course_id, org_id, "
                                    "target_groups, due_on, note, created_at, created_by) VALUES "
                                    "(?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                    {course_id, org_id, json::serialize(groups), *in.due_on,
                                     in.note, now_ms(), p.user_id}));
    DJ_ASSIGN(auto list, select_assignments(c, " AND a.id = ?", {row.i64(0)}));
    Assignment a = list.at(0);
    DJ_TRY(count(c, a, cfg_.new_member_months));
    DJ_TRY(audit::record(
        c, p.actor(),
        {"course.assign", "course_assignment", std::to_string(a.id), a.org_path, {}, to_json(a)}));
    return a;
  });
}

Result<std::vector<Assignment>> LearningService::assignments(const Principal& p,
                                                             int64_t course_id) {
  DJ_TRY(may_assign(p));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<std::vector<Assignment>> {
    auto k = detail::load_course(c, course_id);
    if (!k || !auth::in_scope(p, k->org_path)) {
      return Error::not_found("course " + std::to_string(course_id));
    }
    DJ_ASSIGN(auto list, select_assignments(c, " AND a.course_id = ? AND o.path LIKE ?",
                                            {course_id, p.scope_path + "%"}));
    for (auto& a : list) DJ_TRY(count(c, a, cfg_.new_member_months));
    return list;
  });
}

Result<AssignmentProgress> LearningService::assignment_progress(const Principal& p, int64_t id) {
  DJ_TRY(may_assign(p));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<AssignmentProgress> {
    DJ_ASSIGN(auto list, select_assignments(c, " AND a.id = ?", {id}));
    if (list.empty() || !auth::in_scope(p, list[0].org_path)) {
      return Error::not_found("assignment " + std::to_string(id));
    }
    AssignmentProgress out;
    out.assignment = list[0];
    DJ_ASSIGN(auto people, covered(c, out.assignment, cfg_.new_member_months));
    Assignment& a = out.assignment;
    a.assigned = static_cast<int64_t>(people.size());
    // By the organization one level under the assigned one (or itself).
    std::map<std::string, AssignmentProgress::ByOrg> by;
    for (const auto& m : people) {
      const size_t next = m.org_path.find('/', a.org_path.size());
      const std::string under =
          next == std::string::npos ? a.org_path : m.org_path.substr(0, next + 1);
      auto& o = by[under];
      ++o.assigned;
      if (m.completed) {
        ++o.completed;
        ++a.completed;
      }
    }
    a.overdue = a.due_on < today() ? a.assigned - a.completed : 0;
    DJ_ASSIGN(auto names, org::path_names(c, [&] {
                std::vector<std::string> paths;
                for (const auto& [path, _] : by) paths.push_back(path);
                for (const auto& m : people) paths.push_back(m.org_path);
                return paths;
              }()));
    for (auto& [path, o] : by) {
      const size_t end = path.find_last_of('/', path.size() - 2);
      o.org_id = std::stoll(path.substr(end + 1, path.size() - end - 2));
      o.org_path_name = names[path];
      out.orgs.push_back(o);
    }
    DJ_ASSIGN(auto done, c.query("SELECT lp.member_id, COUNT(*) FROM lesson_progress lp JOIN "
                                 "lessons l ON l.id = lp.lesson_id WHERE l.course_id = ? AND "
                                 "l.deleted_at IS NULL AND lp.completed_at IS NOT NULL GROUP BY "
                                 "lp.member_id",
                                 {a.course_id}));
    std::map<int64_t, int64_t> lessons_done;
    for (const auto& r : done) lessons_done[r.i64(0)] = r.i64(1);
    for (const auto& m : people) {
      if (m.completed) continue;
      if (out.missing.size() >= 500) break;
      out.missing.push_back({m.member_id, m.name, names[m.org_path], lessons_done[m.member_id]});
    }
    return out;
  });
}

Status LearningService::unassign(const Principal& p, int64_t id) {
  DJ_TRY(may_assign(p));
  return store::with_tx(db_, [&](store::Conn& c) -> Status {
    DJ_ASSIGN(auto list, select_assignments(c, " AND a.id = ?", {id}));
    if (list.empty() || !auth::in_scope(p, list[0].org_path)) {
      return Error::not_found("assignment " + std::to_string(id));
    }
    DJ_TRY(c.exec("UPDATE course_assignments SET deleted_at = ? WHERE id = ?", {now_ms(), id}));
    return audit::record(c, p.actor(),
                         {"course.unassign",
                          "course_assignment",
                          std::to_string(id),
                          list[0].org_path,
                          to_json(list[0]),
                          {}});
  });
}

namespace detail {

Result<std::map<int64_t, std::string>> due_dates(store::Conn& c, int64_t member_id,
                                                 const std::string& member_path,
                                                 int new_member_months) {
  DJ_ASSIGN(auto facts, c.query_one("SELECT political_status, cadre_rank, party_worker, joined_on "
                                    "FROM members WHERE id = ?",
                                    {member_id}));
  const member::GroupFacts me{facts.str(0), facts.str(1), facts.flag(2), facts.opt_str(3)};
  DJ_ASSIGN(auto rows, c.query("SELECT a.course_id, a.target_groups, a.due_on FROM "
                               "course_assignments a JOIN orgs o ON o.id = a.org_id WHERE "
                               "a.deleted_at IS NULL AND ? LIKE o.path || '%' ORDER BY a.due_on",
                               {member_path}));
  std::map<int64_t, std::string> out;
  for (const auto& r : rows) {
    if (out.count(r.i64(0))) continue;  // the earliest date holds
    if (member::in_target_groups(groups_of(r.str(1)), me, new_member_months)) {
      out[r.i64(0)] = r.str(2);
    }
  }
  return out;
}

}  // namespace detail

}  // namespace dj::learning
