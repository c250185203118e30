// Training on both databases: quotas and the waitlist, check-in by the
// rotating code through the group commit (a repeat, a wrong code), the
// roster, completion with hours to the ledger and a certificate anyone can
// verify, and bad input.
#include "domain/training/training.h"

#include <fmt/format.h>

#include <future>
#include <thread>

#include "common/time.h"
#include "domain/ledger/ledger.h"
#include "domain/testing_city.h"

namespace dj::training {
namespace {

class TrainingTest : public testing::CityTest {
 protected:
  void SetUp() override {
    CityTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    svc_ = std::make_unique<TrainingService>(db(), keys_, Config{});
    a_ = person(branch_.id, 1);
    b_ = person(branch_.id, 2);
    c_ = person(branch_.id, 3);
  }
  // A committee class with one session that started five minutes ago.
  int64_t open_class(int64_t capacity) {
    TrainingInput in;
    in.org_id = root_.id;
    in.title = "党员轮训班";
    in.level = "unit";
    in.target_groups = std::vector<std::string>{"all_members"};
    // From yesterday through tomorrow: the session began five minutes ago and
    // runs an hour, across midnight at either end of the day.
    in.starts_on = date_from_days(days_from_date(today()) - 1);
    in.ends_on = date_from_days(days_from_date(today()) + 1);
    in.capacity = capacity;
    auto t = svc_->create(admin_, in);
    EXPECT_TRUE(t) << t.error().message;
    const int64_t id = t ? t->id : 0;
    SessionInput s;
    s.title = "专题党课";
    s.started_at = format_instant(now_ms() - 5 * 60000);
    s.ended_at = format_instant(now_ms() + 55 * 60000);
    auto made = svc_->add_session(admin_, id, s);
    EXPECT_TRUE(made) << made.error().message;
    session_ = made ? made->session.id : 0;
    return id;
  }
  Result<Enrolment> enrol(int64_t id, int64_t member, bool waitlist = false) {
    EnrolInput in;
    in.member_id = member;
    if (waitlist) in.waitlist = true;
    return svc_->enrol(admin_, id, in);
  }
  // Checks `member` in and waits for the group commit to answer.
  Result<CheckInResult> check_in(int64_t member, const std::string& code, const std::string& key,
                                 std::optional<Location> where = std::nullopt,
                                 std::optional<std::string> pass = std::nullopt) {
    CheckIn in;
    in.session_id = session_;
    if (pass) {
      in.pass = pass;
    } else {
      in.code = code;
    }
    in.idempotency_key = key;
    in.where = where;
    std::promise<Result<CheckInResult>> answer;
    svc_->check_in(testing::scoped(auth::Role::member, branch_.path, member), in,
                   [&](Result<CheckInResult> r) { answer.set_value(std::move(r)); });
    return answer.get_future().get();
  }
  std::string code_now() { return svc_->code_for(session_, svc_->slot_at(now_ms())); }
  // A six-digit code that is neither the current nor the previous one.
  std::string wrong_code() {
    const int64_t slot = svc_->slot_at(now_ms());
    for (int n = 0;; ++n) {
      const std::string c = fmt::format("{:06}", n);
      if (c != svc_->code_for(session_, slot) && c != svc_->code_for(session_, slot - 1)) return c;
    }
  }
  int64_t audit_rows(const std::string& action) {
    auto r = store::with_conn(db(), [&](store::Conn& c) {
      return c.query_one("SELECT COUNT(*) FROM audit_log WHERE action = ?", {action});
    });
    return r ? r->i64(0) : -1;
  }

