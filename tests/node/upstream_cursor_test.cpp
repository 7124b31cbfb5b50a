#include <gtest/gtest.h>

#include "weft/node/upstream_cursor.hpp"

namespace weft::node {
namespace {

constexpr std::int64_t timeout = 1000;

TEST(UpstreamCursor, PullsFromItsPositionAtStartEvenWithNothingKnown) {
  upstream_cursor cursor(/*tracked=*/7, /*pull_limit=*/100, timeout);
  auto order = cursor.pull_due(0);
  ASSERT_TRUE(order);
  EXPECT_EQ(order->from_id, 8u);
  EXPECT_EQ(order->limit, 100u);
  cursor.pull_sent(*order, 0);
  EXPECT_FALSE(cursor.pull_due(1)) << "a pull in flight is not repeated before its deadline";
}

TEST(UpstreamCursor, ContiguousSectionsAreProcessedWithoutPulling) {
  upstream_cursor cursor(0, 100, timeout);
  cursor.pull_sent(*cursor.pull_due(0), 0);
  cursor.processed(0);
  auto skip = cursor.on_section(1, 10);
  ASSERT_TRUE(skip);
  EXPECT_EQ(*skip, 0u);
  cursor.processed(10);
  EXPECT_FALSE(cursor.pull_due(5));
  EXPECT_EQ(cursor.lag(), 0u);
}

TEST(UpstreamCursor, OverlappingSectionSkipsWhatIsTracked) {
  upstream_cursor cursor(5, 100, timeout);
  auto skip = cursor.on_section(3, 9);
  ASSERT_TRUE(skip);
  EXPECT_EQ(*skip, 3u);  // ids 3, 4, 5
  EXPECT_FALSE(cursor.on_section(1, 5)) << "an old section is ignored";
}

TEST(UpstreamCursor, GapCausesPullFromPositionPlusOne) {
  upstream_cursor cursor(10, 50, timeout);
  cursor.pull_sent(*cursor.pull_due(0), 0);
  cursor.processed(10);  // the start pull found nothing new
  EXPECT_FALSE(cursor.on_section(15, 20));
  EXPECT_EQ(cursor.leader_max(), 20u);
  auto order = cursor.pull_due(1);
  ASSERT_TRUE(order) << "a gap pulls at once";
  EXPECT_EQ(order->from_id, 11u);
}

TEST(UpstreamCursor, PromptBeyondPositionPulls) {
  upstream_cursor cursor(0, 10, timeout);
  cursor.pull_sent(*cursor.pull_due(0), 0);
  cursor.processed(0);
  EXPECT_FALSE(cursor.pull_due(1));
  cursor.on_prompt(25);
  auto order = cursor.pull_due(2);
  ASSERT_TRUE(order);
  EXPECT_EQ(order->from_id, 1u);
  cursor.pull_sent(*order, 2);
  cursor.processed(10);  // first answer
  ASSERT_TRUE(cursor.pull_due(3)) << "answered pull, leader has more: pull the next part";
  EXPECT_EQ(cursor.pull_due(3)->from_id, 11u);
}

TEST(UpstreamCursor, UnansweredPullIsRepeatedAfterItsDeadline) {
  upstream_cursor cursor(0, 10, timeout);
  cursor.on_prompt(5);
  cursor.pull_sent(*cursor.pull_due(0), 0);
  EXPECT_FALSE(cursor.pull_due(timeout - 1));
  auto again = cursor.pull_due(timeout);
  ASSERT_TRUE(again) << "the leader may have restarted and lost the request";
  EXPECT_EQ(again->from_id, 1u);
}

}  // namespace
}  // namespace weft::node
