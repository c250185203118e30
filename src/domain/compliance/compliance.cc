#include "domain/compliance/compliance.h"

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>
#include <unordered_map>

#include "common/time.h"
#include "common/validate.h"
#include "domain/audit/audit.h"
#include "domain/ledger/ledger.h"
#include "domain/member/member.h"
#include "domain/org/org.h"

namespace dj::compliance {
namespace {

namespace json = boost::json;
using auth::Principal;

std::vector<std::string> strings_of(const json::object& o, const char* key) {
  std::vector<std::string> out;
  if (const auto* v = o.if_contains(key); v && v->is_array()) {
    for (const auto& s : v->as_array()) {
      if (s.is_string()) out.emplace_back(s.as_string());
    }
  }
  return out;
}

int64_t int_of(const json::object& o, const char* key, int64_t fallback) {
  if (const auto* v = o.if_contains(key); v && v->is_number()) return v->to_number<int64_t>();
  return fallback;
}

double number_of(const json::object& o, const char* key, double fallback) {
  if (const auto* v = o.if_contains(key); v && v->is_number()) return v->to_number<double>();
  return fallback;
}

bool bool_of(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_bool() && v->as_bool();
}

}  // namespace

std::optional<RuleKind> parse_rule_kind(std::string_view s) {
  for (size_t i = 0; i < std::size(kRuleKinds); ++i) {
    if (s == kRuleKinds[i]) return static_cast<RuleKind>(i);
  }
  return std::nullopt;
}

const char* to_string(RuleKind k) { return kRuleKinds[static_cast<size_t>(k)]; }

namespace {

PeriodUnit per_of(const Rule& r) {
  if (const auto* v = r.params.if_contains("per"); v && v->is_string()) {
    return parse_period_unit(std::string(v->as_string())).value_or(PeriodUnit::year);
  }
  return PeriodUnit::year;
}

Rule rule_from(const store::Row& r) {
  Rule x;
  x.id = r.i64(0);
  x.code = r.str(1);
  x.version = static_cast<int>(r.i64(2));
  x.kind = parse_rule_kind(r.str(3)).value_or(RuleKind::org_count);
  json::error_code ec;
  auto params = json::parse(r.str(4), ec);
  if (!ec && params.is_object()) x.params = params.as_object();
  x.effective_from = r.str(5);
  x.source = r.str(6);
  x.label_zh = r.str(7);
  x.label_en = r.str(8);
  x.enabled = r.flag(9);
  return x;
}

Result<std::vector<Rule>> load_rules(store::Conn& c) {
  DJ_ASSIGN(auto rows,
            c.query("SELECT id, code, version, kind, params, effective_from, source, "
                    "label_zh, label_en, enabled FROM rules ORDER BY code, version DESC"));
  std::vector<Rule> out;
  for (const auto& r : rows) out.push_back(rule_from(r));
  return out;
}

// The versions of each rule, and which is in force on a date.
class RuleBook {
 public:
  explicit RuleBook(std::vector<Rule> all) : all_(std::move(all)) {
    for (const auto& r : all_) {
      if (std::find(codes_.begin(), codes_.end(), r.code) == codes_.end()) codes_.push_back(r.code);
    }
  }
  const std::vector<std::string>& codes() const { return codes_; }
  // The enabled version in force on `date`, or nullptr.
  const Rule* in_force(const std::string& code, const std::string& date) const {
    const Rule* best = nullptr;
    for (const auto& r : all_) {
      if (r.code != code || r.effective_from > date) continue;
      if (!best || r.effective_from > best->effective_from ||
          (r.effective_from == best->effective_from && r.version > best->version)) {
        best = &r;
      }
    }
    return best && best->enabled ? best : nullptr;
  }
  // Any version of `code` (for its kind and unit).
  const Rule* any(const std::string& code) const {
    for (const auto& r : all_) {
      if (r.code == code) return &r;
    }
    return nullptr;
  }

