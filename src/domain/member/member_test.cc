#include "domain/member/member.h"

#include <gtest/gtest.h>

#include "domain/demo/demo.h"
#include "domain/member/citizen_id.h"
#include "domain/org/org.h"
#include "domain/testing_city.h"
#include "domain/testing_principal.h"
#include "store/testing.h"

namespace dj::member {
namespace {

std::string make_id(const std::string& region_birth_seq) {
  return region_birth_seq + citizen_id_check_digit(region_birth_seq);
}

class MemberTest : public store::DbTest {
 protected:
  void SetUp() override {
    DbTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;  // no database
    orgs_ = std::make_unique<org::OrgService>(db());
    svc_ = std::make_unique<MemberService>(db(), keys_, MemberConfig{});
    auto mk = [&](std::optional<int64_t> parent, const char* code, const char* type) {
      org::OrgInput in;
      in.parent_id = parent;
      in.code = code;
      in.name = code;
      in.type = type;
      return *orgs_->create(admin_, in);
    };
    root_ = mk({}, "R", "committee");
    a_ = mk(root_.id, "A", "branch");
    b_ = mk(root_.id, "B", "branch");
  }
  MemberInput input() {
    MemberInput in;
    in.org_id = a_.id;
    in.name = "张三";
    in.citizen_id = make_id("53010219900101123");
    in.phone = "13812345678";
    in.political_status = "full";
    in.joined_on = "2015-07-01";
    in.full_member_on = "2016-07-01";
    return in;
  }
  Keys keys_ = Keys::from_master(std::string(32, 'k'));
  auth::Principal admin_ = testing::committee_admin();
  std::unique_ptr<org::OrgService> orgs_;
  std::unique_ptr<MemberService> svc_;
  org::Org root_, a_, b_;
};

TEST_P(MemberTest, CreateDerivesFromIdAndEncryptsAtRest) {
  auto m = svc_->create(admin_, input());
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->birth_date, "1990-01-01");
  EXPECT_EQ(m->gender, "male");
  auto raw = store::with_conn(db(), [&](store::Conn& c) {
    return c.query_one("SELECT citizen_id_enc, phone_enc FROM members WHERE id = ?", {m->id});
  });
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->str(0).find("530102"), std::string::npos);
  EXPECT_EQ(raw->str(1).find("138"), std::string::npos);
  auto json = to_json(*m, svc_->config());
  EXPECT_EQ(json.at("citizen_id").as_string(), mask_citizen_id(m->citizen_id));
  EXPECT_EQ(json.at("phone").as_string(), "138****5678");
}

TEST_P(MemberTest, ValidationNamesEveryField) {
  MemberInput in = input();
  in.citizen_id = "530102199001011230";  // wrong check digit
  in.phone = "123";
  in.political_status = "boss";
  in.full_member_on = "2014-01-01";
  auto r = svc_->create(admin_, in);
  ASSERT_FALSE(r);
  std::set<std::string> fields;
  for (const auto& f : r.error().fields) fields.insert(f.field);
  EXPECT_EQ(fields,
            (std::set<std::string>{"citizen_id", "phone", "political_status", "full_member_on"}));
  in = input();
  in.gender = "female";
  r = svc_->create(admin_, in);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().fields.at(0).code, "mismatch");
}

TEST_P(MemberTest, UniqueByCitizenId) {
  ASSERT_TRUE(svc_->create(admin_, input()));
  auto again = svc_->create(admin_, input());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::conflict);
  EXPECT_EQ(again.error().fields.at(0).field, "citizen_id");
}

TEST_P(MemberTest, TransferKeepsHistory) {
  auto m = svc_->create(admin_, input());
  ASSERT_TRUE(m);
  Transfer t{b_.id, "2021-03-15", "工作调动"};
  auto moved = svc_->transfer(admin_, m->id, t);
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(moved->org_id, b_.id);
  auto h = svc_->history(admin_, m->id);
  ASSERT_TRUE(h);
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ((*h)[0].org_id, a_.id);
  EXPECT_EQ((*h)[0].to_date, "2021-03-15");
  EXPECT_EQ((*h)[1].from_date, "2021-03-15");
  auto early = svc_->transfer(admin_, m->id, {a_.id, "2010-01-01", std::nullopt});
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().fields.at(0).field, "date");
}

