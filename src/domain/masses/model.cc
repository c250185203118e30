// 模范机关创建 (masses.h): plans of benchmark items (the standard, the present
// state, the measures, a due date), the organization's self-assessment and
// the committee's acceptance, and the figures.
#include <boost/json.hpp>
#include <map>
#include <set>

#include "common/json.h"
#include "common/time.h"
#include "common/validate.h"
#include "domain/audit/audit.h"
#include "domain/masses/internal.h"
#include "domain/masses/masses.h"
#include "domain/org/org.h"

namespace dj::masses {

namespace json = boost::json;
using auth::Perm;
using auth::Principal;

namespace {

constexpr const char* kPlanColumns =
    "x.id, x.org_id, o.path, x.year, x.title, x.status, x.self_assessment, x.review_note, "
    "x.submitted_at, x.reviewed_at, x.updated_at, (SELECT COUNT(*) FROM model_items i WHERE "
    "i.plan_id = x.id), (SELECT COUNT(*) FROM model_items i WHERE i.plan_id = x.id AND i.result "
    "= 'met') FROM model_plans x JOIN orgs o ON o.id = x.org_id";

ModelPlan plan_from(const store::Row& r) {
  ModelPlan x;
  x.id = r.i64(0);
  x.org_id = r.i64(1);
  x.org_path = r.str(2);
  x.year = r.i64(3);
  x.title = r.str(4);
  x.status = r.str(5);
  x.self_assessment = r.opt_str(6);
  x.review_note = r.opt_str(7);
  x.submitted_at = r.opt_i64(8);
  x.reviewed_at = r.opt_i64(9);
  x.updated_at = r.i64(10);
  x.items_total = r.i64(11);
  x.items_met = r.i64(12);
  return x;
}

Result<ModelPlan> load_plan(store::Conn& c, int64_t id) {
  DJ_ASSIGN(auto r, c.query_opt(std::string("SELECT ") + kPlanColumns + " WHERE x.id = ?", {id}));
  if (!r) return Error::not_found("plan " + std::to_string(id));
  std::vector<ModelPlan> one{plan_from(*r)};
  DJ_ASSIGN(auto items, c.query("SELECT id, standard, present_state, measures, due_on, result, "
                                "result_note FROM model_items WHERE plan_id = ? ORDER BY position",
                                {id}));
  for (const auto& i : items) {
    one[0].items.push_back(
        {i.i64(0), i.str(1), i.str(2), i.str(3), i.str(4), i.opt_str(5), i.opt_str(6)});
  }
  DJ_TRY(org::name_paths(c, one));
  return one[0];
}

// The items as a whole: 1 to 50, each with its four fields.
Status check_items(const std::vector<ModelItem>& items) {
  Validator v;
  if (items.empty() || items.size() > 50) v.add("items", "size", "1 to 50 benchmark items");
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string at = "items[" + std::to_string(i) + "].";
    v.text((at + "standard").c_str(), items[i].standard, 1000);
    v.text((at + "present_state").c_str(), items[i].present_state, 2000);
    v.text((at + "measures").c_str(), items[i].measures, 2000);
    v.date((at + "due_on").c_str(), items[i].due_on, true);
  }
  return v.status();
}

Status write_items(store::Conn& c, int64_t plan_id, const std::vector<ModelItem>& items) {
  DJ_TRY(c.exec("DELETE FROM model_items WHERE plan_id = ?", {plan_id}));
  for (size_t i = 0; i < items.size(); ++i) {
    DJ_TRY(
        c.exec("INSERT INTO model_items (plan_id, position, standard, present_state, measures, "
               "due_on) VALUES (?, ?, ?, ?, ?, ?)",
               {plan_id, static_cast<int64_t>(i), *items[i].standard, *items[i].present_state,
                *items[i].measures, *items[i].due_on}));
  }
  return {};
}

// A plan p may change: org:write over its organization.
Result<ModelPlan> writable(store::Conn& c, const Principal& p, int64_t id) {
  auto x = load_plan(c, id);
  if (!x || !auth::has(p, Perm::org_read) || p.role == auth::Role::member ||
      !auth::in_scope(p, x->org_path)) {
    return Error::not_found("plan " + std::to_string(id));
  }
  DJ_TRY(auth::require(p, Perm::org_write));
  return x;
}

}  // namespace

