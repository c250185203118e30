#include <boost/json.hpp>

#include "http/api.h"
#include "http/input.h"

namespace dj::http {
namespace json = boost::json;

namespace {

const Body<member::MemberInput> kMemberInput{
    "MemberInput", [](JsonBody& body, member::MemberInput& in) {
      body.i64("org_id", in.org_id);
      body.str("name", in.name);
      body.str("gender", in.gender, member::kGenders);
      body.str("ethnicity", in.ethnicity);
      body.str("birth_date", in.birth_date);
      body.str("education", in.education);
      body.str("citizen_id", in.citizen_id);
      body.str("phone", in.phone);
      body.str("joined_on", in.joined_on);
      body.str("full_member_on", in.full_member_on);
      body.str("political_status", in.political_status, member::kStatuses);
      body.str("work_unit", in.work_unit);
      body.str("job_title", in.job_title);
      body.str("cadre_rank", in.cadre_rank, member::kRanks);
      body.str("standing", in.standing, member::kStandings);
      body.str("post", in.post, member::kPosts);
      body.boolean("retired", in.retired);
      body.boolean("infirm", in.infirm);
      body.boolean("party_worker", in.party_worker);
      body.strings("tags", in.tags);
    }};

const Body<member::Transfer> kMemberTransfer{"MemberTransfer",
                                             [](JsonBody& body, member::Transfer& t) {
                                               body.i64("to_org_id", t.to_org_id);
                                               body.str("date", t.date);
                                               body.str("reason", t.reason);
                                             }};

json::object out(Services& s, const auth::Principal& p, const member::Member& m) {
  auto o = member::to_json(m, s.members.config());
  o["can_reveal"] = s.members.may_see_pii(p, m);
  return o;
}

struct MatchInput {
  std::optional<std::vector<std::string>> lines;
  std::optional<int64_t> org_id;
};
const Body<MatchInput> kMatchInput{"MemberMatchInput", [](JsonBody& body, MatchInput& in) {
                                     body.strings("lines", in.lines);
                                     body.i64("org_id", in.org_id);
                                   }};

}  // namespace

const std::vector<Param> kMemberFilters = {
    {"org_id", ParamType::integer},       {"political_status", ParamType::string},
    {"cadre_rank", ParamType::string},    {"post", ParamType::string},
    {"retired", ParamType::boolean},      {"infirm", ParamType::boolean},
    {"party_worker", ParamType::boolean}, {"leading_cadre", ParamType::boolean},
    {"new_member", ParamType::boolean},   {"q", ParamType::string}};

const std::vector<Param> kPaging = {{"page", ParamType::integer},
                                    {"page_size", ParamType::integer}};

std::vector<Param> with_paging(std::vector<Param> filters) {
  filters.insert(filters.end(), kPaging.begin(), kPaging.end());
  return filters;
}

member::ListQuery read_member_filters(QueryReader& q) {
  member::ListQuery lq;
  lq.org_id = q.id("org_id");
  lq.political_status = q.str("political_status");
  lq.cadre_rank = q.str("cadre_rank");
  lq.post = q.str("post");
  lq.retired = q.boolean("retired");
  lq.infirm = q.boolean("infirm");
  lq.party_worker = q.boolean("party_worker");
  lq.leading_cadre = q.boolean("leading_cadre");
  lq.new_member = q.boolean("new_member");
  lq.q = q.str("q").value_or("");
  return lq;
}

// Response schemas of these routes, in the short form of Router::add_schemas.
constexpr const char* kMemberSchemas = R"JSON({
  "Member": {"id": "integer", "org_id": "integer", "org_name": "string",
             "org_path_name": "string", "name": "string",
             "gender": "codes:member.genders", "ethnicity": "string?", "birth_date": "date?",
             "education": "string?", "citizen_id": "string", "phone": "string?",
             "can_reveal": "boolean", "joined_on": "date?", "full_member_on": "date?",
             "political_status": "codes:member.statuses", "work_unit": "string?",
             "job_title": "string?", "cadre_rank": "codes:member.ranks",
             "standing": "codes:member.standings", "retired": "boolean", "infirm": "boolean",
             "party_worker": "boolean", "post": "codes:member.posts", "tags": ["string"],
             "is_leading_cadre": "boolean", "is_new_member": "boolean",
             "created_at": "datetime", "updated_at": "datetime"},
  "MemberPage": {"items": ["Member"], "total": "integer"},
  "MemberPii": {"citizen_id": "string", "phone": "string?"},
  "MemberMatches": {"items": [{"line": "string", "members": ["Member"]}]},
  "MemberHistory": {"items": [{"org_id": "integer", "org_name": "string", "from_date": "date",
                               "to_date": "date?", "reason": "string?"}],
                    "total": "integer"}
})JSON";

