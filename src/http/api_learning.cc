// Online learning: uploads in pieces, media streamed by range through signed
// URLs, courses and lessons, and the members' study with its progress.
#include <boost/json.hpp>

#include "domain/learning/learning.h"
#include "domain/member/member.h"
#include "http/api.h"
#include "http/input.h"

namespace dj::http {
namespace json = boost::json;

namespace {

const Body<learning::UploadInput> kUploadInput{"UploadInput",
                                               [](JsonBody& body, learning::UploadInput& in) {
                                                 body.i64("org_id", in.org_id);
                                                 body.str("filename", in.filename);
                                                 body.str("media_type", in.media_type);
                                                 body.i64("size", in.size);
                                               }};

const Body<learning::CourseInput> kCourseInput{
    "CourseInput", [](JsonBody& body, learning::CourseInput& in) {
      body.i64("org_id", in.org_id);
      body.str("title", in.title);
      body.str("description", in.description);
      body.str("status", in.status, learning::kCourseStatuses);
      body.strings("tags", in.tags);
      body.i64("hours_tenths", in.hours_tenths);
      body.i64("cover_media_id", in.cover_media_id);
      body.i64("lecturer_user_id", in.lecturer_user_id);
    }};

const Body<learning::LessonInput> kLessonInput{"LessonInput",
                                               [](JsonBody& body, learning::LessonInput& in) {
                                                 body.str("chapter", in.chapter);
                                                 body.str("title", in.title);
                                                 body.str("kind", in.kind, learning::kLessonKinds);
                                                 body.i64("media_id", in.media_id);
                                                 body.i64("position", in.position);
                                                 body.str("body", in.body);
                                                 body.str("url", in.url);
                                               }};

const Body<learning::AssignmentInput> kAssignmentInput{
    "CourseAssignmentInput", [](JsonBody& body, learning::AssignmentInput& in) {
      body.i64("org_id", in.org_id);
      body.strings("target_groups", in.target_groups, member::kTargetGroups);
      body.str("due_on", in.due_on);
      body.str("note", in.note);
    }};

const Body<learning::ProgressInput> kProgressInput{
    "LessonProgressInput", [](JsonBody& body, learning::ProgressInput& in) {
      body.objects("intervals", [&](JsonBody& item) {
        std::optional<int64_t> start, end;
        item.i64("start_ms", start);
        item.i64("end_ms", end);
        in.intervals.emplace_back(start.value_or(-1), end.value_or(-1));
      });
      body.i64("position_ms", in.position_ms);
      std::optional<bool> reached_end;
      body.boolean("reached_end", reached_end);
      in.reached_end = reached_end.value_or(false);
    }};

constexpr const char* kLearningSchemas = R"JSON({
  "Media": {"id": "integer", "org_id": "integer", "media_type": "string",
            "kind": "codes:learning.media_kinds", "filename": "string", "size": "integer",
            "duration_ms": "integer?", "codecs": "string", "has_poster": "boolean",
            "created_at": "datetime"},
  "Upload": {"id": "integer", "org_id": "integer", "filename": "string", "media_type": "string",
             "status": "string", "size": "integer", "received": "integer",
             "media": {"?": true, "&": "Media"}},
  "Course": {"id": "integer", "org_id": "integer", "org_path_name": "string", "title": "string",
             "status": "codes:learning.course_statuses", "description": "string?",
             "tags": ["string"], "hours_tenths": "integer", "cover_media_id": "integer?",
             "lecturer_user_id": "integer?", "lessons": "integer", "updated_at": "datetime",
             "cover_url": "string?"},
  "CourseList": {"items": ["Course"], "total": "integer"},
  "LessonProgress": {"lesson_id": "integer", "watched_ms": "integer", "position_ms": "integer",
                     "percent": "integer", "completed": "boolean"},
  "Lesson": {"id": "integer", "course_id": "integer", "chapter": "string", "title": "string",
             "kind": "codes:learning.lesson_kinds", "position": "integer",
             "media": {"?": true, "&": "Media"}, "body": "string?", "url": "string?"},
  "StudyLesson": {"&": "Lesson", "progress?": "LessonProgress"},
  "CourseStudy": {"course": "Course", "lessons": ["StudyLesson"], "completed_at": "datetime?"},
  "MyCourse": {"course": "Course", "lessons_done": "integer", "completed_at": "datetime?",
               "due_on": "date?"},
  "CourseAssignment": {"id": "integer", "course_id": "integer", "course_title": "string",
                       "org_id": "integer", "org_path_name": "string",
                       "target_groups": ["codes:training.groups"], "due_on": "date",
                       "note": "string?", "assigned": "integer", "completed": "integer",
                       "overdue": "integer", "created_at": "datetime"},
  "CourseAssignmentList": {"items": ["CourseAssignment"], "total": "integer"},
  "AssignmentOrg": {"org_id": "integer", "org_path_name": "string", "assigned": "integer",
                    "completed": "integer"},
  "AssignmentMissing": {"member_id": "integer", "name": "string", "org_path_name": "string",
                        "lessons_done": "integer"},
  "CourseAssignmentProgress": {"assignment": "CourseAssignment", "orgs": ["AssignmentOrg"],
                               "missing": ["AssignmentMissing"]},
  "MyCourseList": {"items": ["MyCourse"], "total": "integer"},
  "LessonPlay": {"lesson": "Lesson", "url": "string?", "poster_url": "string?",
                 "progress": "LessonProgress"},
  "LessonReported": {"progress": "LessonProgress", "course_completed": "boolean"},
  "CourseLearner": {"member_id": "integer", "name": "string", "org_path_name": "string",
                    "lessons_done": "integer", "completed_at": "datetime?"},
  "CourseLearnerList": {"items": ["CourseLearner"], "total": "integer"}
})JSON";