 private:
  std::vector<Rule> all_;
  std::vector<std::string> codes_;
};

struct OrgInfo {
  int64_t id;
  std::optional<int64_t> parent;
  std::string name, type, path;
  std::optional<std::string> founded_on;
  int64_t groups;
};

// Counts per organization, type and month ("2021-06").
using MonthCounts =
    std::unordered_map<int64_t, std::map<std::string, std::map<std::string, int64_t>>>;

int64_t count_in(const MonthCounts& counts, int64_t id, const std::vector<std::string>& types,
                 const Period& unit) {
  auto it = counts.find(id);
  if (it == counts.end()) return 0;
  int64_t n = 0;
  const std::string lo = unit.from.substr(0, 7), hi = unit.to.substr(0, 7);
  for (const auto& type : types) {
    auto t = it->second.find(type);
    if (t == it->second.end()) continue;
    for (auto m = t->second.lower_bound(lo); m != t->second.end() && m->first <= hi; ++m) {
      n += m->second;
    }
  }
  return n;
}

std::vector<int64_t> ancestors_in_path(const std::string& path) {
  std::vector<int64_t> ids;
  size_t i = 1;
  while (i < path.size()) {
    const size_t j = path.find('/', i);
    ids.push_back(std::stoll(path.substr(i, j - i)));
    i = j + 1;
  }
  return ids;
}

json::object item_json(const Item& i, bool hours) {
  auto num = [hours](int64_t v) {
    return hours ? json::value(static_cast<double>(v) / 10.0) : json::value(v);
  };
  return json::object{{"rule", i.rule},
                      {"unit", i.unit},
                      {"from", i.from},
                      {"to", i.to},
                      {"required", num(i.required)},
                      {"actual", num(i.actual)},
                      {"status", i.status},
                      {"due_date", i.to}};
}

json::value rate(int64_t met, int64_t missed) {
  if (met + missed == 0) return nullptr;
  return static_cast<double>(met) / static_cast<double>(met + missed);
}

// Status of one unit: met, or due while it still runs (until its last day,
// today included), or missed after.
std::string status_of(int64_t actual, int64_t required, const Period& unit,
                      const std::string& today) {
  if (actual >= required) return "met";
  return unit.to >= today ? "due" : "missed";
}

Status validate_rule(const RuleInput& in, const std::set<std::string>& types) {
  Validator v;
  v.text("code", in.code, 60);
  if (in.code && !std::all_of(in.code->begin(), in.code->end(), [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
      })) {
    v.add("code", "format", "lowercase letters, digits and '_' only");
  }
  RuleKind kind = RuleKind::org_count;
  bool known = false;
  if (in.kind) {
    if (auto k = parse_rule_kind(*in.kind)) {
      kind = *k;
      known = true;
    }
  }
  if (!in.kind) {
    v.add("kind", "required", "is required");
  } else if (!known) {
    v.add("kind", "unknown_code",
          "must be one of org_count, leader_lecture, leader_branch_life, person_hours, "
          "silence_org, silence_member");
  }
  v.date("effective_from", in.effective_from, true);
  v.text("source", in.source, 200);
  v.text("label_zh", in.label_zh, 100);
  v.text("label_en", in.label_en, 200);
  if (!in.params) {
    v.add("params", "required", "is required");
    return v.status();
  }
  const auto& p = *in.params;
  if (const auto* per = p.if_contains("per")) {
    if (!per->is_string() || !parse_period_unit(std::string(per->as_string()))) {
      v.add("params.per", "unknown_code", "must be month, quarter, half or year");
    }
  }
  for (const char* key : {"min", "min_hours", "days", "months"}) {
    if (const auto* x = p.if_contains(key)) {
      if (!x->is_number() || x->to_number<double>() < 0 || x->to_number<double>() > 10000) {
        v.add(std::string("params.") + key, "range", "must be a number from 0 to 10000");
      }
    }
  }
  for (const auto& t : strings_of(p, "types")) {
    if (!types.count(t)) v.add("params.types", "unknown_code", "unknown activity type " + t);
  }
  for (const auto& t : strings_of(p, "org_types")) {
    if (!org::parse_type(t))
      v.add("params.org_types", "unknown_code", "unknown organization type " + t);
  }
  if (!known) return v.status();
  if ((kind == RuleKind::org_count || kind == RuleKind::leader_lecture) &&
      strings_of(p, "types").empty()) {
    v.add("params.types", "required", "name at least one activity type");
  }
  if (kind == RuleKind::person_hours && per_of(Rule{.params = p}) != PeriodUnit::year) {
    v.add("params.per", "unsupported", "hour targets are yearly");
  }
  return v.status();
}

// One rule version applied to one unit of the period, with its parameters
// read once.
struct Check {
  std::string code;
  RuleKind kind;
  Period unit;
  std::vector<std::string> types, org_types, posts;
  bool requires_groups = false, include_subtree = false, exempt_infirm = false;
  int64_t required = 0;  // count, or tenths of an hour
};

// Every (rule, unit) pair to check: units of each rule's own length that
// overlap the period and have started by `as_of`, with the version in force
// on the unit's last day.
std::vector<Check> schedule(const RuleBook& book, const Period& period, const std::string& as_of) {
  std::vector<Check> out;
  for (const auto& code : book.codes()) {
    const Rule* shape = book.any(code);
    if (shape->kind == RuleKind::silence_org || shape->kind == RuleKind::silence_member) continue;
    for (const auto& unit : units_overlapping(period, per_of(*shape))) {
      if (unit.from > as_of) continue;  // not started yet
      const Rule* rule = book.in_force(code, unit.to);
      if (!rule) continue;
      Check c{code, rule->kind, unit};
      c.types = strings_of(rule->params, "types");
      c.org_types = strings_of(rule->params, "org_types");
      c.posts = strings_of(rule->params, "posts");
      c.requires_groups = bool_of(rule->params, "requires_groups");
      c.include_subtree = bool_of(rule->params, "include_subtree");
      c.exempt_infirm = bool_of(rule->params, "exempt_infirm");
      c.required = rule->kind == RuleKind::person_hours
                       ? std::llround(number_of(rule->params, "min_hours", 32) * 10)
                       : int_of(rule->params, "min", 1);
      out.push_back(std::move(c));
    }
  }
  return out;
}

// The evaluator of the organization rules: an organization's actual count for
// the check's unit, or nullopt when the rule does not apply to it.
std::optional<int64_t> org_actual(const Check& k, const OrgInfo& o, const MonthCounts& own,
                                  const MonthCounts& subtree) {
  switch (k.kind) {
    case RuleKind::org_count:
      if (std::find(k.org_types.begin(), k.org_types.end(), o.type) == k.org_types.end()) {
        return std::nullopt;
      }
      if (k.requires_groups && o.groups == 0) return std::nullopt;
      if (o.founded_on && *o.founded_on > k.unit.from) return std::nullopt;  // not there all unit
      return count_in(k.include_subtree ? subtree : own, o.id, k.types, k.unit);
    case RuleKind::leader_lecture:
    case RuleKind::leader_branch_life:
    case RuleKind::person_hours:
    case RuleKind::silence_org:
    case RuleKind::silence_member:
      break;
  }
  return std::nullopt;
}

// Ledger hours (tenths) per member and year.
using YearHours = std::map<std::pair<int64_t, int>, int64_t>;

// What the people rules read about a member, and what they count.
struct PersonFacts {
  int64_t member_id = 0;
  bool leader = false;
  std::string post;
  bool infirm = false;
};
struct PersonEvidence {
  const MonthCounts& lectures;     // per leading cadre, type and month
  const MonthCounts& branch_life;  // per leading cadre and month ("*")
  const YearHours& hours;
};

// The evaluator of each people rule: the member's actual figure for the
// check's unit, or nullopt when the rule does not apply to him.
std::optional<int64_t> person_actual(const Check& k, const PersonFacts& p,
                                     const PersonEvidence& e) {
  switch (k.kind) {
    case RuleKind::leader_lecture:
      if (!p.leader) return std::nullopt;
      return count_in(e.lectures, p.member_id, k.types, k.unit);
    case RuleKind::leader_branch_life:
      if (!p.leader) return std::nullopt;
      return count_in(e.branch_life, p.member_id, {"*"}, k.unit);
    case RuleKind::person_hours: {
      if (!k.posts.empty() && std::find(k.posts.begin(), k.posts.end(), p.post) == k.posts.end()) {
        return std::nullopt;
      }
      if (p.infirm && k.exempt_infirm) return std::nullopt;
      const auto h = e.hours.find({p.member_id, std::stoi(k.unit.from.substr(0, 4))});
      return h == e.hours.end() ? 0 : h->second;
    }
    case RuleKind::org_count:
    case RuleKind::silence_org:
    case RuleKind::silence_member:
      break;
  }
  return std::nullopt;
}

}  // namespace

json::object to_json(const Rule& r) {
  return json::object{{"id", r.id},
                      {"code", r.code},
                      {"version", r.version},
                      {"kind", to_string(r.kind)},
                      {"params", r.params},
                      {"effective_from", r.effective_from},
                      {"source", r.source},
                      {"label_zh", r.label_zh},
                      {"label_en", r.label_en},
                      {"enabled", r.enabled}};
}

json::object to_json(const MemberHours& h) {
  json::array entries;
  for (const auto& e : h.entries) {
    entries.push_back(json::object{{"on_date", e.on_date},
                                   {"source", e.source},
                                   {"source_id", e.source_id},
                                   {"title", e.title},
                                   {"hours", static_cast<double>(e.hours_tenths) / 10.0}});
  }
  return json::object{{"member_id", h.member_id},
                      {"name", h.name},
                      {"org_id", h.org_id},
                      {"year", h.year},
                      {"total", static_cast<double>(h.total_tenths) / 10.0},
                      {"target", static_cast<double>(h.target_tenths) / 10.0},
                      {"exempt", h.exempt},
                      {"met", h.exempt || h.total_tenths >= h.target_tenths},
                      {"entries", entries}};
}

json::object to_json(const Report& r) {
  // Organizations named with their path (org::path_name), from the report's
  // own organizations: no query. The root is named by itself.
  std::unordered_map<int64_t, const std::string*> name_of;
  for (const auto& o : r.orgs) name_of[o.org_id] = &o.name;
  auto path_name = [&](const OrgResult& o) {
    std::string text = org::path_name(o.path, [&](int64_t id) -> const std::string* {
      auto it = name_of.find(id);
      return it == name_of.end() ? nullptr : it->second;
    });
    return text.empty() ? o.name : text;
  };
  json::array orgs;
  int64_t met = 0, missed = 0, due = 0;
  json::array todos, overdue;
  for (const auto& o : r.orgs) {
    json::array items;
    for (const auto& i : o.items) {
      items.push_back(item_json(i, false));
      if (i.status == "due") {
        todos.push_back(json::object{{"org_id", o.org_id},
                                     {"org_name", o.name},
                                     {"org_path_name", path_name(o)},
                                     {"rule", i.rule},
                                     {"unit", i.unit},
                                     {"remaining", i.required - i.actual},
                                     {"due_date", i.to}});
      } else if (i.status == "missed") {
        overdue.push_back(json::object{{"org_id", o.org_id},
                                       {"org_name", o.name},
                                       {"org_path_name", path_name(o)},
                                       {"rule", i.rule},
                                       {"unit", i.unit},
                                       {"required", i.required},
                                       {"actual", i.actual},
                                       {"due_date", i.to}});
      }
    }
    met += o.met;
    missed += o.missed;
    due += o.due;
    orgs.push_back(
        json::object{{"org_id", o.org_id},
                     {"parent_id", o.parent_id ? json::value(*o.parent_id) : json::value(nullptr)},
                     {"name", o.name},
                     {"type", o.type},
                     {"met", o.met},
                     {"missed", o.missed},
                     {"due", o.due},
                     {"rate", rate(o.met, o.missed)},
                     {"subtree_met", o.subtree_met},
                     {"subtree_missed", o.subtree_missed},
                     {"subtree_due", o.subtree_due},
                     {"subtree_rate", rate(o.subtree_met, o.subtree_missed)},
                     {"items", std::move(items)}});
  }
  json::array people;
  for (const auto& p : r.people) {
    json::array items;
    for (const auto& i : p.items) {
      items.push_back(item_json(i, i.rule.find("hours") != std::string::npos));
    }
    people.push_back(json::object{{"member_id", p.member_id},
                                  {"name", p.name},
                                  {"org_id", p.org_id},
                                  {"items", std::move(items)}});
  }
  json::array alerts;
  for (const auto& a : r.alerts) {
    alerts.push_back(
        json::object{{"rule", a.rule},
                     {"subject", a.subject},
                     {"id", a.id},
                     {"name", a.name},
                     {"last_date", a.last_date ? json::value(*a.last_date) : json::value(nullptr)},
                     {"days", a.days}});
  }
  return json::object{
      {"period",
       json::object{{"label", r.period.label}, {"from", r.period.from}, {"to", r.period.to}}},
      {"as_of", r.as_of},
      {"org_id", r.org_id},
      {"summary",
       json::object{{"met", met}, {"missed", missed}, {"due", due}, {"rate", rate(met, missed)}}},
      {"organizations", std::move(orgs)},
      {"people", std::move(people)},
      {"alerts", std::move(alerts)},
      {"todos", std::move(todos)},
      {"overdue", std::move(overdue)},
  };
}

Result<std::vector<Rule>> ComplianceService::rules(const Principal& p) {
  DJ_TRY(auth::require(p, auth::Perm::org_read));
  return store::with_conn(db_, [](store::Conn& c) { return load_rules(c); });
}

Result<Rule> ComplianceService::add_rule_version(const Principal& p, const RuleInput& in) {
  DJ_TRY(auth::require(p, auth::Perm::rule_manage));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Rule> {
    DJ_ASSIGN(auto prev, c.query_opt("SELECT MAX(version), MIN(kind) FROM rules WHERE code = ?",
                                     {in.code.value_or("")}));
    int version = 1;
    if (prev && !prev->null(0)) {
      version = static_cast<int>(prev->i64(0)) + 1;
      if (in.kind && prev->str(1) != *in.kind) {
        return Error::invalid("kind", "changed", "a rule keeps its kind; use a new code");
      }
    }
    DJ_ASSIGN(auto type_rows, c.query("SELECT code FROM activity_types"));
    std::set<std::string> types;
    for (const auto& r : type_rows) types.insert(r.str(0));
    DJ_TRY(validate_rule(in, types));
    DJ_ASSIGN(auto ins,
              c.query_one("INSERT INTO rules (code, version, kind, params, effective_from, "
                          "source, label_zh, label_en, enabled, created_at, created_by) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          {*in.code, version, *in.kind, json::serialize(*in.params),
                           *in.effective_from, *in.source, *in.label_zh, *in.label_en,
                           in.enabled.value_or(true), now_ms(), p.user_id}));
    Rule r{ins.i64(0),   *in.code,
           version,      *parse_rule_kind(*in.kind),
           *in.params,   *in.effective_from,
           *in.source,   *in.label_zh,
           *in.label_en, in.enabled.value_or(true)};
    DJ_TRY(audit::record(c, p.actor(), {"rule.version", "rule", r.code, "", {}, to_json(r)}));
    return r;
  });
}

