// The README's main job, `weft demo`, as a newcomer runs it: the shop as
// three worker processes on SQLite files, then a second run that resumes on
// the same data. The demo audits the recorders itself; this test holds it to
// the exit code and the counts it prints.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "run_weft.hpp"

namespace weft::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(Demo, RunsTheShopAndResumesOnItsData) {
  scratch_dir dir("demo");
  const std::string data = (dir.path() / "data").string();
  const run_options patient{.limit = std::chrono::seconds(120)};

  const outcome first = run_weft({"demo", "--orders", "2000", "--data", data}, patient);
  ASSERT_EQ(first.code, 0) << first.out << first.err;
  EXPECT_THAT(first.out, HasSubstr("2000 orders reserved and paid in"));
  EXPECT_THAT(first.out, HasSubstr("all 2000 orders ever made were reserved and paid exactly once "
                                   "(2000 reservations, 2000 payments)"));

  const outcome second = run_weft({"demo", "--orders", "1000", "--data", data}, patient);
  ASSERT_EQ(second.code, 0) << second.out << second.err;
  EXPECT_THAT(second.out, HasSubstr("1000 orders reserved and paid in"));
  EXPECT_THAT(second.out, HasSubstr("all 3000 orders ever made were reserved and paid exactly once "
                                    "(3000 reservations, 3000 payments)"));
  EXPECT_THAT(second.out, Not(HasSubstr("VIOLATIONS")));
}

}  // namespace
}  // namespace weft::test
