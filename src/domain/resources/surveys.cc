// Needs surveys for the 机关大课堂 (resources.h): topics members choose, free
// text, anonymous when asked, one answer each; results by topic and by
// organization, and the grand lectures held for each topic.
#include <boost/json.hpp>
#include <map>
#include <set>

#include "common/crypto.h"
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

constexpr const char* kSurveySelect =
    "SELECT s.id, s.org_id, o.path, s.year, s.quarter, s.title, s.topics, s.max_choices, "
    "s.anonymous, s.opens_on, s.closes_on, s.updated_at, (SELECT COUNT(*) FROM survey_responses "
    "r WHERE r.survey_id = s.id) FROM needs_surveys s JOIN orgs o ON o.id = s.org_id WHERE "
    "s.deleted_at IS NULL";

Result<std::vector<Survey>> select_surveys(store::Conn& c, const std::string& and_where,
                                           const store::Params& params) {
  DJ_ASSIGN(auto rows, c.query(std::string(kSurveySelect) + and_where +
                                   " ORDER BY s.year DESC, s.quarter DESC, s.id DESC",
                               params));
  std::vector<Survey> out;
  for (const auto& r : rows) {
    Survey s;
    s.id = r.i64(0);
    s.org_id = r.i64(1);
    s.org_path = r.str(2);
    s.year = r.i64(3);
    s.quarter = r.i64(4);
    s.title = r.str(5);
    const json::value topics = json::parse(r.str(6));
    for (const auto& t : topics.as_array()) s.topics.emplace_back(t.as_string());
    s.max_choices = r.i64(7);
    s.anonymous = r.flag(8);
    s.opens_on = r.str(9);
    s.closes_on = r.str(10);
    s.updated_at = r.i64(11);
    s.responses = r.i64(12);
    out.push_back(std::move(s));
  }
  DJ_TRY(org::name_paths(c, out));
  return out;
}

Result<Survey> load_survey(store::Conn& c, int64_t id) {
  DJ_ASSIGN(auto list, select_surveys(c, " AND s.id = ?", {id}));
  if (list.empty()) return Error::not_found("survey " + std::to_string(id));
  return list[0];
}

Status check_survey(const Survey& s) {
  Validator v;
  v.text("title", s.title, 100);
  if (s.year < 2000 || s.year > 2100) v.add("year", "range", "must be 2000 to 2100");
  if (s.quarter < 1 || s.quarter > 4) v.add("quarter", "range", "must be 1 to 4");
  v.date("opens_on", s.opens_on, true);
  v.date("closes_on", s.closes_on, true);
  if (v.ok() && s.closes_on < s.opens_on) {
    v.add("closes_on", "before_start", "must not be before opens_on");
  }
  if (s.topics.size() < 2 || s.topics.size() > 20) {
    v.add("topics", "size", "must be 2 to 20 topics");
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < s.topics.size(); ++i) {
    const std::string field = "topics[" + std::to_string(i) + "]";
    if (s.topics[i].empty() || utf8_length(s.topics[i]) > 50) {
      v.add(field, "too_long", "must be 1 to 50 characters");
    } else if (!seen.insert(s.topics[i]).second) {
      v.add(field, "duplicate", "is listed twice");
    }
  }
  if (s.max_choices < 1 || s.max_choices > 5 ||
      (s.topics.size() >= 2 && static_cast<size_t>(s.max_choices) > s.topics.size())) {
    v.add("max_choices", "range", "must be 1 to 5, and no more than the topics");
  }
  return v.status();
}

std::string topics_text(const std::vector<std::string>& topics) {
  return json::serialize(json::array(topics.begin(), topics.end()));
}

// Who answered, as a keyed hash: one answer each, and no way back to him.
std::string respondent(const Config& cfg, int64_t survey_id, int64_t member_id) {
  return to_hex(
      hmac_sha256(cfg.survey_key, std::to_string(survey_id) + ":" + std::to_string(member_id)));
}

// Surveys asked of a subtree reach every organization under it: an
// administrator sees those above and within his scope.
bool concerns(const Principal& p, const Survey& s) {
  return auth::in_scope(p, s.org_path) || p.scope_path.starts_with(s.org_path);
}

}  // namespace

