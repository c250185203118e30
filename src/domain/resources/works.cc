// Quality works (精品, resources.h): organizations' 党课 videos, 党教片 and
// 微党课; contests with categories and scoring criteria; entries judged by
// judge accounts, never their own organization's; awards and figures.
#include <boost/json.hpp>
#include <map>
#include <set>

#include "common/json.h"
#include "common/time.h"
#include "common/validate.h"
#include "domain/audit/audit.h"
#include "domain/org/org.h"
#include "domain/resources/resources.h"

namespace dj::resources {

namespace json = boost::json;
using auth::Perm;
using auth::Principal;

namespace {

// The directly affiliated organization's path ("/1/12/") a path lies in, or
// empty for the committee itself.
std::string affiliated_of(const std::string& path) {
  const size_t first = path.find('/', 1);
  if (first == std::string::npos) return "";
  const size_t second = path.find('/', first + 1);
  return second == std::string::npos ? "" : path.substr(0, second + 1);
}

// ---- works ----

constexpr const char* kWorkSelect =
    "SELECT w.id, w.org_id, o.path, w.year, w.title, w.kind, w.authors, w.description, w.link, "
    "w.updated_at, w.media_id FROM works w JOIN orgs o ON o.id = w.org_id WHERE w.deleted_at IS "
    "NULL";

Result<std::vector<Work>> select_works(store::Conn& c, const std::string& and_where,
                                       const store::Params& params) {
  DJ_ASSIGN(auto rows, c.query(std::string(kWorkSelect) + and_where +
                                   " ORDER BY w.year DESC, o.path, w.title, w.id",
                               params));
  std::vector<Work> out;
  for (const auto& r : rows) {
    out.push_back({r.i64(0), r.i64(1), r.i64(3), r.str(2), "", r.str(4), r.str(5), r.str(6),
                   r.opt_str(7), r.opt_str(8), r.i64(9), r.opt_i64(10)});
  }
  DJ_TRY(org::name_paths(c, out));
  return out;
}

Result<Work> scoped_work(store::Conn& c, const Principal& p, int64_t id) {
  DJ_ASSIGN(auto list, select_works(c, " AND w.id = ?", {id}));
  if (list.empty() || !auth::in_scope(p, list[0].org_path)) {
    return Error::not_found("work " + std::to_string(id));
  }
  return list[0];
}

Status check_work(store::Conn& c, const Principal& p, const Work& w) {
  Validator v;
  v.text("title", w.title, 100);
  v.text("authors", w.authors, 200);
  v.text("description", w.description, 2000, false);
  v.text("link", w.link, 500, false);
  if (w.link && !w.link->starts_with("https://") && !w.link->starts_with("http://")) {
    v.add("link", "format", "must be an http(s) address");
  }
  if (!one_of(w.kind, kWorkKinds)) {
    v.add("kind", "unknown_code", "must be party_lecture_video, documentary or micro_lecture");
  }
  if (w.year < 2000 || w.year > 2100) v.add("year", "range", "must be 2000 to 2100");
  DJ_TRY(v.status());
  if (w.media_id) {
    DJ_ASSIGN(auto m, learning::media_in_scope(c, p, *w.media_id, "media_id"));
    if (m.kind != "video") return Error::invalid("media_id", "kind", "a work's file is a video");
  }
  DJ_TRY(org::OrgService::subtree(c, p, w.org_id));
  return {};
}

// ---- contests ----

Result<std::vector<Contest>> select_contests(store::Conn& c, const std::string& and_where,
                                             const store::Params& params) {
  DJ_ASSIGN(auto rows, c.query("SELECT k.id, k.name, k.level, k.year, k.categories, k.criteria, "
                               "k.updated_at, (SELECT COUNT(*) FROM contest_entries e WHERE "
                               "e.contest_id = k.id) FROM contests k WHERE 1=1" +
                                   and_where + " ORDER BY k.year DESC, k.id DESC",
                               params));
  std::vector<Contest> out;
  for (const auto& r : rows) {
    Contest k;
    k.id = r.i64(0);
    k.name = r.str(1);
    k.level = r.str(2);
    k.year = r.i64(3);
    const json::value categories = json::parse(r.str(4));
    for (const auto& x : categories.as_array()) k.categories.emplace_back(x.as_string());
    const json::value criteria = json::parse(r.str(5));
    for (const auto& x : criteria.as_array()) {
      k.criteria.push_back(
          {std::string(x.at("name").as_string()), x.at("max").to_number<int64_t>()});
    }
    k.updated_at = r.i64(6);
    k.entry_count = r.i64(7);
    out.push_back(std::move(k));
  }
  // Their judges, in one query under the same condition.
  DJ_ASSIGN(auto judges, c.query("SELECT j.contest_id, u.id, u.username FROM contest_judges j "
                                 "JOIN users u ON u.id = j.user_id JOIN contests k ON k.id = "
                                 "j.contest_id WHERE 1=1" +
                                     and_where + " ORDER BY u.username",
                                 params));
  for (const auto& j : judges) {
    for (auto& k : out) {
      if (k.id == j.i64(0)) k.judges.emplace_back(j.i64(1), j.str(2));
    }
  }
  return out;
}

Result<Contest> load_contest(store::Conn& c, int64_t id) {
  DJ_ASSIGN(auto list, select_contests(c, " AND k.id = ?", {id}));
  if (list.empty()) return Error::not_found("contest " + std::to_string(id));
  return list[0];
}

bool judges(const Contest& k, int64_t user_id) {
  return std::any_of(k.judges.begin(), k.judges.end(),
                     [&](const auto& j) { return j.first == user_id; });
}

constexpr const char* kEntrySelect =
    "SELECT e.id, e.contest_id, e.work_id, w.org_id, w.title, w.kind, o.path, e.category, "
    "e.award, (SELECT COUNT(*) FROM entry_scores s WHERE s.entry_id = e.id), (SELECT "
    "AVG(s.total * 1.0) FROM entry_scores s WHERE s.entry_id = e.id), w.media_id FROM "
    "contest_entries e JOIN "
    "works w ON w.id = e.work_id JOIN orgs o ON o.id = w.org_id WHERE 1=1";

Result<std::vector<Entry>> select_entries(store::Conn& c, const std::string& and_where,
                                          const store::Params& params) {
  DJ_ASSIGN(auto rows,
            c.query(std::string(kEntrySelect) + and_where + " ORDER BY e.category, 11 DESC, e.id",
                    params));
  std::vector<Entry> out;
  for (const auto& r : rows) {
    Entry e;
    e.id = r.i64(0);
    e.contest_id = r.i64(1);
    e.work_id = r.i64(2);
    e.org_id = r.i64(3);
    e.work_title = r.str(4);
    e.work_kind = r.str(5);
    e.org_path = r.str(6);
    e.category = r.str(7);
    e.award = r.opt_str(8);
    e.judged = r.i64(9);
    if (!r.null(10)) e.score = std::round(r.f64(10) * 10) / 10;
    e.work_media_id = r.opt_i64(11);
    out.push_back(std::move(e));
  }
  DJ_TRY(org::name_paths(c, out));
  return out;
}

// The account's directly affiliated organization ("" for the committee or none).
Result<std::string> own_affiliated(store::Conn& c, int64_t user_id) {
  DJ_ASSIGN(auto r, c.query_opt("SELECT COALESCE(o.path, mo.path) FROM users u LEFT JOIN orgs o "
                                "ON o.id = u.org_id LEFT JOIN members m ON m.id = u.member_id "
                                "LEFT JOIN orgs mo ON mo.id = m.org_id WHERE u.id = ?",
                                {user_id}));
  if (!r || r->null(0)) return std::string();
  return affiliated_of(r->str(0));
}

}  // namespace

Result<std::vector<Work>> ResourceService::works(const Principal& p, std::optional<int64_t> org_id,
                                                 std::optional<int64_t> year) {
  DJ_TRY(auth::require(p, Perm::member_read));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<std::vector<Work>> {
    DJ_ASSIGN(const std::string scope, org::OrgService::subtree(c, p, org_id));
    std::string where = " AND o.path >= ? AND o.path < ?";
    store::Params params = {scope, auth::subtree_end(scope)};
    if (year) {
      where += " AND w.year = ?";
      params.push_back(*year);
    }
    return select_works(c, where, params);
  });
}

