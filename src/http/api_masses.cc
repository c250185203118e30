// Serving the masses (我为群众办实事): matters, their categories and figures.
#include <boost/json.hpp>
#include <map>

#include "common/time.h"
#include "domain/audit/audit.h"
#include "domain/masses/masses.h"
#include "http/api.h"
#include "http/input.h"
#include "http/xlsx.h"

namespace dj::http {
namespace json = boost::json;

namespace {

const Body<masses::MatterInput> kMatterInput{"MatterInput",
                                             [](JsonBody& body, masses::MatterInput& in) {
                                               body.i64("org_id", in.org_id);
                                               body.i64("member_id", in.member_id);
                                               body.str("title", in.title);
                                               body.str("category", in.category);
                                               body.str("beneficiaries", in.beneficiaries);
                                               body.str("planned_on", in.planned_on);
                                               body.str("responsible", in.responsible);
                                               body.str("status", in.status, masses::kStatuses);
                                               body.str("done_on", in.done_on);
                                               body.str("evidence", in.evidence);
                                               body.str("feedback", in.feedback);
                                             }};

struct CategoryInput {
  std::optional<std::string> code, label_zh, label_en;
};
const Body<CategoryInput> kCategoryInput{"MatterCategoryInput",
                                         [](JsonBody& body, CategoryInput& in) {
                                           body.str("code", in.code);
                                           body.str("label_zh", in.label_zh);
                                           body.str("label_en", in.label_en);
                                         }};

const Body<masses::CommitmentInput> kCommitmentInput{
    "CommitmentInput", [](JsonBody& body, masses::CommitmentInput& in) {
      body.str("identity", in.identity);
      body.str("duty", in.duty);
      body.str("pledge", in.pledge);
    }};

struct ReviewInput {
  std::optional<std::string> result, note;
};
const Body<ReviewInput> kReviewInput{"CommitmentReview", [](JsonBody& body, ReviewInput& in) {
                                       body.str("result", in.result, masses::kReviews);
                                       body.str("note", in.note);
                                     }};

void read_items(JsonBody& body, std::optional<std::vector<masses::ModelItem>>& out) {
  bool given = false;
  std::vector<masses::ModelItem> items;
  body.objects("items", [&](JsonBody& item) {
    given = true;
    masses::ModelItem x;
    item.str("standard", x.standard);
    item.str("present_state", x.present_state);
    item.str("measures", x.measures);
    item.str("due_on", x.due_on);
    items.push_back(std::move(x));
  });
  if (given || body.has("items")) out = std::move(items);
}

const Body<masses::ModelPlanInput> kModelPlanInput{"ModelPlanInput",
                                                   [](JsonBody& body, masses::ModelPlanInput& in) {
                                                     body.i64("org_id", in.org_id);
                                                     body.i64("year", in.year);
                                                     body.str("title", in.title);
                                                     read_items(body, in.items);
                                                   }};

struct Submission {
  std::optional<std::string> self_assessment;
  std::vector<std::pair<int64_t, masses::ModelItem>> results;
  bool incomplete = false;  // a result without its item_id
};
const Body<Submission> kSubmission{"ModelPlanSubmission", [](JsonBody& body, Submission& in) {
                                     body.str("self_assessment", in.self_assessment);
                                     body.objects("results", [&](JsonBody& item) {
                                       std::optional<int64_t> id;
                                       masses::ModelItem x;
                                       item.i64("item_id", id);
                                       item.str("result", x.result, masses::kModelResults);
                                       item.str("note", x.result_note);
                                       if (!id) in.incomplete = true;
                                       in.results.emplace_back(id.value_or(0), std::move(x));
                                     });
                                   }};

struct PlanReview {
  std::optional<std::string> result, note;
};
const Body<PlanReview> kPlanReview{"ModelPlanReview", [](JsonBody& body, PlanReview& in) {
                                     body.str("result", in.result,
                                              std::span(masses::kModelStatuses).subspan(2));
                                     body.str("note", in.note);
                                   }};

constexpr const char* kMassesSchemas = R"JSON({
  "ModelItem": {"id": "integer", "standard": "string", "present_state": "string",
                "measures": "string", "due_on": "date", "result": "codes:masses.model_results?",
                "result_note": "string?"},
  "ModelPlan": {"id": "integer", "org_id": "integer", "org_path_name": "string", "year": "integer",
                "title": "string", "status": "codes:masses.model_statuses",
                "self_assessment": "string?", "review_note": "string?",
                "submitted_at": "datetime?", "reviewed_at": "datetime?", "items": ["ModelItem"],
                "items_total": "integer", "items_met": "integer", "updated_at": "datetime"},
  "ModelPlanList": {"items": ["ModelPlan"], "total": "integer"},
  "ModelFigures": {"year": "integer", "orgs": "integer", "with_plan": "integer",
                   "submitted": "integer", "accepted": "integer", "items": "integer",
                   "items_met": "integer"},
  "Commitment": {"id": "integer", "member_id": "integer", "member_name": "string",
                 "org_id": "integer", "org_path_name": "string", "year": "integer",
                 "identity": "string", "duty": "string", "pledge": "string",
                 "review": "codes:masses.reviews?", "review_note": "string?",
                 "updated_at": "datetime"},
  "CommitmentList": {"items": ["Commitment"], "total": "integer"},
  "CommitmentFigures": {"year": "integer", "members": "integer", "committed": "integer",
                        "fulfilled": "integer", "partly": "integer", "not_kept": "integer"},
  "MatterCategory": {"code": "string", "label_zh": "string", "label_en": "string",
                     "builtin": "boolean"},
  "MatterCategoryList": {"items": ["MatterCategory"], "total": "integer"},
  "Matter": {"id": "integer", "org_id": "integer", "org_path_name": "string",
             "member_id": "integer?", "member_name": "string?",
             "planned_by": "string", "title": "string", "category": "string",
             "beneficiaries": "string?", "planned_on": "date", "responsible": "string?",
             "status": "codes:masses.statuses", "done_on": "date?", "evidence": "string?",
             "feedback": "string?", "created_at": "datetime", "updated_at": "datetime",
             "files": ["MatterFile"]},
  "MatterFile": {"id": "integer", "matter_id": "integer", "filename": "string",
                 "content_type": "string", "size": "integer", "created_at": "datetime"},
  "MatterPage": {"items": ["Matter"], "total": "integer"},
  "MatterCount": {"planned": "integer", "done": "integer"},
  "MatterFigures": {"from": "date", "to": "date", "orgs": "MatterCount",
                    "members": "MatterCount", "by_category": {"*": "MatterCount"}}
})JSON";