Result<Survey> ResourceService::create_survey(const Principal& p, const SurveyInput& in) {
  DJ_TRY(auth::require(p, Perm::resource_manage));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Survey> {
    Survey s;
    s.title = in.title.value_or("");
    s.year = in.year.value_or(0);
    s.quarter = in.quarter.value_or(0);
    s.opens_on = in.opens_on.value_or("");
    s.closes_on = in.closes_on.value_or("");
    s.topics = in.topics.value_or(std::vector<std::string>{});
    s.max_choices =
        in.max_choices.value_or(std::max<int64_t>(1, std::min<int64_t>(3, s.topics.size())));
    s.anonymous = in.anonymous.value_or(true);
    DJ_TRY(check_survey(s));
    std::optional<int64_t> org_id = in.org_id;
    if (!org_id) {
      DJ_ASSIGN(auto root, c.query_one("SELECT id FROM orgs WHERE parent_id IS NULL AND "
                                       "deleted_at IS NULL ORDER BY id LIMIT 1"));
      org_id = root.i64(0);
    }
    DJ_TRY(org::OrgService::subtree(c, p, org_id));
    const int64_t now = now_ms();
    DJ_ASSIGN(auto row, c.query_one("INSERT INTO needs_surveys (org_id, year, quarter, title, "
                                    "topics, max_choices, anonymous, opens_on, closes_on, "
                                    "created_at, updated_at, created_by, updated_by) VALUES (?, "
                                    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                    {*org_id, s.year, s.quarter, s.title, topics_text(s.topics),
                                     s.max_choices, s.anonymous ? 1 : 0, s.opens_on, s.closes_on,
                                     now, now, p.user_id, p.user_id}));
    DJ_ASSIGN(auto after, load_survey(c, row.i64(0)));
    DJ_TRY(audit::record(c, p.actor(),
                         {"needs_survey.create",
                          "needs_survey",
                          std::to_string(after.id),
                          after.org_path,
                          {},
                          to_json(after)}));
    return after;
  });
}

Result<Survey> ResourceService::update_survey(const Principal& p, int64_t id,
                                              const SurveyInput& patch) {
  DJ_TRY(auth::require(p, Perm::resource_manage));
  return store::with_tx(db_, [&](store::Conn& c) -> Result<Survey> {
    DJ_ASSIGN(const auto before, load_survey(c, id));
    if (before.responses > 0) {
      const std::string why = "members have answered; the survey stays as they saw it";
      return Error{ErrorCode::conflict, why, {{"topics", "answered", why}}};
    }
    Survey s = before;
    if (patch.title) s.title = *patch.title;
    if (patch.year) s.year = *patch.year;
    if (patch.quarter) s.quarter = *patch.quarter;
    if (patch.opens_on) s.opens_on = *patch.opens_on;
    if (patch.closes_on) s.closes_on = *patch.closes_on;
    if (patch.topics) s.topics = *patch.topics;
    if (patch.max_choices) s.max_choices = *patch.max_choices;
    if (patch.anonymous) s.anonymous = *patch.anonymous;
    DJ_TRY(check_survey(s));
    DJ_TRY(
        c.exec("UPDATE needs_surveys SET title = ?, year = ?, quarter = ?, topics = ?, "
               "max_choices = ?, anonymous = ?, opens_on = ?, closes_on = ?, updated_at = ?, "
               "updated_by = ? WHERE id = ?",
               {s.title, s.year, s.quarter, topics_text(s.topics), s.max_choices,
                s.anonymous ? 1 : 0, s.opens_on, s.closes_on, now_ms(), p.user_id, id}));
    DJ_ASSIGN(auto after, load_survey(c, id));
    DJ_TRY(audit::record(c, p.actor(),
                         {"needs_survey.update", "needs_survey", std::to_string(id), after.org_path,
                          to_json(before), to_json(after)}));
    return after;
  });
}

Result<std::vector<Survey>> ResourceService::surveys(const Principal& p,
                                                     std::optional<int64_t> year) {
  DJ_TRY(auth::require(p, Perm::org_read));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<std::vector<Survey>> {
    const std::string where = year ? " AND s.year = ?" : "";
    const store::Params params = year ? store::Params{*year} : store::Params{};
    DJ_ASSIGN(auto all, select_surveys(c, where, params));
    std::vector<Survey> out;
    if (auth::has(p, Perm::member_read)) {
      for (auto& s : all) {
        if (concerns(p, s)) out.push_back(std::move(s));
      }
      return out;
    }
    if (!p.member_id) return out;
    // A member: the open surveys asked of his organization, and whether he answered.
    DJ_ASSIGN(auto m, c.query_opt("SELECT o.path FROM members m JOIN orgs o ON o.id = m.org_id "
                                  "WHERE m.id = ? AND m.deleted_at IS NULL",
                                  {*p.member_id}));
    if (!m) return out;
    const std::string day = today();
    std::string hashes;
    store::Params mine_params;
    for (auto& s : all) {
      if (!m->str(0).starts_with(s.org_path) || day < s.opens_on || day > s.closes_on) continue;
      s.answered = false;
      s.responses = 0;  // members see no tallies
      hashes += hashes.empty() ? "?" : ", ?";
      mine_params.push_back(respondent(cfg_, s.id, *p.member_id));
      out.push_back(std::move(s));
    }
    if (out.empty()) return out;
    DJ_ASSIGN(auto mine,
              c.query("SELECT survey_id FROM survey_responses WHERE respondent IN (" + hashes + ")",
                      mine_params));
    for (const auto& r : mine) {
      for (auto& s : out) {
        if (s.id == r.i64(0)) s.answered = true;
      }
    }
    return out;
  });
}

