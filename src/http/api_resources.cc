// Resources (保障): teaching points, venues, bookings and their use.
#include <boost/json.hpp>

#include "common/time.h"
#include "domain/resources/resources.h"
#include "http/api.h"
#include "http/input.h"

namespace dj::http {
namespace json = boost::json;

namespace {

const Body<resources::PointInput> kPointInput{"TeachingPointInput",
                                              [](JsonBody& body, resources::PointInput& in) {
                                                body.str("code", in.code);
                                                body.str("name", in.name);
                                                body.str("kind", in.kind, resources::kPointKinds);
                                                body.i64("org_id", in.org_id);
                                                body.str("address", in.address);
                                                body.str("contact", in.contact);
                                                body.str("phone", in.phone);
                                                body.str("description", in.description);
                                              }};

const Body<resources::VenueInput> kVenueInput{"VenueInput",
                                              [](JsonBody& body, resources::VenueInput& in) {
                                                body.i64("point_id", in.point_id);
                                                body.str("name", in.name);
                                                body.i64("capacity", in.capacity);
                                                body.str("equipment", in.equipment);
                                                body.str("opens", in.opens);
                                                body.str("closes", in.closes);
                                                body.boolean("needs_approval", in.needs_approval);
                                              }};

const Body<resources::BookingInput> kBookingInput{"VenueBookingInput",
                                                  [](JsonBody& body, resources::BookingInput& in) {
                                                    body.i64("venue_id", in.venue_id);
                                                    body.i64("org_id", in.org_id);
                                                    body.str("title", in.title);
                                                    body.i64("attendees", in.attendees);
                                                    body.str("starts_at", in.starts_at);
                                                    body.str("ends_at", in.ends_at);
                                                    body.str("contact", in.contact);
                                                    body.str("note", in.note);
                                                    body.i64("session_id", in.session_id);
                                                    body.i64("activity_id", in.activity_id);
                                                  }};

struct Decision {
  std::optional<bool> approve;
  std::optional<std::string> reply;
};
const Body<Decision> kDecision{"VenueBookingDecision", [](JsonBody& body, Decision& in) {
                                 body.boolean("approve", in.approve);
                                 body.str("reply", in.reply);
                               }};

// Why a booking is cancelled or an entry voided.
struct Reason {
  std::optional<std::string> reason;
};
const Body<Reason> kReason{"ReasonInput",
                           [](JsonBody& body, Reason& in) { body.str("reason", in.reason); }};

struct UseCheck {
  std::optional<bool> used;
  std::optional<std::string> note;
};
const Body<UseCheck> kUseCheck{"VenueBookingUse", [](JsonBody& body, UseCheck& in) {
                                 body.boolean("used", in.used);
                                 body.str("note", in.note);
                               }};

const Body<resources::LecturerInput> kLecturerInput{
    "LecturerInput", [](JsonBody& body, resources::LecturerInput& in) {
      body.str("kind", in.kind, resources::kLecturerKinds);
      body.i64("member_id", in.member_id);
      body.i64("user_id", in.user_id);
      body.i64("point_id", in.point_id);
      body.str("name", in.name);
      body.str("title", in.title);
      body.str("employer", in.employer);
      body.str("fields", in.fields);
      body.str("courses", in.courses);
      body.str("intro", in.intro);
    }};

struct RatingInput {
  std::optional<int64_t> session_id, score;
  std::optional<std::string> comment;
};
const Body<RatingInput> kRatingInput{"LecturerRatingInput", [](JsonBody& body, RatingInput& in) {
                                       body.i64("session_id", in.session_id);
                                       body.i64("score", in.score);
                                       body.str("comment", in.comment);
                                     }};

const Body<resources::BudgetLineInput> kBudgetLineInput{
    "BudgetLineInput", [](JsonBody& body, resources::BudgetLineInput& in) {
      body.i64("org_id", in.org_id);
      body.i64("year", in.year);
      body.i64("training_id", in.training_id);
      body.str("title", in.title);
      body.str("note", in.note);
      body.number("amount", in.amount);
    }};

const Body<resources::FundEntryInput> kFundEntryInput{
    "FundEntryInput", [](JsonBody& body, resources::FundEntryInput& in) {
      body.str("kind", in.kind, resources::kFundEntryKinds);
      body.number("amount", in.amount);
      body.str("spent_on", in.spent_on);
      body.str("description", in.description);
      body.i64("commitment_id", in.commitment_id);
      body.str("override_reason", in.override_reason);
    }};

const Body<resources::CollectionInput> kCollectionInput{
    "CollectionInput", [](JsonBody& body, resources::CollectionInput& in) {
      body.str("kind", in.kind, resources::kCollectionKinds);
      body.i64("org_id", in.org_id);
      body.i64("year", in.year);
      body.str("title", in.title);
      body.i64("quantity", in.quantity);
      body.str("place", in.place);
      body.str("note", in.note);
    }};

const Body<resources::SurveyInput> kSurveyInput{"NeedsSurveyInput",
                                                [](JsonBody& body, resources::SurveyInput& in) {
                                                  body.i64("org_id", in.org_id);
                                                  body.i64("year", in.year);
                                                  body.i64("quarter", in.quarter);
                                                  body.i64("max_choices", in.max_choices);
                                                  body.str("title", in.title);
                                                  body.str("opens_on", in.opens_on);
                                                  body.str("closes_on", in.closes_on);
                                                  body.strings("topics", in.topics);
                                                  body.boolean("anonymous", in.anonymous);
                                                }};

struct SurveyAnswer {
  std::optional<std::vector<int64_t>> choices;
  std::optional<std::string> suggestion;
};
const Body<SurveyAnswer> kSurveyAnswer{"NeedsSurveyAnswer", [](JsonBody& body, SurveyAnswer& in) {
                                         body.i64s("choices", in.choices);
                                         body.str("suggestion", in.suggestion);
                                       }};

struct LectureLink {
  std::optional<int64_t> topic, activity_id;
};
const Body<LectureLink> kLectureLink{"NeedsSurveyLecture", [](JsonBody& body, LectureLink& in) {
                                       body.i64("topic", in.topic);
                                       body.i64("activity_id", in.activity_id);
                                     }};

const Body<resources::WorkInput> kWorkInput{"WorkInput",
                                            [](JsonBody& body, resources::WorkInput& in) {
                                              body.i64("org_id", in.org_id);
                                              body.i64("year", in.year);
                                              body.str("title", in.title);
                                              body.str("kind", in.kind, resources::kWorkKinds);
                                              body.str("authors", in.authors);
                                              body.str("description", in.description);
                                              body.str("link", in.link);
                                              body.i64("media_id", in.media_id);
                                            }};

const Body<resources::ContestInput> kContestInput{
    "ContestInput", [](JsonBody& body, resources::ContestInput& in) {
      body.str("name", in.name);
      body.str("level", in.level, resources::kContestLevels);
      body.i64("year", in.year);
      body.strings("categories", in.categories);
      body.i64s("judges", in.judges);
      std::vector<resources::Criterion> criteria;
      body.objects("criteria", [&](JsonBody& item) {
        std::optional<std::string> name;
        std::optional<int64_t> max;
        item.str("name", name);
        item.i64("max", max);
        criteria.push_back({name.value_or(""), max.value_or(0)});
      });
      if (body.has("criteria")) in.criteria = std::move(criteria);
    }};

struct EntryInput {
  std::optional<int64_t> work_id;
  std::optional<std::string> category;
};
const Body<EntryInput> kEntryInput{"ContestEntryInput", [](JsonBody& body, EntryInput& in) {
                                     body.i64("work_id", in.work_id);
                                     body.str("category", in.category);
                                   }};

struct ScoreInput {
  std::optional<std::vector<int64_t>> scores;
  std::optional<std::string> comment;
};
const Body<ScoreInput> kScoreInput{"ContestScoreInput", [](JsonBody& body, ScoreInput& in) {
                                     body.i64s("scores", in.scores);
                                     body.str("comment", in.comment);
                                   }};

struct AwardInput {
  std::optional<std::string> award;
};
const Body<AwardInput> kAwardInput{"ContestAwardInput", [](JsonBody& body, AwardInput& in) {
                                     body.str("award", in.award, resources::kAwards);
                                   }};

constexpr const char* kResourceSchemas = R"JSON({
  "Work": {"id": "integer", "org_id": "integer", "org_path_name": "string", "year": "integer",
           "title": "string", "kind": "codes:resources.work_kinds", "authors": "string",
           "description": "string?", "link": "string?", "media_id": "integer?",
           "updated_at": "datetime"},
  "WorkList": {"items": ["Work"], "total": "integer"},
  "WorkVideo": {"url": "string", "poster_url": "string?", "duration_ms": "integer?"},
  "ContestCriterion": {"name": "string", "max": "integer"},
  "ContestJudge": {"user_id": "integer", "username": "string"},
  "ContestEntry": {"id": "integer", "contest_id": "integer", "work_id": "integer",
                   "work_title": "string", "work_kind": "codes:resources.work_kinds",
                   "org_id": "integer", "org_path_name": "string", "category": "string",
                   "award": "codes:resources.awards?", "judged": "integer", "score": "number?",
                   "my_scores": ["integer"], "work_media_id": "integer?"},
  "Contest": {"id": "integer", "name": "string", "level": "codes:resources.contest_levels",
              "year": "integer", "categories": ["string"], "criteria": ["ContestCriterion"],
              "judges": ["ContestJudge"], "entry_count": "integer", "entries": ["ContestEntry"],
              "updated_at": "datetime"},
  "ContestList": {"items": ["Contest"], "total": "integer"},
  "WorkFiguresLevel": {"level": "codes:resources.contest_levels", "contests": "integer",
                       "entries": "integer", "awards": {"*": "integer"}},
  "WorkFigures": {"year": "integer", "works": "integer", "levels": ["WorkFiguresLevel"]},
  "NeedsSurvey": {"id": "integer", "org_id": "integer", "org_path_name": "string",
                  "year": "integer", "quarter": "integer", "title": "string", "topics": ["string"],
                  "max_choices": "integer", "anonymous": "boolean", "opens_on": "date",
                  "closes_on": "date", "responses": "integer", "answered": "boolean?",
                  "updated_at": "datetime"},
  "NeedsSurveyList": {"items": ["NeedsSurvey"], "total": "integer"},
  "NeedsSurveyLectureRef": {"activity_id": "integer", "title": "string"},
  "NeedsSurveyTopic": {"label": "string", "votes": "integer", "lectures": ["NeedsSurveyLectureRef"]},
  "NeedsSurveyByOrg": {"org_id": "integer", "org_name": "string", "responses": "integer",
                       "votes": ["integer"]},
  "NeedsSurveyResults": {"survey": "NeedsSurvey", "topics": ["NeedsSurveyTopic"],
                         "by_org": ["NeedsSurveyByOrg"], "suggestions": ["string"]},
  "Collection": {"id": "integer", "kind": "codes:resources.collection_kinds", "org_id": "integer",
                 "org_path_name": "string", "year": "integer?", "title": "string",
                 "quantity": "integer", "place": "string?", "note": "string?",
                 "updated_at": "datetime"},
  "CollectionList": {"items": ["Collection"], "total": "integer"},
  "CollectionFigures": {"year": "integer", "journal_copies": "integer",
                        "journal_titles": "integer", "book_sets": "integer",
                        "reading_rooms": "integer", "bookshelves": "integer"},
  "FundReceipt": {"filename": "string", "content_type": "string", "size": "integer"},
  "FundEntry": {"id": "integer", "line_id": "integer", "kind": "codes:resources.fund_entry_kinds",
                "amount": "number", "spent_on": "date", "description": "string",
                "commitment_id": "integer?", "override_reason": "string?", "settled": "boolean",
                "receipt": "FundReceipt?", "created_at": "datetime"},
  "BudgetLine": {"id": "integer", "org_id": "integer", "org_path_name": "string",
                 "year": "integer", "training_id": "integer?", "training_title": "string?",
                 "title": "string", "note": "string?", "amount": "number", "committed": "number",
                 "spent": "number", "balance": "number", "trainees": "integer",
                 "per_trainee": "number?", "entries": ["FundEntry"], "updated_at": "datetime"},
  "BudgetLineList": {"items": ["BudgetLine"], "total": "integer"},
  "Lecturer": {"id": "integer", "kind": "codes:resources.lecturer_kinds", "name": "string",
               "member_id": "integer?", "user_id": "integer?", "point_id": "integer?",
               "point_name": "string?", "title": "string?", "employer": "string?",
               "fields": "string?", "courses": "string?", "intro": "string?",
               "sessions": "integer", "lectures": "integer", "ratings": "integer",
               "rating": "number?", "updated_at": "datetime"},
  "LecturerList": {"items": ["Lecturer"], "total": "integer"},
  "LecturerSession": {"session_id": "integer", "training_id": "integer",
                      "training_title": "string", "title": "string", "started_at": "datetime",
                      "ended_at": "datetime"},
  "LecturerComment": {"score": "integer", "comment": "string"},
  "LecturerDetail": {"&": "Lecturer", "taught": ["LecturerSession"], "scores": ["integer"],
                     "comments": ["LecturerComment"]},
  "SessionToRate": {"&": "LecturerSession", "lecturer_id": "integer", "lecturer_name": "string"},
  "SessionToRateList": {"items": ["SessionToRate"], "total": "integer"},
  "TeachingPoint": {"id": "integer", "code": "string", "name": "string",
                    "kind": "codes:resources.point_kinds", "org_id": "integer?",
                    "org_path_name": "string?", "address": "string", "contact": "string?",
                    "phone": "string?", "description": "string?", "venues": "integer",
                    "updated_at": "datetime"},
  "TeachingPointList": {"items": ["TeachingPoint"], "total": "integer"},
  "TeachingPointLecturer": {"id": "integer", "name": "string"},
  "TeachingPointClass": {"training_id": "integer", "title": "string", "starts_on": "date",
                         "sessions": "integer"},
  "TeachingPointDetail": {"&": "TeachingPoint", "lecturers": ["TeachingPointLecturer"],
                          "classes": ["TeachingPointClass"]},
  "Venue": {"id": "integer", "point_id": "integer", "point_name": "string", "name": "string",
            "capacity": "integer", "equipment": "string?", "opens": "string",
            "closes": "string", "needs_approval": "boolean", "updated_at": "datetime"},
  "VenueList": {"items": ["Venue"], "total": "integer"},
  "VenueBooking": {"id": "integer", "venue_id": "integer", "venue_name": "string",
                   "point_name": "string", "org_id": "integer", "org_path_name": "string",
                   "title": "string", "attendees": "integer", "starts_at": "datetime",
                   "ends_at": "datetime", "status": "codes:resources.booking_statuses",
                   "contact": "string?", "note": "string?", "reply": "string?",
                   "used": "boolean?", "used_note": "string?", "booked_by": "integer",
                   "session_id": "integer?", "activity_id": "integer?",
                   "created_at": "datetime", "updated_at": "datetime"},
  "VenueBookingList": {"items": ["VenueBooking"], "total": "integer"},
  "VenueUsageLine": {"venue_id": "integer", "venue_name": "string", "point_name": "string",
                     "bookings": "integer", "approved": "integer", "used": "integer",
                     "unused": "integer", "orgs": "integer", "hours": "number"},
  "VenueUsageTotal": {"bookings": "integer", "approved": "integer", "used": "integer",
                      "unused": "integer", "orgs": "integer", "hours": "number"},
  "VenueUsage": {"from": "date", "to": "date", "venues": ["VenueUsageLine"],
                 "total": "VenueUsageTotal"}
})JSON";

}  // namespace

