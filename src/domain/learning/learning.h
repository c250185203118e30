// Online learning (指尖式): courseware published by the committee and the
// organizations (courses, chapters, lessons), media uploaded in resumable
// pieces and read with ffprobe, streamed through signed short-lived URLs,
// and proof of learning: the player reports the intervals it played, the
// server merges them and refuses what no real playback could produce, and a
// completed course posts its hours to the ledger once (source `online`).
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "domain/auth/principal.h"
#include "store/db.h"
#include "store/migrations.h"

namespace dj::learning {

inline constexpr const char* kLessonKinds[] = {"video", "audio", "document", "article", "link"};
inline constexpr const char* kCourseStatuses[] = {"draft", "published"};
// A course's topics (its tags are free; these are the ones the pages offer).
inline constexpr const char* kCourseTopics[] = {"party_history", "xi_thought", "party_rules",
                                                "policy",        "integrity",  "professional"};
// What an uploaded file is: a lesson's video, audio or document, or a cover image.
inline constexpr const char* kMediaKinds[] = {"video", "audio", "document", "image"};

// This capability's schema migrations (migrations.cc), in version order.
std::span<const store::Migration> migrations();

// How long a signed media address plays (a long lesson, paused a while).
inline constexpr int64_t kMediaUrlTtlMs = 4 * 3600 * 1000;

struct Config {
  std::string blob_dir = "./data/blobs";
  uint64_t max_upload_bytes = 2ull << 30;  // one file
  uint64_t org_quota_bytes = 50ull << 30;  // all of an organization's files
  int complete_percent = 90;               // of a video's or audio's length
  std::string media_key;                   // signs media URLs (32 bytes)
  int64_t url_ttl_ms = kMediaUrlTtlMs;     // how long a media URL plays
  std::string ffprobe = "ffprobe", ffmpeg = "ffmpeg";
  int new_member_months = 12;  // the new_members target group
};

// ---- uploads and media ----

struct UploadInput {
  std::optional<int64_t> org_id, size;
  std::optional<std::string> filename, media_type;
};

struct Media {
  int64_t id = 0, org_id = 0;
  std::string sha, media_type, kind, filename;
  int64_t size = 0;
  std::optional<int64_t> duration_ms;  // video and audio
  std::string codecs;                  // e.g. "h264,aac"
  std::optional<std::string> poster_sha;
  int64_t created_at = 0;
};

// receiving: pieces arrive at `received`; done: checked and kept as media_id.
struct Upload {
  int64_t id = 0, org_id = 0;
  std::string filename, media_type, status;
  int64_t size = 0, received = 0;
  std::optional<int64_t> media_id;
  std::optional<Media> media;  // once done
  std::string part;            // its part file's name (not in its JSON)
};

// ---- courses ----

struct CourseInput {
  std::optional<int64_t> org_id, hours_tenths, cover_media_id, lecturer_user_id;
  std::optional<std::string> title, description, status;
  std::optional<std::vector<std::string>> tags;
};

struct Course {
  int64_t id = 0, org_id = 0;
  std::string org_path, org_path_name;  // org_path not in its JSON
  std::string title, status;
  std::optional<std::string> description;
  std::vector<std::string> tags;
  int64_t hours_tenths = 0;
  std::optional<int64_t> cover_media_id, lecturer_user_id;
  int64_t lessons = 0;
  int64_t updated_at = 0;
  std::optional<std::string> cover_url;  // signed, where a course is shown to people
};

struct LessonInput {
  std::optional<std::string> chapter, title, kind, body, url;
  std::optional<int64_t> media_id, position;
};

struct Lesson {
  int64_t id = 0, course_id = 0;
  std::string chapter, title, kind;
  int64_t position = 0;
  std::optional<int64_t> media_id;
  std::optional<Media> media;
  std::optional<std::string> body, url;
};

struct CourseQuery {
  std::optional<int64_t> org_id;  // the subtree whose courses
  std::optional<std::string> status, q;
  int64_t page = 1, page_size = 20;
};
struct CoursePage {
  std::vector<Course> items;
  int64_t total = 0;
};

// ---- assignments ----

struct AssignmentInput {
  std::optional<int64_t> org_id;
  std::optional<std::vector<std::string>> target_groups;  // member::kTargetGroups; none: all
  std::optional<std::string> due_on, note;
};

// An assignment with its figures: the members it covers now, those who
// completed the course, and those past the date without it.
struct Assignment {
  int64_t id = 0, course_id = 0, org_id = 0;
  std::string course_title, org_path, org_path_name;  // org_path not in its JSON
  std::vector<std::string> target_groups;
  std::string due_on;
  std::optional<std::string> note;
  int64_t assigned = 0, completed = 0, overdue = 0;
  int64_t created_at = 0;
};

// An assignment's completion by organization (the organizations directly
// under the assigned one, each with its subtree) and the members who have
// not completed it (at most 500, overdue first).
struct AssignmentProgress {
  struct ByOrg {
    int64_t org_id = 0;
    std::string org_path_name;
    int64_t assigned = 0, completed = 0;
  };
  struct Missing {
    int64_t member_id = 0;
    std::string name, org_path_name;
    int64_t lessons_done = 0;
  };
  Assignment assignment;
  std::vector<ByOrg> orgs;
  std::vector<Missing> missing;
};

// ---- learners ----

struct LessonProgress {
  int64_t lesson_id = 0;
  int64_t watched_ms = 0, position_ms = 0;
  int percent = 0;  // of the lesson's length (a document: 0 or 100)
  bool completed = false;
};

// A course as one member studies it: each lesson with his progress.
struct Study {
  Course course;
  std::vector<Lesson> lessons;
  std::vector<LessonProgress> progress;  // one per lesson, same order
  std::optional<int64_t> completed_at;
};

struct MyCourse {
  Course course;
  int64_t lessons_done = 0;
  std::optional<int64_t> completed_at;
  std::optional<std::string> due_on;  // the earliest date an assignment sets me
};

// What the player needs: the lesson, where it plays from (a signed URL)
// and where the member stopped.
struct Play {
  Lesson lesson;
  std::optional<std::string> url, poster_url;
  LessonProgress progress;
};

struct ProgressInput {
  std::vector<std::pair<int64_t, int64_t>> intervals;  // [start, end) ms of the media played
  std::optional<int64_t> position_ms;
  bool reached_end = false;  // a document or article read to its end
};

struct Reported {
  LessonProgress progress;
  bool course_completed = false;  // by this report
};

struct Learner {
  int64_t member_id = 0;
  std::string name, org_path, org_path_name;
  int64_t lessons_done = 0;
  std::optional<int64_t> completed_at;
};

// A media file a signed URL opens.
struct MediaFile {
  std::string path, media_type, sha;
  int64_t size = 0;
};

boost::json::value to_json(const Media& m);
boost::json::value to_json(const Upload& u);
boost::json::value to_json(const Course& c);
boost::json::value to_json(const Lesson& l);
boost::json::value to_json(const LessonProgress& p);
boost::json::value to_json(const Study& s);
boost::json::value to_json(const MyCourse& m);
boost::json::value to_json(const Play& p);
boost::json::value to_json(const Learner& l);
boost::json::value to_json(const Assignment& a);
boost::json::value to_json(const AssignmentProgress& a);

// For other capabilities that attach media to their records (a quality
// work's video): the media file `id` of an organization in p's scope, for
// the record's `field` (invalid naming it otherwise).
Result<Media> media_in_scope(store::Conn& c, const auth::Principal& p, int64_t id,
                             const std::string& field);
// The media file `id`, or nothing (no id, or gone); no scope check.
Result<std::optional<Media>> load_media(store::Conn& c, std::optional<int64_t> id);
// The signed address /api/v1/media/{id}?exp=&sig= (&poster=1 for its poster
// frame) that plays until `expires_ms`, under `key`.
std::string signed_media_url(const std::string& key, int64_t media_id, int64_t expires_ms,
                             bool poster);

// Merges [start, end) intervals (sorted, overlapping and touching ones
// joined) and answers the covered length.
int64_t merge_intervals(std::vector<std::pair<int64_t, int64_t>>& list);

class LearningService {
 public:
  LearningService(store::Db& db, Config cfg);

