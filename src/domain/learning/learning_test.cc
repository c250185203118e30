// Online learning on both databases: uploads in pieces checked by content
// and by ffprobe (a real MP4 made by ffmpeg here), courses and lessons,
// proof of learning (intervals past the length or faster than twice real
// time refused, progress kept on any device and across a file's
// replacement), and a completed course's hours posted to the ledger once.
#include "domain/learning/learning.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/time.h"
#include "domain/ledger/ledger.h"
#include "domain/testing_city.h"

namespace dj::learning {
namespace {

// A real 4-second H.264/AAC MP4 (and a cut-off copy), made once by ffmpeg.
const std::string& sample_mp4() {
  static const std::string bytes = [] {
    const std::string path =
        ::testing::TempDir() + "/learning-sample-" + std::to_string(getpid()) + ".mp4";
    const std::string cmd =
        "ffmpeg -v error -y -f lavfi -i testsrc=duration=4:size=320x240:rate=25 -f lavfi -i "
        "sine=duration=4 -c:v libx264 -pix_fmt yuv420p -c:a aac -shortest '" +
        path + "'";
    if (std::system(cmd.c_str()) != 0) return std::string();
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    return buf.str();
  }();
  return bytes;
}

class LearningTest : public testing::CityTest {
 protected:
  void SetUp() override {
    CityTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_FALSE(sample_mp4().empty()) << "ffmpeg could not make the sample video";
    svc_ = std::make_unique<LearningService>(
        db(),
        Config{.blob_dir = ::testing::TempDir() + "/learning-blobs-" + std::to_string(getpid()),
               .max_upload_bytes = 4u << 20,
               .org_quota_bytes = 6u << 20,
               .media_key = std::string(32, 'm')});
    member_ = person(branch_.id, 1);
    me_ = testing::scoped(auth::Role::member, branch_.path, member_);
  }

  // Uploads `bytes` in pieces of `piece` bytes; answers the finished upload.
  Result<Upload> send(const std::string& bytes, const char* type, size_t piece = 100000) {
    UploadInput in;
    in.org_id = unit_.id;
    in.filename = "lesson.mp4";
    in.media_type = type;
    in.size = static_cast<int64_t>(bytes.size());
    DJ_ASSIGN(auto u, svc_->start_upload(admin_, in));
    for (size_t at = 0; at < bytes.size(); at += piece) {
      DJ_ASSIGN(u, svc_->append(admin_, u.id, static_cast<int64_t>(at), bytes.substr(at, piece)));
    }
    return u;
  }

  // A published course of the unit with one video lesson.
  std::pair<int64_t, int64_t> video_course(int64_t hours_tenths = 15) {
    auto u = send(sample_mp4(), "video/mp4");
    EXPECT_TRUE(u) << u.error().message;
    CourseInput ci;
    ci.org_id = unit_.id;
    ci.title = "党史学习";
    ci.hours_tenths = hours_tenths;
    ci.tags = std::vector<std::string>{"party_history"};
    auto k = svc_->create_course(admin_, ci);
    EXPECT_TRUE(k) << k.error().message;
    LessonInput li;
    li.title = "第一讲";
    li.chapter = "第一章";
    li.kind = "video";
    li.media_id = u->media_id;
    auto l = svc_->add_lesson(admin_, k->id, li);
    EXPECT_TRUE(l) << l.error().message;
    CourseInput pub;
    pub.status = "published";
    EXPECT_TRUE(svc_->update_course(admin_, k->id, pub));
    return {k->id, l->id};
  }

  std::unique_ptr<LearningService> svc_;
  int64_t member_ = 0;
  auth::Principal me_;
};

TEST(MergeIntervals, JoinsOverlapsAndTouches) {
  std::vector<std::pair<int64_t, int64_t>> list{{5, 10}, {0, 3}, {3, 4}, {8, 12}, {20, 21}};
  EXPECT_EQ(merge_intervals(list), 4 + 7 + 1);
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].first, 0);
  EXPECT_EQ(list[0].second, 4);
  EXPECT_EQ(list[1].first, 5);
  EXPECT_EQ(list[1].second, 12);
}

