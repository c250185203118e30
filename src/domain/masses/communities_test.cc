// 双报到 on both databases: registrations confirmed only by their own
// community, one open at a time, and coverage on dates around a member's
// transfer and retirement.
#include "domain/masses/communities.h"

#include "common/time.h"
#include "domain/testing_city.h"

namespace dj::masses {
namespace {

class CommunityTest : public testing::CityTest {
 protected:
  void SetUp() override {
    CityTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    svc_ = std::make_unique<CommunityService>(db(), keys_);
    east_ = community("E1", "东风社区");
    west_ = community("W1", "西山社区");
    a_ = person(branch_.id, 1);
  }
  Community community(const char* code, const char* name) {
    CommunityInput in{code, name, "东风街道", "盘龙区", "张主任", "0871-1234567"};
    auto k = svc_->create(admin_, in);
    EXPECT_TRUE(k) << k.error().message;
    return k ? *k : Community{};
  }
  auth::Principal account_of(const Community& k) {
    auto p = testing::scoped(auth::Role::community, "/none/");
    p.community_id = k.id;
    return p;
  }
  Registration registered(const Community& k, std::optional<int64_t> org,
                          std::optional<int64_t> member, const char* on = "2021-03-01") {
    RegistrationInput in;
    in.community_id = k.id;
    in.org_id = org;
    in.member_id = member;
    in.registered_on = on;
    auto r = svc_->register_one(admin_, in);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : Registration{};
  }
  void confirm(const Community& k, int64_t id) {
    auto d = svc_->decide(account_of(k), {id}, "confirmed", std::nullopt);
    ASSERT_TRUE(d) << d.error().message;
  }
  Coverage::Count members_on(const org::Org& o, const char* on) {
    auto c = svc_->coverage(admin_, o.id, std::string(on));
    EXPECT_TRUE(c) << c.error().message;
    return c ? c->members : Coverage::Count{};
  }
  std::unique_ptr<CommunityService> svc_;
  Community east_, west_;
  int64_t a_ = 0;
};

TEST_P(CommunityTest, OnlyItsOwnCommunityConfirmsAndSeesARegistration) {
  auto unit = registered(east_, unit_.id, std::nullopt);
  auto member = registered(east_, std::nullopt, a_);
  EXPECT_EQ(member.org_id, branch_.id);
  auto before = svc_->coverage(admin_, std::nullopt, std::string("2021-04-01"));
  ASSERT_TRUE(before);
  EXPECT_EQ(before->orgs.required, 1);
  EXPECT_EQ(before->orgs.registered, 0);
  EXPECT_EQ(before->orgs.pending, 1);
  EXPECT_EQ(before->members.pending, 1);

  // Another community neither confirms nor sees them; nothing changes.
  auto other = svc_->decide(account_of(west_), {unit.id, member.id}, "confirmed", std::nullopt);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().fields.at(0).field, "ids[0]");
  EXPECT_EQ(svc_->registrations(account_of(west_), {})->total, 0);
  EXPECT_EQ(svc_->get_registration(account_of(west_), unit.id).error().code, ErrorCode::not_found);
  auto own = svc_->registrations(account_of(east_), {});
  ASSERT_TRUE(own);
  EXPECT_EQ(own->total, 2);

  ASSERT_TRUE(svc_->decide(account_of(east_), {unit.id, member.id}, "confirmed", "欢迎报到"));
  auto after = svc_->coverage(admin_, std::nullopt, std::string("2021-04-01"));
  EXPECT_EQ(after->orgs.registered, 1);
  EXPECT_EQ(after->members.registered, after->members.required);
  EXPECT_EQ(svc_->coverage(admin_, std::nullopt, std::string("2021-02-28"))->orgs.registered, 0);
  // Decided once: a second answer is refused.
  EXPECT_EQ(svc_->decide(account_of(east_), {unit.id}, "rejected", std::nullopt).error().code,
            ErrorCode::conflict);
}

TEST_P(CommunityTest, OneOpenRegistrationAndOnlyThoseWhoMustReport) {
  registered(east_, std::nullopt, a_);
  RegistrationInput again;
  again.community_id = west_.id;
  again.member_id = a_;
  auto twice = svc_->register_one(admin_, again);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::conflict);
  EXPECT_EQ(twice.error().fields.at(0).field, "member_id");

