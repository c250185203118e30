// Range headers (RFC 9110 §14.2) against a representation's size: the one
// part asked for, the whole when none is, and 416 for what cannot be had.
#include "http/message.h"

#include <gtest/gtest.h>

namespace dj::http {
namespace {

TEST(ParseRange, OnePart) {
  auto r = parse_range("bytes=0-1", 100);
  EXPECT_EQ(r.kind, RangeAsked::part);
  EXPECT_EQ(r.first, 0u);
  EXPECT_EQ(r.last, 1u);
  r = parse_range("bytes=10-", 100);
  EXPECT_EQ(r.kind, RangeAsked::part);
  EXPECT_EQ(r.first, 10u);
  EXPECT_EQ(r.last, 99u);
  r = parse_range("bytes=90-500", 100);  // the end is clipped to the size
  EXPECT_EQ(r.last, 99u);
  r = parse_range("bytes=-10", 100);
  EXPECT_EQ(r.first, 90u);
  EXPECT_EQ(r.last, 99u);
  r = parse_range("bytes=-500", 100);
  EXPECT_EQ(r.first, 0u);
}

TEST(ParseRange, WholeWithoutBytes) {
  EXPECT_EQ(parse_range("", 100).kind, RangeAsked::whole);
  EXPECT_EQ(parse_range("items=0-1", 100).kind, RangeAsked::whole);
}

TEST(ParseRange, Unsatisfiable) {
  for (const char* h :
       {"bytes=100-", "bytes=5-1", "bytes=abc", "bytes=1-x", "bytes=-0", "bytes=0-1,3-4", "bytes=-",
        "bytes=99999999999999999999-", "bytes=+1-2", "bytes= - "}) {
    EXPECT_EQ(parse_range(h, 100).kind, RangeAsked::unsatisfiable) << h;
    EXPECT_FALSE(parse_range(h, 100).reason.empty()) << h;
  }
  EXPECT_EQ(parse_range("bytes=0-", 0).kind, RangeAsked::unsatisfiable);
  std::string many = "bytes=0-0";
  for (int i = 1; i < 1000; ++i) {
    const std::string n = std::to_string(i);
    many.append(",").append(n).append("-").append(n);
  }
  EXPECT_EQ(parse_range(many, 5000).kind, RangeAsked::unsatisfiable);
}

}  // namespace
}  // namespace dj::http