Result<Work> ResourceService::create_work(const Principal& p, const WorkInput& in) {
  DJ_TRY(auth::require(p, Perm::org_write));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Work> {
    if (!in.org_id && !p.org_id) return Error::invalid("org_id", "required", "is required");
    Work w{0,
           in.org_id.value_or(p.org_id.value_or(0)),
           in.year.value_or(0),
           "",
           "",
           in.title.value_or(""),
           in.kind.value_or(""),
           in.authors.value_or(""),
           in.description,
           in.link,
           0,
           in.media_id};
    DJ_TRY(check_work(c, p, w));
    const int64_t now = now_ms();
    DJ_ASSIGN(auto row, c.query_one("INSERT INTO works (org_id, year, title, kind, authors, "
                                    "description, link, media_id, created_at, updated_at, "
                                    "created_by, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                    "?, ?) RETURNING id",
                                    {w.org_id, w.year, w.title, w.kind, w.authors, w.description,
                                     w.link, w.media_id, now, now, p.user_id, p.user_id}));
    DJ_ASSIGN(auto after, scoped_work(c, p, row.i64(0)));
    DJ_TRY(audit::record(
        c, p.actor(),
        {"work.create", "work", std::to_string(after.id), after.org_path, {}, to_json(after)}));
    return after;
  });
}

