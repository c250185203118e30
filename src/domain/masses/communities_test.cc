// 双报到 on both databases: registrations confirmed only by their own
// community, one open at a time, and coverage on dates around a member's
// transfer and retirement.
#include "domain/masses/communities.h"

#include <atomic>
#include <future>
#include <thread>

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

TEST_P(CommunityTest, TheRetiredReportTooWhenConfiguredSo) {
  const int64_t retired = person(branch_.id, 9);
  member::MemberInput patch;
  patch.retired = true;
  ASSERT_TRUE(members_->update(admin_, retired, patch));
  EXPECT_EQ(members_on(unit_, "2021-04-01").required, 1);  // a_ only
  CommunityService all(db(), keys_, ServiceConfig{.retired_report = true});
  EXPECT_EQ(all.coverage(admin_, unit_.id, std::string("2021-04-01"))->members.required, 2);
  RegistrationInput in;
  in.community_id = east_.id;
  in.member_id = retired;
  in.registered_on = "2021-03-01";
  EXPECT_FALSE(svc_->register_one(admin_, in));
  ASSERT_TRUE(all.register_one(admin_, in));
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

class ServiceTest : public CommunityTest {
 protected:
  // A vaccination post of east, running from ten minutes ago for an hour.
  Post post(std::optional<int64_t> slots = 2) {
    PostInput in;
    in.kind = "volunteer";
    in.title = "协助社区疫苗接种";
    in.category = "vaccination";
    in.place = "社区卫生服务站";
    in.starts_at = format_instant(now_ms() - 10 * 60000);
    in.ends_at = format_instant(now_ms() + 60 * 60000);
    in.slots = slots;
    in.hours = 2;
    auto x = svc_->create_post(account_of(east_), in);
    EXPECT_TRUE(x) << x.error().message;
    return x ? *x : Post{};
  }
  auth::Principal member(int64_t id) {
    return testing::scoped(auth::Role::member, branch_.path, id);
  }
  Result<Service> check_in(int64_t member_id, const ServiceCheckIn& in) {
    std::promise<Result<Service>> answer;
    svc_->check_in(member(member_id), in,
                   [&](Result<Service> r) { answer.set_value(std::move(r)); });
    return answer.get_future().get();
  }
};

TEST_P(ServiceTest, SignUpCheckInConfirmAndRate) {
  auto x = post();
  const int64_t b = person(branch_.id, 6), c = person(branch_.id, 7);
  auto mine = svc_->sign_up(member(a_), x.id);
  ASSERT_TRUE(mine) << mine.error().message;
  EXPECT_EQ(mine->status, "signed_up");
  EXPECT_EQ(svc_->sign_up(member(a_), x.id).error().code, ErrorCode::conflict);
  ASSERT_TRUE(svc_->sign_up(member(b), x.id));
  EXPECT_EQ(svc_->sign_up(member(c), x.id).error().fields.at(0).code, "full");

  // On site: the code of the community's screen; one who did not sign up learns nothing.
  auto code = svc_->code(account_of(east_), x.id, "http://h");
  ASSERT_TRUE(code) << code.error().message;
  EXPECT_EQ(svc_->code(account_of(west_), x.id, "http://h").error().code, ErrorCode::not_found);
  EXPECT_EQ(check_in(c, {x.id, std::nullopt, code->code}).error().code, ErrorCode::forbidden);
  EXPECT_EQ(check_in(a_, {x.id, std::nullopt,
                          std::string("000000") == code->code ? std::string("000001")
                                                              : std::string("000000")})
                .error()
                .fields.at(0)
                .code,
            "wrong");
  auto present = check_in(a_, {x.id, std::nullopt, code->code});
  ASSERT_TRUE(present) << present.error().message;
  EXPECT_EQ(present->status, "present");
  EXPECT_EQ(check_in(a_, {x.id, std::nullopt, code->code})->status, "present");  // a repeat
  // A scan's pass: traded for the token of the current slot.
  const std::string token = code->url.substr(code->url.find("token=") + 6);
  auto pass = svc_->scan(x.id, code->slot, token);
  ASSERT_TRUE(pass);
  EXPECT_FALSE(svc_->scan(x.id + 1, code->slot, token));
  EXPECT_EQ(check_in(b, {x.id, *pass, std::nullopt})->checkin_method, "qr");

  // Only east confirms, only those who came; then rates what it received.
  EXPECT_EQ(svc_->decide_services(account_of(west_), {present->id}, "confirmed", std::nullopt,
                                  std::nullopt)
                .error()
                .fields.at(0)
                .field,
            "ids[0]");
  auto done = svc_->decide_services(account_of(east_), {present->id}, "confirmed", 1.5, "辛苦了");
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->at(0).hours_tenths, 15);
  EXPECT_EQ(svc_->rate(account_of(west_), present->id, 5, std::nullopt).error().code,
            ErrorCode::not_found);
  EXPECT_EQ(svc_->rate(member(a_), present->id, 5, std::nullopt).error().code,
            ErrorCode::forbidden);
  EXPECT_EQ(svc_->rate(account_of(east_), present->id, 6, std::nullopt).error().fields.at(0).code,
            "range");
  ASSERT_TRUE(svc_->rate(account_of(east_), present->id, 5, "认真负责"));
  // The member's organization sees the rating.
  auto seen = svc_->services(testing::scoped(auth::Role::org_admin, unit_.path), {});
  ASSERT_TRUE(seen);
  bool rated = false;
  for (const auto& s : seen->items) rated |= s.id == present->id && s.rating == 5;
  EXPECT_TRUE(rated);
}

