// Venues and their bookings on both databases: no overlap (also under
// concurrent writers), opening hours and capacity, approval never by the
// booker, cancellation, the use check and the usage figures.
#include "domain/resources/resources.h"

#include <atomic>
#include <thread>

#include "common/time.h"
#include "domain/testing_city.h"
#include "domain/training/training.h"

namespace dj::resources {
namespace {

// "YYYY-MM-DDTHH:MM:00+08:00", `days` after today.
std::string at(int days, const char* hhmm) {
  return date_from_days(days_from_date(today()) + days) + "T" + hhmm + ":00+08:00";
}

class ResourcesTest : public testing::CityTest {
 protected:
  void SetUp() override {
    CityTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    svc_ = std::make_unique<ResourceService>(
        db(), Config{::testing::TempDir() + "/resource-blobs", 4096});
    PointInput pi;
    pi.code = "FWZX";
    pi.name = "市党群活动服务中心";
    pi.kind = "service_centre";
    pi.address = "北京路100号";
    auto point = svc_->create_point(admin_, pi);
    ASSERT_TRUE(point) << point.error().message;
    VenueInput vi;
    vi.point_id = point->id;
    vi.name = "多功能厅";
    vi.capacity = 120;
    vi.opens = "08:30";
    vi.closes = "21:00";
    vi.needs_approval = true;
    auto venue = svc_->create_venue(admin_, vi);
    ASSERT_TRUE(venue) << venue.error().message;
    venue_ = venue->id;
    point_ = point->id;
    unit_admin_ = testing::scoped(auth::Role::org_admin, unit_.path);
    unit_admin_.user_id = 7;
    unit_admin_.org_id = unit_.id;
  }
  BookingInput slot(const char* from, const char* to, int days = 2) {
    BookingInput in;
    in.venue_id = venue_;
    in.org_id = branch_.id;
    in.title = "主题党日";
    in.attendees = 40;
    in.starts_at = at(days, from);
    in.ends_at = at(days, to);
    return in;
  }
  std::unique_ptr<ResourceService> svc_;
  int64_t venue_ = 0, point_ = 0;
  auth::Principal unit_admin_;
};

TEST_P(ResourcesTest, NoTwoBookingsHoldTheSameTime) {
  auto first = svc_->book(unit_admin_, slot("09:00", "11:00"));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->status, "pending");
  auto clash = svc_->book(unit_admin_, slot("10:30", "12:00"));
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().code, ErrorCode::conflict);
  EXPECT_EQ(clash.error().fields.at(0).field, "starts_at");
  EXPECT_NE(clash.error().message.find("组织B"), std::string::npos) << clash.error().message;
  EXPECT_FALSE(svc_->book(unit_admin_, slot("08:30", "09:30")));
  EXPECT_FALSE(svc_->book(unit_admin_, slot("09:30", "10:00")));
  // Touching end to start is fine, and so is another day.
  EXPECT_TRUE(svc_->book(unit_admin_, slot("11:00", "12:00")));
  EXPECT_TRUE(svc_->book(unit_admin_, slot("08:30", "09:00")));
  EXPECT_TRUE(svc_->book(unit_admin_, slot("09:00", "11:00", 3)));
  // A cancelled or rejected booking gives its time back.
  ASSERT_TRUE(svc_->cancel(unit_admin_, first->id, "改期"));
  auto again = svc_->book(unit_admin_, slot("09:30", "10:30"));
  ASSERT_TRUE(again) << again.error().message;
  ASSERT_TRUE(svc_->decide(admin_, again->id, false, std::string("另有安排")));
  EXPECT_TRUE(svc_->book(unit_admin_, slot("09:00", "11:00")));
}

