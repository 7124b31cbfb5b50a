// The client's store of replies read and not handed out: runs of ids
// answered alike, taken one id at a time or all at once.
#include "arrived_replies.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace weft::node {
namespace {

std::vector<std::uint64_t> ids_of(const std::vector<reply>& replies) {
  std::vector<std::uint64_t> ids;
  for (const auto& r : replies) ids.push_back(r.correlation_id);
  return ids;
}

TEST(ArrivedReplies, AWaiterTakesItsReplyFromAnywhereInARun) {
  arrived_replies arrived;
  arrived.add(10, 5, true, "done", false);  // 10..14
  ASSERT_TRUE(arrived.take(12).has_value()) << "from the middle";
  ASSERT_TRUE(arrived.take(10).has_value()) << "the first";
  ASSERT_TRUE(arrived.take(14).has_value()) << "the last";
  EXPECT_FALSE(arrived.take(12).has_value()) << "taken once";
  EXPECT_FALSE(arrived.take(15).has_value()) << "never arrived";
  const auto rest = arrived.take_all();
  EXPECT_EQ(ids_of(rest), (std::vector<std::uint64_t>{11, 13}));
  for (const auto& r : rest) EXPECT_EQ(r.payload, "done");
  EXPECT_TRUE(arrived.empty());
}

TEST(ArrivedReplies, RunsJoinOnlyWhenConsecutiveAndAlike) {
  arrived_replies arrived;
  arrived.add(1, 2, true, "done", false);
  arrived.add(3, 1, true, "done", false);  // joins 1..2
  arrived.add(4, 1, false, "done", false);
  arrived.add(5, 1, false, "gone", true);
  arrived.add(7, 1, false, "gone", true);  // a gap
  std::vector<std::pair<std::uint64_t, std::string>> seen;
  EXPECT_EQ(arrived.hand_out([&](const reply_view& r) {
    seen.emplace_back(r.correlation_id,
                      std::string(r.payload) + (r.ok ? "+" : "-") + (r.lost ? "lost" : ""));
  }),
            6u);
  EXPECT_EQ(seen, (std::vector<std::pair<std::uint64_t, std::string>>{{1, "done+"},
                                                                      {2, "done+"},
                                                                      {3, "done+"},
                                                                      {4, "done-"},
                                                                      {5, "gone-lost"},
                                                                      {7, "gone-lost"}}));
  EXPECT_TRUE(arrived.empty());
}

TEST(ArrivedReplies, TakeAllSortsRepliesThatArrivedOutOfOrder) {
  arrived_replies arrived;
  arrived.add(5, 2, true, "b", false);
  arrived.add(1, 2, true, "a", false);
  EXPECT_EQ(ids_of(arrived.take_all()), (std::vector<std::uint64_t>{1, 2, 5, 6}));
}

// A handler that throws leaves the replies it did not see for the next call.
TEST(ArrivedReplies, AThrowingHandlerLosesOnlyWhatItSaw) {
  arrived_replies arrived;
  arrived.add(1, 3, true, "done", false);
  EXPECT_THROW(arrived.hand_out([](const reply_view& r) {
    if (r.correlation_id == 2) throw std::runtime_error("no");
  }),
               std::runtime_error);
  EXPECT_EQ(ids_of(arrived.take_all()), (std::vector<std::uint64_t>{3}));
}

}  // namespace
}  // namespace weft::node
