// Serving the masses (我为群众办实事): practical matters planned by an
// organization or by a member, carried from planned through in progress to
// done with evidence, in categories the committee extends; and the figures
// the period report quotes (planned and done, by organizations and by
// members, by category).
#pragma once

#include <boost/json/fwd.hpp>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "domain/auth/principal.h"
#include "store/db.h"
#include "store/migrations.h"

namespace dj::masses {

inline constexpr const char* kStatuses[] = {"planned", "in_progress", "done"};
// How the branch finds a yearly commitment kept (亮承诺 reviewed at year end).
inline constexpr const char* kReviews[] = {"fulfilled", "partly", "not"};

// This capability's schema migrations (migrations.cc), in version order.
std::span<const store::Migration> migrations();

struct Category {
  std::string code, label_zh, label_en;
  bool builtin = false;
};

struct MatterInput {
  std::optional<int64_t> org_id, member_id;  // member_id: planned by that member
  std::optional<std::string> title, category, beneficiaries, planned_on, responsible, status,
      done_on, evidence, feedback;
};

// A photo or document of what was done (evidence), kept in the file store.
struct MatterFile {
  int64_t id = 0, matter_id = 0;
  std::string sha256, content_type, filename;
  int64_t size = 0, created_at = 0;
};

struct Matter {
  int64_t id = 0, org_id = 0;
  std::string org_path;  // not in its JSON
  std::string org_path_name;
  std::optional<int64_t> member_id;
  std::optional<std::string> member_name;
  std::string title, category;
  std::optional<std::string> beneficiaries, responsible, done_on, evidence, feedback;
  std::string planned_on, status;
  int64_t created_at = 0, updated_at = 0;
  std::vector<MatterFile> files;  // filled by get() and the changes
};

struct Config {
  std::string blob_dir = "./data/blobs";  // the files' bytes, content-addressed
  size_t max_file_bytes = 10 * 1024 * 1024;
};

struct ListQuery {
  std::optional<int64_t> org_id;                          // subtree; default the caller's scope
  std::optional<std::string> planned_by;                  // org or member
  std::optional<std::string> status, category, from, to;  // from/to: planned_on
  bool mine = false;                                      // the caller's own, as a member
  int64_t page = 1, page_size = 50;
};

struct Page {
  std::vector<Matter> items;
  int64_t total = 0;
};

// The figures of a subtree and period (by planned_on): planned and, of
// those, done; for organizations and for members; and by category.
struct Figures {
  struct Count {
    int64_t planned = 0, done = 0;
  };
  std::string from, to;
  Count orgs, members;
  std::vector<std::pair<std::string, Count>> by_category;  // category order
};

// A member's yearly commitment (亮身份、亮职责、亮承诺), shown within his
// organization (公示) and reviewed by it.
struct CommitmentInput {
  std::optional<std::string> identity, duty, pledge;
};

struct Commitment {
  int64_t id = 0, member_id = 0, org_id = 0, year = 0;
  std::string member_name, org_path;  // org_path not in its JSON
  std::string org_path_name;
  std::string identity, duty, pledge;
  std::optional<std::string> review, review_note;
  int64_t updated_at = 0;
};

struct CommitmentFigures {
  int64_t year = 0, members = 0, committed = 0, fulfilled = 0, partly = 0, not_kept = 0;
};

// 模范机关创建 (寻标对标达标创标): an organization's yearly plan of benchmark
// items, its self-assessment and the committee's acceptance.
inline constexpr const char* kModelStatuses[] = {"draft", "submitted", "accepted", "returned"};
inline constexpr const char* kModelResults[] = {"met", "partly", "not"};

struct ModelItem {
  int64_t id = 0;
  std::optional<std::string> standard, present_state, measures, due_on, result, result_note;
};

struct ModelPlanInput {
  std::optional<int64_t> org_id, year;
  std::optional<std::string> title;
  std::optional<std::vector<ModelItem>> items;  // replaces them all
};

struct ModelPlan {
  int64_t id = 0, org_id = 0, year = 0;
  std::string org_path, org_path_name;  // org_path not in its JSON
  std::string title, status;
  std::optional<std::string> self_assessment, review_note;
  std::optional<int64_t> submitted_at, reviewed_at;
  std::vector<ModelItem> items;
  int64_t items_total = 0, items_met = 0;  // lists fill these, not items
  int64_t updated_at = 0;
};

struct ModelFigures {
  int64_t year = 0, orgs = 0, with_plan = 0, submitted = 0, accepted = 0, items = 0, items_met = 0;
};

class MassesService {
 public:
  MassesService(store::Db& db, Config cfg) : db_(db), cfg_(std::move(cfg)) {}