  // Uploads (course:manage, for an organization in scope). start_upload
  // checks the size against the file limit (413 size: too_large) and the
  // organization's quota (413 size: over_quota) and the type offered.
  Result<Upload> start_upload(const auth::Principal& p, const UploadInput& in);
  Result<Upload> upload(const auth::Principal& p, int64_t id);
  // One piece at `offset`, which must be where the upload stands (409
  // offset: mismatch, naming it); the last piece checks the content by its
  // first bytes and, for media, with ffprobe (422 file: type_mismatch,
  // file: unreadable), makes a video's poster frame and keeps the file.
  Result<Upload> append(const auth::Principal& p, int64_t id, int64_t offset,
                        const std::string& bytes);

  // Courses: course:manage in the owner's subtree (a lecturer: the courses
  // he is the lecturer of, without changing who owns them).
  Result<CoursePage> list_courses(const auth::Principal& p, const CourseQuery& q);
  Result<Course> create_course(const auth::Principal& p, const CourseInput& in);
  Result<Course> update_course(const auth::Principal& p, int64_t id, const CourseInput& in);
  Status delete_course(const auth::Principal& p, int64_t id);
  // The course with its lessons, for whoever may manage it.
  Result<Study> course(const auth::Principal& p, int64_t id);
  Result<Lesson> add_lesson(const auth::Principal& p, int64_t course_id, const LessonInput& in);
  // Replacing a lesson's file keeps the learners' progress.
  Result<Lesson> update_lesson(const auth::Principal& p, int64_t id, const LessonInput& in);
  Status delete_lesson(const auth::Principal& p, int64_t id);
  Result<std::vector<Learner>> learners(const auth::Principal& p, int64_t course_id);