TEST_P(ResourcesTest, ConcurrentBookingsOfOneSlotLetExactlyOneThrough) {
  std::atomic<int> ok = 0, conflicts = 0, other = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&] {
      auto r = svc_->book(unit_admin_, slot("14:00", "16:00"));
      if (r) {
        ++ok;
      } else if (r.error().code == ErrorCode::conflict) {
        ++conflicts;
      } else {
        ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(conflicts.load(), 15);
  EXPECT_EQ(other.load(), 0);
}

TEST_P(ResourcesTest, ABookingKeepsToOpeningHoursCapacityAndScope) {
  auto field = [&](BookingInput in) {
    auto r = svc_->book(unit_admin_, in);
    return r ? std::string("ok")
           : r.error().fields.empty()
               ? r.error().message
               : r.error().fields.at(0).field + ":" + r.error().fields.at(0).code;
  };
  EXPECT_EQ(field(slot("07:00", "09:00")), "starts_at:closed");
  EXPECT_EQ(field(slot("20:00", "22:00")), "starts_at:closed");
  auto overnight = slot("20:00", "21:00");
  overnight.ends_at = at(3, "09:00");
  EXPECT_EQ(field(overnight), "starts_at:closed");
  auto crowd = slot("09:00", "10:00");
  crowd.attendees = 121;
  EXPECT_EQ(field(crowd), "attendees:capacity");
  EXPECT_EQ(field(slot("09:00", "10:00", -1)), "starts_at:past");
  EXPECT_EQ(field(slot("09:00", "10:00", 400)), "starts_at:range");
  EXPECT_EQ(field(slot("10:00", "09:00")), "ends_at:end_before_start");
  auto elsewhere = slot("09:00", "10:00");
  elsewhere.org_id = root_.id;
  EXPECT_EQ(field(elsewhere), "org_id:unknown");
  auto nowhere = slot("09:00", "10:00");
  nowhere.venue_id = 999999;
  EXPECT_EQ(field(nowhere), "venue_id:unknown");
  auto list = svc_->bookings(admin_, {.from = today(), .to = at(400, "00:00").substr(0, 10)});
  EXPECT_EQ(list.error().fields.at(0).field, "to");
  auto none = svc_->bookings(admin_, {.from = today(), .to = at(30, "00:00").substr(0, 10)});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST_P(ResourcesTest, TheKeeperApprovesOthersBookingsNeverHisOwn) {
  auto mine = svc_->book(admin_, slot("09:00", "10:00"));
  ASSERT_TRUE(mine) << mine.error().message;
  auto own = svc_->decide(admin_, mine->id, true, std::nullopt);
  ASSERT_FALSE(own);
  EXPECT_EQ(own.error().code, ErrorCode::forbidden);
  EXPECT_EQ(own.error().fields.at(0).code, "own_booking");
  auto theirs = svc_->book(unit_admin_, slot("10:00", "11:00"));
  ASSERT_TRUE(theirs);
  EXPECT_EQ(svc_->decide(unit_admin_, theirs->id, true, std::nullopt).error().code,
            ErrorCode::forbidden);
  EXPECT_EQ(svc_->decide(admin_, theirs->id, false, std::nullopt).error().fields.at(0).field,
            "reply");
  auto approved = svc_->decide(admin_, theirs->id, true, std::nullopt);
  ASSERT_TRUE(approved) << approved.error().message;
  EXPECT_EQ(approved->status, "approved");
  EXPECT_EQ(svc_->decide(admin_, theirs->id, false, std::string("x")).error().code,
            ErrorCode::conflict);
  // Not used yet: its use is checked after it ends.
  EXPECT_EQ(svc_->check_use(admin_, theirs->id, true, std::nullopt).error().fields.at(0).field,
            "ends_at");
  // Another subtree's administrator cannot cancel it.
  auto stranger = testing::scoped(auth::Role::org_admin, "/999999/");
  EXPECT_EQ(svc_->cancel(stranger, theirs->id, "x").error().code, ErrorCode::not_found);
  EXPECT_EQ(svc_->cancel(unit_admin_, theirs->id, "").error().fields.at(0).field, "reason");
}

TEST_P(ResourcesTest, UseIsCheckedAfterTheBookingAndCounted) {
  // Bookings in the past come from the records (the service takes none).
  const int64_t now = now_ms();
  const int64_t hour = 3600 * 1000;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store::with_conn(db(), [&](store::Conn& c) {
      return c.exec(
          "INSERT INTO venue_bookings (venue_id, org_id, title, attendees, starts_at, "
          "ends_at, status, created_at, updated_at, created_by) VALUES (?, ?, ?, 30, ?, "
          "?, ?, 0, 0, 7)",
          {venue_, i == 2 ? unit_.id : branch_.id, std::string("学习"), now - (10 + i) * 24 * hour,
           now - (10 + i) * 24 * hour + 2 * hour, std::string(i == 1 ? "rejected" : "approved")});
    }));
  }
  auto past =
      svc_->bookings(admin_, {.from = date_of_instant(now - 20 * 24 * hour), .to = today()});
  ASSERT_TRUE(past) << past.error().message;
  ASSERT_EQ(past->size(), 3u);
  const auto& newest = past->at(2);
  ASSERT_TRUE(svc_->check_use(admin_, newest.id, true, std::string("按时使用")));
  EXPECT_EQ(svc_->check_use(admin_, past->at(1).id, true, std::nullopt).error().code,
            ErrorCode::conflict);  // rejected
  ASSERT_TRUE(svc_->check_use(admin_, past->at(0).id, false, std::string("未到场")));
  EXPECT_EQ(svc_->cancel(admin_, newest.id, "x").error().code, ErrorCode::conflict);
  auto u = svc_->usage(admin_, point_, date_of_instant(now - 20 * 24 * hour), today());
  ASSERT_TRUE(u) << u.error().message;
  ASSERT_EQ(u->venues.size(), 1u);
  EXPECT_EQ(u->total.bookings, 3);
  EXPECT_EQ(u->total.approved, 2);
  EXPECT_EQ(u->total.used, 1);
  EXPECT_EQ(u->total.unused, 1);
  EXPECT_EQ(u->total.orgs, 2);
  EXPECT_EQ(u->total.hours_tenths, 40);
}

