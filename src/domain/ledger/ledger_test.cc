// The ledger on both databases: a source's entries are replaced as a whole
// and the yearly totals follow, by the year of each entry's date.
#include "domain/ledger/ledger.h"

#include "domain/testing_city.h"

namespace dj::ledger {
namespace {

class LedgerTest : public testing::CityTest {
 protected:
  int64_t total(int64_t member_id, int year) {
    auto r = store::with_conn(db(), [&](store::Conn& c) {
      return c.query_opt("SELECT hours_tenths FROM hour_totals WHERE member_id = ? AND year = ?",
                         {member_id, year});
    });
    EXPECT_TRUE(r);
    return r && *r ? (*r)->i64(0) : 0;
  }
  Status post_as(const std::string& source, int64_t id, const std::vector<Entry>& entries) {
    return store::with_tx(db(), [&](store::Conn& c) { return post(c, source, id, "课", entries); });
  }
};

TEST_P(LedgerTest, ReplacingASourceKeepsTheYearlyTotalsInStep) {
  const int64_t a = person(branch_.id, 1), b = person(branch_.id, 2);
  ASSERT_TRUE(post_as("activity", 7, {{a, "2025-12-31", 15}, {b, "2026-01-01", 20}}));
  ASSERT_TRUE(post_as("training", 7, {{a, "2026-03-01", 40}}));
  EXPECT_EQ(total(a, 2025), 15);
  EXPECT_EQ(total(a, 2026), 40);
  EXPECT_EQ(total(b, 2026), 20);
  // The same source again: its old entries go, the other source's stay.
  ASSERT_TRUE(post_as("activity", 7, {{a, "2026-02-01", 5}}));
  EXPECT_EQ(total(a, 2025), 0);
  EXPECT_EQ(total(a, 2026), 45);
  EXPECT_EQ(total(b, 2026), 0);
  auto e = store::with_conn(db(), [&](store::Conn& c) { return entries(c, a, 2026); });
  ASSERT_TRUE(e);
  ASSERT_EQ(e->size(), 2u);
  EXPECT_EQ((*e)[0].on_date, "2026-02-01");
  EXPECT_EQ((*e)[0].source, "activity");
  EXPECT_EQ((*e)[1].source, "training");
  // Nothing posted: the source's entries are gone.
  ASSERT_TRUE(post_as("training", 7, {}));
  EXPECT_EQ(total(a, 2026), 5);
}

DJ_INSTANTIATE_BACKENDS(LedgerTest);

}  // namespace
}  // namespace dj::ledger
