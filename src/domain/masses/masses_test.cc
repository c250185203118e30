// 办实事 on both databases: organizations' and members' matters, the status
// moving forward with evidence, scope, and the figures.
#include "domain/masses/masses.h"

#include "common/time.h"
#include "domain/testing_city.h"

namespace dj::masses {
namespace {

class MassesTest : public testing::CityTest {
 protected:
  void SetUp() override {
    CityTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    svc_ =
        std::make_unique<MassesService>(db(), Config{::testing::TempDir() + "/masses-blobs", 1024});
    a_ = person(branch_.id, 1);
  }
  MatterInput matter(std::optional<int64_t> org, const char* day = "2021-04-10") {
    MatterInput in;
    in.org_id = org;
    in.title = "为社区老人上门体检";
    in.category = "elderly_care";
    in.planned_on = day;
    return in;
  }
  auth::Principal member() { return testing::scoped(auth::Role::member, branch_.path, a_); }
  std::unique_ptr<MassesService> svc_;
  int64_t a_ = 0;
};

TEST_P(MassesTest, AMatterMovesForwardToDoneWithEvidence) {
  auto made = svc_->create(admin_, matter(unit_.id));
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ(made->status, "planned");
  MatterInput going;
  going.status = "in_progress";
  ASSERT_TRUE(svc_->update(admin_, made->id, going));
  MatterInput done;
  done.status = "done";
  auto refused = svc_->update(admin_, made->id, done);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().fields.at(0).field, "evidence");
  done.evidence = "为32位老人完成体检，建立健康档案";
  auto finished = svc_->update(admin_, made->id, done);
  ASSERT_TRUE(finished) << finished.error().message;
  EXPECT_EQ(finished->done_on, today());
  MatterInput back;
  back.status = "planned";
  EXPECT_EQ(svc_->update(admin_, made->id, back).error().code, ErrorCode::conflict);
  MatterInput retitle;
  retitle.title = "改名";
  EXPECT_EQ(svc_->update(admin_, made->id, retitle).error().code, ErrorCode::conflict);
  MatterInput thanks;
  thanks.feedback = "社区居民很满意";
  EXPECT_EQ(svc_->update(admin_, made->id, thanks)->feedback, "社区居民很满意");
  EXPECT_EQ(svc_->remove(admin_, made->id).error().code, ErrorCode::conflict);
}

TEST_P(MassesTest, AMemberKeepsHisOwnAndSeesNoOneElses) {
  auto own = svc_->create(member(), matter(std::nullopt));
  ASSERT_TRUE(own) << own.error().message;
  EXPECT_EQ(own->member_id, a_);
  EXPECT_EQ(own->org_id, branch_.id);
  auto org_matter = svc_->create(admin_, matter(branch_.id));
  ASSERT_TRUE(org_matter);
  EXPECT_EQ(svc_->get(member(), org_matter->id).error().code, ErrorCode::not_found);
  ListQuery q;
  auto mine = svc_->list(member(), q);
  ASSERT_TRUE(mine) << mine.error().message;
  ASSERT_EQ(mine->total, 1);
  EXPECT_EQ(mine->items[0].id, own->id);
  // A member cannot plan for his organization, nor for another member.
  EXPECT_EQ(svc_->create(member(), matter(branch_.id)).error().code, ErrorCode::forbidden);
  auto other = matter(std::nullopt);
  other.member_id = person(branch_.id, 2);
  EXPECT_EQ(svc_->create(member(), other).error().fields.at(0).field, "member_id");
  // Another subtree's administrator sees neither.
  auto stranger = testing::scoped(auth::Role::org_admin, "/999999/");
  EXPECT_EQ(svc_->get(stranger, own->id).error().code, ErrorCode::not_found);
  EXPECT_EQ(svc_->remove(stranger, own->id).error().code, ErrorCode::not_found);
  ASSERT_TRUE(svc_->remove(member(), own->id));
  EXPECT_EQ(svc_->list(member(), q)->total, 0);
}

TEST_P(MassesTest, APhotoOrDocumentIsEvidenceCheckedByItsContent) {
  auto made = svc_->create(member(), matter(std::nullopt));
  ASSERT_TRUE(made) << made.error().message;
  const std::string png("\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 16);
  EXPECT_EQ(svc_->attach(member(), made->id, "image/jpeg", "a.jpg", png).error().fields.at(0).code,
            "type_mismatch");
  EXPECT_EQ(
      svc_->attach(member(), made->id, "text/html", "a.html", "<p>").error().fields.at(0).field,
      "Content-Type");
  EXPECT_EQ(svc_->attach(member(), made->id, "image/png", "big.png", png + std::string(2000, 'x'))
                .error()
                .code,
            ErrorCode::too_large);
  EXPECT_EQ(svc_->attach(admin_, 999999, "image/png", "a.png", png).error().code,
            ErrorCode::not_found);
  auto photo = svc_->attach(member(), made->id, "image/png", "现场照片.png", png);
  ASSERT_TRUE(photo) << photo.error().message;
  auto back = svc_->file(member(), made->id, photo->id);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->second, png);
  // The photo is evidence enough to finish; then it stays.
  MatterInput done;
  done.status = "done";
  auto finished = svc_->update(member(), made->id, done);
  ASSERT_TRUE(finished) << finished.error().message;
  EXPECT_EQ(finished->files.size(), 1u);
  EXPECT_EQ(svc_->detach(member(), made->id, photo->id).error().code, ErrorCode::conflict);
  EXPECT_EQ(svc_->file(testing::scoped(auth::Role::org_admin, "/999999/"), made->id, photo->id)
                .error()
                .code,
            ErrorCode::not_found);
}

TEST_P(MassesTest, FiguresCountPlannedAndDoneByWhoPlannedAndCategory) {
  auto done = [](MatterInput in) {
    in.status = "done";
    in.evidence = "已完成";
    in.done_on = in.planned_on;
    return in;
  };
  ASSERT_TRUE(svc_->create(admin_, matter(unit_.id)));
  ASSERT_TRUE(svc_->create(admin_, done(matter(branch_.id))));
  auto vaccine = done(matter(std::nullopt));
  vaccine.member_id = a_;
  vaccine.category = "vaccination";
  ASSERT_TRUE(svc_->create(admin_, vaccine));
  ASSERT_TRUE(svc_->create(admin_, matter(branch_.id, "2021-08-01")));  // outside the period
  auto f = svc_->figures(admin_, std::nullopt, "2021-04-01", "2021-06-30");
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->orgs.planned, 2);
  EXPECT_EQ(f->orgs.done, 1);
  EXPECT_EQ(f->members.planned, 1);
  EXPECT_EQ(f->members.done, 1);
  ASSERT_EQ(f->by_category.size(), 2u);
  EXPECT_EQ(f->by_category[1].first, "vaccination");
  EXPECT_EQ(f->by_category[1].second.done, 1);
  EXPECT_EQ(svc_->figures(admin_, branch_.id, "2021-04-01", "2021-06-30")->orgs.planned, 1);
  EXPECT_EQ(svc_->figures(admin_, {}, "2021-06-30", "2021-04-01").error().fields.at(0).field, "to");
}

