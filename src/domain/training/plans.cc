// The training figures for a period and subtree, and training plans against them.
#include <boost/json.hpp>
#include <map>
#include <set>

#include "common/time.h"
#include "common/validate.h"
#include "domain/audit/audit.h"
#include "domain/org/org.h"
#include "domain/training/internal.h"

namespace dj::training {

namespace json = boost::json;
using auth::Perm;
using auth::Principal;

namespace {

// Targets must be numbers (or objects of numbers) under the known keys.
Status validate_targets(const json::object& t) {
  Validator v;
  for (const auto& [k, val] : t) {
    const std::string key(k);
    if (key == "people_trained" || key == "hours" || key == "classes") {
      if (!val.is_number() || val.to_number<double>() < 0) {
        v.add("targets." + key, "type", "must be a number of at least 0");
      }
    } else if (key == "classes_by_level" || key == "people_by_target_group") {
      if (!val.is_object()) {
        v.add("targets." + key, "type", "must be an object of numbers");
        continue;
      }
      for (const auto& [code, n] : val.as_object()) {
        const std::string c(code);
        const bool known = key == "classes_by_level" ? one_of(c, kLevels) : one_of(c, kGroups);
        if (!known) v.add("targets." + key + "." + c, "unknown_code", "is not a known code");
        if (!n.is_number() || n.to_number<double>() < 0) {
          v.add("targets." + key + "." + c, "type", "must be a number of at least 0");
        }
      }
    } else {
      v.add("targets." + key, "unknown_field",
            "targets are classes, classes_by_level, people_trained, people_by_target_group, hours");
    }
  }
  return v.status();
}

constexpr const char* kPlanColumns =
    "p.id, p.org_id, o.path, p.title, p.kind, p.from_year, p.to_year, p.targets";

Plan plan_from(const store::Row& r) {
  Plan p{r.i64(0), r.i64(1), r.str(2), r.str(3), r.str(4), r.i64(5), r.i64(6), {}};
  json::error_code ec;
  auto targets = json::parse(r.str(7), ec);
  if (!ec && targets.is_object()) p.targets = std::move(targets.as_object());
  return p;
}

// A figure of the statistics by its name in a plan's targets: "people_trained",
// "hours", "classes", or "classes_by_level.unit", "people_by_target_group.x".
double figure_of(const TrainingStats& s, const std::string& key, const std::string& code) {
  auto in = [&](const std::map<std::string, int64_t>& m) {
    const auto it = m.find(code);
    return it == m.end() ? 0.0 : static_cast<double>(it->second);
  };
  if (key == "people_trained") return static_cast<double>(s.people_trained);
  if (key == "classes") return static_cast<double>(s.classes);
  if (key == "hours") return static_cast<double>(s.hours_tenths) / 10.0;
  if (key == "classes_by_level") return in(s.classes_by_level);
  if (key == "people_by_target_group") return in(s.people_by_target_group);
  return 0;
}

}  // namespace

Result<TrainingStats> TrainingService::stats(const Principal& p, const std::string& from,
                                             const std::string& to, std::optional<int64_t> org_id) {
  DJ_TRY(auth::require(p, Perm::org_read));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<TrainingStats> {
    DJ_ASSIGN(const std::string scope, org::OrgService::subtree(c, p, org_id));
    const store::Params range{scope, auth::subtree_end(scope), from, to};
    TrainingStats out;
    out.from = from;
    out.to = to;
    DJ_ASSIGN(auto classes, c.query("SELECT t.level, COUNT(*) FROM trainings t JOIN orgs o ON "
                                    "o.id = t.org_id WHERE o.path >= ? AND o.path < ? AND "
                                    "t.starts_on >= ? AND t.starts_on <= ? AND "
                                    "t.deleted_at IS NULL GROUP BY t.level",
                                    range));
    for (const auto& r : classes) {
      out.classes_by_level[r.str(0)] = r.i64(1);
      out.classes += r.i64(1);
    }
    DJ_ASSIGN(auto rows, c.query("SELECT e.member_id, t.target_groups, mo.path, e.completed, "
                                 "e.hours_tenths FROM enrolments e JOIN trainings t ON "
                                 "t.id = e.training_id JOIN orgs o ON o.id = t.org_id "
                                 "JOIN members m ON m.id = e.member_id JOIN orgs mo ON "
                                 "mo.id = m.org_id WHERE o.path >= ? AND o.path < ? AND "
                                 "t.starts_on >= ? AND t.starts_on <= ? AND "
                                 "t.deleted_at IS NULL AND e.status = 'enrolled'",
                                 range));
    std::set<int64_t> people;
    std::map<std::string, std::set<int64_t>> by_group;
    std::map<int64_t, std::set<int64_t>> by_affiliated;
    for (const auto& r : rows) {
      people.insert(r.i64(0));
      for (const auto& g : detail::parse_list(r.str(1))) by_group[g].insert(r.i64(0));
      if (auto a = detail::affiliated_of(r.str(2))) by_affiliated[*a].insert(r.i64(0));
      out.completed += r.flag(3);
      out.hours_tenths += r.i64(4);
    }
    for (const auto& [g, ids] : by_group) {
      out.people_by_target_group[g] = static_cast<int64_t>(ids.size());
    }
    for (const auto& [a, ids] : by_affiliated) {
      out.people_by_affiliated_org[a] = static_cast<int64_t>(ids.size());
    }
    out.people_trained = static_cast<int64_t>(people.size());
    out.enrolments = static_cast<int64_t>(rows.size());
    return out;
  });
}

