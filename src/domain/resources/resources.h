// Resources (保障): the places education happens (the 党群活动服务中心, the
// teaching points, the party school's branch), their venues, and the
// organizations' reservations of them, never two holding the same time; the
// lecturer pool (师资库) with the attendees' ratings; the funds (budget lines,
// commitments and expenses with receipts, never below zero unexplained); the
// publications and collections (党刊, book sets, 书屋, 书架); the needs
// surveys behind the 机关大课堂 (缺什么补什么).
#pragma once

#include <boost/json/fwd.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "domain/auth/principal.h"
#include "domain/learning/learning.h"
#include "store/db.h"
#include "store/migrations.h"

namespace dj::resources {

// service_centre: 市党群活动服务中心; teaching_point: 教学点; party_school: 党校分校.
inline constexpr const char* kPointKinds[] = {"service_centre", "teaching_point", "party_school"};
// A booking holds its time while pending or approved.
inline constexpr const char* kBookingStatuses[] = {"pending", "approved", "rejected", "cancelled"};

inline constexpr const char* kLecturerKinds[] = {"internal", "external"};
// commitment: money promised (a contract, an order), open until an expense settles it.
inline constexpr const char* kFundEntryKinds[] = {"commitment", "expense"};
// journal: copies subscribed in a year; book_set: sets distributed in a year;
// reading_room (书屋) and bookshelf (书架): standing, at a place.
inline constexpr const char* kCollectionKinds[] = {"journal", "book_set", "reading_room",
                                                   "bookshelf"};

inline constexpr const char* kWorkKinds[] = {"party_lecture_video", "documentary", "micro_lecture"};
inline constexpr const char* kContestLevels[] = {"province", "city"};
inline constexpr const char* kAwards[] = {"first", "second", "third", "excellence"};

// This capability's schema migrations (migrations.cc), in version order.
std::span<const store::Migration> migrations();

struct PointInput {
  std::optional<int64_t> org_id;  // the organization that hosts it, if any
  std::optional<std::string> code, name, kind, address, contact, phone, description;
};

struct Point {
  int64_t id = 0;
  std::string code, name, kind, address;
  std::optional<int64_t> org_id;
  std::string org_path, org_path_name;  // empty without a host; org_path not in its JSON
  std::optional<std::string> contact, phone, description;
  int64_t venues = 0;
  int64_t updated_at = 0;
};

// A point with its venues' use: the lecturers of the pool who teach there
// and the training classes whose sessions were booked at its venues.
struct PointDetail {
  struct Held {
    int64_t training_id = 0;
    std::string title, starts_on;
    int64_t sessions = 0;
  };
  Point point;
  std::vector<std::pair<int64_t, std::string>> lecturers;  // id, name
  std::vector<Held> classes;                               // latest first, at most 100
};

struct VenueInput {
  std::optional<int64_t> point_id, capacity;
  std::optional<std::string> name, equipment, opens, closes;  // opens, closes: HH:MM
  std::optional<bool> needs_approval;
};

struct Venue {
  int64_t id = 0, point_id = 0;
  std::string point_name, name;
  int64_t capacity = 0;
  std::optional<std::string> equipment;
  std::string opens, closes;
  bool needs_approval = false;
  int64_t updated_at = 0;
};

struct BookingInput {
  std::optional<int64_t> venue_id, org_id, attendees;
  std::optional<std::string> title, starts_at, ends_at, contact, note;
  // Booked from a training session's or an activity's own form: its
  // organization, times and title (and attendees) come from the record.
  std::optional<int64_t> session_id, activity_id;
};

struct Booking {
  int64_t id = 0, venue_id = 0, org_id = 0;
  std::string venue_name, point_name, org_path, org_path_name;  // org_path not in its JSON
  std::string title;
  int64_t attendees = 0, starts_at = 0, ends_at = 0;
  std::string status;
  std::optional<std::string> contact, note, reply;
  std::optional<bool> used;  // checked after it ended
  std::optional<std::string> used_note;
  std::optional<int64_t> session_id, activity_id;  // the record it was booked for
  int64_t booked_by = 0;                           // the account; not in its JSON
  int64_t created_at = 0, updated_at = 0;
};

struct BookingQuery {
  std::optional<int64_t> point_id, venue_id, org_id;
  std::optional<std::string> status;
  std::string from, to;  // dates, inclusive, by the start; at most 92 days
};

// A period's use of the venues (by the bookings' start).
struct Usage {
  struct Line {
    int64_t venue_id = 0;
    std::string venue_name, point_name;
    int64_t bookings = 0, approved = 0, used = 0, unused = 0, orgs = 0, hours_tenths = 0;
  };
  std::string from, to;
  std::vector<Line> venues;
  Line total;  // venue_id 0: the sum; orgs counted once across venues
};

struct LecturerInput {
  std::optional<std::string> kind;  // internal: a member (member_id); external: by name
  std::optional<int64_t> member_id, user_id, point_id;  // user_id: his lecturer account
  std::optional<std::string> name, title, employer, fields, courses, intro;
};

// A session he taught (training_sessions.lecturer_id).
struct Taught {
  int64_t session_id = 0, training_id = 0;
  std::string training_title, title;
  int64_t started_at = 0, ended_at = 0;
};

struct Lecturer {
  int64_t id = 0;
  std::string kind, name;
  std::optional<int64_t> member_id, user_id, point_id;
  std::optional<std::string> point_name, title, employer, fields, courses, intro;
  // Derived from the records: sessions taught, lectures (党课) given as a
  // member, and the attendees' ratings.
  int64_t sessions = 0, lectures = 0, ratings = 0;
  std::optional<double> rating;  // the average, 1-5
  int64_t updated_at = 0;
};

// One lecturer with his schedule and history, and what attendees wrote
// (never who).
struct LecturerDetail {
  Lecturer lecturer;
  std::vector<Taught> sessions;                           // newest first, at most 100
  std::vector<int64_t> scores;                            // how many gave 1, 2, 3, 4, 5
  std::vector<std::pair<int64_t, std::string>> comments;  // score, comment; newest first
};

// A session the member attended and may still rate.
struct ToRate {
  Taught session;
  int64_t lecturer_id = 0;
  std::string lecturer_name;
};

struct BudgetLineInput {
  std::optional<int64_t> org_id, year, training_id;  // training_id: a class's own line
  std::optional<std::string> title, note;
  std::optional<double> amount;  // yuan, to the fen
};

struct FundEntryInput {
  std::optional<std::string> kind, spent_on, description, override_reason;
  std::optional<double> amount;
  std::optional<int64_t> commitment_id;  // an expense that settles this commitment
};

// A receipt (PDF or image) of an entry, kept in the file store.
struct Receipt {
  std::string sha256, content_type, filename;
  int64_t size = 0;
};

struct FundEntry {
  int64_t id = 0, line_id = 0;
  std::string kind, spent_on, description;
  int64_t amount_cents = 0;
  std::optional<int64_t> commitment_id;
  std::optional<std::string> override_reason;  // it took the balance below zero
  bool settled = false;                        // a commitment an expense settled
  std::optional<Receipt> receipt;
  int64_t created_at = 0;
};

struct BudgetLine {
  int64_t id = 0, org_id = 0, year = 0;
  std::string org_path, org_path_name;  // org_path not in its JSON
  std::optional<int64_t> training_id;
  std::optional<std::string> training_title, note;
  std::string title;
  // Balance = amount - spent - open commitments.
  int64_t amount_cents = 0, committed_cents = 0, spent_cents = 0, balance_cents = 0;
  int64_t trainees = 0;                      // a class's enrolled members
  std::optional<int64_t> per_trainee_cents;  // spent / trainees
  std::vector<FundEntry> entries;            // filled by budget_line()
  int64_t updated_at = 0;
};

struct CollectionInput {
  std::optional<std::string> kind, title, place, note;
  std::optional<int64_t> org_id, year, quantity;
};

struct Collection {
  int64_t id = 0, org_id = 0;
  std::string org_path, org_path_name;  // org_path not in its JSON
  std::string kind, title;
  std::optional<int64_t> year;  // journals and book sets
  int64_t quantity = 0;
  std::optional<std::string> place, note;
  int64_t updated_at = 0;
};

// A subtree's year: journal copies, book sets, reading rooms and shelves.
struct CollectionFigures {
  int64_t year = 0, journal_copies = 0, journal_titles = 0, book_sets = 0, reading_rooms = 0,
          bookshelves = 0;
};

struct SurveyInput {
  std::optional<int64_t> org_id, year, quarter, max_choices;  // org_id: the subtree asked
  std::optional<std::string> title, opens_on, closes_on;
  std::optional<std::vector<std::string>> topics;
  std::optional<bool> anonymous;
};

struct Survey {
  int64_t id = 0, org_id = 0, year = 0, quarter = 0, max_choices = 1;
  std::string org_path, org_path_name;  // org_path not in its JSON
  std::string title, opens_on, closes_on;
  std::vector<std::string> topics;
  bool anonymous = true;
  int64_t responses = 0;
  std::optional<bool> answered;  // the caller's own (members)
  int64_t updated_at = 0;
};

// What members asked for, and the grand lectures held for it.
struct SurveyResults {
  struct Topic {
    std::string label;
    int64_t votes = 0;
    std::vector<std::pair<int64_t, std::string>> lectures;  // activity id, title (and date)
  };
  struct ByOrg {
    int64_t org_id = 0;
    std::string org_name;
    int64_t responses = 0;
    std::vector<int64_t> votes;  // per topic
  };
  Survey survey;
  std::vector<Topic> topics;             // in the survey's order
  std::vector<ByOrg> by_org;             // directly affiliated organizations, most responses first
  std::vector<std::string> suggestions;  // free text, never with who wrote it
};

struct WorkInput {
  std::optional<int64_t> org_id, year, media_id;  // media_id: its uploaded video
  std::optional<std::string> title, kind, authors, description, link;  // link: where it plays
};

struct Work {
  int64_t id = 0, org_id = 0, year = 0;
  std::string org_path, org_path_name;  // org_path not in its JSON
  std::string title, kind, authors;
  std::optional<std::string> description, link;
  int64_t updated_at = 0;
  std::optional<int64_t> media_id;  // its uploaded video (GET /works/{id}/video)
};

struct Criterion {
  std::string name;
  int64_t max = 0;
};

struct ContestInput {
  std::optional<std::string> name, level;
  std::optional<int64_t> year;
  std::optional<std::vector<std::string>> categories;
  std::optional<std::vector<Criterion>> criteria;
  std::optional<std::vector<int64_t>> judges;  // user ids
};

struct Entry {
  int64_t id = 0, contest_id = 0, work_id = 0, org_id = 0;
  std::string work_title, work_kind, org_path, org_path_name, category;
  std::optional<std::string> award;
  int64_t judged = 0;              // judges who scored it
  std::optional<double> score;     // the judges' average total
  std::vector<int64_t> my_scores;  // the caller's own, as a judge
  std::optional<int64_t> work_media_id;
};

struct Contest {
  int64_t id = 0, year = 0;
  std::string name, level;
  std::vector<std::string> categories;
  std::vector<Criterion> criteria;
  std::vector<std::pair<int64_t, std::string>> judges;  // user id, username
  std::vector<Entry> entries;                           // filled by contest()
  int64_t entry_count = 0;
  int64_t updated_at = 0;
};

// A year's works and awards, by level.
struct WorkFigures {
  struct Level {
    std::string level;
    int64_t contests = 0, entries = 0;
    std::vector<std::pair<std::string, int64_t>> awards;  // kAwards order
  };
  int64_t year = 0, works = 0;
  std::vector<Level> levels;
};

struct Config {
  std::string blob_dir = "./data/blobs";  // receipts' bytes, content-addressed
  size_t max_file_bytes = 10 * 1024 * 1024;
  // Keys the hash that keeps one answer per member without keeping who.
  std::string survey_key = std::string(32, 's');
};

class ResourceService {
 public:
  explicit ResourceService(store::Db& db, Config cfg = {}) : db_(db), cfg_(std::move(cfg)) {}