Result<ModelPlan> MassesService::create_plan(const Principal& p, const ModelPlanInput& in) {
  DJ_TRY(auth::require(p, Perm::org_write));
  Validator v;
  if (!in.org_id) v.add("org_id", "required", "is required");
  if (!in.year) v.add("year", "required", "is required");
  v.text("title", in.title, 200);
  DJ_TRY(v.status());
  DJ_TRY(detail::check_year(*in.year, true));
  DJ_TRY(check_items(in.items.value_or(std::vector<ModelItem>{})));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<ModelPlan> {
    auto o = org::OrgService::load(c, *in.org_id);
    if (!o || !auth::in_scope(p, o->path)) {
      return Error::invalid("org_id", "unknown", "no such organization in your scope");
    }
    const int64_t now = now_ms();
    auto ins = c.query_one(
        "INSERT INTO model_plans (org_id, year, title, status, created_at, updated_at, "
        "created_by, updated_by) VALUES (?, ?, ?, 'draft', ?, ?, ?, ?) RETURNING id",
        {o->id, *in.year, *in.title, now, now, p.user_id, p.user_id});
    if (!ins) {
      if (ins.error().code != ErrorCode::conflict) return ins.take_error();
      const std::string why = "the organization has a plan for that year; change it instead";
      return Error{ErrorCode::conflict, why, {{"year", "taken", why}}};
    }
    DJ_TRY(write_items(c, ins->i64(0), *in.items));
    DJ_ASSIGN(auto out, load_plan(c, ins->i64(0)));
    DJ_TRY(audit::record(
        c, p.actor(),
        {"model_plan.create", "model_plan", std::to_string(out.id), o->path, {}, to_json(out)}));
    return out;
  });
}

Result<ModelPlan> MassesService::update_plan(const Principal& p, int64_t id,
                                             const ModelPlanInput& in) {
  Validator v;
  if (in.org_id) v.add("org_id", "immutable", "a plan stays with its organization");
  if (in.year) v.add("year", "immutable", "a plan stays with its year");
  if (in.title) v.text("title", in.title, 200);
  DJ_TRY(v.status());
  if (in.items) DJ_TRY(check_items(*in.items));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<ModelPlan> {
    DJ_ASSIGN(auto before, writable(c, p, id));
    if (before.status != "draft" && before.status != "returned") {
      const std::string why =
          "the plan is " + before.status + "; it changes only as a draft or returned";
      return Error{ErrorCode::conflict, why, {{"status", before.status, why}}};
    }
    const int64_t now = now_ms();
    DJ_TRY(c.exec("UPDATE model_plans SET title = ?, updated_at = ?, updated_by = ? WHERE id = ?",
                  {in.title.value_or(before.title), now, p.user_id, id}));
    if (in.items) DJ_TRY(write_items(c, id, *in.items));
    DJ_ASSIGN(auto after, load_plan(c, id));
    DJ_TRY(audit::record(c, p.actor(),
                         {"model_plan.update", "model_plan", std::to_string(id), before.org_path,
                          to_json(before), to_json(after)}));
    return after;
  });
}

Result<ModelPlan> MassesService::plan(const Principal& p, int64_t id) {
  return store::with_conn(db_, [&](store::Conn& c) -> Result<ModelPlan> {
    auto x = load_plan(c, id);
    if (!x || !auth::has(p, Perm::member_read) || p.role == auth::Role::member ||
        !auth::in_scope(p, x->org_path)) {
      return Error::not_found("plan " + std::to_string(id));
    }
    return x;
  });
}

