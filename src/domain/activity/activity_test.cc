// Activities on both databases: attendance by exception, hours to the
// ledger, edits replacing the exceptions, locks, removal, and bad input.
#include "domain/activity/activity.h"

#include "common/time.h"
#include "domain/ledger/ledger.h"
#include "domain/testing_city.h"

namespace dj::activity {
namespace {

class ActivityTest : public testing::CityTest {
 protected:
  void SetUp() override {
    CityTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    acts_ = std::make_unique<ActivityService>(db(), Config{.lock_days = 30});
    a_ = person(branch_.id, 1);
    b_ = person(branch_.id, 2);
    c_ = person(branch_.id, 3);
  }
  ActivityInput meeting(const char* day) {
    ActivityInput in;
    in.org_id = branch_.id;
    in.type = "branch_committee";
    in.title = "支委会";
    in.started_at = std::string(day) + "T15:00:00+08:00";
    in.ended_at = std::string(day) + "T16:30:00+08:00";
    return in;
  }
  int64_t hours(int64_t member_id, int year) {
    auto e =
        store::with_conn(db(), [&](store::Conn& c) { return ledger::entries(c, member_id, year); });
    EXPECT_TRUE(e);
    int64_t sum = 0;
    for (const auto& x : *e) sum += x.hours_tenths;
    return sum;
  }
  std::unique_ptr<ActivityService> acts_;
  int64_t a_ = 0, b_ = 0, c_ = 0;
};

TEST_P(ActivityTest, AttendanceByExceptionPostsHoursOfThoseWhoCame) {
  const std::string day = date_of_instant(now_ms() - 86400000);  // yesterday: not locked
  const int year = std::stoi(day.substr(0, 4));
  auto in = meeting(day.c_str());
  in.attendees = std::vector<AttendeeInput>{{b_, "absent", {}}, {c_, "leave", "出差"}};
  auto made = acts_->create(admin_, in);
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ(made->held_on, day);
  EXPECT_EQ(made->expected_count, 3);
  EXPECT_EQ(made->present_count, 1);
  EXPECT_EQ(hours(a_, year), 15);
  EXPECT_EQ(hours(b_, year), 0);
  auto got = acts_->get(admin_, made->id);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->attendees.size(), 3u);
  // Named with its path below the root, in the record and in the list.
  EXPECT_EQ(got->org_path_name, "组织U / 组织B");
  ListQuery all;
  all.org_id = branch_.id;
  EXPECT_EQ(acts_->list(admin_, all)->items.at(0).org_path_name, "组织U / 组织B");

  // The exceptions given again replace the old ones; the ledger follows.
  ActivityInput patch;
  patch.attendees = std::vector<AttendeeInput>{{a_, "late", {}}};
  auto changed = acts_->update(admin_, made->id, patch);
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(changed->present_count, 3);
  EXPECT_EQ(hours(b_, year), 15);
  EXPECT_EQ(hours(a_, year), 15);