  std::unique_ptr<TrainingService> svc_;
  int64_t a_ = 0, b_ = 0, c_ = 0, session_ = 0;
};

TEST_P(TrainingTest, QuotasFillThenTheWaitlistTakesTheRest) {
  const int64_t id = open_class(10);
  auto q = svc_->set_quotas(admin_, id, {{unit_.id, 1}});
  ASSERT_TRUE(q) << q.error().message;
  auto first = enrol(id, a_);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->status, "enrolled");
  EXPECT_EQ(first->seats_left, 0);
  auto full = enrol(id, b_);
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code, ErrorCode::conflict);
  EXPECT_EQ(full.error().fields.at(0).field, "quota");
  auto waiting = enrol(id, b_, true);
  ASSERT_TRUE(waiting) << waiting.error().message;
  EXPECT_EQ(waiting->status, "waitlisted");
  EXPECT_EQ(enrol(id, a_).error().code, ErrorCode::conflict);  // already enrolled
  auto t = svc_->get(admin_, id);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->enrolled, 1);
  EXPECT_EQ(t->waitlisted, 1);
  // Seats for an organization that is not directly affiliated are refused.
  EXPECT_EQ(svc_->set_quotas(admin_, id, {{branch_.id, 1}}).error().code, ErrorCode::invalid);
  // Only the committee allocates seats.
  EXPECT_EQ(
      svc_->set_quotas(testing::scoped(auth::Role::org_admin, unit_.path), id, {{unit_.id, 2}})
          .error()
          .code,
      ErrorCode::forbidden);
}

TEST_P(TrainingTest, AWithdrawalFreesTheSeatForTheWaitlistAndACancelledClassLeavesTheLists) {
  const int64_t id = open_class(10);
  ASSERT_TRUE(svc_->set_quotas(admin_, id, {{unit_.id, 1}}));
  ASSERT_TRUE(enrol(id, a_));
  ASSERT_TRUE(enrol(id, b_, true));  // waitlisted
  auto promoted = svc_->withdraw(admin_, id, a_);
  ASSERT_TRUE(promoted) << promoted.error().message;
  EXPECT_EQ(*promoted, b_);
  auto t = svc_->get(admin_, id);
  EXPECT_EQ(t->enrolled, 1);
  EXPECT_EQ(t->waitlisted, 0);
  EXPECT_EQ(svc_->withdraw(admin_, id, a_).error().code, ErrorCode::not_found);  // gone already
  // Someone who has attended stays: his absence is marked on the roster instead.
  ASSERT_TRUE(check_in(b_, code_now(), "w1"));
  EXPECT_EQ(svc_->withdraw(admin_, id, b_).error().code, ErrorCode::conflict);
  // Another subtree's administrator does not reach the member.
  auto other = testing::scoped(auth::Role::org_admin, "/999999/");
  EXPECT_EQ(svc_->withdraw(other, id, b_).error().code, ErrorCode::not_found);
  EXPECT_EQ(svc_->cancel(admin_, id, "").error().fields.at(0).field, "reason");
  ASSERT_TRUE(svc_->cancel(admin_, id, "师资调整，改期举办"));
  EXPECT_EQ(svc_->get(admin_, id).error().code, ErrorCode::not_found);
  auto mine = svc_->mine(testing::scoped(auth::Role::member, branch_.path, b_));
  ASSERT_TRUE(mine) << mine.error().message;
  EXPECT_TRUE(mine->empty());
  EXPECT_EQ(audit_rows("training.withdraw"), 1);
  EXPECT_EQ(audit_rows("training.cancel"), 1);
}