TEST_P(ResourcesTest, PointsAndVenuesAreKeptByTheCommittee) {
  PointInput pi;
  pi.code = "JXD01";
  pi.name = "教学点一";
  pi.address = "某路1号";
  pi.org_id = unit_.id;
  EXPECT_EQ(svc_->create_point(unit_admin_, pi).error().code, ErrorCode::forbidden);
  auto made = svc_->create_point(admin_, pi);
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ(made->kind, "teaching_point");
  EXPECT_EQ(made->org_path_name, "组织U");
  EXPECT_EQ(svc_->create_point(admin_, pi).error().fields.at(0).code, "taken");
  PointInput bad;
  bad.kind = "castle";
  EXPECT_EQ(svc_->update_point(admin_, made->id, bad).error().fields.at(0).field, "kind");
  VenueInput vi;
  vi.point_id = made->id;
  vi.name = "会议室";
  vi.capacity = 30;
  vi.opens = "18:00";
  vi.closes = "09:00";
  EXPECT_EQ(svc_->create_venue(admin_, vi).error().fields.at(0).field, "closes");
  vi.closes = "25:00";
  EXPECT_EQ(svc_->create_venue(admin_, vi).error().fields.at(0).code, "time");
  vi.closes = "21:00";
  vi.needs_approval = false;
  auto room = svc_->create_venue(admin_, vi);
  ASSERT_TRUE(room) << room.error().message;
  EXPECT_EQ(svc_->remove_point(admin_, made->id).error().code, ErrorCode::conflict);
  BookingInput in = slot("18:30", "20:00");
  in.venue_id = room->id;
  in.attendees = 20;
  auto b = svc_->book(unit_admin_, in);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->status, "approved");  // this room needs no approval
  EXPECT_EQ(svc_->remove_venue(admin_, room->id).error().code, ErrorCode::conflict);
  ASSERT_TRUE(svc_->cancel(admin_, b->id, "场地维修"));
  ASSERT_TRUE(svc_->remove_venue(admin_, room->id));
  ASSERT_TRUE(svc_->remove_point(admin_, made->id));
  EXPECT_EQ(svc_->point(made->id).error().code, ErrorCode::not_found);
}

