#include "domain/schema.h"

#include <algorithm>
#include <stdexcept>

#include "domain/activity/activity.h"
#include "domain/learning/learning.h"
#include "domain/masses/masses.h"
#include "domain/org/org.h"
#include "domain/resources/resources.h"
#include "domain/training/training.h"

namespace dj::domain {

// Who holds which version: 1 org (the foundation), 2-3 activity, 4-5
// training, 6 activity, 7-8 training, 9-15 masses, 16-22 resources, 23 learning. A new capability
// adds its list here and takes the next free version.
const std::vector<store::Migration>& migrations() {
  static const std::vector<store::Migration> all = [] {
    std::vector<store::Migration> out;
    for (auto list : {org::migrations(), activity::migrations(), training::migrations(),
                      masses::migrations(), resources::migrations(), learning::migrations()}) {
      out.insert(out.end(), list.begin(), list.end());
    }
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.version < b.version; });
    for (size_t i = 1; i < out.size(); ++i) {
      if (out[i].version == out[i - 1].version) {
        throw std::logic_error("two migrations hold version " + std::to_string(out[i].version));
      }
    }
    return out;
  }();
  return all;
}

Result<int> migrate(store::Db& db) { return store::migrate(db, migrations()); }

int latest_schema_version() { return migrations().back().version; }

}  // namespace dj::domain