Result<Report> ComplianceService::evaluate(const Principal& p, const Period& period,
                                           std::optional<int64_t> org_id) {
  DJ_TRY(auth::require(p, auth::Perm::org_read));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<Report> {
    Report rep;
    rep.period = period;
    const std::string now = today();
    rep.as_of = std::min(now, period.to);
    std::string root_path = p.scope_path;
    if (org_id) {
      auto o = org::OrgService::load(c, *org_id);
      if (!o || !auth::in_scope(p, o->path)) {
        return Error::invalid("org_id", "unknown", "no such organization in your scope");
      }
      root_path = o->path;
      rep.org_id = o->id;
    }
    const std::string end = auth::subtree_end(root_path);
    DJ_ASSIGN(auto all_rules, load_rules(c));
    RuleBook book(std::move(all_rules));
    // Every unit a rule may use lies inside the years the period touches.
    const std::string lo = unit_containing(period.from, PeriodUnit::year).from;
    const std::string hi = unit_containing(period.to, PeriodUnit::year).to;

    // Organizations of the subtree, in tree order.
    DJ_ASSIGN(auto org_rows,
              c.query("SELECT o.id, o.parent_id, o.name, o.type, o.path, o.founded_on, "
                      "(SELECT COUNT(*) FROM orgs g WHERE g.parent_id = o.id AND g.type = 'group' "
                      "AND g.deleted_at IS NULL) FROM orgs o WHERE o.path >= ? AND o.path < ? "
                      "AND o.deleted_at IS NULL ORDER BY o.path",
                      {root_path, end}));
    std::vector<OrgInfo> orgs;
    std::unordered_map<int64_t, size_t> org_index;
    for (const auto& r : org_rows) {
      org_index[r.i64(0)] = orgs.size();
      orgs.push_back(
          {r.i64(0), r.opt_i64(1), r.str(2), r.str(3), r.str(4), r.opt_str(5), r.i64(6)});
    }
    if (!org_id && !orgs.empty()) rep.org_id = orgs.front().id;

    // Activity counts per organization, type and month; and the same summed
    // up to every ancestor in the subtree.
    DJ_ASSIGN(
        auto count_rows,
        c.query("SELECT a.org_id, a.type, substr(a.held_on, 1, 7), COUNT(*) FROM activities a "
                "JOIN orgs o ON o.id = a.org_id WHERE o.path >= ? AND o.path < ? AND "
                "a.held_on >= ? AND a.held_on <= ? AND a.deleted_at IS NULL "
                "GROUP BY a.org_id, a.type, substr(a.held_on, 1, 7)",
                {root_path, end, lo, hi}));
    MonthCounts own, subtree;
    for (const auto& r : count_rows) {
      own[r.i64(0)][r.str(1)][r.str(2)] += r.i64(3);
      auto it = org_index.find(r.i64(0));
      if (it == org_index.end()) continue;
      for (int64_t a : ancestors_in_path(orgs[it->second].path)) {
        if (org_index.count(a)) subtree[a][r.str(1)][r.str(2)] += r.i64(3);
      }
    }

    // Organization rules.
    const std::vector<Check> checks = schedule(book, period, rep.as_of);
    std::vector<OrgResult> results(orgs.size());
    for (size_t i = 0; i < orgs.size(); ++i) {
      const auto& o = orgs[i];
      OrgResult& res = results[i];
      res.org_id = o.id;
      res.parent_id = o.parent;
      res.name = o.name;
      res.type = o.type;
      res.path = o.path;
      for (const Check& k : checks) {
        const auto actual = org_actual(k, o, own, subtree);
        if (!actual) continue;
        Item item{k.code,
                  k.unit.label,
                  k.unit.from,
                  k.unit.to,
                  k.required,
                  *actual,
                  status_of(*actual, k.required, k.unit, now)};
        (item.status == "met" ? res.met : item.status == "due" ? res.due : res.missed)++;
        res.items.push_back(std::move(item));
      }
    }
    // Roll up: children come after parents in path order.
    for (size_t i = results.size(); i-- > 0;) {
      results[i].subtree_met += results[i].met;
      results[i].subtree_missed += results[i].missed;
      results[i].subtree_due += results[i].due;
      if (results[i].parent_id) {
        if (auto it = org_index.find(*results[i].parent_id); it != org_index.end()) {
          results[it->second].subtree_met += results[i].subtree_met;
          results[it->second].subtree_missed += results[i].subtree_missed;
          results[it->second].subtree_due += results[i].subtree_due;
        }
      }
    }

    // People of the subtree (current membership).
    DJ_ASSIGN(
        auto people_rows,
        c.query("SELECT m.id, m.name, m.org_id, m.cadre_rank, m.post, m.infirm, "
                "m.political_status, m.joined_on FROM members m JOIN orgs o ON o.id = m.org_id "
                "WHERE o.path >= ? AND o.path < ? AND m.deleted_at IS NULL "
                "AND m.political_status IN ('full', 'probationary') ORDER BY m.id",
                {root_path, end}));
    // Lectures given and branch-level organizational life attended, per
    // leading cadre and month; ledger hours per member and year.
    DJ_ASSIGN(auto lecture_rows,
              c.query("SELECT a.lecturer_member_id, a.type, substr(a.held_on, 1, 7), COUNT(*) "
                      "FROM members m CROSS JOIN activities a "
                      "WHERE a.lecturer_member_id = m.id AND m.cadre_rank IN " +
                          std::string(member::kLeadingCadreRanksSql) +
                          " "
                          "AND a.held_on >= ? AND a.held_on <= ? AND a.deleted_at IS NULL "
                          "GROUP BY a.lecturer_member_id, a.type, substr(a.held_on, 1, 7)",
                      {lo, hi}));
    MonthCounts lectures, branch_life;
    for (const auto& r : lecture_rows) lectures[r.i64(0)][r.str(1)][r.str(2)] += r.i64(3);
    DJ_ASSIGN(auto life_rows,
              c.query("SELECT t.member_id, substr(t.held_on, 1, 7), COUNT(*) FROM members m "
                      "CROSS JOIN attendance t WHERE t.member_id = m.id "
                      "AND m.cadre_rank IN " +
                          std::string(member::kLeadingCadreRanksSql) +
                          " AND t.held_on >= ? "
                          "AND t.held_on <= ? AND t.org_life = 1 AND t.branch_level = 1 "
                          "AND t.status IN ('present', 'late') "
                          "GROUP BY t.member_id, substr(t.held_on, 1, 7)",
                      {lo, hi}));
    for (const auto& r : life_rows) branch_life[r.i64(0)]["*"][r.str(1)] += r.i64(2);
    DJ_ASSIGN(auto hour_rows, c.query("SELECT member_id, year, hours_tenths FROM hour_totals "
                                      "WHERE year >= ? AND year <= ?",
                                      {std::stoi(lo.substr(0, 4)), std::stoi(hi.substr(0, 4))}));
    YearHours hours;
    for (const auto& r : hour_rows) hours[{r.i64(0), static_cast<int>(r.i64(1))}] = r.i64(2);

    const PersonEvidence evidence{lectures, branch_life, hours};
    for (const auto& r : people_rows) {
      PersonResult pr{r.i64(0), r.str(1), r.i64(2), {}};
      const PersonFacts person{pr.member_id, member::is_leading_cadre(r.str(3)), r.str(4),
                               r.flag(5)};
      for (const Check& k : checks) {
        const auto actual = person_actual(k, person, evidence);
        if (!actual) continue;
        pr.items.push_back({k.code, k.unit.label, k.unit.from, k.unit.to, k.required, *actual,
                            status_of(*actual, k.required, k.unit, now)});
      }
      if (!pr.items.empty()) rep.people.push_back(std::move(pr));
    }

    // Silence alerts, as of the earlier of today and the period's end.
    for (const auto& code : book.codes()) {
      const Rule* rule = book.in_force(code, rep.as_of);
      if (!rule) continue;
      switch (rule->kind) {
        case RuleKind::silence_org: {
          const int64_t days = int_of(rule->params, "days", 30);
          const std::string since = date_from_days(days_from_date(rep.as_of) - days);
          DJ_ASSIGN(auto rows,
                    c.query("SELECT a.org_id, MAX(a.held_on) FROM activities a JOIN orgs o "
                            "ON o.id = a.org_id WHERE o.path >= ? AND o.path < ? AND "
                            "a.held_on > ? AND a.held_on <= ? AND a.deleted_at IS NULL "
                            "GROUP BY a.org_id",
                            {root_path, end, since, rep.as_of}));
          std::set<int64_t> active;
          for (const auto& r : rows) {
            auto it = org_index.find(r.i64(0));
            if (it == org_index.end()) continue;
            for (int64_t a : ancestors_in_path(orgs[it->second].path)) active.insert(a);
          }
          const auto org_types = strings_of(rule->params, "org_types");
          for (const auto& o : orgs) {
            if (std::find(org_types.begin(), org_types.end(), o.type) == org_types.end()) continue;
            if (active.count(o.id) || (o.founded_on && *o.founded_on > since)) continue;
            rep.alerts.push_back({code, "org", o.id, o.name, std::nullopt, days});
          }
          break;
        }
        case RuleKind::silence_member: {
          const int64_t months = int_of(rule->params, "months", 6);
          const std::string since = months_before(rep.as_of, static_cast<int>(months));
          DJ_ASSIGN(auto rows,
                    c.query("SELECT m.id FROM members m JOIN orgs o ON o.id = m.org_id "
                            "WHERE o.path >= ? AND o.path < ? AND m.deleted_at IS NULL AND EXISTS "
                            "(SELECT 1 FROM attendance t WHERE t.member_id = m.id AND "
                            "t.held_on > ? AND t.held_on <= ? AND t.org_life = 1 AND "
                            "t.status IN ('present', 'late'))",
                            {root_path, end, since, rep.as_of}));
          std::set<int64_t> active;
          for (const auto& r : rows) active.insert(r.i64(0));
          for (const auto& r : people_rows) {
            if (active.count(r.i64(0)) || r.flag(5)) continue;  // infirm: learning comes home
            if (!r.null(7) && r.str(7) > since) continue;       // joined within the window
            rep.alerts.push_back({code, "member", r.i64(0), r.str(1), std::nullopt,
                                  days_from_date(rep.as_of) - days_from_date(since)});
          }
          break;
        }
        case RuleKind::org_count:
        case RuleKind::leader_lecture:
        case RuleKind::leader_branch_life:
        case RuleKind::person_hours:
          break;  // checked per unit above
      }
    }
    rep.orgs = std::move(results);
    return rep;
  });
}

