// Rule cases on both databases: period edges at +08:00, a leap year, a branch
// founded mid-quarter, a transfer mid-year, an infirm member, a leader at a
// branch other than his own, late entry, locked records, a rule changed
// mid-year, and statistics against hand-counted figures.
#include "domain/compliance/compliance.h"

#include <gtest/gtest.h>

#include "domain/activity/activity.h"
#include "domain/activity/stats.h"
#include "domain/member/citizen_id.h"
#include "domain/member/member.h"
#include "domain/org/org.h"
#include "domain/testing_principal.h"
#include "store/testing.h"

namespace dj::compliance {
namespace {

class RulesTest : public store::DbTest {
 protected:
  void SetUp() override {
    DbTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;  // no database
    orgs_ = std::make_unique<org::OrgService>(db());
    members_ = std::make_unique<member::MemberService>(db(), keys_, member::MemberConfig{});
    acts_ =
        std::make_unique<activity::ActivityService>(db(), activity::Config{.lock_days = 100000});
    svc_ = std::make_unique<ComplianceService>(db());
    root_ = org({}, "R", "committee", "2000-01-01");
    pc_ = org(root_.id, "PC", "party_committee", "2000-01-01");
    b1_ = org(pc_.id, "B1", "branch", "2000-01-01");
    g1_ = org(b1_.id, "G1", "group", "2000-01-01");
    b2_ = org(pc_.id, "B2", "branch", "2021-05-15");
    m1_ = person(b1_.id, "530102199001011", "none", "none", false);
    m2_ = person(b1_.id, "530102195001021", "none", "none", true);
    sec_ = person(b1_.id, "530102198001031", "none", "secretary", false);
    leader_ = person(pc_.id, "530102197001041", "division", "none", false);
    m3_ = person(b1_.id, "530102199501051", "none", "none", false);
    ASSERT_TRUE(members_->transfer(admin_, m3_, {b2_.id, "2021-07-01", "调动"}));
  }
  org::Org org(std::optional<int64_t> parent, const char* code, const char* type,
               const char* founded) {
    org::OrgInput in;
    in.parent_id = parent;
    in.code = code;
    in.name = code;
    in.type = type;
    in.founded_on = founded;
    auto o = orgs_->create(admin_, in);
    EXPECT_TRUE(o) << o.error().message;
    return *o;
  }
  int64_t person(int64_t org_id, const std::string& id15, const char* rank, const char* post,
                 bool infirm) {
    member::MemberInput in;
    in.org_id = org_id;
    in.name = "党员" + id15.substr(10);
    const std::string first17 = id15 + "23";
    in.citizen_id = first17 + member::citizen_id_check_digit(first17);
    in.political_status = "full";
    in.joined_on = "2010-07-01";
    in.cadre_rank = rank;
    in.post = post;
    in.infirm = infirm;
    auto m = members_->create(admin_, in);
    EXPECT_TRUE(m) << m.error().message;
    return m ? m->id : 0;
  }
  activity::Activity record(int64_t org_id, const char* type, const char* start, const char* end,
                            std::vector<activity::AttendeeInput> att = {},
                            std::optional<int64_t> lecturer = std::nullopt) {
    activity::ActivityInput in;
    in.org_id = org_id;
    in.type = type;
    in.title = std::string(type) + " " + start;
    in.started_at = start;
    in.ended_at = end;
    in.attendees = std::move(att);
    in.lecturer_member_id = lecturer;
    auto a = acts_->create(admin_, in);
    EXPECT_TRUE(a) << a.error().message;
    return a ? *a : activity::Activity{};
  }
  const Item* find(const Report& r, int64_t org_id, const std::string& rule,
                   const std::string& unit) {
    for (const auto& o : r.orgs) {
      if (o.org_id != org_id) continue;
      for (const auto& i : o.items) {
        if (i.rule == rule && i.unit == unit) return &i;
      }
    }
    return nullptr;
  }
  const Item* person_item(const Report& r, int64_t member_id, const std::string& rule) {
    for (const auto& p : r.people) {
      if (p.member_id != member_id) continue;
      for (const auto& i : p.items) {
        if (i.rule == rule) return &i;
      }
    }
    return nullptr;
  }

