// The demo city: a realistic, deterministic organization tree, members and
// accounts, like the seed's city (47 directly affiliated organizations, ~900
// branches, ~5,500 members). `province` scale streams ~150,000 organizations
// and ~2 million members for benchmarks. The city also gets the last 365
// days of activities (~60,000) with attendance and ledger hours, with the
// gaps and late entries real branches have; province scale gets none.
#pragma once

#include <cstdint>
#include <string>

#include "common/crypto.h"
#include "store/db.h"

namespace dj::demo {

enum class Scale { city, province };

struct Options {
  Scale scale = Scale::city;
  uint64_t seed = 2021;
};

struct Summary {
  int64_t orgs = 0, members = 0, users = 0, activities = 0;
};

// The password of every demo account (documented in the README).
inline constexpr const char* kDemoPassword = "Dangjiao#2026";

// Loads the demo into an empty, migrated database; conflict when it already
// holds organizations.
Result<Summary> generate(store::Db& db, const Keys& keys, const Options& opt);

}  // namespace dj::demo