Result<Work> ResourceService::update_work(const Principal& p, int64_t id, const WorkInput& patch) {
  DJ_TRY(auth::require(p, Perm::org_write));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Work> {
    DJ_ASSIGN(const auto before, scoped_work(c, p, id));
    Work w = before;
    if (patch.org_id) w.org_id = *patch.org_id;
    if (patch.year) w.year = *patch.year;
    if (patch.title) w.title = *patch.title;
    if (patch.kind) w.kind = *patch.kind;
    if (patch.authors) w.authors = *patch.authors;
    if (patch.description) w.description = *patch.description;
    if (patch.link) w.link = *patch.link;
    if (patch.media_id) w.media_id = patch.media_id;
    DJ_TRY(check_work(c, p, w));
    DJ_TRY(c.exec(
        "UPDATE works SET org_id = ?, year = ?, title = ?, kind = ?, authors = ?, "
        "description = ?, link = ?, media_id = ?, updated_at = ?, updated_by = ? WHERE id = ?",
        {w.org_id, w.year, w.title, w.kind, w.authors, w.description, w.link, w.media_id, now_ms(),
         p.user_id, id}));
    DJ_ASSIGN(auto after, scoped_work(c, p, id));
    DJ_TRY(audit::record(c, p.actor(),
                         {"work.update", "work", std::to_string(id), after.org_path,
                          to_json(before), to_json(after)}));
    return after;
  });
}

Result<learning::Media> ResourceService::work_video(const Principal& p, int64_t id) {
  return store::with_conn(db_, [&](store::Conn& c) -> Result<learning::Media> {
    DJ_ASSIGN(auto list, select_works(c, " AND w.id = ?", {id}));
    if (list.empty() || !list[0].media_id) return Error::not_found("work " + std::to_string(id));
    const Work& w = list[0];
    bool sees = auth::has(p, Perm::member_read) && auth::in_scope(p, w.org_path);
    if (!sees) {  // a judge of a contest the work entered
      DJ_ASSIGN(auto j, c.query_opt("SELECT 1 FROM contest_entries e JOIN contest_judges j ON "
                                    "j.contest_id = e.contest_id WHERE e.work_id = ? AND "
                                    "j.user_id = ?",
                                    {id, p.user_id}));
      sees = j.has_value();
    }
    if (!sees) return Error::not_found("work " + std::to_string(id));
    DJ_ASSIGN(auto m, learning::load_media(c, w.media_id));
    if (!m) return Error::not_found("work " + std::to_string(id));
    return *m;
  });
}

Result<std::vector<Contest>> ResourceService::contests(const Principal& p,
                                                       std::optional<int64_t> year) {
  DJ_TRY(auth::require(p, Perm::org_read));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<std::vector<Contest>> {
    DJ_ASSIGN(auto all,
              year ? select_contests(c, " AND k.year = ?", {*year}) : select_contests(c, "", {}));
    if (auth::has(p, Perm::member_read)) return all;
    std::erase_if(all, [&](const Contest& k) { return !judges(k, p.user_id); });
    return all;
  });
}