Result<Plan> TrainingService::create_plan(const Principal& p, const PlanInput& in) {
  DJ_TRY(auth::require(p, Perm::org_write));
  Validator v;
  if (!in.org_id) v.add("org_id", "required", "is required");
  v.text("title", in.title, 200);
  if (!in.kind || !one_of(*in.kind, kPlanKinds)) {
    v.add("kind", "unknown_code", "must be multi_year or annual");
  }
  if (!in.from_year || *in.from_year < 2000 || *in.from_year > 2100) {
    v.add("from_year", "range", "is a year from 2000 to 2100");
  }
  if (!in.to_year || !in.from_year || *in.to_year < *in.from_year ||
      *in.to_year > *in.from_year + 10) {
    v.add("to_year", "range", "is from from_year to ten years after it");
  } else if (in.kind && *in.kind == "annual" && *in.to_year != *in.from_year) {
    v.add("to_year", "annual", "an annual plan covers one year");
  }
  if (!in.targets) v.add("targets", "required", "is required");
  DJ_TRY(v.status());
  DJ_TRY(validate_targets(*in.targets));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Plan> {
    auto o = org::OrgService::load(c, *in.org_id);
    if (!o || !auth::in_scope(p, o->path)) {
      return Error::invalid("org_id", "unknown", "no such organization in your scope");
    }
    DJ_ASSIGN(auto ins, c.query_one("INSERT INTO training_plans (org_id, title, kind, from_year, "
                                    "to_year, targets, created_at, created_by) VALUES "
                                    "(?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                    {o->id, *in.title, *in.kind, *in.from_year, *in.to_year,
                                     json::serialize(*in.targets), now_ms(), p.user_id}));
    DJ_ASSIGN(auto row, c.query_one(std::string("SELECT ") + kPlanColumns +
                                        " FROM training_plans p JOIN orgs o ON o.id = p.org_id "
                                        "WHERE p.id = ?",
                                    {ins.i64(0)}));
    Plan out = plan_from(row);
    DJ_TRY(audit::record(c, p.actor(),
                         {"training_plan.create",
                          "training_plan",
                          std::to_string(out.id),
                          o->path,
                          {},
                          to_json(out)}));
    return out;
  });
}