TEST_P(LearningTest, UploadInPiecesIsProbedAndKept) {
  auto u = send(sample_mp4(), "video/mp4");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->status, "done");
  ASSERT_TRUE(u->media);
  EXPECT_EQ(u->media->kind, "video");
  EXPECT_NEAR(static_cast<double>(*u->media->duration_ms), 4000, 150);
  EXPECT_EQ(u->media->codecs, "h264,aac");
  EXPECT_TRUE(u->media->poster_sha);
  // The signed URL opens the same bytes; a forged or expired one nothing.
  const std::string url = svc_->media_url(*u->media_id, false);
  const auto exp = std::stoll(url.substr(url.find("exp=") + 4));
  const std::string sig = url.substr(url.find("sig=") + 4);
  auto f = svc_->signed_media(*u->media_id, exp, sig, false);
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->size, static_cast<int64_t>(sample_mp4().size()));
  EXPECT_EQ(svc_->signed_media(*u->media_id, exp + 1, sig, false).error().code,
            ErrorCode::forbidden);
  EXPECT_EQ(svc_->signed_media(*u->media_id, exp, sig, true).error().code, ErrorCode::forbidden);
}

TEST_P(LearningTest, PiecesOutOfOrderOrOverlappingAreRefused) {
  UploadInput in;
  in.org_id = unit_.id;
  in.filename = "a.mp4";
  in.media_type = "video/mp4";
  in.size = static_cast<int64_t>(sample_mp4().size());
  auto u = svc_->start_upload(admin_, in);
  ASSERT_TRUE(u);
  EXPECT_EQ(svc_->append(admin_, u->id, 1000, sample_mp4().substr(1000, 1000)).error().code,
            ErrorCode::conflict);
  ASSERT_TRUE(svc_->append(admin_, u->id, 0, sample_mp4().substr(0, 2000)));
  auto overlap = svc_->append(admin_, u->id, 1000, sample_mp4().substr(1000, 2000));
  ASSERT_FALSE(overlap);
  EXPECT_EQ(overlap.error().fields.at(0).code, "mismatch");
  EXPECT_EQ(svc_->upload(admin_, u->id)->received, 2000);
  // Past the declared size.
  EXPECT_EQ(svc_->append(admin_, u->id, 2000, sample_mp4().substr(2000) + "x").error().code,
            ErrorCode::invalid);
}

TEST_P(LearningTest, ContentNotItsTypeAndCutOffMediaAreRefused) {
  auto pdf_as_video = send(std::string("%PDF-1.4\n") + std::string(500, 'x'), "video/mp4");
  ASSERT_FALSE(pdf_as_video);
  EXPECT_EQ(pdf_as_video.error().fields.at(0).code, "type_mismatch");
  auto cut = send(sample_mp4().substr(0, sample_mp4().size() * 2 / 3), "video/mp4");
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().fields.at(0).code, "unreadable");
  // Nothing was kept of either.
  auto n = store::with_conn(
      db(), [](store::Conn& c) { return c.query_one("SELECT COUNT(*) FROM media_files"); });
  EXPECT_EQ(n->i64(0), 0);
}

TEST_P(LearningTest, SizeLimitAndQuota) {
  UploadInput in;
  in.org_id = unit_.id;
  in.filename = "big.mp4";
  in.media_type = "video/mp4";
  in.size = (4 << 20) + 1;
  auto big = svc_->start_upload(admin_, in);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().fields.at(0).code, "too_large");
  in.size = 4 << 20;
  ASSERT_TRUE(svc_->start_upload(admin_, in));  // 4 of 6 MiB held while it arrives
  auto over = svc_->start_upload(admin_, in);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, ErrorCode::too_large);
  EXPECT_EQ(over.error().fields.at(0).code, "over_quota");
}

