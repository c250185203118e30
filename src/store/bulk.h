// Multi-row INSERT with bound parameters, in chunks both backends accept.
#pragma once

#include <string>
#include <vector>

#include "store/db.h"

namespace dj::store {

// Inserts `rows` (each with one value per column) into `table`.
Status insert_rows(Conn& c, const std::string& table, const std::vector<std::string>& columns,
                   const std::vector<Params>& rows);

// Inserts each row (keys..., amount), or adds the amount to the existing
// row with the same keys: INSERT ... ON CONFLICT (keys) DO UPDATE. The keys
// of `rows` must be distinct.
Status upsert_add(Conn& c, const std::string& table, const std::vector<std::string>& keys,
                  const std::string& amount, const std::vector<Params>& rows);

// After rows were inserted with explicit ids: moves PostgreSQL's identity
// sequence of `table` past the largest id (nothing to do on SQLite).
Status reset_identity(Conn& c, const std::string& table);

}  // namespace dj::store