TEST_P(MassesTest, ACommitmentIsShownInTheBranchReviewedAndThenFixed) {
  CommitmentInput in;
  in.identity = "共产党员、办公室科员";
  in.duty = "负责机关文件收发和档案管理";
  in.pledge = "全年文件零差错，为群众办实事不少于2件";
  auto made = svc_->commit(member(), 2026, in);
  ASSERT_TRUE(made) << made.error().message;
  in.pledge = "全年文件零差错，为群众办实事不少于3件";
  ASSERT_TRUE(svc_->commit(member(), 2026, in));  // changed before the review
  const int64_t b = person(branch_.id, 2);
  auto shown = svc_->commitments(testing::scoped(auth::Role::member, branch_.path, b), {}, 2026);
  ASSERT_TRUE(shown) << shown.error().message;
  ASSERT_EQ(shown->size(), 1u);  // 公示 within the branch
  EXPECT_EQ((*shown)[0].pledge, *in.pledge);
  EXPECT_EQ(svc_->review(member(), made->id, "fulfilled", {}).error().code, ErrorCode::forbidden);
  EXPECT_EQ(svc_->review(admin_, made->id, "done", {}).error().fields.at(0).field, "result");
  auto reviewed = svc_->review(admin_, made->id, "partly", std::string("办实事完成2件"));
  ASSERT_TRUE(reviewed) << reviewed.error().message;
  EXPECT_EQ(reviewed->review, "partly");
  EXPECT_EQ(svc_->commit(member(), 2026, in).error().code, ErrorCode::conflict);
  auto f = svc_->commitment_figures(admin_, {}, 2026);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->members, 2);
  EXPECT_EQ(f->committed, 1);
  EXPECT_EQ(f->partly, 1);
  EXPECT_EQ(svc_->commitments(testing::scoped(auth::Role::org_admin, "/999999/"), branch_.id, 2026)
                .error()
                .code,
            ErrorCode::invalid);
  EXPECT_EQ(svc_->commit(admin_, 2026, in).error().code, ErrorCode::forbidden);  // no member
  EXPECT_EQ(svc_->commit(member(), 1999, in).error().fields.at(0).field, "year");
  in.pledge = "";
  EXPECT_EQ(svc_->commit(member(), 2027, in).error().fields.at(0).field, "pledge");
}