Result<std::vector<ModelPlan>> MassesService::plans(const Principal& p,
                                                    std::optional<int64_t> org_id, int64_t year) {
  DJ_TRY(auth::require(p, Perm::member_read));
  DJ_TRY(detail::check_year(year, true));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<std::vector<ModelPlan>> {
    DJ_ASSIGN(const std::string scope, org::OrgService::subtree(c, p, org_id));
    DJ_ASSIGN(auto rows, c.query(std::string("SELECT ") + kPlanColumns +
                                     " WHERE x.year = ? AND o.path >= ? AND o.path < ? ORDER BY "
                                     "o.path",
                                 {year, scope, auth::subtree_end(scope)}));
    std::vector<ModelPlan> out;
    for (const auto& r : rows) out.push_back(plan_from(r));
    DJ_TRY(org::name_paths(c, out));
    return out;
  });
}

Result<ModelPlan> MassesService::submit_plan(
    const Principal& p, int64_t id, const std::optional<std::string>& self_assessment,
    const std::vector<std::pair<int64_t, ModelItem>>& results) {
  Validator v;
  v.text("self_assessment", self_assessment, 5000);
  for (size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i].second.result;
    if (!r || (*r != "met" && *r != "partly" && *r != "not")) {
      v.add("results[" + std::to_string(i) + "].result", "unknown_code",
            "must be met, partly or not");
    }
    v.text(("results[" + std::to_string(i) + "].note").c_str(), results[i].second.result_note, 1000,
           false);
  }
  DJ_TRY(v.status());
  return store::with_tx(db_, [&](store::Conn& c) -> Result<ModelPlan> {
    DJ_ASSIGN(auto before, writable(c, p, id));
    if (before.status != "draft" && before.status != "returned") {
      return Error::conflict("the plan is " + before.status + " already");
    }
    std::map<int64_t, const ModelItem*> given;
    for (size_t i = 0; i < results.size(); ++i) {
      if (!given.emplace(results[i].first, &results[i].second).second) {
        return Error::invalid("results[" + std::to_string(i) + "].item_id", "duplicate",
                              "given twice");
      }
    }
    for (size_t i = 0; i < before.items.size(); ++i) {
      if (!given.contains(before.items[i].id)) {
        return Error::invalid("results", "incomplete",
                              "assess every item: item " + std::to_string(i + 1) + " has none");
      }
    }
    if (given.size() != before.items.size()) {
      return Error::invalid("results", "unknown", "an item that is not this plan's");
    }
    for (const auto& [item_id, r] : given) {
      DJ_TRY(
          c.exec("UPDATE model_items SET result = ?, result_note = ? WHERE id = ? AND plan_id = ?",
                 {*r->result, r->result_note, item_id, id}));
    }
    const int64_t now = now_ms();
    DJ_TRY(
        c.exec("UPDATE model_plans SET status = 'submitted', self_assessment = ?, submitted_at "
               "= ?, updated_at = ?, updated_by = ? WHERE id = ?",
               {self_assessment, now, now, p.user_id, id}));
    DJ_ASSIGN(auto after, load_plan(c, id));
    DJ_TRY(audit::record(c, p.actor(),
                         {"model_plan.submit", "model_plan", std::to_string(id), before.org_path,
                          to_json(before), to_json(after)}));
    return after;
  });
}

Result<ModelPlan> MassesService::review_plan(const Principal& p, int64_t id,
                                             const std::string& result,
                                             const std::optional<std::string>& note) {
  DJ_TRY(auth::require(p, Perm::model_review));
  Validator v;
  if (result != "accepted" && result != "returned") {
    v.add("result", "unknown_code", "must be accepted or returned");
  }
  v.text("note", note, 2000, false);
  DJ_TRY(v.status());
  return store::with_tx(db_, [&](store::Conn& c) -> Result<ModelPlan> {
    auto before = load_plan(c, id);
    if (!before || !auth::in_scope(p, before->org_path)) {
      return Error::not_found("plan " + std::to_string(id));
    }
    if (before->status != "submitted") {
      const std::string why = "only a submitted plan is reviewed; this one is " + before->status;
      return Error{ErrorCode::conflict, why, {{"result", "not_submitted", why}}};
    }
    const int64_t now = now_ms();
    DJ_TRY(
        c.exec("UPDATE model_plans SET status = ?, review_note = ?, reviewed_at = ?, "
               "reviewed_by = ?, updated_at = ?, updated_by = ? WHERE id = ?",
               {result, note, now, p.user_id, now, p.user_id, id}));
    DJ_ASSIGN(auto after, load_plan(c, id));
    DJ_TRY(audit::record(c, p.actor(),
                         {"model_plan.review", "model_plan", std::to_string(id), before->org_path,
                          to_json(*before), to_json(after)}));
    return after;
  });
}

