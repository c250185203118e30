// The schema: every capability's migrations in one global order.
#pragma once

#include <vector>

#include "store/migrations.h"

namespace dj::domain {

// All migrations, sorted by version (each version held by one capability).
const std::vector<store::Migration>& migrations();

// Brings `db` to this build's schema (store::migrate over migrations()).
Result<int> migrate(store::Db& db);

// The newest schema version this build knows.
int latest_schema_version();

}  // namespace dj::domain
