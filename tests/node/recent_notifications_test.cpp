// The window of just-recorded notifications a hosted leader pushes from.
#include "weft/node/recent_notifications.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "weft/core/error.hpp"
#include "weft/node/notification_codec.hpp"
#include "weft/store/memory_recorder.hpp"

namespace weft::node {
namespace {

std::vector<es::stored_event> events(std::size_t count, std::size_t state_bytes = 8) {
  std::vector<es::stored_event> out;
  for (std::size_t i = 0; i < count; ++i)
    out.push_back({uuid::random(), 1, "test.Happened", es::bytes(state_bytes, std::uint8_t(i))});
  return out;
}

std::vector<std::byte> wire(const es::notification& note) {
  std::string out;
  encode_notification(note, out);
  std::vector<std::byte> bytes(out.size());
  std::memcpy(bytes.data(), out.data(), out.size());
  return bytes;
}

std::vector<std::byte> copy(std::span<const std::byte> bytes) {
  return {bytes.begin(), bytes.end()};
}

TEST(RecentNotifications, KeepsWhatItRecordedEncodedAsTheRecorderHasIt) {
  auto inner = std::shared_ptr<es::recorder>(store::make_memory_recorder());
  recent_notifications window(inner);
  window.insert_events(events(3));
  auto moved = events(2);
  const auto range = window.append_events(moved);  // the recorder may take the bytes
  EXPECT_EQ(range.first, 4u);
  EXPECT_EQ(window.last_kept(), 5u);
  es::notification_query all;
  const auto recorded = inner->select_notifications(all);
  ASSERT_EQ(recorded.size(), 5u);
  for (const auto& note : recorded) {
    ASSERT_TRUE(window.holds(note.id));
    EXPECT_EQ(copy(window.encoded(note.id)), wire(note)) << "notification " << note.id;
  }
  EXPECT_FALSE(window.holds(0));
  EXPECT_FALSE(window.holds(6));
}

TEST(RecentNotifications, DropsWhatEveryFollowerHasOnceItTakesAQuarterOfTheBound) {
  recent_notifications window(std::shared_ptr<es::recorder>(store::make_memory_recorder()), 4096);
  window.insert_events(events(40));  // 59 bytes each: 2360 bytes
  window.forget_before(11);          // 590 bytes released: kept, for a follower pulling again
  EXPECT_TRUE(window.holds(1));
  window.forget_before(30);  // 1711 bytes released: dropped
  EXPECT_FALSE(window.holds(29));
  EXPECT_TRUE(window.holds(30));
  EXPECT_EQ(window.last_kept(), 40u);
  window.insert_events(events(1));
  EXPECT_TRUE(window.holds(41));
  EXPECT_EQ(copy(window.encoded(41)).size(), 59u);
  window.forget_before(42);
  window.insert_events(events(1));  // after everything was released, ids go on
  EXPECT_TRUE(window.holds(42));
  EXPECT_EQ(window.last_kept(), 42u);
}

TEST(RecentNotifications, StaysWithinItsBoundByDroppingTheOldest) {
  recent_notifications window(std::shared_ptr<es::recorder>(store::make_memory_recorder()), 4096);
  for (int i = 0; i < 100; ++i) window.insert_events(events(4, 64));
  EXPECT_EQ(window.last_kept(), 400u);
  EXPECT_TRUE(window.holds(400));
  EXPECT_FALSE(window.holds(1));
  std::size_t kept_bytes = 0;
  for (std::uint64_t id = 1; id <= 400; ++id)
    if (window.holds(id)) kept_bytes += window.encoded(id).size();
  EXPECT_LE(kept_bytes, 4096u);
}

TEST(RecentNotifications, StartsAgainAfterAnotherWriterRecorded) {
  auto inner = std::shared_ptr<es::recorder>(store::make_memory_recorder());
  recent_notifications window(inner);
  window.insert_events(events(2));
  inner->insert_events(events(3));  // not through the window: ids 3..5
  window.insert_events(events(1));  // id 6
  EXPECT_FALSE(window.holds(2)) << "the window holds contiguous ids only";
  EXPECT_TRUE(window.holds(6));
  EXPECT_EQ(window.last_kept(), 6u);
}

TEST(RecentNotifications, KeepsNothingOfAFailedInsert) {
  auto inner = std::shared_ptr<es::recorder>(store::make_memory_recorder());
  recent_notifications window(inner);
  auto batch = events(2);
  window.insert_events(batch);
  EXPECT_THROW(window.insert_events(batch), integrity_error);  // same versions again
  EXPECT_THROW(window.append_events(batch), integrity_error);
  EXPECT_EQ(window.last_kept(), 2u);
  EXPECT_EQ(window.max_notification_id(), 2u);
  window.insert_events(events(1));
  EXPECT_TRUE(window.holds(1));
  EXPECT_TRUE(window.holds(3));
}

// The window starts with room for half its bound and grows past it in
// batches of varied sizes, moving what it kept; ranges of encodings read back
// are what the recorder has, byte for byte, after every growth and drop.
TEST(RecentNotifications, RangesOfEncodingsMatchTheRecorderAsTheWindowGrowsAndDrops) {
  auto inner = std::shared_ptr<es::recorder>(store::make_memory_recorder());
  recent_notifications window(inner, 8192);
  for (std::size_t round = 0; round < 30; ++round) {
    window.insert_events(events(1 + round % 7, 3 + 11 * round));
    const std::uint64_t last = window.last_kept();
    std::uint64_t first = last;
    while (first > 1 && window.holds(first - 1)) --first;
    es::notification_query query;
    query.start = first;
    query.stop = last;
    query.limit = 1000;
    const auto recorded = inner->select_notifications(query);
    ASSERT_EQ(recorded.size(), last - first + 1);
    std::vector<std::span<const std::byte>> range;
    window.encoded_range(first, last, range);
    ASSERT_EQ(range.size(), recorded.size());
    std::size_t bytes = 0;
    for (std::size_t k = 0; k < range.size(); ++k) {
      EXPECT_EQ(copy(range[k]), wire(recorded[k])) << "round " << round << ", id " << first + k;
      EXPECT_EQ(copy(window.encoded(first + k)), copy(range[k]));
      bytes += range[k].size();
    }
    EXPECT_EQ(window.encoded_bytes(first, last), bytes);
    EXPECT_EQ(window.encoded_bytes(last, last), window.encoded(last).size());
    if (round % 5 == 4) window.forget_before(last - 2);  // followers move on
  }
}

}  // namespace
}  // namespace weft::node