TEST_P(MemberTest, APastedListFindsNamesAndIdsInScopeOnly) {
  auto zhang_a = svc_->create(admin_, input());
  ASSERT_TRUE(zhang_a);
  auto in = input();
  in.org_id = b_.id;
  in.citizen_id = make_id("53010219900101124");
  auto zhang_b = svc_->create(admin_, in);  // a namesake in B
  ASSERT_TRUE(zhang_b);
  in.name = "李四";
  in.citizen_id = make_id("53010219900101125");
  auto li = svc_->create(admin_, in);
  ASSERT_TRUE(li);
  std::string id = *in.citizen_id;
  if (id.back() == 'X') id.back() = 'x';  // a lower-case check letter still matches
  auto found = svc_->match(admin_, {" 张三 ", "", id, "王五", "张三"}, std::nullopt);
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_EQ(found->size(), 3u);  // blank and repeated lines dropped
  EXPECT_EQ((*found)[0].line, "张三");
  EXPECT_EQ((*found)[0].members.size(), 2u);
  ASSERT_EQ((*found)[1].members.size(), 1u);
  EXPECT_EQ((*found)[1].members[0].id, li->id);
  EXPECT_TRUE((*found)[2].members.empty());
  // Within A's administrator's scope, or under org_id, the namesake is not there.
  auto own = svc_->match(testing::scoped(auth::Role::org_admin, a_.path), {"张三", id}, {});
  ASSERT_TRUE(own);
  EXPECT_EQ((*own)[0].members.size(), 1u);
  EXPECT_TRUE((*own)[1].members.empty());
  EXPECT_EQ(svc_->match(admin_, {"张三"}, a_.id)->at(0).members.at(0).id, zhang_a->id);
  EXPECT_EQ(svc_->match(admin_, {" ", ""}, {}).error().fields.at(0).field, "lines");
  EXPECT_EQ(svc_->match(testing::scoped(auth::Role::org_admin, a_.path), {"张三"}, b_.id)
                .error()
                .fields.at(0)
                .field,
            "org_id");
}

TEST_P(MemberTest, ScopeAndSelf) {
  auto m = svc_->create(admin_, input());
  ASSERT_TRUE(m);
  auto other_admin = testing::scoped(auth::Role::org_admin, b_.path);
  EXPECT_EQ(svc_->get(other_admin, m->id).error().code, ErrorCode::not_found);
  auto own_admin = testing::scoped(auth::Role::org_admin, a_.path);
  auto seen = svc_->get(own_admin, m->id);
  ASSERT_TRUE(seen);
  EXPECT_FALSE(svc_->may_see_pii(own_admin, *seen));
  auto self = testing::scoped(auth::Role::member, a_.path, m->id);
  auto mine = svc_->get(self, m->id);
  ASSERT_TRUE(mine);
  EXPECT_TRUE(svc_->may_see_pii(self, *mine));
  EXPECT_EQ(svc_->list(self, {}).error().code, ErrorCode::forbidden);
}

TEST_P(MemberTest, PersonalInformationIsMaskedAndRevealedOneRecordAtATimeOnTheRecord) {
  auto in = input();
  auto m = svc_->create(admin_, in);
  ASSERT_TRUE(m);
  const auto shown = to_json(*m, svc_->config());
  EXPECT_EQ(shown.at("citizen_id").as_string(), mask_citizen_id(*in.citizen_id));
  EXPECT_NE(shown.at("citizen_id").as_string(), *in.citizen_id);  // even to committee_admin
  auto full = svc_->reveal(admin_, m->id);
  ASSERT_TRUE(full);
  EXPECT_EQ(full->citizen_id, *in.citizen_id);
  EXPECT_EQ(full->phone, in.phone);
  auto own_admin = testing::scoped(auth::Role::org_admin, a_.path);
  EXPECT_EQ(svc_->reveal(own_admin, m->id).error().code, ErrorCode::forbidden);
  auto other_admin = testing::scoped(auth::Role::org_admin, b_.path);
  EXPECT_EQ(svc_->reveal(other_admin, m->id).error().code, ErrorCode::not_found);
  auto self = testing::scoped(auth::Role::member, a_.path, m->id);
  EXPECT_TRUE(svc_->reveal(self, m->id));
  auto audited = store::with_conn(db(), [&](store::Conn& c) {
    return c.query_one(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'member.pii_revealed' AND entity_id = ?",
        {std::to_string(m->id)});
  });
  ASSERT_TRUE(audited);
  EXPECT_EQ(audited->i64(0), 2);  // the committee's and the member's own; not the refusals
}