Result<Contest> ResourceService::contest(const Principal& p, int64_t id) {
  DJ_TRY(auth::require(p, Perm::org_read));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<Contest> {
    DJ_ASSIGN(auto k, load_contest(c, id));
    const bool judge = judges(k, p.user_id);
    if (!auth::has(p, Perm::member_read) && !judge)
      return Error::not_found("contest " + std::to_string(id));
    DJ_ASSIGN(k.entries, select_entries(c, " AND e.contest_id = ?", {id}));
    if (!judge) {  // administrators: the entries of their scope
      std::erase_if(k.entries, [&](const Entry& e) { return !auth::in_scope(p, e.org_path); });
      return k;
    }
    DJ_ASSIGN(auto mine, c.query("SELECT s.entry_id, s.scores FROM entry_scores s JOIN "
                                 "contest_entries e ON e.id = s.entry_id WHERE e.contest_id = ? "
                                 "AND s.judge_id = ?",
                                 {id, p.user_id}));
    std::map<int64_t, std::vector<int64_t>> by_entry;
    for (const auto& r : mine) {
      const json::value scores = json::parse(r.str(1));
      for (const auto& x : scores.as_array()) by_entry[r.i64(0)].push_back(x.as_int64());
    }
    for (auto& e : k.entries) e.my_scores = by_entry[e.id];
    return k;
  });
}

Result<Contest> ResourceService::create_contest(const Principal& p, const ContestInput& in) {
  DJ_TRY(auth::require(p, Perm::resource_manage));
  Validator v;
  v.text("name", in.name, 100);
  if (!in.level || !one_of(*in.level, kContestLevels)) {
    v.add("level", "unknown_code", "must be province or city");
  }
  if (!in.year || *in.year < 2000 || *in.year > 2100)
    v.add("year", "range", "must be 2000 to 2100");
  const auto categories = in.categories.value_or(std::vector<std::string>{});
  const auto criteria = in.criteria.value_or(std::vector<Criterion>{});
  if (categories.empty() || categories.size() > 10) v.add("categories", "size", "1 to 10");
  for (size_t i = 0; i < categories.size(); ++i) {
    if (categories[i].empty() || utf8_length(categories[i]) > 30) {
      v.add("categories[" + std::to_string(i) + "]", "too_long", "1 to 30 characters");
    }
  }
  if (criteria.empty() || criteria.size() > 10) v.add("criteria", "size", "1 to 10");
  for (size_t i = 0; i < criteria.size(); ++i) {
    const std::string f = "criteria[" + std::to_string(i) + "]";
    if (criteria[i].name.empty() || utf8_length(criteria[i].name) > 30) {
      v.add(f + ".name", "too_long", "1 to 30 characters");
    }
    if (criteria[i].max < 1 || criteria[i].max > 100) v.add(f + ".max", "range", "1 to 100");
  }
  DJ_TRY(v.status());
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Contest> {
    json::array cats(categories.begin(), categories.end()), crit;
    for (const auto& x : criteria) crit.push_back(json::object{{"name", x.name}, {"max", x.max}});
    const int64_t now = now_ms();
    DJ_ASSIGN(auto row, c.query_one("INSERT INTO contests (name, level, year, categories, "
                                    "criteria, created_at, updated_at, created_by) VALUES (?, ?, "
                                    "?, ?, ?, ?, ?, ?) RETURNING id",
                                    {*in.name, *in.level, *in.year, json::serialize(cats),
                                     json::serialize(crit), now, now, p.user_id}));
    const int64_t id = row.i64(0);
    std::set<int64_t> seen;
    const auto judge_ids = in.judges.value_or(std::vector<int64_t>{});
    for (size_t i = 0; i < judge_ids.size(); ++i) {
      DJ_ASSIGN(auto u, c.query_opt("SELECT role FROM users WHERE id = ? AND disabled = 0",
                                    {judge_ids[i]}));
      if (!u || u->str(0) == "member" || u->str(0) == "community") {
        return Error::invalid("judges[" + std::to_string(i) + "]", "unknown",
                              "must be an account of the committee or an organization");
      }
      if (!seen.insert(judge_ids[i]).second) continue;
      DJ_TRY(c.exec("INSERT INTO contest_judges (contest_id, user_id) VALUES (?, ?)",
                    {id, judge_ids[i]}));
    }
    DJ_ASSIGN(auto after, load_contest(c, id));
    DJ_TRY(audit::record(
        c, p.actor(), {"contest.create", "contest", std::to_string(id), "/", {}, to_json(after)}));
    return after;
  });
}