namespace {

// Hour target of a member for a year from the person_hours rules in force on
// its last day: the highest that applies; exempt when a rule exempts him.
std::pair<int64_t, bool> target_for(const RuleBook& book, int year, const std::string& post,
                                    bool infirm) {
  const std::string last = std::to_string(year) + "-12-31";
  int64_t target = 0;
  bool exempt = false;
  for (const auto& code : book.codes()) {
    const Rule* r = book.in_force(code, last);
    if (!r || r->kind != RuleKind::person_hours) continue;
    const auto posts = strings_of(r->params, "posts");
    if (!posts.empty() && std::find(posts.begin(), posts.end(), post) == posts.end()) continue;
    if (infirm && bool_of(r->params, "exempt_infirm")) {
      exempt = true;
      continue;
    }
    target = std::max<int64_t>(target, std::llround(number_of(r->params, "min_hours", 0) * 10));
  }
  return {target, exempt && target == 0};
}

}  // namespace

Result<MemberHours> ComplianceService::member_hours(const Principal& p, int64_t member_id,
                                                    int year) {
  return store::with_conn(db_, [&](store::Conn& c) -> Result<MemberHours> {
    DJ_ASSIGN(auto m, c.query_opt("SELECT m.id, m.name, m.org_id, o.path, m.post, m.infirm FROM "
                                  "members m JOIN orgs o ON o.id = m.org_id WHERE m.id = ? AND "
                                  "m.deleted_at IS NULL",
                                  {member_id}));
    const bool self = p.member_id && *p.member_id == member_id;
    if (!m || !(self || (auth::has(p, auth::Perm::member_read) && auth::in_scope(p, m->str(3))))) {
      return Error::not_found("member " + std::to_string(member_id));
    }
    DJ_ASSIGN(auto rules, load_rules(c));
    RuleBook book(std::move(rules));
    MemberHours h;
    h.member_id = m->i64(0);
    h.name = m->str(1);
    h.org_id = m->i64(2);
    h.year = year;
    std::tie(h.target_tenths, h.exempt) = target_for(book, year, m->str(4), m->flag(5));
    DJ_ASSIGN(auto posted, ledger::entries(c, member_id, year));
    for (const auto& e : posted) {
      h.entries.push_back({e.on_date, e.source, e.title, e.source_id, e.hours_tenths});
      h.total_tenths += e.hours_tenths;
    }
    return h;
  });
}