  Result<std::vector<Category>> categories();
  // Each category's Chinese label by its code, for exports in words.
  static Result<std::map<std::string, std::string>> category_labels(store::Db& db);
  // A new category (activity_type:manage: the committee keeps the
  // dictionaries): code a-z0-9_ up to 30, labels in both languages.
  Result<Category> add_category(const auth::Principal& p, const Category& in);

  // An organization's matter (org:write, the organization in scope), or a
  // member's: his own (member_id his, or left out by a member), or one in
  // scope by an administrator. Starts planned unless a status is given; a
  // matter done needs evidence.
  Result<Matter> create(const auth::Principal& p, const MatterInput& in);
  // Readable: in the caller's scope (org:read), or his own.
  Result<Matter> get(const auth::Principal& p, int64_t id);
  Result<Page> list(const auth::Principal& p, const ListQuery& q);
  // Changes the fields given, by whoever may create it. The status only
  // moves forward (planned -> in_progress -> done); done needs evidence (its
  // text, or a photo or document attached first) and
  // takes done_on (default today); a done matter changes only its feedback.
  Result<Matter> update(const auth::Principal& p, int64_t id, const MatterInput& patch);
  // Removes a matter not yet done (soft; audited).
  Status remove(const auth::Principal& p, int64_t id);
  // A photo (JPEG, PNG) or PDF of what was done, checked by its content, by
  // whoever may change the matter, before or after it is done. Audited.
  Result<MatterFile> attach(const auth::Principal& p, int64_t id, const std::string& claimed_type,
                            const std::string& filename, const std::string& bytes);
  // A file and its bytes, to whoever may read the matter.
  Result<std::pair<MatterFile, std::string>> file(const auth::Principal& p, int64_t id,
                                                  int64_t file_id);
  // Removes a file (soft) of a matter not yet done.
  Status detach(const auth::Principal& p, int64_t id, int64_t file_id);
  Result<Figures> figures(const auth::Principal& p, std::optional<int64_t> org_id,
                          const std::string& from, const std::string& to);

  // Commitments (commitments.cc). The caller's own for `year` (a member),
  // made or changed until it is reviewed (409 after).
  Result<Commitment> commit(const auth::Principal& p, int64_t year, const CommitmentInput& in);
  // The commitments of a year shown within an organization: an
  // administrator's subtree (org_id in scope), or a member's own branch.
  Result<std::vector<Commitment>> commitments(const auth::Principal& p,
                                              std::optional<int64_t> org_id, int64_t year);
  // The branch's finding (org:write in scope): fulfilled, partly or not.
  Result<Commitment> review(const auth::Principal& p, int64_t id, const std::string& result,
                            const std::optional<std::string>& note);
  // Members in the party in the subtree, how many committed, how reviewed.
  Result<CommitmentFigures> commitment_figures(const auth::Principal& p,
                                               std::optional<int64_t> org_id, int64_t year);

  // Model organs (model.cc). A plan for an organization in scope and a year
  // (org:write), with at least one benchmark item.
  Result<ModelPlan> create_plan(const auth::Principal& p, const ModelPlanInput& in);
  // Changes the title or replaces the items while a draft or returned.
  Result<ModelPlan> update_plan(const auth::Principal& p, int64_t id, const ModelPlanInput& in);
  Result<ModelPlan> plan(const auth::Principal& p, int64_t id);
  Result<std::vector<ModelPlan>> plans(const auth::Principal& p, std::optional<int64_t> org_id,
                                       int64_t year);
  // The self-assessment: every item's result (met, partly, not), then submitted.
  Result<ModelPlan> submit_plan(const auth::Principal& p, int64_t id,
                                const std::optional<std::string>& self_assessment,
                                const std::vector<std::pair<int64_t, ModelItem>>& results);
  // The committee's finding on a submitted plan: accepted or returned.
  Result<ModelPlan> review_plan(const auth::Principal& p, int64_t id, const std::string& result,
                                const std::optional<std::string>& note);
  // The directly affiliated organizations of a subtree, with plans, submitted,
  // accepted; items and of those self-assessed met.
  Result<ModelFigures> model_figures(const auth::Principal& p, std::optional<int64_t> org_id,
                                     int64_t year);

 private:
  store::Db& db_;
  Config cfg_;
};

boost::json::object to_json(const Category& c);
boost::json::object to_json(const MatterFile& f);
boost::json::object to_json(const Matter& m);
boost::json::object to_json(const Page& p);
boost::json::object to_json(const Figures& f);
boost::json::object to_json(const Commitment& c);
boost::json::object to_json(const CommitmentFigures& f);
boost::json::object to_json(const ModelPlan& x);
boost::json::object to_json(const ModelFigures& f);

}  // namespace dj::masses