TEST_P(TrainingTest, AClassAndItsSessionsAreEditedWithinWhatHasHappened) {
  const int64_t id = open_class(10);
  ASSERT_TRUE(svc_->set_quotas(admin_, id, {{unit_.id, 3}}));
  ASSERT_TRUE(enrol(id, a_));
  ASSERT_TRUE(enrol(id, b_));
  TrainingInput patch;
  patch.title = "党员轮训班（第二期）";
  patch.venue = "市委党校报告厅";
  auto changed = svc_->update(admin_, id, patch);
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(changed->title, "党员轮训班（第二期）");
  EXPECT_EQ(changed->capacity, 10);  // untouched fields stay
  // The capacity holds the allocated seats and the enrolled members.
  TrainingInput small;
  small.capacity = 2;
  EXPECT_EQ(svc_->update(admin_, id, small).error().fields.at(0).code, "below_quotas");
  ASSERT_TRUE(svc_->set_quotas(admin_, id, {}));
  small.capacity = 1;
  EXPECT_EQ(svc_->update(admin_, id, small).error().fields.at(0).code, "below_enrolled");
  // The dates keep the session inside; the organizer stays.
  TrainingInput later;
  later.starts_on = date_from_days(days_from_date(today()) + 2);
  later.ends_on = date_from_days(days_from_date(today()) + 3);
  EXPECT_EQ(svc_->update(admin_, id, later).error().fields.at(0).field, "starts_on");
  TrainingInput moved;
  moved.org_id = unit_.id;
  EXPECT_EQ(svc_->update(admin_, id, moved).error().fields.at(0).code, "immutable");
  EXPECT_EQ(
      svc_->update(testing::scoped(auth::Role::org_admin, unit_.path), id, patch).error().code,
      ErrorCode::not_found);

  // A session is renamed; its time moves only while nobody has checked in.
  SessionInput rename;
  rename.title = "专题党课：党的二十大精神";
  rename.venue = "市委党校报告厅";
  auto s = svc_->update_session(admin_, id, session_, rename);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->session.title, "专题党课：党的二十大精神");
  EXPECT_EQ(s->session.hours_tenths, 10);
  SessionInput earlier;
  earlier.started_at = format_instant(now_ms() - 10 * 60000);
  auto moved_session = svc_->update_session(admin_, id, session_, earlier);
  ASSERT_TRUE(moved_session) << moved_session.error().message;
  EXPECT_EQ(moved_session->session.hours_tenths, 11);  // from the new times
  SessionInput backwards;
  backwards.ended_at = format_instant(now_ms() - 60 * 60000);
  EXPECT_EQ(svc_->update_session(admin_, id, session_, backwards).error().fields.at(0).field,
            "ended_at");
  ASSERT_TRUE(check_in(a_, code_now(), "e1"));
  SessionInput longer;
  longer.ended_at = format_instant(now_ms() + 120 * 60000);
  EXPECT_EQ(svc_->update_session(admin_, id, session_, longer).error().code, ErrorCode::conflict);
  EXPECT_TRUE(svc_->update_session(admin_, id, session_, rename));  // the title still may
  EXPECT_EQ(svc_->remove_session(admin_, id, session_).error().code, ErrorCode::conflict);
  // A second session nobody attended is cancelled.
  SessionInput extra;
  extra.title = "分组讨论";
  extra.started_at = format_instant(now_ms() + 60 * 60000);
  extra.ended_at = format_instant(now_ms() + 90 * 60000);
  auto added = svc_->add_session(admin_, id, extra);
  ASSERT_TRUE(added) << added.error().message;
  ASSERT_TRUE(svc_->remove_session(admin_, id, added->session.id));
  EXPECT_EQ(svc_->get(admin_, id)->sessions.size(), 1u);
  EXPECT_EQ(svc_->remove_session(admin_, id, added->session.id).error().code, ErrorCode::not_found);
  // Once completion is decided the class and its sessions stay as certified.
  ASSERT_TRUE(svc_->complete(admin_, id));
  EXPECT_EQ(svc_->update(admin_, id, patch).error().code, ErrorCode::conflict);
  EXPECT_EQ(svc_->update_session(admin_, id, session_, rename).error().code, ErrorCode::conflict);
  EXPECT_EQ(svc_->cancel(admin_, id, "改期").error().code, ErrorCode::conflict);
  EXPECT_EQ(audit_rows("training.update"), 1);
  EXPECT_EQ(audit_rows("training.session_update"), 3);
  EXPECT_EQ(audit_rows("training.session_remove"), 1);
}

