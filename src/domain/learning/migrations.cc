// Online learning's tables (learning.h).
#include "domain/learning/learning.h"

namespace dj::learning {
namespace {

const store::Migration kMigrations[] = {
    {.version = 23, .name = "courseware", .sql = R"SQL(
-- A checked file (a lesson's video, audio or document, a cover image) kept
-- in the blob store under its SHA-256; counted against its organization's quota.
CREATE TABLE media_files (
  id {id},
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  sha TEXT NOT NULL,
  media_type TEXT NOT NULL,
  kind TEXT NOT NULL,
  filename TEXT NOT NULL,
  size BIGINT NOT NULL,
  duration_ms BIGINT,
  codecs TEXT NOT NULL,
  poster_sha TEXT,
  created_at BIGINT NOT NULL,
  created_by BIGINT
);
CREATE INDEX media_files_org ON media_files(org_id);
-- A file arriving in pieces; `received` bytes are in its part file, named
-- by `part` (random: servers and databases may share a blob directory).
CREATE TABLE uploads (
  id {id},
  part TEXT NOT NULL,
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  user_id BIGINT NOT NULL,
  filename TEXT NOT NULL,
  media_type TEXT NOT NULL,
  size BIGINT NOT NULL,
  received BIGINT NOT NULL,
  status TEXT NOT NULL,
  media_id BIGINT REFERENCES media_files(id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE courses (
  id {id},
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  title TEXT NOT NULL,
  description TEXT,
  tags TEXT NOT NULL,
  hours_tenths INTEGER NOT NULL,
  status TEXT NOT NULL,
  cover_media_id BIGINT REFERENCES media_files(id),
  lecturer_user_id BIGINT REFERENCES users(id),
  deleted_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by BIGINT,
  updated_by BIGINT
);
CREATE INDEX courses_org ON courses(org_id);
CREATE TABLE lessons (
  id {id},
  course_id BIGINT NOT NULL REFERENCES courses(id),
  chapter TEXT NOT NULL,
  title TEXT NOT NULL,
  kind TEXT NOT NULL,
  position INTEGER NOT NULL,
  media_id BIGINT REFERENCES media_files(id),
  body TEXT,
  url TEXT,
  deleted_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX lessons_course ON lessons(course_id);
-- A member's progress in a lesson: the merged intervals played (JSON
-- [[start, end], ...] in ms), when he last reported (the clock a report is
-- checked against) and when it was complete.
CREATE TABLE lesson_progress (
  member_id BIGINT NOT NULL REFERENCES members(id),
  lesson_id BIGINT NOT NULL REFERENCES lessons(id),
  intervals TEXT NOT NULL,
  watched_ms BIGINT NOT NULL,
  position_ms BIGINT NOT NULL,
  reported_at BIGINT NOT NULL,
  completed_at BIGINT,
  PRIMARY KEY (member_id, lesson_id)
);
-- A course completed once per member; its id is the ledger entry's source_id.
CREATE TABLE course_completions (
  id {id},
  member_id BIGINT NOT NULL REFERENCES members(id),
  course_id BIGINT NOT NULL REFERENCES courses(id),
  hours_tenths INTEGER NOT NULL,
  completed_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX course_completions_once ON course_completions(member_id, course_id);
)SQL"},
    {.version = 25, .name = "course_assignments", .sql = R"SQL(
-- A course assigned to the members of a subtree in some target groups (JSON
-- array; empty: everyone) by a date.
CREATE TABLE course_assignments (
  id {id},
  course_id BIGINT NOT NULL REFERENCES courses(id),
  org_id BIGINT NOT NULL REFERENCES orgs(id),
  target_groups TEXT NOT NULL,
  due_on TEXT NOT NULL,
  note TEXT,
  deleted_at BIGINT,
  created_at BIGINT NOT NULL,
  created_by BIGINT
);
CREATE INDEX course_assignments_course ON course_assignments(course_id);
)SQL"},
};

}  // namespace

std::span<const store::Migration> migrations() { return kMigrations; }

}  // namespace dj::learning