  // Points and venues: everyone signed in reads them (to book); the
  // committee keeps them (resource:manage). Audited.
  Result<std::vector<Point>> points();
  Result<PointDetail> point(int64_t id);
  Result<Point> create_point(const auth::Principal& p, const PointInput& in);
  Result<Point> update_point(const auth::Principal& p, int64_t id, const PointInput& patch);
  // Soft; conflict while it has venues.
  Status remove_point(const auth::Principal& p, int64_t id);

  Result<std::vector<Venue>> venues(std::optional<int64_t> point_id);
  Result<Venue> venue(int64_t id);
  Result<Venue> create_venue(const auth::Principal& p, const VenueInput& in);
  Result<Venue> update_venue(const auth::Principal& p, int64_t id, const VenueInput& patch);
  // Soft; conflict while bookings ahead hold it.
  Status remove_venue(const auth::Principal& p, int64_t id);

  // A reservation for an organization in scope (org:write): within one day's
  // opening hours, not in the past, at most a year ahead, attendees within
  // capacity; pending when the venue needs approval, else approved. Never
  // overlaps another pending or approved booking of the venue (touching end
  // to start is fine): conflict naming starts_at and the booking in the way.
  // For a session or an activity (one writable by the caller), its record
  // gives what is not given, and takes the venue's name as its place.
  Result<Booking> book(const auth::Principal& p, const BookingInput& in);
  Result<Booking> booking(const auth::Principal& p, int64_t id);
  // The bookings of a period (by their start, at most 92 days), for the
  // calendar: every signed-in reader sees the venues' occupation.
  Result<std::vector<Booking>> bookings(const auth::Principal& p, const BookingQuery& q);
  // The keeper (resource:manage) approves or rejects a pending booking; never
  // his own. A rejection gives its reason.
  Result<Booking> decide(const auth::Principal& p, int64_t id, bool approve,
                         const std::optional<std::string>& reply);
  // The booking organization (org:write in scope) or the keeper cancels a
  // pending or approved booking before it starts, with a reason.
  Result<Booking> cancel(const auth::Principal& p, int64_t id, const std::string& reason);
  // After an approved booking ended, the keeper records whether it was used.
  Result<Booking> check_use(const auth::Principal& p, int64_t id, bool used,
                            const std::optional<std::string>& note);
  Result<Usage> usage(const auth::Principal& p, std::optional<int64_t> point_id,
                      const std::string& from, const std::string& to);