  // Assignments (course:manage, not a lecturer): a published course to a
  // subtree of p's within the course's reach (its members can open it), by a
  // date not past.
  Result<Assignment> assign(const auth::Principal& p, int64_t course_id, const AssignmentInput& in);
  Result<std::vector<Assignment>> assignments(const auth::Principal& p, int64_t course_id);
  Result<AssignmentProgress> assignment_progress(const auth::Principal& p, int64_t id);
  Status unassign(const auth::Principal& p, int64_t id);

  // A member's own study: published courses of his organization and the
  // ones above it.
  Result<std::vector<MyCourse>> my_courses(const auth::Principal& p);
  Result<Study> study(const auth::Principal& p, int64_t course_id);
  // Opens a lesson to play: its signed URL and the resume point; the clock
  // for the next report starts now.
  Result<Play> play(const auth::Principal& p, int64_t lesson_id);
  // Intervals played since the last report: none past the media's length
  // (422 intervals: beyond_duration), together no longer than twice the wall
  // time since the last report or play (422 intervals: faster_than_playback).
  Result<Reported> report(const auth::Principal& p, int64_t lesson_id, const ProgressInput& in);

  // The file a signed media URL names, when its signature holds and it has
  // not expired (forbidden otherwise).
  Result<MediaFile> signed_media(int64_t media_id, int64_t expires_ms, const std::string& sig,
                                 bool poster);
  // /api/v1/media/{id}?exp=&sig= (and &poster=1 for its poster frame).
  std::string media_url(int64_t media_id, bool poster) const;

 private:
  // Fills the course's cover_url (a signed address) when it has a cover.
  void sign_cover(Course& k) const;

  store::Db& db_;
  Config cfg_;
  std::mutex append_mutex_;  // one piece written at a time
};

}  // namespace dj::learning