Result<ModelFigures> MassesService::model_figures(const Principal& p, std::optional<int64_t> org_id,
                                                  int64_t year) {
  DJ_TRY(auth::require(p, Perm::member_read));
  DJ_TRY(detail::check_year(year, true));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<ModelFigures> {
    DJ_ASSIGN(const std::string lo, org::OrgService::subtree(c, p, org_id));
    const std::string hi = auth::subtree_end(lo);
    DJ_ASSIGN(auto o, c.query_one("SELECT COUNT(*) FROM orgs o WHERE o.depth = 1 AND o.deleted_at "
                                  "IS NULL AND o.path >= ? AND o.path < ?",
                                  {lo, hi}));
    DJ_ASSIGN(auto x, c.query_one("SELECT COUNT(*), COALESCE(SUM(CASE WHEN x.status IN "
                                  "('submitted', 'accepted') THEN 1 ELSE 0 END), 0), "
                                  "COALESCE(SUM(CASE WHEN x.status = 'accepted' THEN 1 ELSE 0 "
                                  "END), 0) FROM model_plans x JOIN orgs o ON o.id = x.org_id "
                                  "WHERE x.year = ? AND o.path >= ? AND o.path < ?",
                                  {year, lo, hi}));
    DJ_ASSIGN(auto i, c.query_one("SELECT COUNT(*), COALESCE(SUM(CASE WHEN i.result = 'met' THEN "
                                  "1 ELSE 0 END), 0) FROM model_items i JOIN model_plans x ON "
                                  "x.id = i.plan_id JOIN orgs o ON o.id = x.org_id WHERE x.year "
                                  "= ? AND o.path >= ? AND o.path < ?",
                                  {year, lo, hi}));
    return ModelFigures{year, o.i64(0), x.i64(0), x.i64(1), x.i64(2), i.i64(0), i.i64(1)};
  });
}

json::object to_json(const ModelPlan& x) {
  json::array items;
  for (const auto& i : x.items) {
    items.push_back(json::object{{"id", i.id},
                                 {"standard", or_null(i.standard)},
                                 {"present_state", or_null(i.present_state)},
                                 {"measures", or_null(i.measures)},
                                 {"due_on", or_null(i.due_on)},
                                 {"result", or_null(i.result)},
                                 {"result_note", or_null(i.result_note)}});
  }
  auto at = [](const std::optional<int64_t>& ms) {
    return ms ? json::value(format_instant(*ms)) : json::value(nullptr);
  };
  return {{"id", x.id},
          {"org_id", x.org_id},
          {"org_path_name", x.org_path_name},
          {"year", x.year},
          {"title", x.title},
          {"status", x.status},
          {"self_assessment", or_null(x.self_assessment)},
          {"review_note", or_null(x.review_note)},
          {"submitted_at", at(x.submitted_at)},
          {"reviewed_at", at(x.reviewed_at)},
          {"items", std::move(items)},
          {"items_total", x.items_total},
          {"items_met", x.items_met},
          {"updated_at", format_instant(x.updated_at)}};
}

json::object to_json(const ModelFigures& f) {
  return {{"year", f.year},           {"orgs", f.orgs},         {"with_plan", f.with_plan},
          {"submitted", f.submitted}, {"accepted", f.accepted}, {"items", f.items},
          {"items_met", f.items_met}};
}

}  // namespace dj::masses