  // The lecturer pool (lecturers.cc): read by administrators (member:read),
  // kept by the committee (resource:manage). An internal lecturer is a member
  // (his name from the roster), once; a lecturer account links at most one.
  Result<std::vector<Lecturer>> lecturers(const auth::Principal& p,
                                          const std::optional<std::string>& q);
  // Administrators, and the lecturer himself (his account).
  Result<LecturerDetail> lecturer(const auth::Principal& p, int64_t id);
  // The caller's own record as a lecturer account (not_found when unlinked).
  Result<LecturerDetail> my_lecturer(const auth::Principal& p);
  Result<Lecturer> create_lecturer(const auth::Principal& p, const LecturerInput& in);
  Result<Lecturer> update_lecturer(const auth::Principal& p, int64_t id,
                                   const LecturerInput& patch);
  // Soft; sessions keep his name.
  Status remove_lecturer(const auth::Principal& p, int64_t id);
  // A member's rating of a session's pool lecturer, once, after the session
  // ended, only when he was there (checked in present or late): 1 to 5 and
  // an optional comment. The lecturer sees the score and comment, never who.
  Status rate(const auth::Principal& p, int64_t session_id, int64_t score,
              const std::optional<std::string>& comment);
  // The sessions of the last 30 days the caller attended and has not rated.
  Result<std::vector<ToRate>> to_rate(const auth::Principal& p);