  Keys keys_ = Keys::from_master(std::string(32, 'r'));
  auth::Principal admin_ = testing::committee_admin();
  std::unique_ptr<org::OrgService> orgs_;
  std::unique_ptr<member::MemberService> members_;
  std::unique_ptr<activity::ActivityService> acts_;
  std::unique_ptr<ComplianceService> svc_;
  org::Org root_, pc_, b1_, g1_, b2_;
  int64_t m1_ = 0, m2_ = 0, sec_ = 0, leader_ = 0, m3_ = 0;
};

TEST_P(RulesTest, MonthEdgesCountInShanghai) {
  record(b1_.id, "branch_committee", "2021-04-30T23:30:00+08:00", "2021-05-01T00:30:00+08:00");
  record(b1_.id, "branch_committee", "2021-05-31T16:30:00Z", "2021-05-31T17:30:00Z");  // June 1st
  auto rep = svc_->evaluate(admin_, *parse_period("2021Q2"), b1_.id);
  ASSERT_TRUE(rep) << rep.error().message;
  struct Case {
    const char* unit;
    const char* status;
  } cases[] = {{"2021-04", "met"}, {"2021-05", "missed"}, {"2021-06", "met"}};
  for (const auto& c : cases) {
    const Item* i = find(*rep, b1_.id, "branch_committee_monthly", c.unit);
    ASSERT_TRUE(i) << c.unit;
    EXPECT_EQ(i->status, c.status) << c.unit;
  }
  EXPECT_EQ(find(*rep, b1_.id, "branch_assembly_quarterly", "2021Q2")->status, "missed");
}

TEST_P(RulesTest, LeapDayCountsInFebruary) {
  record(b1_.id, "theme_day", "2024-02-29T09:00:00+08:00", "2024-02-29T11:00:00+08:00");
  auto rep = svc_->evaluate(admin_, *parse_period("2024-02"), b1_.id);
  ASSERT_TRUE(rep);
  EXPECT_EQ(find(*rep, b1_.id, "theme_day_monthly", "2024-02")->status, "met");
}

TEST_P(RulesTest, BranchFoundedMidQuarterIsJudgedFromItsFirstFullUnit) {
  auto rep = svc_->evaluate(admin_, *parse_period("2021Q2"), pc_.id);
  ASSERT_TRUE(rep);
  EXPECT_EQ(find(*rep, b2_.id, "branch_assembly_quarterly", "2021Q2"), nullptr);
  EXPECT_EQ(find(*rep, b2_.id, "theme_day_monthly", "2021-05"), nullptr);
  ASSERT_NE(find(*rep, b2_.id, "theme_day_monthly", "2021-06"), nullptr);
  // Only branches with groups owe group meetings; the group's own meeting counts for the branch.
  record(g1_.id, "group_meeting", "2021-04-10T09:00:00+08:00", "2021-04-10T10:00:00+08:00");
  rep = svc_->evaluate(admin_, *parse_period("2021Q2"), pc_.id);
  EXPECT_EQ(find(*rep, b1_.id, "group_meeting_monthly", "2021-04")->status, "met");
  EXPECT_EQ(find(*rep, b2_.id, "group_meeting_monthly", "2021-04"), nullptr);
}

TEST_P(RulesTest, ExpectedAttendeesFollowMembershipHistory) {
  auto before =
      record(b1_.id, "theme_day", "2021-06-15T09:00:00+08:00", "2021-06-15T11:00:00+08:00");
  auto after =
      record(b2_.id, "theme_day", "2021-07-10T09:00:00+08:00", "2021-07-10T11:00:00+08:00");
  auto has = [](const activity::Activity& a, int64_t id) {
    for (const auto& t : a.attendees) {
      if (t.member_id == id) return true;
    }
    return false;
  };
  EXPECT_TRUE(has(before, m3_));
  EXPECT_TRUE(has(after, m3_));
  EXPECT_EQ(before.expected_count, 4);  // m1, m2, secretary, m3
  EXPECT_EQ(after.expected_count, 1);
}

TEST_P(RulesTest, HoursTargetsAndInfirmExemption) {
  // A full-day course: 8 hours to everyone present; m1 on leave.
  record(b1_.id, "collective_study", "2021-03-01T09:00:00+08:00", "2021-03-01T17:00:00+08:00",
         {{m1_, "leave", "出差"}});
  auto rep = svc_->evaluate(admin_, *parse_period("2021"), b1_.id);
  ASSERT_TRUE(rep);
  const Item* m1 = person_item(*rep, m1_, "member_hours_yearly");
  ASSERT_TRUE(m1);
  EXPECT_EQ(m1->actual, 0);
  EXPECT_EQ(m1->required, 320);
  EXPECT_EQ(m1->status, "missed");
  EXPECT_EQ(person_item(*rep, m2_, "member_hours_yearly"), nullptr);  // infirm: exempt
  const Item* sec = person_item(*rep, sec_, "cadre_hours_yearly");
  ASSERT_TRUE(sec);
  EXPECT_EQ(sec->actual, 80);
  EXPECT_EQ(sec->required, 560);
  auto hours = svc_->member_hours(admin_, sec_, 2021);
  ASSERT_TRUE(hours);
  EXPECT_EQ(hours->total_tenths, 80);
  EXPECT_EQ(hours->target_tenths, 560);
  auto infirm = svc_->member_hours(admin_, m2_, 2021);
  EXPECT_TRUE(infirm->exempt);
  auto below = svc_->org_hours(admin_, b1_.id, 2021, true);
  ASSERT_TRUE(below);
  EXPECT_EQ(below->size(), 2u);  // m1 and the secretary; m2 exempt, m3 moved to B2
}

TEST_P(RulesTest, LeaderAtAnotherBranchCountsAsDualOrganizationalLife) {
  record(b1_.id, "theme_day", "2021-05-20T09:00:00+08:00", "2021-05-20T11:00:00+08:00",
         {{leader_, "present", std::nullopt}});
  record(b1_.id, "party_lecture", "2021-06-20T09:00:00+08:00", "2021-06-20T11:00:00+08:00", {},
         leader_);
  auto rep = svc_->evaluate(admin_, *parse_period("2021Q2"), root_.id);
  ASSERT_TRUE(rep);
  EXPECT_EQ(person_item(*rep, leader_, "leader_branch_life_quarterly")->status, "met");
  auto stats = activity::activity_stats(db(), admin_, *parse_period("2021Q2"), root_.id);
  ASSERT_TRUE(stats);
  const auto& leaders = stats->at("leaders").as_object();
  EXPECT_EQ(leaders.at("count").as_int64(), 1);
  EXPECT_EQ(leaders.at("attendances").as_int64(), 1);
  EXPECT_EQ(leaders.at("three_meetings_one_lecture").as_int64(), 0);
  EXPECT_EQ(leaders.at("lectures_given").as_int64(), 1);
  EXPECT_EQ(stats->at("by_type").at("theme_day").at("count").as_int64(), 1);
  EXPECT_EQ(stats->at("by_type").at("theme_day").at("attendances").as_int64(), 5);
  EXPECT_EQ(stats->at("total").as_int64(), 2);
}

TEST_P(RulesTest, RuleChangedMidYearCountsTheVersionInForce) {
  RuleInput in;
  in.code = "theme_day_monthly";
  in.kind = "org_count";
  in.params = boost::json::object{{"types", boost::json::array{"theme_day"}},
                                  {"per", "month"},
                                  {"min", 2},
                                  {"org_types", boost::json::array{"branch"}}};
  in.effective_from = "2021-05-01";
  in.source = "test";
  in.label_zh = "主题党日每月2次";
  in.label_en = "Twice";
  auto v2 = svc_->add_rule_version(admin_, in);
  ASSERT_TRUE(v2) << v2.error().message;
  EXPECT_EQ(v2->version, 2);
  record(b1_.id, "theme_day", "2021-04-05T09:00:00+08:00", "2021-04-05T10:00:00+08:00");
  record(b1_.id, "theme_day", "2021-05-05T09:00:00+08:00", "2021-05-05T10:00:00+08:00");
  auto rep = svc_->evaluate(admin_, *parse_period("2021Q2"), b1_.id);
  ASSERT_TRUE(rep);
  EXPECT_EQ(find(*rep, b1_.id, "theme_day_monthly", "2021-04")->status, "met");
  const Item* may = find(*rep, b1_.id, "theme_day_monthly", "2021-05");
  EXPECT_EQ(may->required, 2);
  EXPECT_EQ(may->status, "missed");
  in.kind = "person_hours";
  auto wrong_kind = svc_->add_rule_version(admin_, in);
  ASSERT_FALSE(wrong_kind);
  EXPECT_EQ(wrong_kind.error().fields.at(0).field, "kind");
}

TEST_P(RulesTest, RollUpAndSilence) {
  record(b1_.id, "branch_committee", "2021-04-02T09:00:00+08:00", "2021-04-02T10:00:00+08:00");
  auto rep = svc_->evaluate(admin_, *parse_period("2021-04"), root_.id);
  ASSERT_TRUE(rep);
  const OrgResult* root = nullptr;
  const OrgResult* b1 = nullptr;
  for (const auto& o : rep->orgs) {
    if (o.org_id == root_.id) root = &o;
    if (o.org_id == b1_.id) b1 = &o;
  }
  ASSERT_TRUE(root && b1);
  EXPECT_EQ(b1->met, 1);
  EXPECT_EQ(root->subtree_met, 1);
  EXPECT_GE(root->subtree_missed, b1->missed);
  bool b2_silent = false, b1_silent = false, m1_silent = false;
  for (const auto& a : rep->alerts) {
    b2_silent |= a.subject == "org" && a.id == b2_.id;
    b1_silent |= a.subject == "org" && a.id == b1_.id;
    m1_silent |= a.subject == "member" && a.id == m1_;
  }
  EXPECT_FALSE(b2_silent);  // founded (2021-05-15) after the 30-day window began
  EXPECT_FALSE(b1_silent);
  EXPECT_FALSE(m1_silent);  // present at the April committee meeting
}

TEST_P(RulesTest, LateEntryAndLockedRecords) {
  activity::ActivityService strict(db(), activity::Config{});
  activity::ActivityInput in;
  in.org_id = b1_.id;
  in.type = "theme_day";
  in.title = "补录";
  in.started_at = "2021-04-05T09:00:00+08:00";
  in.ended_at = "2021-04-05T10:00:00+08:00";
  auto a = strict.create(admin_, in);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->late_entry);
  EXPECT_TRUE(a->locked);
  activity::ActivityInput patch;
  patch.title = "改";
  auto org_admin = testing::scoped(auth::Role::org_admin, pc_.path);
  EXPECT_EQ(strict.update(org_admin, a->id, patch).error().code, ErrorCode::forbidden);
  auto no_reason = strict.update(admin_, a->id, patch);
  ASSERT_FALSE(no_reason);
  EXPECT_EQ(no_reason.error().fields.at(0).field, "change_reason");
  patch.change_reason = "纠正标题";
  auto ok = strict.update(admin_, a->id, patch);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->title, "改");
  auto audit = store::with_conn(db(), [](store::Conn& c) {
    return c.query_one(
        "SELECT COUNT(*) FROM audit_log WHERE action IN "
        "('activity.create_late', 'activity.update_locked')");
  });
  EXPECT_EQ(audit->i64(0), 2);
}

