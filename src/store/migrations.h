// Versioned schema migrations, applied in order at start and by `dangjiao migrate`.
#pragma once

#include "store/db.h"

namespace dj::store {

// Applies every migration not yet recorded in schema_migrations; answers the
// number applied. Safe to call from several processes at once on PostgreSQL.
Result<int> migrate(Db& db);

// The newest schema version this build knows.
int latest_schema_version();

}  // namespace dj::store
