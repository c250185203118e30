#include "domain/auth/auth.h"

#include <gtest/gtest.h>

#include "common/time.h"
#include "store/group_commit.h"
#include "store/testing.h"

namespace dj::auth {
namespace {

TEST(Permissions, AnAccountMayHaveOnlyThePermissionsOfItsCreator) {
  Principal org_admin;
  org_admin.role = Role::org_admin;
  EXPECT_EQ(beyond(org_admin, Role::auditor), Perm::audit_read);
  EXPECT_EQ(beyond(org_admin, Role::committee_admin), Perm::member_pii);
  EXPECT_FALSE(beyond(org_admin, Role::inspector));
  EXPECT_FALSE(beyond(org_admin, Role::member));
  EXPECT_FALSE(beyond(org_admin, Role::org_admin));
  Principal committee;
  committee.role = Role::committee_admin;
  for (Role r : {Role::committee_admin, Role::org_admin, Role::auditor, Role::inspector,
                 Role::member, Role::lecturer}) {
    EXPECT_FALSE(beyond(committee, r));
  }
}

TEST(PasswordPolicy, Cases) {
  struct Case {
    const char* pw;
    const char* code;  // nullptr: accepted
  } cases[] = {
      {"Short1!", "too_short"},
      {"alllowercase", "too_simple"},
      {"lowercase123", "too_simple"},
      {"Lower123", nullptr},
      {"P@ssw0rd", "common"},
      {"Admin@123", "common"},
      {"alice-Secret9", "contains_username"},
      {"党员Abc12345", nullptr},
      {"中文1a", "too_short"},       // 4 characters in 8 bytes
      {"é1aé1a", "too_short"},       // 6 characters
      {"党员党员1aA", "too_short"},  // 7 characters
      {"党员党员党1aA", nullptr},    // 8
      {"Dangjiao#2026", "common"},   // the demo's published password
  };
  for (const auto& c : cases) {
    auto s = check_password_policy(c.pw, "alice", "new_password");
    if (!c.code) {
      EXPECT_TRUE(s) << c.pw;
    } else {
      ASSERT_FALSE(s) << c.pw;
      EXPECT_EQ(s.error().fields.at(0).code, c.code) << c.pw;
    }
  }
}

class AuthTest : public store::DbTest {
 protected:
  void SetUp() override {
    DbTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;  // no database
    svc_ = std::make_unique<AuthService>(db(), AuthConfig{});
    auto u = svc_->create_user({}, "alice", "Good-Pass-42", Role::committee_admin, {});
    ASSERT_TRUE(u) << u.error().message;
  }
  std::unique_ptr<AuthService> svc_;
};

TEST_P(AuthTest, LoginAuthenticateLogout) {
  auto r = svc_->login("alice", "Good-Pass-42", "127.0.0.1", "test");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->user.must_change_password);
  auto p = svc_->authenticate(r->token);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->username, "alice");
  EXPECT_EQ(p->scope_path, "/");
  EXPECT_FALSE(svc_->authenticate(r->token + "x"));
  ASSERT_TRUE(svc_->logout(*p));
  EXPECT_FALSE(svc_->authenticate(r->token));
}

TEST_P(AuthTest, TokenStoredHashed) {
  auto r = svc_->login("alice", "Good-Pass-42", "127.0.0.1", "test");
  ASSERT_TRUE(r);
  auto n = store::with_conn(db(), [&](store::Conn& c) {
    return c.query_one("SELECT COUNT(*) FROM sessions WHERE token_hash = ?", {r->token});
  });
  ASSERT_TRUE(n);
  EXPECT_EQ(n->i64(0), 0);
}

TEST_P(AuthTest, FailedLoginsAreThrottledPerNameAndAddressNotLocked) {
  auto fail5 = [&](const std::string& name, const std::string& ip) {
    std::vector<ErrorCode> codes;
    for (int i = 0; i < 5; ++i) codes.push_back(svc_->login(name, "wrong", ip, "t").error().code);
    return codes;
  };
  const std::vector<ErrorCode> expected = {ErrorCode::unauthenticated, ErrorCode::unauthenticated,
                                           ErrorCode::unauthenticated, ErrorCode::unauthenticated,
                                           ErrorCode::too_many};
  // A real name and an unknown one answer alike, fifth failure included.
  EXPECT_EQ(fail5("alice", "10.0.0.1"), expected);
  EXPECT_EQ(fail5("nobody", "10.0.0.1"), expected);
  auto throttled = svc_->login("alice", "Good-Pass-42", "10.0.0.1", "t");
  ASSERT_FALSE(throttled);  // not even the right password from there
  EXPECT_EQ(throttled.error().code, ErrorCode::too_many);
  EXPECT_GT(throttled.error().retry_after_s, 0);
  EXPECT_EQ(throttled.error().fields.at(0).code, "too_many_attempts");
  // The owner elsewhere is not shut out.
  ASSERT_TRUE(svc_->login("alice", "Good-Pass-42", "10.0.0.2", "t"));
  auto audit = store::with_conn(db(), [](store::Conn& c) {
    return c.query_one("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.throttled'");
  });
  ASSERT_TRUE(audit);
  EXPECT_EQ(audit->i64(0), 2);
}