TEST_P(TrainingTest, CheckInRosterCompletionAndTheCertificate) {
  const int64_t id = open_class(10);
  ASSERT_TRUE(enrol(id, a_));
  ASSERT_TRUE(enrol(id, b_));
  EXPECT_EQ(check_in(a_, "000000" == code_now() ? "111111" : "000000", "k0").error().code,
            ErrorCode::invalid);
  const std::string code = code_now();
  auto in = check_in(a_, code, "k1");
  ASSERT_TRUE(in) << in.error().message;
  EXPECT_EQ(in->status, "present");
  auto again = check_in(a_, code, "k1");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->repeated);
  EXPECT_EQ(check_in(a_, code, "k2").error().code, ErrorCode::conflict);
  EXPECT_EQ(check_in(c_, code, "k3").error().code, ErrorCode::forbidden);  // not enrolled

  auto roster = svc_->mark_roster(admin_, id, session_, {{b_, "absent"}});
  ASSERT_TRUE(roster) << roster.error().message;
  auto sheet = svc_->attendance(admin_, id, session_);
  ASSERT_TRUE(sheet);
  EXPECT_EQ(sheet->checked_in, 1);
  EXPECT_EQ(sheet->items.size(), 2u);

  auto done = svc_->complete(admin_, id);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->completed, 1);
  EXPECT_EQ(done->enrolled, 2);
  auto posted = store::with_conn(db(), [&](store::Conn& c) {
    return ledger::entries(c, a_, std::stoi(today().substr(0, 4)));
  });
  ASSERT_TRUE(posted);
  ASSERT_EQ(posted->size(), 1u);
  EXPECT_EQ((*posted)[0].source, "training");
  EXPECT_EQ((*posted)[0].hours_tenths, 10);
  auto list = svc_->enrolments(admin_, id);
  ASSERT_TRUE(list);
  std::string serial;
  for (const auto& e : *list) {
    if (e.member_id == a_) serial = e.certificate_serial.value_or("");
  }
  ASSERT_FALSE(serial.empty());
  auto cert = svc_->verify(serial);
  ASSERT_TRUE(cert) << cert.error().message;
  EXPECT_EQ(cert->training, "党员轮训班");
  EXPECT_EQ(cert->name, "党**");  // masked
  EXPECT_EQ(svc_->verify("NO-SUCH-SERIAL").error().code, ErrorCode::not_found);
}

TEST_P(TrainingTest, WrongCodesAreCountedAuditedAndThenRefusedForAWhile) {
  const int64_t id = open_class(10);
  ASSERT_TRUE(enrol(id, a_));
  for (int i = 1; i <= 4; ++i) {
    auto r = check_in(a_, wrong_code(), "w" + std::to_string(i));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::invalid) << i;
  }
  auto fifth = check_in(a_, wrong_code(), "w5");
  ASSERT_FALSE(fifth);
  EXPECT_EQ(fifth.error().code, ErrorCode::too_many);
  EXPECT_GT(fifth.error().retry_after_s, 0);
  EXPECT_LE(fifth.error().retry_after_s, 60);
  // Now even the right code waits, and nothing is written.
  auto right = check_in(a_, code_now(), "w6");
  ASSERT_FALSE(right);
  EXPECT_EQ(right.error().code, ErrorCode::too_many);
  EXPECT_EQ(audit_rows("training.check_in_refused"), 5);
  EXPECT_EQ(audit_rows("training.check_in"), 0);
  // Another member of the same session is not held back.
  ASSERT_TRUE(enrol(id, b_));
  EXPECT_TRUE(check_in(b_, code_now(), "b1"));
}

TEST_P(TrainingTest, AScannedQrCodeIsAPassForOnePhoneAndOneCheckIn) {
  const int64_t id = open_class(10);
  ASSERT_TRUE(enrol(id, a_));
  ASSERT_TRUE(enrol(id, b_));
  const int64_t slot = svc_->slot_at(now_ms());
  // The screen's token of the current slot, and of the one before, scan; older ones do not.
  auto scanned = svc_->scan(session_, slot, svc_->token_for(session_, slot));
  ASSERT_TRUE(scanned) << scanned.error().message;
  EXPECT_TRUE(svc_->scan(session_, slot - 1, svc_->token_for(session_, slot - 1)));
  EXPECT_EQ(svc_->scan(session_, slot - 2, svc_->token_for(session_, slot - 2)).error().code,
            ErrorCode::invalid);
  EXPECT_FALSE(svc_->scan(session_ + 1, slot, svc_->token_for(session_, slot)));
  auto in = check_in(a_, "", "p1", std::nullopt, scanned->pass);
  ASSERT_TRUE(in) << in.error().message;
  EXPECT_EQ(in->method, "qr");
  EXPECT_TRUE(check_in(a_, "", "p1", std::nullopt, scanned->pass)->repeated);  // a reload
  // The same pass, forwarded to a colleague, checks nobody else in.
  auto forwarded = check_in(b_, "", "p2", std::nullopt, scanned->pass);
  ASSERT_FALSE(forwarded);
  EXPECT_EQ(forwarded.error().fields.at(0).code, "used");
  auto forged = check_in(b_, "", "p3", std::nullopt, scanned->pass.substr(1));
  EXPECT_EQ(forged.error().fields.at(0).code, "expired_or_forged");
  EXPECT_EQ(audit_rows("training.check_in_refused"), 2);
  // A pass outlives its slot, not its minutes.
  TrainingService brief(db(), keys_, {.pass_ms = 1});
  auto old = brief.scan(session_, slot, brief.token_for(session_, slot));
  ASSERT_TRUE(old);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  CheckIn late;
  late.session_id = session_;
  late.pass = old->pass;
  std::promise<Result<CheckInResult>> answer;
  brief.check_in(testing::scoped(auth::Role::member, branch_.path, b_), late,
                 [&](Result<CheckInResult> r) { answer.set_value(std::move(r)); });
  EXPECT_EQ(answer.get_future().get().error().fields.at(0).code, "expired_or_forged");
}