Result<std::vector<MemberHours>> ComplianceService::org_hours(const Principal& p, int64_t org_id,
                                                              int year, bool below_target) {
  DJ_TRY(auth::require(p, auth::Perm::member_read));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<std::vector<MemberHours>> {
    auto o = org::OrgService::load(c, org_id);
    if (!o || !auth::in_scope(p, o->path)) return Error::not_found("organization");
    DJ_ASSIGN(auto rules, load_rules(c));
    RuleBook book(std::move(rules));
    DJ_ASSIGN(auto rows,
              c.query("SELECT m.id, m.name, m.org_id, m.post, m.infirm, "
                      "(SELECT COALESCE(SUM(h.hours_tenths), 0) FROM hour_entries h WHERE "
                      "h.member_id = m.id AND h.year = ?) FROM members m JOIN orgs o ON "
                      "o.id = m.org_id WHERE o.path >= ? AND o.path < ? AND m.deleted_at IS NULL "
                      "AND m.political_status IN ('full', 'probationary') ORDER BY m.id",
                      {year, o->path, auth::subtree_end(o->path)}));
    std::vector<MemberHours> out;
    for (const auto& r : rows) {
      MemberHours h;
      h.member_id = r.i64(0);
      h.name = r.str(1);
      h.org_id = r.i64(2);
      h.year = year;
      std::tie(h.target_tenths, h.exempt) = target_for(book, year, r.str(3), r.flag(4));
      h.total_tenths = r.i64(5);
      if (below_target && (h.exempt || h.total_tenths >= h.target_tenths)) continue;
      out.push_back(std::move(h));
    }
    return out;
  });
}

}  // namespace dj::compliance
