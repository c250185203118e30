// Backend factories; only db.cc calls them.
#pragma once

#include <memory>
#include <string>

#include "store/db.h"

namespace dj::store {

Result<std::unique_ptr<Db>> open_sqlite(const std::string& path, size_t pool_size);
Result<std::unique_ptr<Db>> open_postgres(const std::string& url, size_t pool_size);

}  // namespace dj::store