const std::vector<Param> kMatterFilters = {
    {"org_id", ParamType::integer}, {"planned_by", ParamType::string},
    {"status", ParamType::string},  {"category", ParamType::string},
    {"from", ParamType::date},      {"to", ParamType::date},
    {"mine", ParamType::boolean}};

masses::ListQuery read_matter_filters(QueryReader& q) {
  masses::ListQuery lq;
  lq.org_id = q.id("org_id");
  lq.planned_by = q.str("planned_by", 10);
  lq.status = q.str("status", 20);
  lq.category = q.str("category", 30);
  lq.from = q.date("from");
  lq.to = q.date("to");
  lq.mine = q.boolean("mine").value_or(false);
  return lq;
}

}  // namespace

void add_masses_routes(Router& r, Services& s) {
  r.add_schemas(kMassesSchemas);
  r.add_codes("masses.statuses", masses::kStatuses);
  r.add_codes("masses.reviews", masses::kReviews);
  r.add_codes("masses.model_statuses", masses::kModelStatuses);
  r.add_codes("masses.model_results", masses::kModelResults);
  // Files go to the same store as the activities' attachments, under the same limit.
  const auto& files = s.activities.config();
  auto svc = std::make_shared<masses::MassesService>(
      s.db, masses::Config{files.blob_dir, files.max_attachment_bytes});
  r.add({.method = "GET",
         .pattern = "/api/v1/matter-categories",
         .tag = "masses",
         .summary = "The categories of 办实事 (codes stable, labels translated)",
         .perm = auth::Perm::org_read,
         .responses = {{200, "MatterCategoryList"}},
         .handler = [svc](Ctx&) -> Result<Response> {
           DJ_ASSIGN(auto list, svc->categories());
           return json_response(list_json(list));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/matter-categories",
         .tag = "masses",
         .summary = "Add a category (committee_admin)",
         .perm = auth::Perm::activity_type_manage,
         .body = &kCategoryInput,
         .responses = {{201, "MatterCategory"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kCategoryInput.parse(c.req));
           DJ_ASSIGN(auto out,
                     svc->add_category(c.p(), {in.code.value_or(""), in.label_zh.value_or(""),
                                               in.label_en.value_or(""), false}));
           return json_response(masses::to_json(out), 201);
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/matters",
         .tag = "masses",
         .summary = "办实事 matters in a subtree (a member: his own), latest planned first",
         .perm = auth::Perm::org_read,
         .query = with_paging(kMatterFilters),
         .responses = {{200, "MatterPage"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           masses::ListQuery lq = read_matter_filters(q);
           auto paging = q.paging();
           lq.page = paging.page;
           lq.page_size = paging.page_size;
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto page, svc->list(c.p(), lq));
           return json_response(masses::to_json(page));
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/matters/export.xlsx",
         .tag = "masses",
         .summary = "The matters the filters select as .xlsx, in words (at most 50,000 rows; "
                    "audited)",
         .perm = auth::Perm::org_read,
         .query = kMatterFilters,
         .responses = {{200,
                        "",
                        {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}}},
         .handler = [svc, &s](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           masses::ListQuery lq = read_matter_filters(q);
           DJ_TRY(q.finish());
           lq.page_size = 50000;
           DJ_ASSIGN(auto page, svc->list(c.p(), lq));
           DJ_ASSIGN(auto label, masses::MassesService::category_labels(s.db));
           static const std::map<std::string, std::string> status = {
               {"planned", "计划"}, {"in_progress", "办理中"}, {"done", "已办结"}};
           auto text = [](const std::optional<std::string>& v) { return Cell(v.value_or("")); };
           Sheet sheet{"办实事",
                       {"计划日期", "实事名称", "计划主体", "党组织", "党员", "类别", "服务对象",
                        "责任人", "状态", "办结日期", "办结情况", "群众反馈"},
                       {}};
           for (const auto& m : page.items) {
             sheet.rows.push_back({Cell(Date{m.planned_on}), Cell(m.title),
                                   Cell(std::string(m.member_id ? "党员" : "党组织")),
                                   Cell(m.org_path_name), text(m.member_name),
                                   Cell(label.count(m.category) ? label[m.category] : m.category),
                                   text(m.beneficiaries), text(m.responsible),
                                   Cell(status.at(m.status)),
                                   m.done_on ? Cell(Date{*m.done_on}) : Cell(std::string()),
                                   text(m.evidence), text(m.feedback)});
           }
           DJ_TRY(audit::record_now(s.db, c.p().actor(),
                                    {"matter.export",
                                     "matter",
                                     "",
                                     c.p().scope_path,
                                     {},
                                     json::object{{"rows", page.total}}}));
           return xlsx_response({sheet}, "matters.xlsx");
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/matters/figures",
         .tag = "masses",
         .summary = "Planned and done in a subtree and period (by planned date): by "
                    "organizations, by members, by category",
         .perm = auth::Perm::org_read,
         .query = {{"org_id", ParamType::integer},
                   {"from", ParamType::date, true},
                   {"to", ParamType::date, true}},
         .responses = {{200, "MatterFigures"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto org_id = q.id("org_id");
           auto from = q.date("from");
           auto to = q.date("to");
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto f, svc->figures(c.p(), org_id, from.value_or(""), to.value_or("")));
           return json_response(masses::to_json(f));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/matters",
         .tag = "masses",
         .summary = "Plan a matter: an organization's (org:write) or a member's (his own, or "
                    "one in scope); done needs evidence",
         .perm = auth::Perm::org_read,
         .body = &kMatterInput,
         .responses = {{201, "Matter"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kMatterInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->create(c.p(), in));
           return json_response(masses::to_json(out), 201);
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/matters/{id}",
         .tag = "masses",
         .summary = "A matter",
         .perm = auth::Perm::org_read,
         .responses = {{200, "Matter"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto out, svc->get(c.p(), id));
           return json_response(masses::to_json(out));
         }});
  r.add({.method = "PATCH",
         .pattern = "/api/v1/matters/{id}",
         .tag = "masses",
         .summary = "Change a matter: the status forward only, done with evidence; a done "
                    "matter takes only feedback",
         .perm = auth::Perm::org_read,
         .body = &kMatterInput,
         .responses = {{200, "Matter"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kMatterInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->update(c.p(), id, in));
           return json_response(masses::to_json(out));
         }});
  r.add({.method = "DELETE",
         .pattern = "/api/v1/matters/{id}",
         .tag = "masses",
         .summary = "Remove a matter not yet done (soft)",
         .perm = auth::Perm::org_read,
         .responses = {{204}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_TRY(svc->remove(c.p(), id));
           return no_content();
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/matters/{id}/files",
         .tag = "masses",
         .summary = "Attach a photo (JPEG, PNG) or PDF of what was done: the raw file as the "
                    "body, its type as Content-Type, ?filename=; checked by content",
         .perm = auth::Perm::org_read,
         .query = {{"filename", ParamType::string}},
         .responses = {{201, "MatterFile"}},
         .upload = true,
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           QueryReader q(c.req);
           auto filename = q.str("filename", 200);
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto f,
                     svc->attach(c.p(), id, upload_type(c.req), filename.value_or(""), c.req.body));
           return json_response(masses::to_json(f), 201);
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/matters/{id}/files/{fid}",
         .tag = "masses",
         .summary = "Download a matter's file (served with its checked type, never as a page)",
         .perm = auth::Perm::org_read,
         .responses = {{200, "", {"image/jpeg", "image/png", "application/pdf"}}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto fid, c.id(1, "fid"));
           DJ_ASSIGN(auto f, svc->file(c.p(), id, fid));
           return file_response(f.first.content_type, std::move(f.second),
                                "matter-file-" + std::to_string(fid));
         }});
  r.add({.method = "DELETE",
         .pattern = "/api/v1/matters/{id}/files/{fid}",
         .tag = "masses",
         .summary = "Remove a file of a matter not yet done (soft, audited)",
         .perm = auth::Perm::org_read,
         .responses = {{204}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto fid, c.id(1, "fid"));
           DJ_TRY(svc->detach(c.p(), id, fid));
           return no_content();
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/commitments",
         .tag = "masses",
         .summary = "A year's commitments (亮身份、亮职责、亮承诺) in a subtree; a member sees his "
                    "own organization's (公示)",
         .perm = auth::Perm::org_read,
         .query = {{"year", ParamType::integer, true}, {"org_id", ParamType::integer}},
         .responses = {{200, "CommitmentList"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto year = q.id("year");
           auto org_id = q.id("org_id");
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto list, svc->commitments(c.p(), org_id, year.value_or(0)));
           return json_response(list_json(list));
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/commitments/figures",
         .tag = "masses",
         .summary = "Members in the party in a subtree, how many committed in a year, and how "
                    "their commitments were reviewed",
         .perm = auth::Perm::org_read,
         .query = {{"year", ParamType::integer, true}, {"org_id", ParamType::integer}},
         .responses = {{200, "CommitmentFigures"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto year = q.id("year");
           auto org_id = q.id("org_id");
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto f, svc->commitment_figures(c.p(), org_id, year.value_or(0)));
           return json_response(masses::to_json(f));
         }});
  r.add({.method = "PUT",
         .pattern = "/api/v1/commitments/mine",
         .tag = "masses",
         .summary = "Make or change the caller's own commitment of a year, until it is reviewed",
         .perm = auth::Perm::org_read,
         .query = {{"year", ParamType::integer, true}},
         .body = &kCommitmentInput,
         .responses = {{200, "Commitment"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto year = q.id("year");
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto in, kCommitmentInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->commit(c.p(), year.value_or(0), in));
           return json_response(masses::to_json(out));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/commitments/{id}/review",
         .tag = "masses",
         .summary = "The organization's finding on a commitment: fulfilled, partly or not",
         .perm = auth::Perm::org_write,
         .body = &kReviewInput,
         .responses = {{200, "Commitment"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kReviewInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->review(c.p(), id, in.result.value_or(""), in.note));
           return json_response(masses::to_json(out));
         }});
  const std::vector<Param> year_and_org = {{"year", ParamType::integer, true},
                                           {"org_id", ParamType::integer}};
  r.add({.method = "GET",
         .pattern = "/api/v1/model-plans",
         .tag = "masses",
         .summary = "模范机关创建: the year's plans in a subtree, with their items counted",
         .perm = auth::Perm::member_read,
         .query = year_and_org,
         .responses = {{200, "ModelPlanList"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto year = q.id("year");
           auto org_id = q.id("org_id");
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto list, svc->plans(c.p(), org_id, year.value_or(0)));
           return json_response(list_json(list));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/model-plans",
         .tag = "masses",
         .summary = "An organization's plan for a year with its benchmark items (the standard, "
                    "the present state, the measures, the due date)",
         .perm = auth::Perm::org_write,
         .body = &kModelPlanInput,
         .responses = {{201, "ModelPlan"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kModelPlanInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->create_plan(c.p(), in));
           return json_response(masses::to_json(out), 201);
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/model-plans/figures",
         .tag = "masses",
         .summary = "The directly affiliated organizations of a subtree: with a plan, submitted, "
                    "accepted; items and those self-assessed met",
         .perm = auth::Perm::member_read,
         .query = year_and_org,
         .responses = {{200, "ModelFigures"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto year = q.id("year");
           auto org_id = q.id("org_id");
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto out, svc->model_figures(c.p(), org_id, year.value_or(0)));
           return json_response(masses::to_json(out));
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/model-plans/{id}",
         .tag = "masses",
         .summary = "One plan with its items",
         .perm = auth::Perm::member_read,
         .responses = {{200, "ModelPlan"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto out, svc->plan(c.p(), id));
           return json_response(masses::to_json(out));
         }});
  r.add({.method = "PATCH",
         .pattern = "/api/v1/model-plans/{id}",
         .tag = "masses",
         .summary = "Change the title or replace the items, while a draft or returned",
         .perm = auth::Perm::org_write,
         .body = &kModelPlanInput,
         .responses = {{200, "ModelPlan"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kModelPlanInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->update_plan(c.p(), id, in));
           return json_response(masses::to_json(out));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/model-plans/{id}/submit",
         .tag = "masses",
         .summary = "The self-assessment, every item's result (met, partly, not), and submit",
         .perm = auth::Perm::org_write,
         .body = &kSubmission,
         .responses = {{200, "ModelPlan"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kSubmission.parse(c.req));
           if (in.incomplete)
             return Error::invalid("results", "required", "each result names its item_id");
           DJ_ASSIGN(auto out, svc->submit_plan(c.p(), id, in.self_assessment, in.results));
           return json_response(masses::to_json(out));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/model-plans/{id}/review",
         .tag = "masses",
         .summary = "The committee accepts a submitted plan or returns it",
         .perm = auth::Perm::model_review,
         .body = &kPlanReview,
         .responses = {{200, "ModelPlan"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kPlanReview.parse(c.req));
           DJ_ASSIGN(auto out, svc->review_plan(c.p(), id, in.result.value_or(""), in.note));
           return json_response(masses::to_json(out));
         }});
}

}  // namespace dj::http