// 416 with the size the range is checked against (RFC 9110 §15.5.17).
Response not_satisfiable(int64_t size, const std::string& reason) {
  Response out;
  out.status = 416;
  out.content_type = "application/problem+json";
  out.headers.emplace_back("Content-Range", "bytes */" + std::to_string(size));
  out.body = json::serialize(json::object{
      {"type", "urn:dangjiao:problem:range"},
      {"title", "Range Not Satisfiable"},
      {"status", 416},
      {"detail", reason},
      {"errors", json::array{json::object{
                     {"field", "Range"}, {"code", "unsatisfiable"}, {"message", reason}}}}});
  return out;
}

// A media file by range (RFC 9110 §14): one part as 206, the whole as 200,
// If-Range honoured only for the file's own (strong) ETag, 304 for a client
// that holds it.
Response media_response(const Request& req, const learning::MediaFile& f) {
  const std::string etag = "\"" + f.sha.substr(0, 32) + "\"";
  Response out;
  out.content_type = f.media_type;
  out.headers = {
      {"Accept-Ranges", "bytes"}, {"ETag", etag}, {"Cache-Control", "private, max-age=3600"}};
  // Never a page of this origin; a PDF only without the sandbox, which would
  // keep the browser's own viewer from showing it.
  if (f.media_type != "application/pdf") {
    out.headers.emplace_back("Content-Security-Policy", "default-src 'none'; sandbox");
  }
  if (etag_matches(req.header("if-none-match"), etag)) {
    out.status = 304;
    return out;
  }
  const auto size = static_cast<uint64_t>(f.size);
  RangeAsked asked = parse_range(req.header("range"), size);
  if (const auto if_range = req.header("if-range"); !if_range.empty() && if_range != etag) {
    asked = {};  // the client's copy is another version: the whole file
  }
  if (asked.kind == RangeAsked::unsatisfiable) return not_satisfiable(f.size, asked.reason);
  if (asked.kind == RangeAsked::part) {
    out.status = 206;
    out.headers.emplace_back("Content-Range", "bytes " + std::to_string(asked.first) + "-" +
                                                  std::to_string(asked.last) + "/" +
                                                  std::to_string(size));
    out.file = FileBody{f.path, asked.first, asked.last - asked.first + 1};
  } else {
    out.file = FileBody{f.path, 0, size};
  }
  return out;
}

}  // namespace