void add_resource_routes(Router& r, Services& s) {
  r.add_schemas(kResourceSchemas);
  r.add_codes("resources.point_kinds", resources::kPointKinds);
  r.add_codes("resources.booking_statuses", resources::kBookingStatuses);
  r.add_codes("resources.lecturer_kinds", resources::kLecturerKinds);
  r.add_codes("resources.fund_entry_kinds", resources::kFundEntryKinds);
  r.add_codes("resources.collection_kinds", resources::kCollectionKinds);
  r.add_codes("resources.work_kinds", resources::kWorkKinds);
  r.add_codes("resources.contest_levels", resources::kContestLevels);
  r.add_codes("resources.awards", resources::kAwards);
  // Receipts go to the same store as the activities' attachments, under the same limit.
  const auto& files = s.activities.config();
  auto svc = std::make_shared<resources::ResourceService>(
      s.db, resources::Config{files.blob_dir, files.max_attachment_bytes, s.keys.subkey("survey")});

  // ---- teaching points ----
  r.add({.method = "GET",
         .pattern = "/api/v1/teaching-points",
         .tag = "resources",
         .summary = "The service centre, the party school's branch and the teaching points, "
                    "with their venues counted",
         .perm = auth::Perm::org_read,
         .responses = {{200, "TeachingPointList"}},
         .handler = [svc](Ctx&) -> Result<Response> {
           DJ_ASSIGN(auto list, svc->points());
           return json_response(list_json(list));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/teaching-points",
         .tag = "resources",
         .summary = "Add a teaching point (the committee)",
         .perm = auth::Perm::resource_manage,
         .body = &kPointInput,
         .responses = {{201, "TeachingPoint"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kPointInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->create_point(c.p(), in));
           return json_response(resources::to_json(out), 201);
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/teaching-points/{id}",
         .tag = "resources",
         .summary = "A teaching point with its pool lecturers and the classes held at its venues",
         .perm = auth::Perm::org_read,
         .responses = {{200, "TeachingPointDetail"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto out, svc->point(id));
           return json_response(resources::to_json(out));
         }});
  r.add({.method = "PATCH",
         .pattern = "/api/v1/teaching-points/{id}",
         .tag = "resources",
         .summary = "Change a teaching point's fields given",
         .perm = auth::Perm::resource_manage,
         .body = &kPointInput,
         .responses = {{200, "TeachingPoint"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kPointInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->update_point(c.p(), id, in));
           return json_response(resources::to_json(out));
         }});
  r.add({.method = "DELETE",
         .pattern = "/api/v1/teaching-points/{id}",
         .tag = "resources",
         .summary = "Remove a teaching point without venues (soft)",
         .perm = auth::Perm::resource_manage,
         .responses = {{204}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_TRY(svc->remove_point(c.p(), id));
           return no_content();
         }});

  // ---- venues ----
  r.add({.method = "GET",
         .pattern = "/api/v1/venues",
         .tag = "resources",
         .summary = "Venues, of one teaching point or all",
         .perm = auth::Perm::org_read,
         .query = {{"point_id", ParamType::integer}},
         .responses = {{200, "VenueList"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto point_id = q.id("point_id");
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto list, svc->venues(point_id));
           return json_response(list_json(list));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/venues",
         .tag = "resources",
         .summary = "Add a venue: capacity, equipment, opening hours (HH:MM), whether bookings "
                    "need approval",
         .perm = auth::Perm::resource_manage,
         .body = &kVenueInput,
         .responses = {{201, "Venue"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kVenueInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->create_venue(c.p(), in));
           return json_response(resources::to_json(out), 201);
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/venues/{id}",
         .tag = "resources",
         .summary = "A venue",
         .perm = auth::Perm::org_read,
         .responses = {{200, "Venue"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto out, svc->venue(id));
           return json_response(resources::to_json(out));
         }});
  r.add({.method = "PATCH",
         .pattern = "/api/v1/venues/{id}",
         .tag = "resources",
         .summary = "Change a venue's fields given",
         .perm = auth::Perm::resource_manage,
         .body = &kVenueInput,
         .responses = {{200, "Venue"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kVenueInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->update_venue(c.p(), id, in));
           return json_response(resources::to_json(out));
         }});
  r.add({.method = "DELETE",
         .pattern = "/api/v1/venues/{id}",
         .tag = "resources",
         .summary = "Remove a venue no booking ahead holds (soft)",
         .perm = auth::Perm::resource_manage,
         .responses = {{204}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_TRY(svc->remove_venue(c.p(), id));
           return no_content();
         }});

  // ---- bookings ----
  r.add({.method = "GET",
         .pattern = "/api/v1/venue-bookings",
         .tag = "resources",
         .summary = "The bookings starting in a period (at most 92 days), for the calendar",
         .perm = auth::Perm::org_read,
         .query = {{"from", ParamType::date, true},
                   {"to", ParamType::date, true},
                   {"point_id", ParamType::integer},
                   {"venue_id", ParamType::integer},
                   {"org_id", ParamType::integer},
                   {"status", ParamType::string}},
         .responses = {{200, "VenueBookingList"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           resources::BookingQuery bq;
           bq.from = q.date("from").value_or("");
           bq.to = q.date("to").value_or("");
           bq.point_id = q.id("point_id");
           bq.venue_id = q.id("venue_id");
           bq.org_id = q.id("org_id");
           bq.status = q.str("status", 20);
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto list, svc->bookings(c.p(), bq));
           return json_response(list_json(list));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/venue-bookings",
         .tag = "resources",
         .summary = "Book a venue for an organization: within its opening hours and capacity, "
                    "never over another booking (409 naming it)",
         .perm = auth::Perm::org_write,
         .body = &kBookingInput,
         .responses = {{201, "VenueBooking"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kBookingInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->book(c.p(), in));
           return json_response(resources::to_json(out), 201);
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/venue-bookings/usage",
         .tag = "resources",
         .summary = "The venues' use in a period: bookings, approved, used, organizations, hours",
         .perm = auth::Perm::org_read,
         .query = {{"from", ParamType::date, true},
                   {"to", ParamType::date, true},
                   {"point_id", ParamType::integer}},
         .responses = {{200, "VenueUsage"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto from = q.date("from");
           auto to = q.date("to");
           auto point_id = q.id("point_id");
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto out, svc->usage(c.p(), point_id, from.value_or(""), to.value_or("")));
           return json_response(resources::to_json(out));
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/venue-bookings/{id}",
         .tag = "resources",
         .summary = "A booking",
         .perm = auth::Perm::org_read,
         .responses = {{200, "VenueBooking"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto out, svc->booking(c.p(), id));
           return json_response(resources::to_json(out));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/venue-bookings/{id}/decision",
         .tag = "resources",
         .summary = "Approve or reject a pending booking (never one's own; a rejection gives "
                    "its reason)",
         .perm = auth::Perm::resource_manage,
         .body = &kDecision,
         .responses = {{200, "VenueBooking"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kDecision.parse(c.req));
           if (!in.approve) return Error::invalid("approve", "required", "is required");
           DJ_ASSIGN(auto out, svc->decide(c.p(), id, *in.approve, in.reply));
           return json_response(resources::to_json(out));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/venue-bookings/{id}/cancel",
         .tag = "resources",
         .summary = "Cancel a pending or approved booking before it starts, with a reason",
         .perm = auth::Perm::org_write,
         .body = &kReason,
         .responses = {{200, "VenueBooking"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kReason.parse(c.req));
           DJ_ASSIGN(auto out, svc->cancel(c.p(), id, in.reason.value_or("")));
           return json_response(resources::to_json(out));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/venue-bookings/{id}/use",
         .tag = "resources",
         .summary = "After an approved booking ended: whether it was used",
         .perm = auth::Perm::resource_manage,
         .body = &kUseCheck,
         .responses = {{200, "VenueBooking"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kUseCheck.parse(c.req));
           if (!in.used) return Error::invalid("used", "required", "is required");
           DJ_ASSIGN(auto out, svc->check_use(c.p(), id, *in.used, in.note));
           return json_response(resources::to_json(out));
         }});

  // ---- the lecturer pool ----
  r.add({.method = "GET",
         .pattern = "/api/v1/lecturers",
         .tag = "resources",
         .summary = "The lecturer pool (师资库), internal first; q searches names, fields, courses "
                    "and employers",
         .perm = auth::Perm::member_read,
         .query = {{"q", ParamType::string}},
         .responses = {{200, "LecturerList"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto text = q.str("q", 50);
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto list, svc->lecturers(c.p(), text));
           return json_response(list_json(list));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/lecturers",
         .tag = "resources",
         .summary = "Add a lecturer: a member (internal) or by name (external)",
         .perm = auth::Perm::resource_manage,
         .body = &kLecturerInput,
         .responses = {{201, "Lecturer"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kLecturerInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->create_lecturer(c.p(), in));
           return json_response(resources::to_json(out), 201);
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/lecturers/mine",
         .tag = "resources",
         .summary = "A lecturer account's own record: schedule, history and ratings",
         .perm = auth::Perm::org_read,
         .responses = {{200, "LecturerDetail"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto out, svc->my_lecturer(c.p()));
           return json_response(resources::to_json(out));
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/lecturers/{id}",
         .tag = "resources",
         .summary = "A lecturer with the sessions taught and the attendees' scores and comments "
                    "(never who gave them)",
         .perm = auth::Perm::org_read,
         .responses = {{200, "LecturerDetail"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto out, svc->lecturer(c.p(), id));
           return json_response(resources::to_json(out));
         }});
  r.add({.method = "PATCH",
         .pattern = "/api/v1/lecturers/{id}",
         .tag = "resources",
         .summary = "Change a lecturer's fields given",
         .perm = auth::Perm::resource_manage,
         .body = &kLecturerInput,
         .responses = {{200, "Lecturer"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kLecturerInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->update_lecturer(c.p(), id, in));
           return json_response(resources::to_json(out));
         }});
  r.add({.method = "DELETE",
         .pattern = "/api/v1/lecturers/{id}",
         .tag = "resources",
         .summary = "Remove a lecturer from the pool (soft; sessions keep his name)",
         .perm = auth::Perm::resource_manage,
         .responses = {{204}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_TRY(svc->remove_lecturer(c.p(), id));
           return no_content();
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/lecturer-ratings/pending",
         .tag = "resources",
         .summary = "The sessions of the last 30 days the caller attended and may still rate",
         .perm = auth::Perm::org_read,
         .responses = {{200, "SessionToRateList"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto list, svc->to_rate(c.p()));
           return json_response(list_json(list));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/lecturer-ratings",
         .tag = "resources",
         .summary = "Rate a session's lecturer, 1 to 5, once, having attended it",
         .perm = auth::Perm::org_read,
         .body = &kRatingInput,
         .responses = {{204}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kRatingInput.parse(c.req));
           if (!in.session_id) return Error::invalid("session_id", "required", "is required");
           if (!in.score) return Error::invalid("score", "required", "is required");
           DJ_TRY(svc->rate(c.p(), *in.session_id, *in.score, in.comment));
           return no_content();
         }});
  // ---- funds ----
  r.add({.method = "GET",
         .pattern = "/api/v1/budget-lines",
         .tag = "resources",
         .summary = "A year's budget lines of a subtree: amount, committed, spent, balance, a "
                    "class's cost per trainee",
         .perm = auth::Perm::member_read,
         .query = {{"year", ParamType::integer, true}, {"org_id", ParamType::integer}},
         .responses = {{200, "BudgetLineList"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto year = q.id("year");
           auto org_id = q.id("org_id");
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto list, svc->budget_lines(c.p(), org_id, year.value_or(0)));
           return json_response(list_json(list));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/budget-lines",
         .tag = "resources",
         .summary = "A budget line of an organization in scope for a year (optionally a class's)",
         .perm = auth::Perm::org_write,
         .body = &kBudgetLineInput,
         .responses = {{201, "BudgetLine"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kBudgetLineInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->create_budget_line(c.p(), in));
           return json_response(resources::to_json(out), 201);
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/budget-lines/{id}",
         .tag = "resources",
         .summary = "A budget line with its commitments and expenses",
         .perm = auth::Perm::member_read,
         .responses = {{200, "BudgetLine"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto out, svc->budget_line(c.p(), id));
           return json_response(resources::to_json(out));
         }});
  r.add({.method = "PATCH",
         .pattern = "/api/v1/budget-lines/{id}",
         .tag = "resources",
         .summary = "Change a line's title, note or amount",
         .perm = auth::Perm::org_write,
         .body = &kBudgetLineInput,
         .responses = {{200, "BudgetLine"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kBudgetLineInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->update_budget_line(c.p(), id, in));
           return json_response(resources::to_json(out));
         }});
  r.add({.method = "DELETE",
         .pattern = "/api/v1/budget-lines/{id}",
         .tag = "resources",
         .summary = "Remove a line without entries (soft)",
         .perm = auth::Perm::org_write,
         .responses = {{204}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_TRY(svc->remove_budget_line(c.p(), id));
           return no_content();
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/budget-lines/{id}/entries",
         .tag = "resources",
         .summary = "A commitment or an expense (which may settle a commitment); below zero only "
                    "with override_reason (audited)",
         .perm = auth::Perm::org_write,
         .body = &kFundEntryInput,
         .responses = {{201, "FundEntry"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kFundEntryInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->add_fund_entry(c.p(), id, in));
           return json_response(resources::to_json(out), 201);
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/fund-entries/{id}/void",
         .tag = "resources",
         .summary = "Void an entry with a reason (soft, audited)",
         .perm = auth::Perm::org_write,
         .body = &kReason,
         .responses = {{204}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kReason.parse(c.req));
           DJ_TRY(svc->void_fund_entry(c.p(), id, in.reason.value_or("")));
           return no_content();
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/fund-entries/{id}/receipt",
         .tag = "resources",
         .summary = "The entry's receipt (PDF, JPEG, PNG): the raw file as the body, its type as "
                    "Content-Type, ?filename=; checked by content",
         .perm = auth::Perm::org_write,
         .query = {{"filename", ParamType::string}},
         .responses = {{201, "FundEntry"}},
         .upload = true,
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           QueryReader q(c.req);
           auto filename = q.str("filename", 200);
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto out, svc->attach_receipt(c.p(), id, upload_type(c.req),
                                                   filename.value_or(""), c.req.body));
           return json_response(resources::to_json(out), 201);
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/fund-entries/{id}/receipt",
         .tag = "resources",
         .summary = "Download an entry's receipt (served with its checked type)",
         .perm = auth::Perm::member_read,
         .responses = {{200, "", {"image/jpeg", "image/png", "application/pdf"}}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto f, svc->receipt(c.p(), id));
           return file_response(f.first.content_type, std::move(f.second),
                                "receipt-" + std::to_string(id));
         }});
  // ---- publications and collections ----
  r.add({.method = "GET",
         .pattern = "/api/v1/collections",
         .tag = "resources",
         .summary = "Journal subscriptions and book sets (of a year), reading rooms and "
                    "bookshelves of a subtree",
         .perm = auth::Perm::member_read,
         .query = {{"org_id", ParamType::integer},
                   {"kind", ParamType::string},
                   {"year", ParamType::integer}},
         .responses = {{200, "CollectionList"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto org_id = q.id("org_id");
           auto kind = q.str("kind", 20);
           auto year = q.id("year");
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto list, svc->collections(c.p(), org_id, kind, year));
           return json_response(list_json(list));
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/collections/figures",
         .tag = "resources",
         .summary = "A subtree's journal copies and titles and book sets of a year, its reading "
                    "rooms and bookshelves",
         .perm = auth::Perm::member_read,
         .query = {{"year", ParamType::integer, true}, {"org_id", ParamType::integer}},
         .responses = {{200, "CollectionFigures"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto year = q.id("year");
           auto org_id = q.id("org_id");
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto out, svc->collection_figures(c.p(), org_id, year.value_or(0)));
           return json_response(resources::to_json(out));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/collections",
         .tag = "resources",
         .summary = "Record a subscription, a book set, a reading room or bookshelves",
         .perm = auth::Perm::org_write,
         .body = &kCollectionInput,
         .responses = {{201, "Collection"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kCollectionInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->create_collection(c.p(), in));
           return json_response(resources::to_json(out), 201);
         }});
  r.add({.method = "PATCH",
         .pattern = "/api/v1/collections/{id}",
         .tag = "resources",
         .summary = "Change a collection record's fields given",
         .perm = auth::Perm::org_write,
         .body = &kCollectionInput,
         .responses = {{200, "Collection"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kCollectionInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->update_collection(c.p(), id, in));
           return json_response(resources::to_json(out));
         }});
  r.add({.method = "DELETE",
         .pattern = "/api/v1/collections/{id}",
         .tag = "resources",
         .summary = "Remove a collection record (soft)",
         .perm = auth::Perm::org_write,
         .responses = {{204}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_TRY(svc->remove_collection(c.p(), id));
           return no_content();
         }});
  // ---- needs surveys (机关大课堂) ----
  r.add({.method = "GET",
         .pattern = "/api/v1/needs-surveys",
         .tag = "resources",
         .summary = "Needs surveys: an administrator's in scope with their answers counted; a "
                    "member's open ones, and whether he answered",
         .perm = auth::Perm::org_read,
         .query = {{"year", ParamType::integer}},
         .responses = {{200, "NeedsSurveyList"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto year = q.id("year");
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto list, svc->surveys(c.p(), year));
           return json_response(list_json(list));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/needs-surveys",
         .tag = "resources",
         .summary = "A needs survey for a quarter's grand lecture: topics, choices each, open "
                    "dates, anonymous or not, the subtree asked",
         .perm = auth::Perm::resource_manage,
         .body = &kSurveyInput,
         .responses = {{201, "NeedsSurvey"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kSurveyInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->create_survey(c.p(), in));
           return json_response(resources::to_json(out), 201);
         }});
  r.add({.method = "PATCH",
         .pattern = "/api/v1/needs-surveys/{id}",
         .tag = "resources",
         .summary = "Change a survey nobody has answered yet",
         .perm = auth::Perm::resource_manage,
         .body = &kSurveyInput,
         .responses = {{200, "NeedsSurvey"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kSurveyInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->update_survey(c.p(), id, in));
           return json_response(resources::to_json(out));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/needs-surveys/{id}/answer",
         .tag = "resources",
         .summary = "A member's answer, once, while the survey is open: the chosen topics' "
                    "indexes and a suggestion",
         .perm = auth::Perm::org_read,
         .body = &kSurveyAnswer,
         .responses = {{204}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kSurveyAnswer.parse(c.req));
           DJ_TRY(svc->answer_survey(c.p(), id, in.choices.value_or(std::vector<int64_t>{}),
                                     in.suggestion));
           return no_content();
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/needs-surveys/{id}/results",
         .tag = "resources",
         .summary = "What members asked for: votes by topic and by organization, suggestions "
                    "(never who), and the grand lectures held for each topic",
         .perm = auth::Perm::member_read,
         .responses = {{200, "NeedsSurveyResults"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto out, svc->survey_results(c.p(), id));
           return json_response(resources::to_json(out));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/needs-surveys/{id}/lectures",
         .tag = "resources",
         .summary = "Mark a grand lecture (an activity of type grand_lecture) as held for a topic",
         .perm = auth::Perm::resource_manage,
         .body = &kLectureLink,
         .responses = {{200, "NeedsSurveyResults"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kLectureLink.parse(c.req));
           if (!in.topic) return Error::invalid("topic", "required", "is required");
           if (!in.activity_id) return Error::invalid("activity_id", "required", "is required");
           DJ_ASSIGN(auto out, svc->link_lecture(c.p(), id, *in.topic, *in.activity_id));
           return json_response(resources::to_json(out));
         }});
  // ---- quality works and contests ----
  const std::vector<Param> year_org = {{"year", ParamType::integer},
                                       {"org_id", ParamType::integer}};
  r.add({.method = "GET",
         .pattern = "/api/v1/works",
         .tag = "resources",
         .summary = "Quality works (党课 videos, 党教片, 微党课) of a subtree",
         .perm = auth::Perm::member_read,
         .query = year_org,
         .responses = {{200, "WorkList"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto year = q.id("year");
           auto org_id = q.id("org_id");
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto list, svc->works(c.p(), org_id, year));
           return json_response(list_json(list));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/works",
         .tag = "resources",
         .summary = "Record an organization's work: title, kind, authors, where it plays",
         .perm = auth::Perm::org_write,
         .body = &kWorkInput,
         .responses = {{201, "Work"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kWorkInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->create_work(c.p(), in));
           return json_response(resources::to_json(out), 201);
         }});
  r.add({.method = "PATCH",
         .pattern = "/api/v1/works/{id}",
         .tag = "resources",
         .summary = "Change a work's fields given",
         .perm = auth::Perm::org_write,
         .body = &kWorkInput,
         .responses = {{200, "Work"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kWorkInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->update_work(c.p(), id, in));
           return json_response(resources::to_json(out));
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/works/{id}/video",
         .tag = "resources",
         .summary = "The signed address a work's uploaded video plays from, for whoever sees "
                    "the work or judges a contest it entered",
         .responses = {{200, "WorkVideo"}},
         .handler = [svc, media_key = s.keys.subkey("media")](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto m, svc->work_video(c.p(), id));
           const int64_t exp = now_ms() + learning::kMediaUrlTtlMs;
           return json_response(json::object{
               {"url", learning::signed_media_url(media_key, m.id, exp, false)},
               {"poster_url",
                m.poster_sha ? json::value(learning::signed_media_url(media_key, m.id, exp, true))
                             : json::value(nullptr)},
               {"duration_ms", m.duration_ms ? json::value(*m.duration_ms) : nullptr}});
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/works/figures",
         .tag = "resources",
         .summary = "A year's works in scope, and the entries and awards by level",
         .perm = auth::Perm::member_read,
         .query = {{"year", ParamType::integer, true}},
         .responses = {{200, "WorkFigures"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto year = q.id("year");
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto out, svc->work_figures(c.p(), year.value_or(0)));
           return json_response(resources::to_json(out));
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/contests",
         .tag = "resources",
         .summary = "Contests (评选): administrators see all, judges those they judge",
         .perm = auth::Perm::org_read,
         .query = {{"year", ParamType::integer}},
         .responses = {{200, "ContestList"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           QueryReader q(c.req);
           auto year = q.id("year");
           DJ_TRY(q.finish());
           DJ_ASSIGN(auto list, svc->contests(c.p(), year));
           return json_response(list_json(list));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/contests",
         .tag = "resources",
         .summary = "A contest: level, year, categories, scoring criteria with maxima, judges",
         .perm = auth::Perm::resource_manage,
         .body = &kContestInput,
         .responses = {{201, "Contest"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto in, kContestInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->create_contest(c.p(), in));
           return json_response(resources::to_json(out), 201);
         }});
  r.add({.method = "GET",
         .pattern = "/api/v1/contests/{id}",
         .tag = "resources",
         .summary = "A contest with its entries ranked in each category (a judge: with his scores)",
         .perm = auth::Perm::org_read,
         .responses = {{200, "Contest"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto out, svc->contest(c.p(), id));
           return json_response(resources::to_json(out));
         }});
  r.add({.method = "POST",
         .pattern = "/api/v1/contests/{id}/entries",
         .tag = "resources",
         .summary = "Enter a work of one's organization in a category, once",
         .perm = auth::Perm::org_write,
         .body = &kEntryInput,
         .responses = {{201, "ContestEntry"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kEntryInput.parse(c.req));
           if (!in.work_id) return Error::invalid("work_id", "required", "is required");
           DJ_ASSIGN(auto out, svc->enter_work(c.p(), id, *in.work_id, in.category.value_or("")));
           return json_response(resources::to_json(out), 201);
         }});
  r.add({.method = "PUT",
         .pattern = "/api/v1/contest-entries/{id}/score",
         .tag = "resources",
         .summary = "A judge's scores of an entry, one per criterion within its maximum (never his "
                    "own organization's entry)",
         .perm = auth::Perm::org_read,
         .body = &kScoreInput,
         .responses = {{204}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kScoreInput.parse(c.req));
           DJ_TRY(
               svc->score_entry(c.p(), id, in.scores.value_or(std::vector<int64_t>{}), in.comment));
           return no_content();
         }});
  r.add({.method = "PUT",
         .pattern = "/api/v1/contest-entries/{id}/award",
         .tag = "resources",
         .summary = "The committee's award for an entry (first … excellence), or none",
         .perm = auth::Perm::resource_manage,
         .body = &kAwardInput,
         .responses = {{200, "ContestEntry"}},
         .handler = [svc](Ctx& c) -> Result<Response> {
           DJ_ASSIGN(auto id, c.id(0));
           DJ_ASSIGN(auto in, kAwardInput.parse(c.req));
           DJ_ASSIGN(auto out, svc->award_entry(c.p(), id, in.award));
           return json_response(resources::to_json(out));
         }});
}

}  // namespace dj::http