TEST_P(AuthTest, OneAddressSprayingManyNamesIsThrottled) {
  AuthConfig cfg;
  cfg.address_attempts = 6;
  AuthService svc(db(), cfg);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(svc.login("user" + std::to_string(i), "wrong", "10.0.0.9", "t").error().code,
              ErrorCode::unauthenticated);
  }
  EXPECT_EQ(svc.login("user9", "wrong", "10.0.0.9", "t").error().code, ErrorCode::too_many);
  EXPECT_EQ(svc.login("alice", "Good-Pass-42", "10.0.0.9", "t").error().code, ErrorCode::too_many);
  EXPECT_TRUE(svc.login("alice", "Good-Pass-42", "10.0.0.10", "t"));
}

TEST_P(AuthTest, WrongCurrentPasswordsAreThrottled) {
  auto a = svc_->login("alice", "Good-Pass-42", "127.0.0.1", "a");
  ASSERT_TRUE(a);
  auto p = svc_->authenticate(a->token);
  ASSERT_TRUE(p);
  for (int i = 0; i < 4; ++i) {
    auto r = svc_->change_password(*p, "Wrong-Pass-1", "Better-Pass-43");
    EXPECT_EQ(r.error().fields.at(0).code, "wrong");
  }
  auto fifth = svc_->change_password(*p, "Wrong-Pass-1", "Better-Pass-43");
  EXPECT_EQ(fifth.error().code, ErrorCode::too_many);
  EXPECT_EQ(svc_->change_password(*p, "Good-Pass-42", "Better-Pass-43").error().code,
            ErrorCode::too_many);
}

TEST_P(AuthTest, ChangePasswordClearsFlagAndEndsOtherSessions) {
  auto a = svc_->login("alice", "Good-Pass-42", "127.0.0.1", "a");
  auto b = svc_->login("alice", "Good-Pass-42", "127.0.0.1", "b");
  ASSERT_TRUE(a && b);
  auto pa = svc_->authenticate(a->token);
  ASSERT_TRUE(pa);
  auto weak = svc_->change_password(*pa, "Good-Pass-42", "short");
  ASSERT_FALSE(weak);
  EXPECT_EQ(weak.error().fields.at(0).field, "new_password");
  ASSERT_TRUE(svc_->change_password(*pa, "Good-Pass-42", "Better-Pass-43"));
  EXPECT_TRUE(svc_->authenticate(a->token));
  EXPECT_FALSE(svc_->authenticate(b->token));
  auto again = svc_->login("alice", "Better-Pass-43", "127.0.0.1", "c");
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->user.must_change_password);
}

TEST_P(AuthTest, SessionsListAndEndOnlyOwn) {
  ASSERT_TRUE(svc_->create_user({}, "bob", "Rob-Pass-4242x", Role::committee_admin, {}));
  auto a = svc_->login("alice", "Good-Pass-42", "127.0.0.1", "a");
  auto b = svc_->login("bob", "Rob-Pass-4242x", "127.0.0.1", "b");
  ASSERT_TRUE(a && b);
  auto pa = svc_->authenticate(a->token);
  auto pb = svc_->authenticate(b->token);
  ASSERT_TRUE(pa && pb);
  auto list = svc_->sessions(*pa);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_TRUE((*list)[0].current);
  auto other = svc_->end_session(*pa, pb->session_id);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::not_found);
  EXPECT_TRUE(svc_->authenticate(b->token));
}

TEST_P(AuthTest, IdleSessionsExpire) {
  AuthService strict(db(), AuthConfig{.idle_ms = 0});
  auto r = strict.login("alice", "Good-Pass-42", "127.0.0.1", "a");
  ASSERT_TRUE(r);
  auto p = strict.authenticate(r->token);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, ErrorCode::unauthenticated);
  EXPECT_TRUE(svc_->authenticate(r->token));  // the same session under the default 30 minutes
}

// A session last seen over a minute ago is touched through the group commit,
// without the request waiting for it; one seen just now is left alone.
TEST_P(AuthTest, UseTouchesAStaleSessionInTheBackground) {
  auto r = svc_->login("alice", "Good-Pass-42", "127.0.0.1", "a");
  ASSERT_TRUE(r);
  auto last_seen = [&] {
    return store::with_conn(
               db(),
               [](store::Conn& c) { return c.query_one("SELECT last_seen_at FROM sessions"); })
        .value()
        .i64(0);
  };
  auto set_last_seen = [&](int64_t at) {
    ASSERT_TRUE(store::with_tx(db(), [&](store::Conn& c) {
      return c.exec("UPDATE sessions SET last_seen_at = ?", {at});
    }));
  };
  // Work queued after the touch commits with it or after it.
  auto settle = [&] {
    ASSERT_TRUE(db().group_commit().run([](store::Conn&) { return Status{}; }));
  };
  const int64_t now = now_ms();
  set_last_seen(now - 10'000);
  ASSERT_TRUE(AuthService(db(), {}).authenticate(r->token));
  settle();
  EXPECT_EQ(last_seen(), now - 10'000);
  set_last_seen(now - 5 * 60'000);
  ASSERT_TRUE(AuthService(db(), {}).authenticate(r->token));
  settle();
  EXPECT_GE(last_seen(), now);
}

DJ_INSTANTIATE_BACKENDS(AuthTest);

}  // namespace
}  // namespace dj::auth
