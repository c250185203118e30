// The resources capability's migrations. Shipped ones never change: add a new
// one with the next free version number (domain/schema.cc lists who holds which).
#include "domain/resources/resources.h"

namespace dj::resources {
namespace {

constexpr store::Migration kMigrations[] = {
    {.version = 16,
     .name = "venues",
     .sql = R"SQL(
CREATE TABLE teaching_points (
  id {id},
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  org_id BIGINT REFERENCES orgs(id),
  address TEXT NOT NULL,
  contact TEXT,
  phone TEXT,
  description TEXT,
  deleted_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by BIGINT,
  updated_by BIGINT
);
CREATE UNIQUE INDEX teaching_points_code ON teaching_points(code);

CREATE TABLE venues (
  id {id},
  point_id BIGINT NOT NULL REFERENCES teaching_points(id),
  name TEXT NOT NULL,
  capacity INTEGER NOT NULL,
  equipment TEXT,
  opens TEXT NOT NULL,
  closes TEXT NOT NULL,
  needs_approval INTEGER NOT NULL,
  deleted_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by BIGINT,
  updated_by BIGINT
);
CREATE INDEX venues_point ON venues(point_id);

-- A reservation holds [starts_at, ends_at) of its venue while pending or
-- approved. PostgreSQL refuses an overlap by the constraint below; SQLite's
-- writers are serialized, and the service checks inside its transaction.
CREATE TABLE venue_bookings (
  id {id},
  venue_id BIGINT NOT NULL REFERENCES venues(id),
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  title TEXT NOT NULL,
  attendees INTEGER NOT NULL,
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  status TEXT NOT NULL,
  contact TEXT,
  note TEXT,
  reply TEXT,
  decided_at BIGINT,
  decided_by BIGINT,
  used INTEGER,
  used_note TEXT,
  checked_at BIGINT,
  checked_by BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by BIGINT NOT NULL,
  updated_by BIGINT,
  CHECK (ends_at > starts_at)
);
CREATE INDEX venue_bookings_venue ON venue_bookings(venue_id, starts_at);
CREATE INDEX venue_bookings_starts ON venue_bookings(starts_at);
CREATE INDEX venue_bookings_org ON venue_bookings(org_id, starts_at);
)SQL",
     // Ranges of one element stand in for the venue's equality, so no
     // extension (btree_gist) is needed.
     .postgres = R"SQL(
ALTER TABLE venue_bookings ADD CONSTRAINT venue_bookings_no_overlap EXCLUDE USING gist (
  int8range(venue_id, venue_id, '[]') WITH =, int8range(starts_at, ends_at) WITH &&)
  WHERE (status IN ('pending', 'approved'));
)SQL"},
    {.version = 17, .name = "lecturers", .sql = R"SQL(
CREATE TABLE lecturers (
  id {id},
  kind TEXT NOT NULL,
  member_id BIGINT REFERENCES members(id),
  user_id BIGINT REFERENCES users(id),
  name TEXT NOT NULL,
  title TEXT,
  employer TEXT,
  fields TEXT,
  courses TEXT,
  point_id BIGINT REFERENCES teaching_points(id),
  intro TEXT,
  deleted_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by BIGINT,
  updated_by BIGINT
);
CREATE UNIQUE INDEX lecturers_member ON lecturers(member_id)
  WHERE member_id IS NOT NULL AND deleted_at IS NULL;
CREATE UNIQUE INDEX lecturers_user ON lecturers(user_id)
  WHERE user_id IS NOT NULL AND deleted_at IS NULL;

ALTER TABLE training_sessions ADD COLUMN lecturer_id BIGINT REFERENCES lecturers(id);
CREATE INDEX training_sessions_lecturer ON training_sessions(lecturer_id, started_at);

-- An attendee's rating of a session's lecturer: one each, never shown with
-- who gave it.
CREATE TABLE lecturer_ratings (
  id {id},
  lecturer_id BIGINT NOT NULL REFERENCES lecturers(id),
  session_id BIGINT NOT NULL REFERENCES training_sessions(id),
  member_id BIGINT NOT NULL REFERENCES members(id),
  score INTEGER NOT NULL,
  comment TEXT,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX lecturer_ratings_session_member ON lecturer_ratings(session_id, member_id);
CREATE INDEX lecturer_ratings_lecturer ON lecturer_ratings(lecturer_id, created_at);
)SQL"},
    {.version = 18, .name = "funds", .sql = R"SQL(
-- Money in fen (cents). A line's balance: amount - expenses - commitments
-- not yet settled by an expense.
CREATE TABLE budget_lines (
  id {id},
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  year INTEGER NOT NULL,
  training_id BIGINT REFERENCES trainings(id),
  title TEXT NOT NULL,
  amount_cents BIGINT NOT NULL,
  note TEXT,
  deleted_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by BIGINT,
  updated_by BIGINT
);
CREATE INDEX budget_lines_org_year ON budget_lines(org_id, year);
CREATE INDEX budget_lines_training ON budget_lines(training_id);

CREATE TABLE fund_entries (
  id {id},
  line_id BIGINT NOT NULL REFERENCES budget_lines(id),
  kind TEXT NOT NULL,
  amount_cents BIGINT NOT NULL,
  spent_on TEXT NOT NULL,
  description TEXT NOT NULL,
  commitment_id BIGINT REFERENCES fund_entries(id),
  override_reason TEXT,
  receipt_sha256 TEXT,
  receipt_type TEXT,
  receipt_name TEXT,
  receipt_size BIGINT,
  voided_at BIGINT,
  void_reason TEXT,
  created_at BIGINT NOT NULL,
  created_by BIGINT,
  updated_at BIGINT NOT NULL
);
CREATE INDEX fund_entries_line ON fund_entries(line_id, spent_on);
CREATE UNIQUE INDEX fund_entries_settles ON fund_entries(commitment_id)
  WHERE commitment_id IS NOT NULL AND voided_at IS NULL;
)SQL"},
    {.version = 19, .name = "collections", .sql = R"SQL(
-- Journal subscriptions and book sets of a year; reading rooms and
-- bookshelves standing at a place (quantity: copies, sets, rooms, shelves).
CREATE TABLE collections (
  id {id},
  kind TEXT NOT NULL,
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  year INTEGER,
  title TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  place TEXT,
  note TEXT,
  deleted_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by BIGINT,
  updated_by BIGINT
);
CREATE INDEX collections_org ON collections(org_id, kind, year);
)SQL"},
    {.version = 20, .name = "needs_surveys", .sql = R"SQL(
-- 机关大课堂 needs surveys: topics as a JSON array of labels.
CREATE TABLE needs_surveys (
  id {id},
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  year INTEGER NOT NULL,
  quarter INTEGER NOT NULL,
  title TEXT NOT NULL,
  topics TEXT NOT NULL,
  max_choices INTEGER NOT NULL,
  anonymous INTEGER NOT NULL,
  opens_on TEXT NOT NULL,
  closes_on TEXT NOT NULL,
  deleted_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by BIGINT,
  updated_by BIGINT
);
CREATE INDEX needs_surveys_year ON needs_surveys(year, quarter);

-- One answer per member: respondent is a keyed hash of the member, so an
-- anonymous survey (member_id NULL) still takes one each.
CREATE TABLE survey_responses (
  id {id},
  survey_id BIGINT NOT NULL REFERENCES needs_surveys(id),
  respondent TEXT NOT NULL,
  member_id BIGINT REFERENCES members(id),
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  choices TEXT NOT NULL,
  suggestion TEXT,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX survey_responses_once ON survey_responses(survey_id, respondent);

CREATE TABLE survey_lectures (
  survey_id BIGINT NOT NULL REFERENCES needs_surveys(id),
  topic INTEGER NOT NULL,
  activity_id BIGINT NOT NULL REFERENCES activities(id),
  created_at BIGINT NOT NULL,
  created_by BIGINT,
  PRIMARY KEY (survey_id, topic, activity_id)
);
)SQL"},
    {.version = 21, .name = "quality_works", .sql = R"SQL(
CREATE TABLE works (
  id {id},
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  year INTEGER NOT NULL,
  title TEXT NOT NULL,
  kind TEXT NOT NULL,
  authors TEXT NOT NULL,
  description TEXT,
  link TEXT,
  deleted_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by BIGINT,
  updated_by BIGINT
);
CREATE INDEX works_org ON works(org_id, year);

-- categories: a JSON array of names; criteria: [{"name", "max"}].
CREATE TABLE contests (
  id {id},
  name TEXT NOT NULL,
  level TEXT NOT NULL,
  year INTEGER NOT NULL,
  categories TEXT NOT NULL,
  criteria TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by BIGINT
);
CREATE TABLE contest_judges (
  contest_id BIGINT NOT NULL REFERENCES contests(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  PRIMARY KEY (contest_id, user_id)
);
CREATE TABLE contest_entries (
  id {id},
  contest_id BIGINT NOT NULL REFERENCES contests(id),
  work_id BIGINT NOT NULL REFERENCES works(id),
  category TEXT NOT NULL,
  award TEXT,
  created_at BIGINT NOT NULL,
  created_by BIGINT
);
CREATE UNIQUE INDEX contest_entries_once ON contest_entries(contest_id, work_id);
-- A judge's scores of an entry, one per criterion (a JSON array).
CREATE TABLE entry_scores (
  entry_id BIGINT NOT NULL REFERENCES contest_entries(id),
  judge_id BIGINT NOT NULL REFERENCES users(id),
  scores TEXT NOT NULL,
  total INTEGER NOT NULL,
  comment TEXT,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (entry_id, judge_id)
);
)SQL"},
    {.version = 22, .name = "booking_sources", .sql = R"SQL(
-- A booking made from a training session's or an activity's own form.
ALTER TABLE venue_bookings ADD COLUMN session_id BIGINT REFERENCES training_sessions(id);
ALTER TABLE venue_bookings ADD COLUMN activity_id BIGINT REFERENCES activities(id);
)SQL"},
    {.version = 24, .name = "work_videos", .sql = R"SQL(
-- A quality work's video kept here (an uploaded, checked media file).
ALTER TABLE works ADD COLUMN media_id BIGINT REFERENCES media_files(id);
)SQL"},
};

}  // namespace

std::span<const store::Migration> migrations() { return kMigrations; }

}  // namespace dj::resources