  // Funds (funds.cc). A year's budget lines of a subtree (org:read in scope;
  // not members), with what is committed, spent and left.
  Result<std::vector<BudgetLine>> budget_lines(const auth::Principal& p,
                                               std::optional<int64_t> org_id, int64_t year);
  // One line with its entries.
  Result<BudgetLine> budget_line(const auth::Principal& p, int64_t id);
  // A line of an organization in scope (org:write), optionally a class's.
  Result<BudgetLine> create_budget_line(const auth::Principal& p, const BudgetLineInput& in);
  // Title, note and amount; an amount below what is spent and committed
  // needs nothing more than the entries do (the balance shows it).
  Result<BudgetLine> update_budget_line(const auth::Principal& p, int64_t id,
                                        const BudgetLineInput& patch);
  // Soft; conflict while it has entries.
  Status remove_budget_line(const auth::Principal& p, int64_t id);
  // A commitment or an expense (an expense may settle an open commitment of
  // the line). One that takes the balance below zero is refused (422
  // amount: overdraw, naming the balance) unless it gives override_reason;
  // then it is audited as fund_entry.overdraw.
  Result<FundEntry> add_fund_entry(const auth::Principal& p, int64_t line_id,
                                   const FundEntryInput& in);
  // Voids an entry (soft, audited, with a reason); not a commitment already settled.
  Status void_fund_entry(const auth::Principal& p, int64_t entry_id, const std::string& reason);
  // The entry's receipt: PDF, JPEG or PNG checked by its content (replaces one before).
  Result<FundEntry> attach_receipt(const auth::Principal& p, int64_t entry_id,
                                   const std::string& claimed_type, const std::string& filename,
                                   const std::string& bytes);
  Result<std::pair<Receipt, std::string>> receipt(const auth::Principal& p, int64_t entry_id);

