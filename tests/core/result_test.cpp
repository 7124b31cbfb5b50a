#include <gtest/gtest.h>

#include "weft/core/result.hpp"

namespace weft {

TEST(Result, HoldsValueOrFailure) {
  result<int> good = 42;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 42);

  result<int> bad = failure{failure::code::full, "ring full"};
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().what, failure::code::full);
  EXPECT_EQ(bad.error().message, "ring full");

  result<void> done;
  EXPECT_TRUE(done.ok());
  result<void> failed = failure{failure::code::closed, "closed"};
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().what, failure::code::closed);
}

}  // namespace weft