TEST_P(LearningTest, ProofOfLearningAndHoursPostedOnce) {
  auto [course, lesson] = video_course();
  // Not opened yet: no clock to check against.
  ProgressInput early;
  early.intervals = {{0, 1000}};
  EXPECT_EQ(svc_->report(me_, lesson, early).error().code, ErrorCode::conflict);
  auto play = svc_->play(me_, lesson);
  ASSERT_TRUE(play) << play.error().message;
  ASSERT_TRUE(play->url);
  EXPECT_EQ(play->progress.watched_ms, 0);

  ProgressInput past;
  past.intervals = {{0, 9000}};
  auto r = svc_->report(me_, lesson, past);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().fields.at(0).code, "beyond_duration");
  ProgressInput fast;  // the whole video in no time at all
  fast.intervals = {{0, 4000}};
  r = svc_->report(me_, lesson, fast);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().fields.at(0).code, "faster_than_playback");

  ProgressInput first;
  first.intervals = {{0, 2000}};
  first.position_ms = 2000;
  r = svc_->report(me_, lesson, first);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->progress.watched_ms, 2000);
  EXPECT_FALSE(r->progress.completed);
  // Another device resumes where he stopped.
  play = svc_->play(me_, lesson);
  EXPECT_EQ(play->progress.position_ms, 2000);
  // The same part again adds nothing; the rest completes the lesson and the course.
  ProgressInput again;
  again.intervals = {{1000, 2000}};
  r = svc_->report(me_, lesson, again);
  EXPECT_EQ(r->progress.watched_ms, 2000);
  ProgressInput rest;
  rest.intervals = {{2000, 3700}};
  r = svc_->report(me_, lesson, rest);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->progress.completed);
  EXPECT_TRUE(r->course_completed);
  r = svc_->report(me_, lesson, rest);
  EXPECT_FALSE(r->course_completed);
  auto hours = store::with_conn(db(), [&](store::Conn& c) {
    return ledger::entries(c, member_, std::stoi(today().substr(0, 4)));
  });
  ASSERT_TRUE(hours);
  ASSERT_EQ(hours->size(), 1u);
  EXPECT_EQ((*hours)[0].source, "online");
  EXPECT_EQ((*hours)[0].hours_tenths, 15);
  auto mine = svc_->my_courses(me_);
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_TRUE((*mine)[0].completed_at);
  auto learners = svc_->learners(admin_, course);
  ASSERT_EQ(learners->size(), 1u);
  EXPECT_EQ((*learners)[0].lessons_done, 1);
}

TEST_P(LearningTest, ReplacingTheFileKeepsProgress) {
  auto [course, lesson] = video_course();
  ASSERT_TRUE(svc_->play(me_, lesson));
  ProgressInput first;
  first.intervals = {{0, 1500}};
  ASSERT_TRUE(svc_->report(me_, lesson, first));
  auto u = send(sample_mp4() + std::string(), "video/mp4", 300000);
  ASSERT_TRUE(u);
  LessonInput li;
  li.media_id = u->media_id;
  ASSERT_TRUE(svc_->update_lesson(admin_, lesson, li));
  auto study = svc_->study(me_, course);
  ASSERT_TRUE(study);
  EXPECT_EQ(study->progress.at(0).watched_ms, 1500);
}

TEST_P(LearningTest, OnlyOpenCoursesAndOwnProgress) {
  auto [course, lesson] = video_course();
  // A member of another unit does not see the unit's course.
  const auto other_unit = org(root_.id, "U2", "party_committee");
  const auto outsider = person(other_unit.id, 2);
  const auto them = testing::scoped(auth::Role::member, other_unit.path, outsider);
  EXPECT_EQ(svc_->play(them, lesson).error().code, ErrorCode::not_found);
  EXPECT_TRUE(svc_->my_courses(them)->empty());
  // A draft is not open.
  CourseInput draft;
  draft.status = "draft";
  ASSERT_TRUE(svc_->update_course(admin_, course, draft));
  EXPECT_EQ(svc_->play(me_, lesson).error().code, ErrorCode::not_found);
  // Publishing without lessons is refused.
  CourseInput empty;
  empty.org_id = unit_.id;
  empty.title = "空课程";
  empty.status = "published";
  auto k = svc_->create_course(admin_, empty);
  ASSERT_FALSE(k);
  EXPECT_EQ(k.error().fields.at(0).code, "no_lessons");
  // Another organization's administrator cannot edit it.
  auto other_admin = testing::scoped(auth::Role::org_admin, other_unit.path);
  EXPECT_EQ(svc_->update_course(other_admin, course, draft).error().code, ErrorCode::not_found);
}

