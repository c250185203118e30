// Versioned schema migrations. Each capability keeps its own list beside its
// code (domain/<capability>/migrations.cc); domain/schema.cc puts them in one
// global order. A migration that has shipped never changes: its checksum is
// stored when it is applied, and migrate() refuses a database whose applied
// migrations no longer match this build (as Flyway's validate does).
#pragma once

#include <span>
#include <string>

#include "store/db.h"

namespace dj::store {

// A column a migration adds when the table does not have it yet: for
// reconciling databases made by an earlier text of a migration. `backfill`
// (optional) runs right after the column is added.
struct AddedColumn {
  const char* table;
  const char* column;
  const char* decl;  // e.g. "TEXT NOT NULL DEFAULT ''"
  const char* backfill = nullptr;
};

struct Migration {
  int version;  // the global order, unique across capabilities
  const char* name;
  // Written once for both dialects; {id} is the identity primary key and
  // {path} a byte-ordered text column for materialized paths. Runs after
  // `columns` are added.
  const char* sql;
  std::span<const AddedColumn> columns = {};
  // Runs after `sql` on PostgreSQL only: what SQLite has no form for (an
  // exclusion constraint); the services check the same inside their
  // transactions on SQLite.
  const char* postgres = nullptr;
};

// The stored checksum of a migration: SHA-256 of its version, name, SQL and
// added columns as written (not as rendered for a dialect).
std::string checksum(const Migration& m);

// Checks the checksums of the migrations already applied (recording them for
// databases from before checksums were kept), then applies every migration
// of `all` not yet recorded in schema_migrations, in version order; answers
// the number applied. conflict naming the migration when an applied one has
// changed or is unknown to this build. Safe to call from several processes
// at once on PostgreSQL.
Result<int> migrate(Db& db, std::span<const Migration> all);

// True when `table` has `column` (both dialects).
Result<bool> has_column(Conn& c, const std::string& table, const std::string& column);

}  // namespace dj::store