void add_member_routes(Router& r, Services& s) {
  r.add_schemas(kMemberSchemas);
  r.add_codes("member.genders", member::kGenders);
  r.add_codes("member.statuses", member::kStatuses);
  r.add_codes("member.ranks", member::kRanks);
  r.add_codes("member.posts", member::kPosts);
  r.add_codes("member.standings", member::kStandings);
  r.add({.method = "GET",
         .pattern = "/api/v1/members",
         .tag = "members",
         .summary = "Members in a subtree with filters; personal information masked",
         .perm = auth::Perm::member_read,
         .query = with_paging(kMemberFilters),
         .responses = {{200, "MemberPage"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           member::ListQuery lq = read_member_filters(q);
           auto paging = q.paging();
           lq.page = paging.page;
           lq.page_size = paging.page_size;
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto page, s.members.list(c.p(), lq));
           json::array items;
           for (const auto& m : page.items) items.push_back(out(s, c.p(), m));
           return json_response(json::object{{"items", std::move(items)}, {"total", page.total}});
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/members",
         .tag = "members",
         .summary = "Add a member",
         .perm = auth::Perm::member_write,
         .body = &kMemberInput,
         .responses = {{201, "Member"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kMemberInput.parse(c.req));
           DJ_ASSIGN(auto m, s.members.create(c.p(), in));
           return json_response(out(s, c.p(), m), 201);
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/members/match",
         .tag = "members",
         .summary = "The members a pasted list names (a name or citizen ID a line), in scope or "
                    "under org_id: each line with its matches (several when namesakes)",
         .perm = auth::Perm::member_read,
         .body = &kMatchInput,
         .responses = {{200, "MemberMatches"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kMatchInput.parse(c.req));
           DJ_ASSIGN(
               auto found,
               s.members.match(c.p(), in.lines.value_or(std::vector<std::string>{}), in.org_id));
           json::array items;
           for (const auto& m : found) {
             json::array members;
             for (const auto& x : m.members) members.push_back(out(s, c.p(), x));
             items.push_back(json::object{{"line", m.line}, {"members", std::move(members)}});
           }
           return json_response(json::object{{"items", std::move(items)}});
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/members/{id}",
         .tag = "members",
         .summary = "One member",
         .responses = {{200, "Member"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto m, s.members.get(c.p(), id));
           return json_response(out(s, c.p(), m));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/members/{id}/pii",
         .tag = "members",
         .summary = "Reveal one member's citizen ID and phone in full (member:pii, or the member "
                    "himself; audited as member.pii_revealed)",
         .responses = {{200, "MemberPii"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto pii, s.members.reveal(c.p(), id));
           return json_response(
               json::object{{"citizen_id", pii.citizen_id},
                            {"phone", pii.phone ? json::value(*pii.phone) : json::value(nullptr)}});
         }});
  r.add({.method = "PATCH",
         .pattern = "/api/v1/members/{id}",
         .tag = "members",
         .summary = "Change a member's fields",
         .perm = auth::Perm::member_write,
         .body = &kMemberInput,
         .responses = {{200, "Member"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kMemberInput.parse(c.req));
           DJ_ASSIGN(auto m, s.members.update(c.p(), id, in));
           return json_response(out(s, c.p(), m));
         }});
  r.add({.method = "DELETE",
         .pattern = "/api/v1/members/{id}",
         .tag = "members",
         .summary = "Remove a member (soft, audited)",
         .perm = auth::Perm::member_write,
         .responses = {{204}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_TRY(s.members.remove(c.p(), id));
           return no_content();
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/members/{id}/transfer",
         .tag = "members",
         .summary = "Transfer a member to another organization, keeping history",
         .perm = auth::Perm::member_write,
         .body = &kMemberTransfer,
         .responses = {{200, "Member"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto t, kMemberTransfer.parse(c.req));
           DJ_ASSIGN(auto m, s.members.transfer(c.p(), id, t));
           return json_response(out(s, c.p(), m));
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/members/{id}/history",
         .tag = "members",
         .summary = "Which organization the member belonged to, from when to when",
         .responses = {{200, "MemberHistory"}},
         .handler = [&s](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto list, s.members.history(c.p(), id));
           json::array items;
           for (const auto& h : list) {
             items.push_back(json::object{
                 {"org_id", h.org_id},
                 {"org_name", h.org_name},
                 {"from_date", h.from_date},
                 {"to_date", h.to_date ? json::value(*h.to_date) : json::value(nullptr)},
                 {"reason", h.reason ? json::value(*h.reason) : json::value(nullptr)}});
           }
           const auto n = static_cast<int64_t>(items.size());
           return json_response(json::object{{"items", std::move(items)}, {"total", n}});
         }});
}

}  // namespace dj::http
