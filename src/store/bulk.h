// Multi-row INSERT with bound parameters, in chunks both backends accept.
#pragma once

#include <string>
#include <vector>

#include "store/db.h"

namespace dj::store {

// Inserts `rows` (each with one value per column) into `table`.
Status insert_rows(Conn& c, const std::string& table, const std::vector<std::string>& columns,
                   const std::vector<Params>& rows);

}  // namespace dj::store