// Members signing up at once on several connections (PostgreSQL runs them
// truly in parallel): the last place goes to one of them only.
TEST_P(ServiceTest, ConcurrentSignUpsTakeNoMorePlacesThanThereAre) {
  auto x = post(3);
  std::vector<int64_t> people;
  for (int i = 0; i < 8; ++i) people.push_back(person(branch_.id, 20 + i));
  std::atomic<int> taken{0}, full{0};
  std::vector<std::thread> threads;
  for (int64_t m : people) {
    threads.emplace_back([&, m] {
      auto r = svc_->sign_up(member(m), x.id);
      if (r) {
        ++taken;
      } else if (r.error().code == ErrorCode::conflict) {
        ++full;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(taken.load(), 3);
  EXPECT_EQ(full.load(), 5);
  EXPECT_EQ(svc_->posts(account_of(east_), std::nullopt, false, 1, 10)->items.at(0).signed_up, 3);
}

TEST_P(ServiceTest, RecordedServicesCountWhenConfirmed) {
  ServiceInput org;
  org.community_id = east_.id;
  org.org_id = unit_.id;
  org.title = "组织党员协助疫苗接种";
  org.category = "vaccination";
  org.served_on = "2021-05-10";
  org.hours = 3;
  auto by_org = svc_->record(admin_, org);
  ASSERT_TRUE(by_org) << by_org.error().message;
  ServiceInput own;
  own.community_id = west_.id;
  own.title = "楼道清扫";
  own.category = "environment";
  own.served_on = "2021-05-11";
  auto by_member = svc_->record(member(a_), own);
  ASSERT_TRUE(by_member) << by_member.error().message;
  EXPECT_EQ(by_member->member_id, a_);
  EXPECT_EQ(by_member->status, "pending");
  auto zero = svc_->service_figures(admin_, std::nullopt, "2021-01-01", "2021-12-31");
  EXPECT_EQ(zero->orgs.services + zero->members.services, 0);
  ASSERT_TRUE(svc_->decide_services(account_of(east_), {by_org->id}, "confirmed", std::nullopt,
                                    std::nullopt));
  ASSERT_TRUE(svc_->decide_services(account_of(west_), {by_member->id}, "confirmed", std::nullopt,
                                    std::nullopt));
  auto f = svc_->service_figures(admin_, std::nullopt, "2021-01-01", "2021-12-31");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->orgs.services, 1);
  EXPECT_EQ(f->orgs.by_category["vaccination"], 1);
  EXPECT_EQ(f->members.services, 1);
  EXPECT_EQ(f->members.by_category["environment"], 1);
  // Done once: no second answer; a service in the future is refused.
  EXPECT_EQ(svc_->decide_services(account_of(west_), {by_member->id}, "rejected", std::nullopt,
                                  std::nullopt)
                .error()
                .code,
            ErrorCode::conflict);
  own.served_on = "2999-01-01";
  EXPECT_EQ(svc_->record(member(a_), own).error().fields.at(0).code, "in_future");
}

TEST_P(ServiceTest, DualReportsAreDraftedFromTheRecordsEditedAndSent) {
  const int64_t year = std::stoll(today().substr(0, 4));
  auto me = member(a_);
  auto first = svc_->dual_report(me, year, std::nullopt);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->id, 0);
  EXPECT_NE(first->body.find("尚未到社区报到"), std::string::npos) << first->body;
  // Registered and served: the draft says so, with the numbers.
  auto r = registered(east_, std::nullopt, a_, today().c_str());
  confirm(east_, r.id);
  ServiceInput own;
  own.community_id = east_.id;
  own.title = "协助疫苗接种";
  own.category = "vaccination";
  own.served_on = today();
  own.hours = 2.5;
  auto s = svc_->record(me, own);
  ASSERT_TRUE(s);
  ASSERT_TRUE(
      svc_->decide_services(account_of(east_), {s->id}, "confirmed", std::nullopt, std::nullopt));
  auto drafted = svc_->dual_report(me, year, std::nullopt);
  ASSERT_TRUE(drafted);
  EXPECT_NE(drafted->body.find("东风社区"), std::string::npos) << drafted->body;
  EXPECT_NE(drafted->body.find("服务1次、累计2.5小时，其中协助开展疫苗接种服务1次"),
            std::string::npos)
      << drafted->body;
  auto saved = svc_->save_dual_report(me, year, std::nullopt, drafted->body + "今后继续努力。");
  ASSERT_TRUE(saved) << saved.error().message;
  ASSERT_NE(saved->id, 0);
  auto sent = svc_->send_dual_report(me, saved->id);
  ASSERT_TRUE(sent) << sent.error().message;
  EXPECT_EQ(svc_->save_dual_report(me, year, std::nullopt, "改写").error().code,
            ErrorCode::conflict);
  // The branch reads it; another member does not.
  auto branch = svc_->dual_reports(testing::scoped(auth::Role::org_admin, branch_.path), year, {});
  ASSERT_TRUE(branch);
  EXPECT_EQ(branch->size(), 1u);
  EXPECT_TRUE(svc_->dual_reports(member(person(branch_.id, 8)), year, {})->empty());
  // An organization's report goes to its community, once it has one.
  auto unit = svc_->save_dual_report(admin_, year, unit_.id, "本单位报告");
  ASSERT_TRUE(unit);
  EXPECT_EQ(svc_->send_dual_report(admin_, unit->id).error().code, ErrorCode::conflict);
  confirm(east_, registered(east_, unit_.id, std::nullopt, today().c_str()).id);
  ASSERT_TRUE(svc_->save_dual_report(admin_, year, unit_.id, "本单位报告"));
  ASSERT_TRUE(svc_->send_dual_report(admin_, unit->id));
  EXPECT_EQ(svc_->dual_reports(account_of(east_), year, {})->size(), 1u);
  EXPECT_TRUE(svc_->dual_reports(account_of(west_), year, {})->empty());
  EXPECT_EQ(svc_->dual_report(me, 1990, std::nullopt).error().fields.at(0).code, "range");
}

DJ_INSTANTIATE_BACKENDS(CommunityTest);
DJ_INSTANTIATE_BACKENDS(ServiceTest);

}  // namespace
}  // namespace dj::masses