  const int64_t retired = person(branch_.id, 2);
  member::MemberInput patch;
  patch.retired = true;
  ASSERT_TRUE(members_->update(admin_, retired, patch));
  again.member_id = retired;
  auto not_required = svc_->register_one(admin_, again);
  ASSERT_FALSE(not_required);
  EXPECT_EQ(not_required.error().fields.at(0).code, "not_required");

  // A member reports himself by the community's code.
  const int64_t b = person(branch_.id, 3);
  auto me = testing::scoped(auth::Role::member, branch_.path, b);
  auto token = svc_->qr_token(account_of(west_), west_.id);
  ASSERT_TRUE(token);
  EXPECT_EQ(svc_->qr_token(account_of(east_), west_.id).error().code, ErrorCode::not_found);
  auto scanned = svc_->register_mine(me, *token, std::nullopt);
  ASSERT_TRUE(scanned) << scanned.error().message;
  EXPECT_EQ(scanned->channel, "qr");
  EXPECT_EQ(scanned->community_id, west_.id);
  EXPECT_EQ(svc_->register_mine(me, "no-such-code", std::nullopt).error().code,
            ErrorCode::not_found);
  auto mine = svc_->registrations(me, {});
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->total, 1);
}

TEST_P(CommunityTest, CoverageFollowsTransferAndRetirement) {
  auto unit2 = org(root_.id, "U2", "party_committee");
  auto branch2 = org(unit2.id, "B2", "branch");
  auto r = registered(east_, std::nullopt, a_);
  confirm(east_, r.id);
  ASSERT_TRUE(members_->transfer(admin_, a_, {branch2.id, "2021-06-01", std::nullopt}));
  EXPECT_EQ(members_on(unit_, "2021-05-31").required, 1);
  EXPECT_EQ(members_on(unit_, "2021-05-31").registered, 1);
  EXPECT_EQ(members_on(unit_, "2021-06-01").required, 0);
  EXPECT_EQ(members_on(unit2, "2021-06-01").registered, 1);

  // Retired on 2021-09-01: in service and registered until then, not required after.
  const int64_t b = person(branch_.id, 4);
  auto rb = registered(west_, std::nullopt, b);
  confirm(west_, rb.id);
  member::MemberInput patch;
  patch.retired = true;
  ASSERT_TRUE(members_->update(admin_, b, patch));
  auto ended = svc_->end(admin_, rb.id, "2021-09-01", "retired");
  ASSERT_TRUE(ended) << ended.error().message;
  EXPECT_EQ(members_on(unit_, "2021-08-31").required, 1);
  EXPECT_EQ(members_on(unit_, "2021-08-31").registered, 1);
  EXPECT_EQ(members_on(unit_, "2021-09-01").required, 0);
  EXPECT_EQ(svc_->end(admin_, rb.id, "2021-10-01", "moved").error().code, ErrorCode::conflict);

  // Who has not registered: a new member, until he does.
  const int64_t c = person(branch_.id, 5);
  auto missing = svc_->unregistered(admin_, unit_.id, std::nullopt, "member", 1, 50);
  ASSERT_TRUE(missing) << missing.error().message;
  ASSERT_EQ(missing->total, 1);
  EXPECT_EQ(missing->items[0].member_id, c);
  EXPECT_FALSE(missing->items[0].pending);
}

TEST_P(CommunityTest, OnlyTheCommitteeKeepsTheRegistry) {
  auto org_admin = testing::scoped(auth::Role::org_admin, unit_.path);
  EXPECT_EQ(svc_->create(org_admin, {"X", "x", "x", "x", {}, {}}).error().code,
            ErrorCode::forbidden);
  auto dup = svc_->create(admin_, {"E1", "重名", "街道", "区", {}, {}});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().fields.at(0).field, "code");
  auto bad = svc_->create(admin_, {"bad code!", "", "街道", "区", {}, {}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().fields.size(), 2u);
  CommunityInput patch;
  patch.contact = "";
  auto changed = svc_->update(admin_, east_.id, patch);
  ASSERT_TRUE(changed);
  EXPECT_FALSE(changed->contact);
  EXPECT_EQ(svc_->list(account_of(west_), std::nullopt, 1, 50)->total, 1);
  EXPECT_EQ(svc_->list(admin_, std::string("西山"), 1, 50)->total, 1);
}

DJ_INSTANTIATE_BACKENDS(CommunityTest);

}  // namespace
}  // namespace dj::masses