Status ResourceService::answer_survey(const Principal& p, int64_t id,
                                      const std::vector<int64_t>& choices,
                                      const std::optional<std::string>& suggestion) {
  if (!p.member_id) return Error::forbidden("a survey is answered by members");
  return store::with_tx(db_, [&](store::Conn& c) -> Status {
    DJ_ASSIGN(const auto s, load_survey(c, id));
    DJ_ASSIGN(auto m, c.query_opt("SELECT m.org_id, o.path FROM members m JOIN orgs o ON o.id = "
                                  "m.org_id WHERE m.id = ? AND m.deleted_at IS NULL",
                                  {*p.member_id}));
    if (!m || !m->str(1).starts_with(s.org_path))
      return Error::not_found("survey " + std::to_string(id));
    const std::string day = today();
    if (day < s.opens_on || day > s.closes_on) {
      const std::string why = "the survey is open from " + s.opens_on + " to " + s.closes_on;
      return Error{ErrorCode::conflict, why, {{"survey", "closed", why}}};
    }
    Validator v;
    std::set<int64_t> distinct(choices.begin(), choices.end());
    if (choices.empty() || static_cast<int64_t>(choices.size()) > s.max_choices) {
      v.add("choices", "size", "choose 1 to " + std::to_string(s.max_choices) + " topics");
    } else if (distinct.size() != choices.size()) {
      v.add("choices", "duplicate", "a topic is chosen once");
    }
    for (size_t i = 0; i < choices.size(); ++i) {
      if (choices[i] < 0 || choices[i] >= static_cast<int64_t>(s.topics.size())) {
        v.add("choices[" + std::to_string(i) + "]", "unknown", "no such topic");
      }
    }
    v.text("suggestion", suggestion, 500, false);
    DJ_TRY(v.status());
    auto ins = c.exec(
        "INSERT INTO survey_responses (survey_id, respondent, member_id, org_id, choices, "
        "suggestion, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        {id, respondent(cfg_, id, *p.member_id),
         s.anonymous ? std::nullopt : std::optional<int64_t>(*p.member_id), m->i64(0),
         json::serialize(json::array(choices.begin(), choices.end())), suggestion, now_ms()});
    if (!ins && ins.error().code == ErrorCode::conflict) {
      return Error{ErrorCode::conflict,
                   "you have answered this survey",
                   {{"survey", "answered", "each member answers once"}}};
    }
    DJ_TRY(ins);
    // The audit keeps that the survey was answered, not by whom when anonymous.
    audit::Actor actor = p.actor();
    if (s.anonymous) actor = {std::nullopt, "anonymous", "", p.route};
    return audit::record(
        c, actor, {"needs_survey.answer", "needs_survey", std::to_string(id), s.org_path, {}, {}});
  });
}

Result<SurveyResults> ResourceService::survey_results(const Principal& p, int64_t id) {
  DJ_TRY(auth::require(p, Perm::member_read));
  return store::with_conn(db_, [&](store::Conn& c) -> Result<SurveyResults> {
    SurveyResults out;
    DJ_ASSIGN(out.survey, load_survey(c, id));
    if (!concerns(p, out.survey)) return Error::not_found("survey " + std::to_string(id));
    for (const auto& t : out.survey.topics) out.topics.push_back({t, 0, {}});
    // By the organizations right under the survey's (its directly affiliated ones).
    DJ_ASSIGN(auto children, c.query("SELECT id, name, path FROM orgs WHERE parent_id = ? AND "
                                     "deleted_at IS NULL ORDER BY path",
                                     {out.survey.org_id}));
    std::map<int64_t, size_t> child_of;
    for (const auto& r : children) {
      child_of[r.i64(0)] = out.by_org.size();
      out.by_org.push_back({r.i64(0), r.str(1), 0, std::vector<int64_t>(out.topics.size(), 0)});
    }
    DJ_ASSIGN(auto rows, c.query("SELECT r.choices, r.suggestion, o.path FROM survey_responses r "
                                 "JOIN orgs o ON o.id = r.org_id WHERE r.survey_id = ? ORDER BY "
                                 "r.id",
                                 {id}));
    for (const auto& r : rows) {
      // The path's segment after the survey's organization names the child.
      const std::string& path = r.str(2);
      std::optional<size_t> child;
      size_t at = out.survey.org_path.size();
      if (path.size() > at) {
        const size_t end = path.find('/', at);
        const auto it = child_of.find(std::stoll(path.substr(at, end - at)));
        if (it != child_of.end()) child = it->second;
      }
      if (child) ++out.by_org[*child].responses;
      const json::value chosen = json::parse(r.str(0));
      for (const auto& x : chosen.as_array()) {
        const auto i = static_cast<size_t>(x.as_int64());
        if (i >= out.topics.size()) continue;
        ++out.topics[i].votes;
        if (child) ++out.by_org[*child].votes[i];
      }
      if (!r.null(1)) out.suggestions.push_back(r.str(1));
    }
    std::erase_if(out.by_org, [](const auto& b) { return b.responses == 0; });
    std::stable_sort(out.by_org.begin(), out.by_org.end(),
                     [](const auto& a, const auto& b) { return a.responses > b.responses; });
    DJ_ASSIGN(auto lectures, c.query("SELECT l.topic, a.id, a.title, a.held_on FROM "
                                     "survey_lectures l JOIN activities a ON a.id = "
                                     "l.activity_id WHERE l.survey_id = ? AND a.deleted_at IS "
                                     "NULL ORDER BY a.held_on, a.id",
                                     {id}));
    for (const auto& r : lectures) {
      const auto i = static_cast<size_t>(r.i64(0));
      if (i < out.topics.size()) {
        out.topics[i].lectures.emplace_back(r.i64(1), r.str(3) + " " + r.str(2));
      }
    }
    return out;
  });
}