  ASSERT_TRUE(acts_->remove(admin_, made->id, std::nullopt));
  EXPECT_EQ(hours(a_, year), 0);
  EXPECT_EQ(acts_->get(admin_, made->id).error().code, ErrorCode::not_found);
}

TEST_P(ActivityTest, ABranchCommitteeMeetingExpectsTheCommitteeAndOthersSitIn) {
  // A committee of three (a_, b_, d); c_ holds no post.
  const int64_t d = person(branch_.id, 4);
  for (auto [id, post] : {std::pair{a_, "secretary"}, std::pair{b_, "committee_member"},
                          std::pair{d, "deputy_secretary"}}) {
    member::MemberInput patch;
    patch.post = post;
    ASSERT_TRUE(members_->update(admin_, id, patch));
  }
  const std::string day = date_of_instant(now_ms() - 86400000);
  auto in = meeting(day.c_str());
  in.attendees = std::vector<AttendeeInput>{{b_, "leave", "出差"}, {c_, "present", {}}};
  auto made = acts_->create(admin_, in);
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ(made->expected_count, 3);  // the committee
  EXPECT_EQ(made->present_count, 3);   // a_ and d, and c_ sitting in
  auto got = acts_->get(admin_, made->id);
  ASSERT_TRUE(got);
  for (const auto& t : got->attendees) EXPECT_EQ(t.guest, t.member_id == c_);
  // Any other meeting of the branch expects everyone.
  auto assembly = meeting(day.c_str());
  assembly.type = "branch_assembly";
  EXPECT_EQ(acts_->create(admin_, assembly)->expected_count, 4);
}

TEST_P(ActivityTest, TheCalendarCountsEveryDayByTypeFromOneQuery) {
  const std::string d1 = date_of_instant(now_ms() - 3 * 86400000);
  const std::string d2 = date_of_instant(now_ms() - 2 * 86400000);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(acts_->create(admin_, meeting(d1.c_str())));
  auto lecture = meeting(d2.c_str());
  lecture.type = "party_lecture";
  ASSERT_TRUE(acts_->create(admin_, lecture));
  ASSERT_TRUE(acts_->create(admin_, meeting(d2.c_str())));
  ListQuery q;
  q.org_id = branch_.id;
  q.from = d1;
  q.to = d2;
  q.page_size = 1;  // ignored: every day counts, however many records
  auto days = acts_->by_day(admin_, q);
  ASSERT_TRUE(days) << days.error().message;
  ASSERT_EQ(days->size(), 2u);
  EXPECT_EQ((*days)[0].date, d1);
  EXPECT_EQ((*days)[0].total, 3);
  EXPECT_EQ((*days)[1].total, 2);
  EXPECT_EQ((*days)[1].by_type.at("party_lecture"), 1);
  q.type = "party_lecture";
  EXPECT_EQ(acts_->by_day(admin_, q)->size(), 1u);
  ListQuery year;
  year.from = "2025-01-01";
  year.to = "2026-06-30";
  EXPECT_EQ(acts_->by_day(admin_, year).error().fields.at(0).code, "too_long");
  EXPECT_EQ(acts_->by_day(admin_, ListQuery{}).error().code, ErrorCode::invalid);
}

TEST_P(ActivityTest, AMemberSeesOnlyHisOwnAttendance) {
  auto in = meeting(date_of_instant(now_ms() - 86400000).c_str());
  in.attendees = std::vector<AttendeeInput>{{b_, "leave", "看病"}};
  auto made = acts_->create(admin_, in);
  ASSERT_TRUE(made) << made.error().message;
  const auto member = testing::scoped(auth::Role::member, branch_.path, a_);
  auto seen = acts_->get(member, made->id);
  ASSERT_TRUE(seen) << seen.error().message;
  ASSERT_EQ(seen->attendees.size(), 1u);
  EXPECT_EQ(seen->attendees[0].member_id, a_);
  EXPECT_EQ(seen->present_count, 2);
  auto lecturer = acts_->get(testing::scoped(auth::Role::lecturer, branch_.path), made->id);
  ASSERT_TRUE(lecturer);
  EXPECT_TRUE(lecturer->attendees.empty());
  auto inspector = acts_->get(testing::scoped(auth::Role::inspector, "/"), made->id);
  ASSERT_TRUE(inspector);
  EXPECT_EQ(inspector->attendees.size(), 3u);
}

TEST_P(ActivityTest, ALockedRecordChangesOnlyWithRecordUnlockAndAReason) {
  auto made = acts_->create(admin_, meeting("2020-05-06"));
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_TRUE(made->late_entry);
  EXPECT_TRUE(made->locked);
  const auto branch_admin = testing::scoped(auth::Role::org_admin, unit_.path);
  ActivityInput patch;
  patch.title = "改过的";
  EXPECT_EQ(acts_->update(branch_admin, made->id, patch).error().code, ErrorCode::forbidden);
  auto no_reason = acts_->update(admin_, made->id, patch);
  ASSERT_FALSE(no_reason);
  EXPECT_EQ(no_reason.error().fields.at(0).field, "change_reason");
  patch.change_reason = "补录更正";
  EXPECT_TRUE(acts_->update(admin_, made->id, patch));
}

TEST_P(ActivityTest, BadInputNamesTheFieldAndChangesNothing) {
  auto in = meeting("2026-03-03");
  in.type = "no_such_type";
  auto bad = acts_->create(admin_, in);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::invalid);
  EXPECT_EQ(bad.error().fields.at(0).field, "type");
  in = meeting("2026-03-03");
  in.attendees = std::vector<AttendeeInput>{{a_, "asleep", {}}};
  bad = acts_->create(admin_, in);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().fields.at(0).field, "attendees[0].status");
  // Another subtree's organization is not there for a scoped administrator.
  const auto other = org(root_.id, "U2", "party_committee");
  in = meeting("2026-03-03");
  in.org_id = other.id;
  EXPECT_FALSE(acts_->create(testing::scoped(auth::Role::org_admin, unit_.path), in));
  auto page = acts_->list(admin_, {});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 0);
  EXPECT_EQ(hours(a_, 2026), 0);
}

DJ_INSTANTIATE_BACKENDS(ActivityTest);

}  // namespace
}  // namespace dj::activity