void add_learning_routes(Router& r, Services& s) {
  r.add_schemas(kLearningSchemas);
  r.add_codes("learning.lesson_kinds", learning::kLessonKinds);
  r.add_codes("learning.course_statuses", learning::kCourseStatuses);
  r.add_codes("learning.media_kinds", learning::kMediaKinds);
  r.add_codes("learning.course_topics", learning::kCourseTopics);
  auto svc = std::make_shared<learning::LearningService>(
      s.db, learning::Config{.blob_dir = s.activities.config().blob_dir,
                             .max_upload_bytes = s.learning.max_upload_bytes,
                             .org_quota_bytes = s.learning.org_quota_bytes,
                             .complete_percent = s.learning.complete_percent,
                             .media_key = s.keys.subkey("media"),
                             .new_member_months = s.members.config().new_member_months});

  // ---- uploads and media ----
  r.add({.method = "POST",
         .pattern = "/api/v1/uploads",
         .tag = "learning",
         .summary = "Start an upload: its size and type, checked against the file limit and the "
                    "organization's quota; then PUT its pieces in order",
         .perm = auth::Perm::course_manage,
         .body = &kUploadInput,
         .responses = {{201, "Upload"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kUploadInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->start_upload(c.p(), in));
           return json_response(learning::to_json(out), 201);
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/uploads/{id}",
         .tag = "learning",
         .summary = "Where an upload stands (to resume it): the bytes received, the file once done",
         .perm = auth::Perm::course_manage,
         .responses = {{200, "Upload"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto out, svc->upload(c.p(), id));
           return json_response(learning::to_json(out));
         }});
  r.add({.method = "PUT",
         .pattern = "/api/v1/uploads/{id}",
         .tag = "learning",
         .summary = "One piece of the file (the raw bytes as the body) at ?offset=, which must be "
                    "where the upload stands; the last piece checks and keeps the file",
         .perm = auth::Perm::course_manage,
         .query = {{"offset", ParamType::integer, true}},
         .responses = {{200, "Upload"}},
         .upload = true,
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           const auto raw = c.req.query_param("offset");
           int64_t offset = -1;
           if (raw && !raw->empty() && raw->size() <= 18 &&
               raw->find_first_not_of("0123456789") == std::string::npos) {
             offset = std::stoll(*raw);
           }
           if (offset < 0) {
             return Error{ErrorCode::bad_request,
                          "offset is required",
                          {{"offset", "type", "must be a byte position (0 or more)"}}};
           }
           DJ_ASSIGN(auto out, svc->append(c.p(), id, offset, c.req.body));
           return json_response(learning::to_json(out));
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/media/{id}",
         .tag = "learning",
         .summary = "A media file by its signed address (from a lesson's play answer): ranges "
                    "per RFC 9110 (206, 416, If-Range, ETag), for <video> and <audio>",
         .access = Access::open,
         .query = {{"exp", ParamType::integer, true},
                   {"sig", ParamType::string, true},
                   {"poster", ParamType::boolean}},
         .responses = {{200,
                        "",
                        {"video/mp4", "video/webm", "audio/mpeg", "audio/mp4", "application/pdf",
                         "image/jpeg", "image/png"}},
                       {206,
                        "",
                        {"video/mp4", "video/webm", "audio/mpeg", "audio/mp4", "application/pdf",
                         "image/jpeg", "image/png"}},
                       {304}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           QueryReader q(c.req);
           auto exp = q.id("exp");
           auto sig = q.str("sig", 64);
           auto poster = q.boolean("poster");
           DJ_TRY(q.finish());
           if (!exp || !sig) return Error::forbidden("the media address is not valid");
           DJ_ASSIGN(auto f, svc->signed_media(id, *exp, *sig, poster.value_or(false)));
           return media_response(c.req, f);
         }});

  // ---- courses and lessons ----
  r.add({.method = "GET",
         .pattern = "/api/v1/courses",
         .tag = "learning",
         .summary = "Courses of a subtree (a lecturer: his own), newest first",
         .perm = auth::Perm::course_manage,
         .query = with_paging({{"org_id", ParamType::integer},
                               {"status", ParamType::string},
                               {"q", ParamType::string}}),
         .responses = {{200, "CourseList"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           learning::CourseQuery cq;
           cq.org_id = q.id("org_id");
           cq.status = q.str("status");
           cq.q = q.str("q");
           const auto paging = q.paging();
           DJ_TRY(q.finish());
           cq.page = paging.page;
           cq.page_size = paging.page_size;
           DJ_ASSIGN(auto page, svc->list_courses(c.p(), cq));
           return json_response(page_json(page));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/courses",
         .tag = "learning",
         .summary = "Create a course (a draft until it has lessons and is published)",
         .perm = auth::Perm::course_manage,
         .body = &kCourseInput,
         .responses = {{201, "Course"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kCourseInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->create_course(c.p(), in));
           return json_response(learning::to_json(out), 201);
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/courses/{id}",
         .tag = "learning",
         .summary = "A course with its lessons, for whoever keeps it",
         .perm = auth::Perm::course_manage,
         .responses = {{200, "CourseStudy"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto out, svc->course(c.p(), id));
           return json_response(learning::to_json(out));
         }});
  r.add({.method = "PATCH",
         .pattern = "/api/v1/courses/{id}",
         .tag = "learning",
         .summary = "Edit a course, publish or unpublish it",
         .perm = auth::Perm::course_manage,
         .body = &kCourseInput,
         .responses = {{200, "Course"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kCourseInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->update_course(c.p(), id, in));
           return json_response(learning::to_json(out));
         }});
  r.add({.method = "DELETE",
         .pattern = "/api/v1/courses/{id}",
         .tag = "learning",
         .summary = "Remove a course nobody has completed",
         .perm = auth::Perm::course_manage,
         .responses = {{204}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_TRY(svc->delete_course(c.p(), id));
           return no_content();
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/courses/{id}/learners",
         .tag = "learning",
         .summary = "Members in scope who studied the course, with the lessons they completed",
         .perm = auth::Perm::course_manage,
         .responses = {{200, "CourseLearnerList"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto list, svc->learners(c.p(), id));
           return json_response(list_json(list));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/courses/{id}/lessons",
         .tag = "learning",
         .summary = "Add a lesson: a video, audio or document (an uploaded file), an article or a "
                    "link",
         .perm = auth::Perm::course_manage,
         .body = &kLessonInput,
         .responses = {{201, "Lesson"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kLessonInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->add_lesson(c.p(), id, in));
           return json_response(learning::to_json(out), 201);
         }});
  r.add({.method = "PATCH",
         .pattern = "/api/v1/lessons/{id}",
         .tag = "learning",
         .summary = "Edit a lesson or replace its file (learners keep their progress)",
         .perm = auth::Perm::course_manage,
         .body = &kLessonInput,
         .responses = {{200, "Lesson"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kLessonInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->update_lesson(c.p(), id, in));
           return json_response(learning::to_json(out));
         }});
  r.add({.method = "DELETE",
         .pattern = "/api/v1/lessons/{id}",
         .tag = "learning",
         .summary = "Remove a lesson",
         .perm = auth::Perm::course_manage,
         .responses = {{204}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_TRY(svc->delete_lesson(c.p(), id));
           return no_content();
         }});

  // ---- assignments ----
  r.add({.method = "POST",
         .pattern = "/api/v1/courses/{id}/assignments",
         .tag = "learning",
         .summary = "Assign a published course to a subtree's members in some target groups (none: "
                    "everyone) by a date",
         .perm = auth::Perm::course_manage,
         .body = &kAssignmentInput,
         .responses = {{201, "CourseAssignment"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kAssignmentInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->assign(c.p(), id, in));
           return json_response(learning::to_json(out), 201);
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/courses/{id}/assignments",
         .tag = "learning",
         .summary = "A course's assignments in scope, each with the members it covers, completed "
                    "and overdue",
         .perm = auth::Perm::course_manage,
         .responses = {{200, "CourseAssignmentList"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto list, svc->assignments(c.p(), id));
           return json_response(list_json(list));
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/course-assignments/{id}",
         .tag = "learning",
         .summary = "An assignment's completion by organization and the members who have not "
                    "completed it (at most 500)",
         .perm = auth::Perm::course_manage,
         .responses = {{200, "CourseAssignmentProgress"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto out, svc->assignment_progress(c.p(), id));
           return json_response(learning::to_json(out));
         }});
  r.add({.method = "DELETE",
         .pattern = "/api/v1/course-assignments/{id}",
         .tag = "learning",
         .summary = "Withdraw an assignment (completions and hours stay)",
         .perm = auth::Perm::course_manage,
         .responses = {{204}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_TRY(svc->unassign(c.p(), id));
           return no_content();
         }});

  // ---- a member's study ----
  r.add({.method = "GET",
         .pattern = "/api/v1/my/courses",
         .tag = "learning",
         .summary = "The published courses open to me (my organization's and those above it), "
                    "with my progress",
         .responses = {{200, "MyCourseList"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto list, svc->my_courses(c.p()));
           return json_response(list_json(list));
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/my/courses/{id}",
         .tag = "learning",
         .summary = "A course open to me, each lesson with my progress",
         .responses = {{200, "CourseStudy"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto out, svc->study(c.p(), id));
           return json_response(learning::to_json(out));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/my/lessons/{id}/play",
         .tag = "learning",
         .summary = "Open a lesson to play: its signed media address and where I stopped",
         .responses = {{200, "LessonPlay"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto out, svc->play(c.p(), id));
           return json_response(learning::to_json(out));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/my/lessons/{id}/progress",
         .tag = "learning",
         .summary = "Report what was played since the last report (intervals of the media) or "
                    "that a document was read to its end",
         .body = &kProgressInput,
         .responses = {{200, "LessonReported"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kProgressInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->report(c.p(), id, in));
           return json_response(json::object{{"progress", learning::to_json(out.progress)},
                                             {"course_completed", out.course_completed}});
         }});
}

}  // namespace dj::http