TEST_P(LearningTest, AssignmentsCoverTheirGroupsAndCountCompletion) {
  auto [course, lesson] = video_course();
  const int64_t cadre = person(branch_.id, 3, "division");
  AssignmentInput in;
  in.org_id = unit_.id;
  in.due_on = today();
  auto all = svc_->assign(admin_, course, in);
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->assigned, 2);
  EXPECT_EQ(all->completed, 0);
  in.target_groups = std::vector<std::string>{"leading_cadres"};
  auto cadres = svc_->assign(admin_, course, in);
  ASSERT_TRUE(cadres);
  EXPECT_EQ(cadres->assigned, 1);
  // The member sees the date; he completes the course and the figures follow.
  auto mine = svc_->my_courses(me_);
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].due_on, today());
  ASSERT_TRUE(svc_->play(me_, lesson));
  ProgressInput a, b;
  a.intervals = {{0, 2000}};
  b.intervals = {{2000, 3900}};
  ASSERT_TRUE(svc_->report(me_, lesson, a));
  ASSERT_TRUE(svc_->report(me_, lesson, b));
  auto progress = svc_->assignment_progress(admin_, all->id);
  ASSERT_TRUE(progress) << progress.error().message;
  EXPECT_EQ(progress->assignment.completed, 1);
  ASSERT_EQ(progress->orgs.size(), 1u);
  EXPECT_EQ(progress->orgs[0].org_id, branch_.id);
  EXPECT_EQ(progress->orgs[0].assigned, 2);
  ASSERT_EQ(progress->missing.size(), 1u);
  EXPECT_EQ(progress->missing[0].member_id, cadre);
  // Bad input: a past date, an unknown group, a subtree the course does not reach, a draft.
  AssignmentInput bad;
  bad.org_id = unit_.id;
  bad.due_on = "2000-01-01";
  EXPECT_EQ(svc_->assign(admin_, course, bad).error().fields.at(0).code, "past");
  bad.due_on = today();
  bad.target_groups = std::vector<std::string>{"everyone"};
  EXPECT_EQ(svc_->assign(admin_, course, bad).error().fields.at(0).field, "target_groups");
  bad.target_groups.reset();
  bad.org_id = root_.id;
  EXPECT_EQ(svc_->assign(admin_, course, bad).error().fields.at(0).code, "outside_course");
  ASSERT_TRUE(svc_->unassign(admin_, cadres->id));
  EXPECT_EQ(svc_->assignments(admin_, course)->size(), 1u);
}

TEST_P(LearningTest, ALecturerUploadsToTheCoursesHeTeaches) {
  auto account = store::with_conn(db(), [](store::Conn& c) {
    return c.query_one(
        "INSERT INTO users (username, password_hash, role, created_at, updated_at) "
        "VALUES ('lecturer-t', 'x', 'lecturer', 0, 0) RETURNING id");
  });
  ASSERT_TRUE(account) << account.error().message;
  auto lecturer = testing::scoped(auth::Role::lecturer, "/none/");
  lecturer.user_id = account->i64(0);
  CourseInput ci;
  ci.org_id = unit_.id;
  ci.title = "讲师的课程";
  ci.lecturer_user_id = lecturer.user_id;
  auto k = svc_->create_course(admin_, ci);
  ASSERT_TRUE(k) << k.error().message;
  // His upload is for the course's owner; then it is a lesson of his course.
  UploadInput in;
  in.org_id = unit_.id;
  in.filename = "lecture.mp4";
  in.media_type = "video/mp4";
  in.size = static_cast<int64_t>(sample_mp4().size());
  auto u = svc_->start_upload(lecturer, in);
  ASSERT_TRUE(u) << u.error().message;
  u = svc_->append(lecturer, u->id, 0, sample_mp4());
  ASSERT_TRUE(u) << u.error().message;
  LessonInput li;
  li.title = "第一讲";
  li.kind = "video";
  li.media_id = u->media_id;
  auto l = svc_->add_lesson(lecturer, k->id, li);
  ASSERT_TRUE(l) << l.error().message;
  EXPECT_EQ(svc_->list_courses(lecturer, {})->total, 1);
  // Not for an organization whose courses he does not teach, nor a course of another.
  in.org_id = branch_.id;
  auto other = svc_->start_upload(lecturer, in);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().fields.at(0).code, "not_lecturer");
  ci.lecturer_user_id.reset();
  auto theirs = svc_->create_course(admin_, ci);
  EXPECT_EQ(svc_->add_lesson(lecturer, theirs->id, li).error().code, ErrorCode::not_found);
  EXPECT_EQ(svc_->create_course(lecturer, ci).error().code, ErrorCode::forbidden);
}

DJ_INSTANTIATE_BACKENDS(LearningTest);

}  // namespace
}  // namespace dj::learning