Result<SurveyResults> ResourceService::link_lecture(const Principal& p, int64_t id, int64_t topic,
                                                    int64_t activity_id) {
  DJ_TRY(auth::require(p, Perm::resource_manage));
  DJ_TRY(store::with_tx(db_, [&](store::Conn& c) -> Status {
    DJ_ASSIGN(const auto s, load_survey(c, id));
    if (topic < 0 || topic >= static_cast<int64_t>(s.topics.size())) {
      return Error::invalid("topic", "unknown", "no such topic in the survey");
    }
    DJ_ASSIGN(auto a, c.query_opt("SELECT type FROM activities WHERE id = ? AND deleted_at IS NULL",
                                  {activity_id}));
    if (!a) return Error::invalid("activity_id", "unknown", "no such activity");
    if (a->str(0) != "grand_lecture") {
      return Error::invalid("activity_id", "not_grand_lecture", "must be a 机关大课堂 activity");
    }
    auto ins = c.exec(
        "INSERT INTO survey_lectures (survey_id, topic, activity_id, created_at, "
        "created_by) VALUES (?, ?, ?, ?, ?)",
        {id, topic, activity_id, now_ms(), p.user_id});
    if (!ins && ins.error().code == ErrorCode::conflict) return {};  // linked already
    DJ_TRY(ins);
    return audit::record(c, p.actor(),
                         {"needs_survey.lecture",
                          "needs_survey",
                          std::to_string(id),
                          s.org_path,
                          {},
                          json::object{{"topic", topic}, {"activity_id", activity_id}}});
  }));
  return survey_results(p, id);
}

json::object to_json(const Survey& s) {
  json::object out{{"id", s.id},
                   {"org_id", s.org_id},
                   {"org_path_name", s.org_path_name},
                   {"year", s.year},
                   {"quarter", s.quarter},
                   {"title", s.title},
                   {"topics", json::array(s.topics.begin(), s.topics.end())},
                   {"max_choices", s.max_choices},
                   {"anonymous", s.anonymous},
                   {"opens_on", s.opens_on},
                   {"closes_on", s.closes_on},
                   {"responses", s.responses},
                   {"answered", s.answered ? json::value(*s.answered) : nullptr},
                   {"updated_at", format_instant(s.updated_at)}};
  return out;
}

json::object to_json(const SurveyResults& r) {
  json::array topics, by_org;
  for (const auto& t : r.topics) {
    json::array lectures;
    for (const auto& [aid, title] : t.lectures) {
      lectures.push_back(json::object{{"activity_id", aid}, {"title", title}});
    }
    topics.push_back(json::object{{"label", t.label}, {"votes", t.votes}, {"lectures", lectures}});
  }
  for (const auto& b : r.by_org) {
    by_org.push_back(json::object{{"org_id", b.org_id},
                                  {"org_name", b.org_name},
                                  {"responses", b.responses},
                                  {"votes", json::array(b.votes.begin(), b.votes.end())}});
  }
  return json::object{{"survey", to_json(r.survey)},
                      {"topics", topics},
                      {"by_org", by_org},
                      {"suggestions", json::array(r.suggestions.begin(), r.suggestions.end())}};
}

}  // namespace dj::resources
