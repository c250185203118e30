// The domain's tests run on the whole schema.
#include "store/testing.h"

#include "domain/schema.h"

namespace dj::store {

std::span<const Migration> test_schema() { return domain::migrations(); }

}  // namespace dj::store