TEST_P(TrainingTest, AMemberNotEnrolledLearnsNothingAboutTheCode) {
  open_class(10);
  auto wrong = check_in(c_, wrong_code(), "x1");
  auto right = check_in(c_, code_now(), "x2");
  ASSERT_FALSE(wrong);
  ASSERT_FALSE(right);
  EXPECT_EQ(wrong.error().code, ErrorCode::forbidden);
  EXPECT_EQ(right.error().code, ErrorCode::forbidden);
  EXPECT_EQ(wrong.error().message, right.error().message);
}

TEST_P(TrainingTest, AFencedSessionNeedsTheLocation) {
  TrainingInput in;
  in.org_id = root_.id;
  in.title = "现场教学";
  in.level = "unit";
  in.target_groups = std::vector<std::string>{"all_members"};
  in.starts_on = date_from_days(days_from_date(today()) - 1);
  in.ends_on = date_from_days(days_from_date(today()) + 1);  // the hour may cross midnight
  in.capacity = 5;
  auto t = svc_->create(admin_, in);
  ASSERT_TRUE(t);
  SessionInput s;
  s.title = "红色教育基地";
  s.started_at = format_instant(now_ms() - 60000);
  s.ended_at = format_instant(now_ms() + 3600000);
  s.latitude = 25.04;
  s.longitude = 102.71;
  s.radius_m = 300;
  auto made = svc_->add_session(admin_, t->id, s);
  ASSERT_TRUE(made) << made.error().message;
  session_ = made->session.id;
  ASSERT_TRUE(enrol(t->id, a_));
  auto none = check_in(a_, code_now(), "g1");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().fields.at(0).field, "location");
  EXPECT_EQ(none.error().fields.at(0).code, "required");
  auto far = check_in(a_, code_now(), "g2", Location{25.10, 102.71});
  ASSERT_FALSE(far);
  EXPECT_EQ(far.error().fields.at(0).code, "too_far");
  EXPECT_TRUE(check_in(a_, code_now(), "g3", Location{25.0405, 102.7102}));
}

TEST_P(TrainingTest, BadInputNamesTheFieldAndChangesNothing) {
  TrainingInput in;
  in.org_id = root_.id;
  in.title = "班";
  in.level = "galactic";
  in.target_groups = std::vector<std::string>{"everyone"};
  in.starts_on = "2026-05-02";
  in.ends_on = "2026-05-01";
  in.capacity = 5;
  auto bad = svc_->create(admin_, in);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::invalid);
  std::set<std::string> fields;
  for (const auto& f : bad.error().fields) fields.insert(f.field);
  EXPECT_TRUE(fields.count("level")) << bad.error().message;
  EXPECT_TRUE(fields.count("target_groups")) << bad.error().message;
  auto page = svc_->list(admin_, 1, 50);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 0);
  EXPECT_EQ(svc_->get(admin_, 999999).error().code, ErrorCode::not_found);
}

DJ_INSTANTIATE_BACKENDS(TrainingTest);

}  // namespace
}  // namespace dj::training