TEST_P(ResourcesTest, AttendeesRateAPoolLecturerOnceAndAnonymously) {
  const int64_t a = person(branch_.id, 1), b = person(branch_.id, 2);
  LecturerInput in;
  in.member_id = a;
  in.title = "副教授";
  in.fields = "党史、党的创新理论";
  auto internal = svc_->create_lecturer(admin_, in);
  ASSERT_TRUE(internal) << internal.error().message;
  EXPECT_EQ(internal->kind, "internal");
  EXPECT_EQ(internal->name, "党员1");  // from the roster
  EXPECT_EQ(svc_->create_lecturer(admin_, in).error().fields.at(0).code, "taken");
  LecturerInput ext;
  ext.kind = "external";
  ext.name = "王教授";
  ext.employer = "省委党校";
  EXPECT_EQ(svc_->create_lecturer(unit_admin_, ext).error().code, ErrorCode::forbidden);
  auto outside = svc_->create_lecturer(admin_, ext);
  ASSERT_TRUE(outside) << outside.error().message;
  // A class whose session, taught by the external lecturer, ended an hour ago.
  training::TrainingService classes(db(), keys_, training::Config{});
  training::TrainingInput ti;
  ti.org_id = root_.id;
  ti.title = "党员轮训班";
  ti.level = "unit";
  ti.target_groups = std::vector<std::string>{"all_members"};
  ti.starts_on = date_from_days(days_from_date(today()) - 1);
  ti.ends_on = date_from_days(days_from_date(today()) + 1);
  ti.capacity = 10;
  auto klass = classes.create(admin_, ti);
  ASSERT_TRUE(klass) << klass.error().message;
  training::SessionInput si;
  si.title = "专题党课";
  si.lecturer_id = outside->id;
  si.started_at = format_instant(now_ms() - 3 * 3600000);
  si.ended_at = format_instant(now_ms() - 3600000);
  auto session = classes.add_session(admin_, klass->id, si);
  ASSERT_TRUE(session) << session.error().message;
  EXPECT_EQ(session->session.lecturer_name, "王教授");
  si.lecturer_id = 999999;
  EXPECT_EQ(classes.add_session(admin_, klass->id, si).error().fields.at(0).field, "lecturer_id");
  const int64_t sid = session->session.id;
  ASSERT_TRUE(store::with_conn(db(), [&](store::Conn& c) {
    return c.exec(
        "INSERT INTO checkins (session_id, member_id, status, method, at) VALUES (?, ?, "
        "'present', 'code', ?)",
        {sid, a, now_ms()});
  }));
  auto as = [&](int64_t member) {
    return testing::scoped(auth::Role::member, branch_.path, member);
  };
  auto waiting = svc_->to_rate(as(a));
  ASSERT_TRUE(waiting);
  ASSERT_EQ(waiting->size(), 1u);
  EXPECT_EQ(waiting->at(0).lecturer_name, "王教授");
  EXPECT_EQ(svc_->rate(as(b), sid, 5, std::nullopt).error().fields.at(0).code, "not_attended");
  EXPECT_EQ(svc_->rate(as(a), sid, 6, std::nullopt).error().fields.at(0).field, "score");
  ASSERT_TRUE(svc_->rate(as(a), sid, 4, std::string("联系实际，很有启发")));
  auto again = svc_->rate(as(a), sid, 5, std::nullopt);
  EXPECT_EQ(again.error().code, ErrorCode::conflict);
  EXPECT_TRUE(svc_->to_rate(as(a))->empty());
  auto d = svc_->lecturer(admin_, outside->id);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->lecturer.sessions, 1);
  EXPECT_EQ(d->lecturer.ratings, 1);
  EXPECT_EQ(d->lecturer.rating, 4.0);
  EXPECT_EQ(d->scores, (std::vector<int64_t>{0, 0, 0, 1, 0}));
  ASSERT_EQ(d->comments.size(), 1u);
  EXPECT_EQ(d->comments[0].second, "联系实际，很有启发");
  // A member sees no lecturer's record unless it is his own account's.
  EXPECT_EQ(svc_->lecturer(as(b), outside->id).error().code, ErrorCode::not_found);
  EXPECT_EQ(svc_->lecturers(as(b), std::nullopt).error().code, ErrorCode::forbidden);
  auto found = svc_->lecturers(admin_, std::string("党史"));
  ASSERT_TRUE(found);
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(found->at(0).id, internal->id);
}