Result<std::vector<Plan>> TrainingService::plans(const Principal& p) {
  DJ_TRY(auth::require(p, Perm::org_read));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<std::vector<Plan>> {
    DJ_ASSIGN(auto rows, c.query(std::string("SELECT ") + kPlanColumns +
                                     " FROM training_plans p JOIN orgs o ON o.id = p.org_id "
                                     "WHERE p.deleted_at IS NULL AND o.path >= ? AND o.path < ? "
                                     "ORDER BY p.from_year DESC, p.id DESC",
                                 {p.scope_path, auth::subtree_end(p.scope_path)}));
    std::vector<Plan> out;
    for (const auto& r : rows) out.push_back(plan_from(r));
    return out;
  });
}

Result<PlanDetail> TrainingService::plan(const Principal& p, int64_t id) {
  DJ_TRY(auth::require(p, Perm::org_read));
  PlanDetail out;
  DJ_ASSIGN(out.plan, store::with_conn(db_, [&](store::Conn& c) -> Result<Plan> {
              DJ_ASSIGN(auto row, c.query_opt(std::string("SELECT ") + kPlanColumns +
                                                  " FROM training_plans p JOIN orgs o ON "
                                                  "o.id = p.org_id WHERE p.id = ? AND "
                                                  "p.deleted_at IS NULL",
                                              {id}));
              if (!row || !auth::in_scope(p, row->str(2))) {
                return Error::not_found("plan " + std::to_string(id));
              }
              return plan_from(*row);
            }));
  const Plan& plan = out.plan;
  DJ_ASSIGN(out.actual, stats(p, std::to_string(plan.from_year) + "-01-01",
                              std::to_string(plan.to_year) + "-12-31", plan.org_id));
  // Target against actual for each figure the plan names.
  for (const auto& [k, val] : plan.targets) {
    const std::string key(k);
    if (val.is_number()) {
      out.plan_vs_actual.push_back({key, val.to_number<double>(), figure_of(out.actual, key, "")});
    } else if (val.is_object()) {
      for (const auto& [code, n] : val.as_object()) {
        out.plan_vs_actual.push_back({key + "." + std::string(code), n.to_number<double>(),
                                      figure_of(out.actual, key, std::string(code))});
      }
    }
  }
  return out;
}

json::object to_json(const TrainingStats& s) {
  json::object by_level, groups, affiliated;
  for (const auto& [k, n] : s.classes_by_level) by_level[k] = n;
  for (const auto& [k, n] : s.people_by_target_group) groups[k] = n;
  for (const auto& [k, n] : s.people_by_affiliated_org) affiliated[std::to_string(k)] = n;
  return json::object{
      {"from", s.from},
      {"to", s.to},
      {"classes", s.classes},
      {"classes_by_level", std::move(by_level)},
      {"people_trained", s.people_trained},
      {"people_by_target_group", std::move(groups)},
      {"people_by_affiliated_org", std::move(affiliated)},
      {"enrolments", s.enrolments},
      {"completed", s.completed},
      {"completion_rate", s.enrolments ? json::value(static_cast<double>(s.completed) /
                                                     static_cast<double>(s.enrolments))
                                       : json::value(nullptr)},
      {"hours", static_cast<double>(s.hours_tenths) / 10.0}};
}

json::object to_json(const Plan& p) {
  return json::object{{"id", p.id},          {"org_id", p.org_id},       {"title", p.title},
                      {"kind", p.kind},      {"from_year", p.from_year}, {"to_year", p.to_year},
                      {"targets", p.targets}};
}

json::object to_json(const std::vector<Plan>& plans) {
  json::array items;
  for (const auto& p : plans) items.push_back(to_json(p));
  const auto n = static_cast<int64_t>(items.size());
  return json::object{{"items", std::move(items)}, {"total", n}};
}

json::object to_json(const PlanDetail& d) {
  auto out = to_json(d.plan);
  json::array rows;
  for (const auto& f : d.plan_vs_actual) {
    rows.push_back(json::object{
        {"figure", f.figure},
        {"target", f.target},
        {"actual", f.actual},
        {"share", f.target > 0 ? json::value(f.actual / f.target) : json::value(nullptr)}});
  }
  out["actual"] = to_json(d.actual);
  out["plan_vs_actual"] = std::move(rows);
  return out;
}

}  // namespace dj::training