Result<Entry> ResourceService::enter_work(const Principal& p, int64_t contest_id, int64_t work_id,
                                          const std::string& category) {
  DJ_TRY(auth::require(p, Perm::org_write));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Entry> {
    auto k = load_contest(c, contest_id);
    if (!k) return Error::not_found("contest " + std::to_string(contest_id));
    auto w = scoped_work(c, p, work_id);
    if (!w) return Error::invalid("work_id", "unknown", "no such work in your scope");
    if (std::find(k->categories.begin(), k->categories.end(), category) == k->categories.end()) {
      return Error::invalid("category", "unknown_code", "not a category of the contest");
    }
    auto ins = c.query_one(
        "INSERT INTO contest_entries (contest_id, work_id, category, "
        "created_at, created_by) VALUES (?, ?, ?, ?, ?) RETURNING id",
        {contest_id, work_id, category, now_ms(), p.user_id});
    if (!ins && ins.error().code == ErrorCode::conflict) {
      return Error::invalid("work_id", "taken", "the work is entered already");
    }
    if (!ins) return ins.take_error();
    DJ_ASSIGN(auto made, select_entries(c, " AND e.id = ?", {ins->i64(0)}));
    DJ_TRY(audit::record(c, p.actor(),
                         {"contest.enter",
                          "contest",
                          std::to_string(contest_id),
                          w->org_path,
                          {},
                          to_json(made[0])}));
    return made[0];
  });
}

Status ResourceService::score_entry(const Principal& p, int64_t entry_id,
                                    const std::vector<int64_t>& scores,
                                    const std::optional<std::string>& comment) {
  return store::with_tx(db_, [&](store::Conn& c) -> Status {
    DJ_ASSIGN(auto found, select_entries(c, " AND e.id = ?", {entry_id}));
    if (found.empty()) return Error::not_found("entry " + std::to_string(entry_id));
    const Entry& e = found[0];
    DJ_ASSIGN(auto k, load_contest(c, e.contest_id));
    if (!judges(k, p.user_id)) {
      return Error{ErrorCode::forbidden,
                   "only the contest's judges score its entries",
                   {{"entry", "not_judge", "only the contest's judges score its entries"}}};
    }
    DJ_ASSIGN(const std::string own, own_affiliated(c, p.user_id));
    if (!own.empty() && e.org_path.starts_with(own)) {
      const std::string why = "a judge never scores his own organization's entry";
      return Error{ErrorCode::forbidden, why, {{"entry", "own_organization", why}}};
    }
    if (e.award) {
      return Error{ErrorCode::conflict,
                   "the entry is awarded; its scores stay",
                   {{"entry", "awarded", "the entry is awarded; its scores stay"}}};
    }
    Validator v;
    if (scores.size() != k.criteria.size()) {
      v.add("scores", "size",
            "one score for each of the " + std::to_string(k.criteria.size()) + " criteria");
    }
    int64_t total = 0;
    for (size_t i = 0; i < scores.size() && i < k.criteria.size(); ++i) {
      if (scores[i] < 0 || scores[i] > k.criteria[i].max) {
        v.add("scores[" + std::to_string(i) + "]", "range",
              k.criteria[i].name + " is scored 0 to " + std::to_string(k.criteria[i].max));
      }
      total += scores[i];
    }
    v.text("comment", comment, 500, false);
    DJ_TRY(v.status());
    const std::string text = json::serialize(json::array(scores.begin(), scores.end()));
    DJ_TRY(c.exec("DELETE FROM entry_scores WHERE entry_id = ? AND judge_id = ?",
                  {entry_id, p.user_id}));
    DJ_TRY(
        c.exec("INSERT INTO entry_scores (entry_id, judge_id, scores, total, comment, "
               "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
               {entry_id, p.user_id, text, total, comment, now_ms()}));
    return audit::record(c, p.actor(),
                         {"contest.score",
                          "contest",
                          std::to_string(e.contest_id),
                          e.org_path,
                          {},
                          json::object{{"entry_id", entry_id}, {"total", total}}});
  });
}

Result<Entry> ResourceService::award_entry(const Principal& p, int64_t entry_id,
                                           const std::optional<std::string>& award) {
  DJ_TRY(auth::require(p, Perm::resource_manage));
  if (award && !one_of(*award, kAwards)) {
    return Error::invalid("award", "unknown_code", "must be first, second, third or excellence");
  }
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Entry> {
    DJ_ASSIGN(auto before, select_entries(c, " AND e.id = ?", {entry_id}));
    if (before.empty()) return Error::not_found("entry " + std::to_string(entry_id));
    DJ_TRY(c.exec("UPDATE contest_entries SET award = ? WHERE id = ?", {award, entry_id}));
    DJ_ASSIGN(auto after, select_entries(c, " AND e.id = ?", {entry_id}));
    DJ_TRY(audit::record(c, p.actor(),
                         {"contest.award", "contest", std::to_string(after[0].contest_id),
                          after[0].org_path, to_json(before[0]), to_json(after[0])}));
    return after[0];
  });
}