TEST_P(ResourcesTest, ABudgetLineNeverGoesBelowZeroUnexplained) {
  BudgetLineInput li;
  li.org_id = branch_.id;
  li.year = 2026;
  li.title = "党员教育经费";
  li.amount = 1000.0;
  auto line = svc_->create_budget_line(unit_admin_, li);
  ASSERT_TRUE(line) << line.error().message;
  auto entry = [&](const char* kind, double amount, std::optional<int64_t> settles = std::nullopt,
                   std::optional<std::string> reason = std::nullopt) {
    FundEntryInput in;
    in.kind = kind;
    in.amount = amount;
    in.spent_on = "2026-05-10";
    in.description = "购买学习资料";
    in.commitment_id = settles;
    in.override_reason = reason;
    return svc_->add_fund_entry(unit_admin_, line->id, in);
  };
  auto order = entry("commitment", 600);
  ASSERT_TRUE(order) << order.error().message;
  EXPECT_EQ(svc_->budget_line(admin_, line->id)->balance_cents, 40000);
  auto paid = entry("expense", 650, order->id);  // settles the order: 1000 - 650
  ASSERT_TRUE(paid) << paid.error().message;
  auto now = svc_->budget_line(admin_, line->id);
  EXPECT_EQ(now->balance_cents, 35000);
  EXPECT_EQ(now->committed_cents, 0);
  EXPECT_EQ(now->spent_cents, 65000);
  EXPECT_EQ(entry("expense", 10, order->id).error().fields.at(0).code, "settled");
  auto over = entry("expense", 400);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().fields.at(0).field, "amount");
  EXPECT_EQ(over.error().fields.at(0).code, "overdraw");
  EXPECT_NE(over.error().message.find("-50.00"), std::string::npos) << over.error().message;
  EXPECT_EQ(svc_->budget_line(admin_, line->id)->entries.size(), 2u);  // nothing changed
  auto forced = entry("expense", 400, std::nullopt, std::string("追加培训场地费，预算调整中"));
  ASSERT_TRUE(forced) << forced.error().message;
  EXPECT_EQ(svc_->budget_line(admin_, line->id)->balance_cents, -5000);
  auto logged = store::with_conn(db(), [](store::Conn& c) {
    return c.query_one("SELECT COUNT(*) FROM audit_log WHERE action = 'fund_entry.overdraw'");
  });
  EXPECT_EQ(logged->i64(0), 1);
  // A settled commitment stays until its expense is voided.
  EXPECT_EQ(svc_->void_fund_entry(unit_admin_, order->id, "录错").error().code,
            ErrorCode::conflict);
  ASSERT_TRUE(svc_->void_fund_entry(unit_admin_, paid->id, "发票作废"));
  EXPECT_TRUE(svc_->void_fund_entry(unit_admin_, order->id, "合同取消"));
  // Bad amounts, kinds and scope.
  EXPECT_EQ(entry("expense", 12.345).error().fields.at(0).code, "format");
  EXPECT_EQ(entry("expense", -5).error().fields.at(0).code, "range");
  EXPECT_EQ(entry("castle", 5).error().fields.at(0).field, "kind");
  EXPECT_EQ(entry("commitment", 5, order->id).error().fields.at(0).code, "expense_only");
  auto stranger = testing::scoped(auth::Role::org_admin, "/999999/");
  EXPECT_EQ(svc_->budget_line(stranger, line->id).error().code, ErrorCode::not_found);
  EXPECT_EQ(svc_->remove_budget_line(unit_admin_, line->id).error().code, ErrorCode::conflict);
  // Receipts are checked by their content.
  auto pdf = svc_->attach_receipt(unit_admin_, forced->id, "application/pdf", "发票.pdf",
                                  "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n");
  ASSERT_TRUE(pdf) << pdf.error().message;
  EXPECT_EQ(pdf->receipt->filename, "发票.pdf");
  EXPECT_EQ(svc_->receipt(admin_, forced->id)->second.substr(0, 5), "%PDF-");
  auto text = svc_->attach_receipt(unit_admin_, forced->id, "application/pdf", "x.pdf", "hello");
  EXPECT_EQ(text.error().fields.at(0).code, "type_mismatch");
  auto list = svc_->budget_lines(admin_, unit_.id, 2026);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->at(0).org_path_name, "组织U / 组织B");
}