TEST_P(MemberTest, ListFilters) {
  auto in = input();
  ASSERT_TRUE(svc_->create(admin_, in));
  in.citizen_id = make_id("53010219800202234");
  in.name = "李四";
  in.cadre_rank = "division";
  in.org_id = b_.id;
  ASSERT_TRUE(svc_->create(admin_, in));
  auto leaders = svc_->list(admin_, {.leading_cadre = true});
  ASSERT_TRUE(leaders);
  ASSERT_EQ(leaders->total, 1);
  EXPECT_EQ(leaders->items[0].name, "李四");
  auto by_name = svc_->list(admin_, {.q = "张"});
  ASSERT_TRUE(by_name);
  EXPECT_EQ(by_name->total, 1);
  auto in_b = svc_->list(admin_, {.org_id = b_.id});
  ASSERT_TRUE(in_b);
  EXPECT_EQ(in_b->total, 1);
  auto percent = svc_->list(admin_, {.q = "%"});
  ASSERT_TRUE(percent);
  EXPECT_EQ(percent->total, 0);
}

using DemoTest = store::DbTest;

TEST_P(DemoTest, CityIsRealisticAndDeterministic) {
  Keys keys = Keys::from_master(std::string(32, 'd'));
  auto s = demo::generate(db(), keys, {demo::Scale::city, 7});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->members, 5500);
  auto counts = store::with_conn(db(), [](store::Conn& c) {
    return c.query_one(
        "SELECT (SELECT COUNT(*) FROM orgs WHERE depth = 1), "
        "(SELECT COUNT(*) FROM orgs WHERE type = 'branch'), "
        "(SELECT COUNT(*) FROM members WHERE cadre_rank = 'division'), "
        "(SELECT COUNT(*) FROM members WHERE infirm = 1), "
        "(SELECT COUNT(*) FROM orgs WHERE type = 'group')");
  });
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->i64(0), 47);
  EXPECT_EQ(counts->i64(1), 900);
  EXPECT_GT(counts->i64(2), 250);
  EXPECT_LT(counts->i64(2), 420);
  EXPECT_GT(counts->i64(3), 50);
  EXPECT_GT(counts->i64(4), 100);
  // Every generated citizen ID is valid.
  MemberService svc(db(), keys, {});
  auto page = svc.list(testing::committee_admin(), {.page_size = 500});
  ASSERT_TRUE(page);
  for (const auto& m : page->items) EXPECT_FALSE(citizen_id_problem(m.citizen_id)) << m.citizen_id;
  auto again = demo::generate(db(), keys, {demo::Scale::city, 7});
  EXPECT_EQ(again.error().code, ErrorCode::conflict);
}

DJ_INSTANTIATE_BACKENDS(MemberTest);
DJ_INSTANTIATE_BACKENDS(DemoTest);

// Another subtree's member does not exist for a scoped administrator: reads,
// changes, transfers and lists of it answer as for an unknown id.
class SubtreeTest : public testing::CityTest {};

TEST_P(SubtreeTest, AnotherSubtreesMemberIsUnknownToAScopedAdministrator) {
  const auto other_unit = org(root_.id, "U2", "party_committee");
  const auto other_branch = org(other_unit.id, "B2", "branch");
  const int64_t mine = person(branch_.id, 1), theirs = person(other_branch.id, 2);
  MemberService& members = *members_;
  const auto scoped = testing::scoped(auth::Role::org_admin, unit_.path);
  EXPECT_TRUE(members.get(scoped, mine));
  EXPECT_EQ(members.get(scoped, theirs).error().code, ErrorCode::not_found);
  MemberInput patch;
  patch.education = "研究生";
  EXPECT_EQ(members.update(scoped, theirs, patch).error().code, ErrorCode::not_found);
  EXPECT_EQ(members.remove(scoped, theirs).error().code, ErrorCode::not_found);
  EXPECT_EQ(members.transfer(scoped, theirs, {branch_.id, "2026-01-01", "调入"}).error().code,
            ErrorCode::not_found);
  // Moving one's own member into the other subtree is refused naming the field.
  auto out = members.transfer(scoped, mine, {other_branch.id, "2026-01-01", "调出"});
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().fields.at(0).field, "to_org_id");
  ListQuery q;
  q.org_id = other_unit.id;
  EXPECT_FALSE(members.list(scoped, q));
  auto all = members.list(scoped, {});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->items.size(), 1u);
  EXPECT_EQ(all->items[0].id, mine);
  // Nothing of theirs changed.
  auto still = members.get(admin_, theirs);
  ASSERT_TRUE(still);
  EXPECT_FALSE(still->education);
  EXPECT_EQ(still->org_id, other_branch.id);
}

DJ_INSTANTIATE_BACKENDS(SubtreeTest);

}  // namespace
}  // namespace dj::member