Result<WorkFigures> ResourceService::work_figures(const Principal& p, int64_t year) {
  DJ_TRY(auth::require(p, Perm::member_read));
  if (year < 2000 || year > 2100) return Error::invalid("year", "range", "must be 2000 to 2100");
  return store::with_conn(db_, [&](store::Conn& c) -> Result<WorkFigures> {
    const std::string scope = p.scope_path, end = auth::subtree_end(scope);
    WorkFigures f;
    f.year = year;
    DJ_ASSIGN(auto works, c.query_one("SELECT COUNT(*) FROM works w JOIN orgs o ON o.id = "
                                      "w.org_id WHERE w.deleted_at IS NULL AND w.year = ? AND "
                                      "o.path >= ? AND o.path < ?",
                                      {year, scope, end}));
    f.works = works.i64(0);
    for (const char* level : kContestLevels) {
      WorkFigures::Level l{level, 0, 0, {}};
      DJ_ASSIGN(auto n, c.query_one("SELECT COUNT(*) FROM contests WHERE year = ? AND level = ?",
                                    {year, std::string(level)}));
      l.contests = n.i64(0);
      DJ_ASSIGN(auto rows, c.query("SELECT e.award, COUNT(*) FROM contest_entries e JOIN "
                                   "contests k ON k.id = e.contest_id JOIN works w ON w.id = "
                                   "e.work_id JOIN orgs o ON o.id = w.org_id WHERE k.year = ? AND "
                                   "k.level = ? AND o.path >= ? AND o.path < ? GROUP BY e.award",
                                   {year, std::string(level), scope, end}));
      std::map<std::string, int64_t> by;
      for (const auto& r : rows) {
        l.entries += r.i64(1);
        if (!r.null(0)) by[r.str(0)] = r.i64(1);
      }
      for (const char* a : kAwards) l.awards.emplace_back(a, by[a]);
      f.levels.push_back(std::move(l));
    }
    return f;
  });
}

json::object to_json(const Work& w) {
  return json::object{{"id", w.id},
                      {"org_id", w.org_id},
                      {"org_path_name", w.org_path_name},
                      {"year", w.year},
                      {"title", w.title},
                      {"kind", w.kind},
                      {"authors", w.authors},
                      {"description", or_null(w.description)},
                      {"link", or_null(w.link)},
                      {"media_id", or_null(w.media_id)},
                      {"updated_at", format_instant(w.updated_at)}};
}

json::object to_json(const Entry& e) {
  return json::object{{"id", e.id},
                      {"contest_id", e.contest_id},
                      {"work_id", e.work_id},
                      {"work_title", e.work_title},
                      {"work_kind", e.work_kind},
                      {"org_id", e.org_id},
                      {"org_path_name", e.org_path_name},
                      {"category", e.category},
                      {"award", or_null(e.award)},
                      {"judged", e.judged},
                      {"score", e.score ? json::value(*e.score) : nullptr},
                      {"my_scores", json::array(e.my_scores.begin(), e.my_scores.end())},
                      {"work_media_id", or_null(e.work_media_id)}};
}

json::object to_json(const Contest& k) {
  json::array criteria, judges, entries;
  for (const auto& x : k.criteria)
    criteria.push_back(json::object{{"name", x.name}, {"max", x.max}});
  for (const auto& [id, name] : k.judges) {
    judges.push_back(json::object{{"user_id", id}, {"username", name}});
  }
  for (const auto& e : k.entries) entries.push_back(to_json(e));
  return json::object{{"id", k.id},
                      {"name", k.name},
                      {"level", k.level},
                      {"year", k.year},
                      {"categories", json::array(k.categories.begin(), k.categories.end())},
                      {"criteria", criteria},
                      {"judges", judges},
                      {"entry_count", k.entry_count},
                      {"entries", entries},
                      {"updated_at", format_instant(k.updated_at)}};
}

json::object to_json(const WorkFigures& f) {
  json::array levels;
  for (const auto& l : f.levels) {
    json::object awards;
    for (const auto& [a, n] : l.awards) awards[a] = n;
    levels.push_back(json::object{
        {"level", l.level}, {"contests", l.contests}, {"entries", l.entries}, {"awards", awards}});
  }
  return json::object{{"year", f.year}, {"works", f.works}, {"levels", levels}};
}

}  // namespace dj::resources