TEST_P(ResourcesTest, CollectionsCountByYearAndStanding) {
  auto add = [&](const char* kind, std::optional<int64_t> year, int64_t n,
                 std::optional<std::string> place = std::nullopt) {
    CollectionInput in;
    in.kind = kind;
    in.org_id = branch_.id;
    in.year = year;
    in.title = "党建读物";
    in.quantity = n;
    in.place = place;
    return svc_->create_collection(unit_admin_, in);
  };
  ASSERT_TRUE(add("journal", 2021, 200));
  ASSERT_TRUE(add("journal", 2022, 999));
  ASSERT_TRUE(add("book_set", 2021, 3));
  auto room = add("reading_room", 2021, 1, std::string("机关三楼"));
  ASSERT_TRUE(room) << room.error().message;
  EXPECT_FALSE(room->year);  // standing: no year
  ASSERT_TRUE(add("bookshelf", std::nullopt, 7, std::string("各支部")));
  EXPECT_EQ(add("bookshelf", std::nullopt, 7).error().fields.at(0).field, "place");
  EXPECT_EQ(add("journal", std::nullopt, 7).error().fields.at(0).field, "year");
  auto f = svc_->collection_figures(admin_, unit_.id, 2021);
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->journal_copies, 200);
  EXPECT_EQ(f->journal_titles, 1);
  EXPECT_EQ(f->book_sets, 3);
  EXPECT_EQ(f->reading_rooms, 1);
  EXPECT_EQ(f->bookshelves, 7);
  EXPECT_EQ(svc_->collections(admin_, branch_.id, std::string("journal"), 2021)->size(), 1u);
  auto stranger = testing::scoped(auth::Role::org_admin, "/999999/");
  EXPECT_EQ(svc_->remove_collection(stranger, room->id).error().code, ErrorCode::not_found);
}

TEST_P(ResourcesTest, ASurveyKeepsOneAnswerEachAndNotWhoGaveIt) {
  const int64_t a = person(branch_.id, 1), b = person(branch_.id, 2);
  SurveyInput in;
  in.title = "需求调查";
  in.year = 2026;
  in.quarter = 2;
  in.topics = std::vector<std::string>{"党史", "理论", "业务"};
  in.max_choices = 2;
  in.opens_on = date_from_days(days_from_date(today()) - 1);
  in.closes_on = date_from_days(days_from_date(today()) + 1);
  auto s = svc_->create_survey(admin_, in);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->org_id, root_.id);  // the whole tree by default
  auto as = [&](int64_t m) { return testing::scoped(auth::Role::member, branch_.path, m); };
  ASSERT_TRUE(svc_->answer_survey(as(a), s->id, {0, 1}, std::string("多讲案例")));
  ASSERT_TRUE(svc_->answer_survey(as(b), s->id, {1}, std::nullopt));
  EXPECT_EQ(svc_->answer_survey(as(a), s->id, {2}, std::nullopt).error().code, ErrorCode::conflict);
  auto stored = store::with_conn(db(), [](store::Conn& c) {
    return c.query_one("SELECT COUNT(*), COUNT(member_id) FROM survey_responses");
  });
  EXPECT_EQ(stored->i64(0), 2);
  EXPECT_EQ(stored->i64(1), 0);  // anonymous: no member kept
  auto r = svc_->survey_results(admin_, s->id);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->topics[0].votes, 1);
  EXPECT_EQ(r->topics[1].votes, 2);
  ASSERT_EQ(r->by_org.size(), 1u);
  EXPECT_EQ(r->by_org[0].org_id, unit_.id);
  EXPECT_EQ(r->by_org[0].votes, (std::vector<int64_t>{1, 2, 0}));
  EXPECT_EQ(r->suggestions, std::vector<std::string>{"多讲案例"});
  auto listed = svc_->surveys(as(a), std::nullopt);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->at(0).answered, true);
  EXPECT_EQ(svc_->survey_results(as(a), s->id).error().code, ErrorCode::forbidden);
}