TEST_P(RulesTest, BadInputNamesTheFieldAndChangesNothing) {
  auto outsider_scope = testing::scoped(auth::Role::org_admin, b2_.path);
  struct Case {
    std::function<void(activity::ActivityInput&)> mutate;
    const char* field;
  } cases[] = {
      {[](auto& in) { in.type = "party"; }, "type"},
      {[](auto& in) { in.ended_at = "2021-04-05T08:00:00+08:00"; }, "ended_at"},
      {[](auto& in) {
         in.started_at = "2099-04-05T09:00:00+08:00";
         in.ended_at = "2099-04-05T10:00:00+08:00";
       },
       "started_at"},
      {[](auto& in) { in.hours = -1; }, "hours"},
      {[](auto& in) { in.hours = 5000; }, "hours"},
      {[this](auto& in) {
         in.attendees = {{m1_, "leave", std::nullopt}};
       },
       "attendees[0].reason"},
      {[this](auto& in) {
         in.attendees = {{m1_, "absent", std::nullopt}, {m1_, "late", std::nullopt}};
       },
       "attendees[1].member_id"},
      {[](auto& in) {
         in.attendees = {{999999, "present", std::nullopt}};
       },
       "attendees[0].member_id"},
      {[](auto& in) {
         in.type = "contest";
         in.subtype = "dance";
       },
       "subtype"},
  };
  for (auto& c : cases) {
    activity::ActivityInput in;
    in.org_id = b1_.id;
    in.type = "theme_day";
    in.title = "x";
    in.started_at = "2021-04-05T09:00:00+08:00";
    in.ended_at = "2021-04-05T10:00:00+08:00";
    c.mutate(in);
    auto r = acts_->create(admin_, in);
    ASSERT_FALSE(r) << c.field;
    EXPECT_EQ(r.error().fields.at(0).field, c.field);
  }
  // A member outside the caller's scope cannot be an attendee.
  activity::ActivityInput in;
  in.org_id = b2_.id;
  in.type = "theme_day";
  in.title = "x";
  in.started_at = "2021-06-05T09:00:00+08:00";
  in.ended_at = "2021-06-05T10:00:00+08:00";
  in.attendees = {{m1_, "present", std::nullopt}};
  auto r = acts_->create(outsider_scope, in);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().fields.at(0).field, "attendees[0].member_id");
  auto n = store::with_conn(db(), [](store::Conn& c) {
    return c.query_one(
        "SELECT (SELECT COUNT(*) FROM activities) + (SELECT COUNT(*) FROM attendance)");
  });
  EXPECT_EQ(n->i64(0), 0);
}

DJ_INSTANTIATE_BACKENDS(RulesTest);

}  // namespace
}  // namespace dj::compliance
