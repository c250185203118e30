// Test support for domain tests: a small city on a test database (a
// committee, one directly affiliated party committee, a branch) and members
// made through the real services.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/crypto.h"
#include "domain/member/citizen_id.h"
#include "domain/member/member.h"
#include "domain/org/org.h"
#include "domain/testing_principal.h"
#include "store/testing.h"

namespace dj::testing {

class CityTest : public store::DbTest {
 protected:
  void SetUp() override {
    DbTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;  // no database
    orgs_ = std::make_unique<org::OrgService>(db());
    members_ = std::make_unique<member::MemberService>(db(), keys_, member::MemberConfig{});
    root_ = org({}, "R", "committee");
    unit_ = org(root_.id, "U", "party_committee");
    branch_ = org(unit_.id, "B", "branch");
  }
  org::Org org(std::optional<int64_t> parent, const char* code, const char* type) {
    org::OrgInput in;
    in.parent_id = parent;
    in.code = code;
    in.name = std::string("组织") + code;
    in.type = type;
    in.founded_on = "2000-01-01";
    auto o = orgs_->create(admin_, in);
    EXPECT_TRUE(o) << o.error().message;
    return o ? *o : org::Org{};
  }
  // A full member of `org_id`; `n` makes the citizen ID unique.
  int64_t person(int64_t org_id, int n, const char* rank = "none") {
    member::MemberInput in;
    in.org_id = org_id;
    in.name = "党员" + std::to_string(n);
    const std::string first17 = "53010219800101" + std::to_string(100 + n);
    in.citizen_id = first17 + member::citizen_id_check_digit(first17);
    in.political_status = "full";
    in.joined_on = "2010-07-01";
    in.cadre_rank = rank;
    in.post = "none";
    auto m = members_->create(admin_, in);
    EXPECT_TRUE(m) << m.error().message;
    return m ? m->id : 0;
  }

  Keys keys_ = Keys::from_master(std::string(32, 'k'));
  auth::Principal admin_ = committee_admin();
  std::unique_ptr<org::OrgService> orgs_;
  std::unique_ptr<member::MemberService> members_;
  org::Org root_, unit_, branch_;
};

}  // namespace dj::testing