TEST_P(ResourcesTest, AJudgeNeverScoresHisOwnOrganizationsEntry) {
  const auto other_unit = org(root_.id, "U2", "party_committee");
  auto account = [&](const char* name, int64_t org_id) {
    auto r = store::with_conn(db(), [&](store::Conn& c) {
      return c.query_one(
          "INSERT INTO users (username, password_hash, role, org_id, created_at, "
          "updated_at) VALUES (?, 'x', 'org_admin', ?, 0, 0) RETURNING id",
          {std::string(name), org_id});
    });
    return r->i64(0);
  };
  const int64_t own = account("judge-u", branch_.id), other = account("judge-u2", other_unit.id);
  WorkInput wi;
  wi.org_id = branch_.id;
  wi.year = 2026;
  wi.title = "初心";
  wi.kind = "micro_lecture";
  wi.authors = "张三";
  auto w = svc_->create_work(unit_admin_, wi);
  ASSERT_TRUE(w) << w.error().message;
  ContestInput ci;
  ci.name = "微党课评选";
  ci.level = "city";
  ci.year = 2026;
  ci.categories = std::vector<std::string>{"微党课"};
  ci.criteria = std::vector<Criterion>{{"思想性", 40}, {"表现力", 60}};
  ci.judges = std::vector<int64_t>{own, other};
  auto k = svc_->create_contest(admin_, ci);
  ASSERT_TRUE(k) << k.error().message;
  auto e = svc_->enter_work(unit_admin_, k->id, w->id, "微党课");
  ASSERT_TRUE(e) << e.error().message;
  auto as = [&](int64_t user) {
    auto p = testing::scoped(auth::Role::org_admin, "/");
    p.user_id = user;
    return p;
  };
  // His account is in U (a branch under it): U's entry is his own.
  EXPECT_EQ(svc_->score_entry(as(own), e->id, {30, 50}, std::nullopt).error().fields.at(0).code,
            "own_organization");
  EXPECT_EQ(svc_->score_entry(as(other), e->id, {41, 50}, std::nullopt).error().fields.at(0).field,
            "scores[0]");
  ASSERT_TRUE(svc_->score_entry(as(other), e->id, {35, 55}, std::string("好")));
  auto got = svc_->contest(admin_, k->id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->entries.at(0).score, 90.0);
  ASSERT_TRUE(svc_->award_entry(admin_, e->id, std::string("second")));
  auto f = svc_->work_figures(admin_, 2026);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->works, 1);
  EXPECT_EQ(f->levels.at(1).level, "city");
  EXPECT_EQ(f->levels.at(1).awards.at(1), (std::pair<std::string, int64_t>{"second", 1}));
}

TEST_P(ResourcesTest, ASessionBooksItsVenueFromItsOwnRecord) {
  training::TrainingService classes(db(), keys_, training::Config{});
  training::TrainingInput ti;
  ti.org_id = unit_.id;
  ti.title = "党员轮训班";
  ti.level = "unit";
  ti.target_groups = std::vector<std::string>{"all_members"};
  ti.starts_on = date_from_days(days_from_date(today()) + 1);
  ti.ends_on = date_from_days(days_from_date(today()) + 3);
  ti.capacity = 30;
  auto klass = classes.create(admin_, ti);
  ASSERT_TRUE(klass) << klass.error().message;
  training::SessionInput si;
  si.title = "专题党课";
  si.started_at = at(2, "14:00");
  si.ended_at = at(2, "16:00");
  auto session = classes.add_session(admin_, klass->id, si);
  ASSERT_TRUE(session) << session.error().message;
  BookingInput in;
  in.venue_id = venue_;
  in.session_id = session->session.id;
  auto b = svc_->book(unit_admin_, in);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->title, "党员轮训班·专题党课");
  EXPECT_EQ(b->org_id, unit_.id);
  EXPECT_EQ(format_instant(b->starts_at), format_instant(*parse_instant(at(2, "14:00"))));
  EXPECT_EQ(b->session_id, session->session.id);
  auto detail = classes.get(admin_, klass->id);
  ASSERT_TRUE(detail);
  EXPECT_EQ(detail->sessions.at(0).venue, "市党群活动服务中心 多功能厅");
  auto held = svc_->point(point_);  // the class is held at the point
  ASSERT_TRUE(held) << held.error().message;
  ASSERT_EQ(held->classes.size(), 1u);
  EXPECT_EQ(held->classes[0].title, "党员轮训班");
  // The same slot again is refused; another subtree's session is unknown.
  EXPECT_EQ(svc_->book(unit_admin_, in).error().fields.at(0).code, "overlap");
  auto stranger = testing::scoped(auth::Role::org_admin, "/999999/");
  stranger.org_id = 999999;
  EXPECT_EQ(svc_->book(stranger, in).error().fields.at(0).field, "session_id");
  in.activity_id = 1;
  EXPECT_EQ(svc_->book(unit_admin_, in).error().fields.at(0).code, "one_source");
}

DJ_INSTANTIATE_BACKENDS(ResourcesTest);

}  // namespace
}  // namespace dj::resources