TEST_P(MassesTest, BadInputNamesTheFieldAndChangesNothing) {
  auto bad = matter(unit_.id);
  bad.category = "nonsense";
  bad.planned_on = "2021-13-01";
  bad.title = std::string(201, 'x');
  auto r = svc_->create(admin_, bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().fields.size(), 3u);
  auto done = matter(unit_.id);
  done.status = "done";
  EXPECT_EQ(svc_->create(admin_, done).error().fields.at(0).field, "evidence");
  EXPECT_EQ(svc_->create(admin_, matter(999999)).error().fields.at(0).field, "org_id");
  EXPECT_EQ(svc_->list(admin_, {})->total, 0);
  EXPECT_EQ(svc_->add_category(admin_, {"Bad Code", "坏", "Bad", false}).error().fields.at(0).field,
            "code");
  EXPECT_EQ(svc_->add_category(admin_, {"other", "其他", "Other", false}).error().code,
            ErrorCode::conflict);
  ASSERT_TRUE(svc_->add_category(admin_, {"flood_relief", "防汛救灾", "Flood relief", false}));
  EXPECT_EQ(
      svc_->add_category(testing::scoped(auth::Role::org_admin, unit_.path), {"x", "x", "x", false})
          .error()
          .code,
      ErrorCode::forbidden);
}

TEST_P(MassesTest, AModelOrganPlanIsSelfAssessedAndAccepted) {
  auto item = [](const char* standard) {
    return ModelItem{0,  standard, "已有制度，执行不够严格", "每季度开展一次检查", "2021-11-30",
                     {}, {}};
  };
  ModelPlanInput in;
  in.org_id = unit_.id;
  in.year = 2021;
  in.title = "创建模范机关实施方案";
  in.items = std::vector<ModelItem>{item("“三会一课”制度落实"), item("党员教育培训全覆盖")};
  auto org_admin = testing::scoped(auth::Role::org_admin, unit_.path);
  auto made = svc_->create_plan(org_admin, in);
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ(made->status, "draft");
  ASSERT_EQ(made->items.size(), 2u);
  EXPECT_EQ(svc_->create_plan(org_admin, in).error().code, ErrorCode::conflict);  // one a year
  // Every item assessed, or none submitted.
  std::vector<std::pair<int64_t, ModelItem>> results{{made->items[0].id, {}}};
  results[0].second.result = "met";
  EXPECT_EQ(svc_->submit_plan(org_admin, made->id, "自评", results).error().fields.at(0).field,
            "results");
  results.push_back({made->items[1].id, {}});
  results[1].second.result = "partly";
  auto submitted = svc_->submit_plan(org_admin, made->id, "基本达标", results);
  ASSERT_TRUE(submitted) << submitted.error().message;
  EXPECT_EQ(submitted->items_met, 1);
  ModelPlanInput change;
  change.title = "改名";
  EXPECT_EQ(svc_->update_plan(org_admin, made->id, change).error().code, ErrorCode::conflict);
  // Only the committee accepts.
  EXPECT_EQ(svc_->review_plan(org_admin, made->id, "accepted", std::nullopt).error().code,
            ErrorCode::forbidden);
  ASSERT_TRUE(svc_->review_plan(admin_, made->id, "accepted", "同意验收"));
  auto f = svc_->model_figures(admin_, std::nullopt, 2021);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->orgs, 1);
  EXPECT_EQ(f->accepted, 1);
  EXPECT_EQ(f->items, 2);
  EXPECT_EQ(f->items_met, 1);
  ModelPlanInput empty = in;
  empty.year = 2022;
  empty.items = std::vector<ModelItem>{};
  EXPECT_EQ(svc_->create_plan(org_admin, empty).error().fields.at(0).field, "items");
}

DJ_INSTANTIATE_BACKENDS(MassesTest);

}  // namespace
}  // namespace dj::masses