  // Publications and collections (collections.cc): read by administrators
  // in scope, kept by organizations in scope (org:write). Journals and book
  // sets belong to a year; reading rooms and shelves stand at a place.
  Result<std::vector<Collection>> collections(const auth::Principal& p,
                                              std::optional<int64_t> org_id,
                                              const std::optional<std::string>& kind,
                                              std::optional<int64_t> year);
  Result<Collection> create_collection(const auth::Principal& p, const CollectionInput& in);
  Result<Collection> update_collection(const auth::Principal& p, int64_t id,
                                       const CollectionInput& patch);
  Status remove_collection(const auth::Principal& p, int64_t id);
  Result<CollectionFigures> collection_figures(const auth::Principal& p,
                                               std::optional<int64_t> org_id, int64_t year);

  // Needs surveys (surveys.cc), run by the committee (resource:manage): 2 to
  // 20 topics, up to max_choices each, open from opens_on to closes_on, to
  // the members of a subtree; anonymous ones keep no member id.
  Result<Survey> create_survey(const auth::Principal& p, const SurveyInput& in);
  // Changes while nobody has answered (conflict after).
  Result<Survey> update_survey(const auth::Principal& p, int64_t id, const SurveyInput& patch);
  // Administrators: the surveys of their scope's trees; members: those asked of them.
  Result<std::vector<Survey>> surveys(const auth::Principal& p, std::optional<int64_t> year);
  // A member's answer, once, while open: the topics' indexes and free text.
  Status answer_survey(const auth::Principal& p, int64_t id, const std::vector<int64_t>& choices,
                       const std::optional<std::string>& suggestion);
  Result<SurveyResults> survey_results(const auth::Principal& p, int64_t id);
  // Marks a grand lecture (an activity of type grand_lecture) as held for a topic.
  Result<SurveyResults> link_lecture(const auth::Principal& p, int64_t id, int64_t topic,
                                     int64_t activity_id);

  // Quality works (works.cc). Works of organizations in scope (org:write to
  // keep them); contests kept by the committee (resource:manage) with their
  // categories, criteria (each a maximum) and judge accounts.
  Result<std::vector<Work>> works(const auth::Principal& p, std::optional<int64_t> org_id,
                                  std::optional<int64_t> year);
  Result<Work> create_work(const auth::Principal& p, const WorkInput& in);
  Result<Work> update_work(const auth::Principal& p, int64_t id, const WorkInput& patch);
  // The uploaded video of a work, for whoever sees the work or judges a
  // contest it entered (not_found otherwise, and for a work without one).
  Result<learning::Media> work_video(const auth::Principal& p, int64_t id);
  Result<std::vector<Contest>> contests(const auth::Principal& p, std::optional<int64_t> year);
  // With its entries: administrators in scope see all; a judge sees his own scores.
  Result<Contest> contest(const auth::Principal& p, int64_t id);
  Result<Contest> create_contest(const auth::Principal& p, const ContestInput& in);
  // An organization enters its work in a category, once per contest.
  Result<Entry> enter_work(const auth::Principal& p, int64_t contest_id, int64_t work_id,
                           const std::string& category);
  // A judge of the contest scores an entry, one score per criterion within
  // its maximum; never an entry of his own organization (the directly
  // affiliated one his account belongs to). Changes until an award is given.
  Status score_entry(const auth::Principal& p, int64_t entry_id, const std::vector<int64_t>& scores,
                     const std::optional<std::string>& comment);
  // The committee's award for an entry (first, second, third, excellence) or none.
  Result<Entry> award_entry(const auth::Principal& p, int64_t entry_id,
                            const std::optional<std::string>& award);
  Result<WorkFigures> work_figures(const auth::Principal& p, int64_t year);

 private:
  store::Db& db_;
  Config cfg_;
};

boost::json::object to_json(const Point& x);
boost::json::object to_json(const PointDetail& x);
boost::json::object to_json(const Venue& x);
boost::json::object to_json(const Booking& x);
boost::json::object to_json(const Usage& x);
boost::json::object to_json(const Lecturer& x);
boost::json::object to_json(const LecturerDetail& x);
boost::json::object to_json(const ToRate& x);
boost::json::object to_json(const FundEntry& x);
boost::json::object to_json(const BudgetLine& x);
boost::json::object to_json(const Collection& x);
boost::json::object to_json(const CollectionFigures& x);
boost::json::object to_json(const Survey& x);
boost::json::object to_json(const SurveyResults& x);
boost::json::object to_json(const Work& x);
boost::json::object to_json(const Entry& x);
boost::json::object to_json(const Contest& x);
boost::json::object to_json(const WorkFigures& x);

}  // namespace dj::resources
