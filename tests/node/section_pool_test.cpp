#include "weft/node/section_pool.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "weft/node/inbound.hpp"
#include "weft/node/notification_codec.hpp"

namespace weft::node {
namespace {

es::notification note(std::uint64_t id, std::size_t state_bytes) {
  es::notification out;
  out.id = id;
  out.event.originator_id = uuid::random();
  out.event.originator_version = id;
  out.event.topic = "test.Noted";
  out.event.state.assign(state_bytes, static_cast<std::uint8_t>(id));
  return out;
}

// A section record of `notes` as a leader pushes it, in heap memory.
struct section_record {
  explicit section_record(const std::vector<es::notification>& notes)
      : section_record(notes, notes.front().id, notes.back().id) {}
  section_record(const std::vector<es::notification>& notes, std::uint64_t first,
                 std::uint64_t last) {
    for (const auto& n : notes) encode_notification(n, encoded.emplace_back());
    for (const auto& e : encoded)
      items.emplace_back(reinterpret_cast<const std::byte*>(e.data()), e.size());
    bytes.resize(shm::protocol::section_size(items));
    shm::protocol::encode_section(bytes, first, last, items);
  }
  shm::record_view view() const {
    return {static_cast<std::uint16_t>(shm::protocol::message_type::section), 0, bytes};
  }
  std::vector<std::string> encoded;
  std::vector<std::span<const std::byte>> items;
  std::vector<std::byte> bytes;
};

shm::protocol::section_view section_of(const section_record& record) {
  auto read = read_from_leader(0, record.view());
  EXPECT_TRUE(read.ok()) << read.error().message;
  return std::get<shm::protocol::section_view>(*read);
}

TEST(SectionPool, StartsBatchesWithWhatWasGivenBack) {
  section_pool pool;
  EXPECT_TRUE(pool.start().notes.empty());
  pool.give_back({note(1, 100), note(2, 100)});
  auto batch = pool.start();
  ASSERT_EQ(batch.notes.size(), 2u);  // handed out as they were: the decoder writes over them
  EXPECT_EQ(batch.used, 0u);
  EXPECT_GE(batch.notes[0].event.state.capacity(), 100u);
  EXPECT_TRUE(pool.start().notes.empty());
}

// What a batch does not use travels behind its notifications, not moved
// elsewhere, and comes back with them.
TEST(SectionPool, WhatABatchLeftTravelsBehindItsNotifications) {
  section_pool pool;
  pool.give_back({note(1, 100), note(2, 100), note(3, 100)});
  auto first = pool.start();
  first.used = 1;
  const auto* left = first.notes[2].event.state.data();
  auto message = pool.finish(std::move(first));
  ASSERT_EQ(message.size(), 3u);
  EXPECT_EQ(message[2].event.state.data(), left);
  pool.give_back(std::move(message));
  auto second = pool.start();
  ASSERT_EQ(second.notes.size(), 3u);
  EXPECT_EQ(second.notes[2].event.state.data(), left);
}

// Beyond max_spare, what a batch left is kept aside and extends the next
// batch that runs out, so its buffers are not lost.
TEST(SectionPool, ASurplusBeyondTheSparesIsUsedByTheNextBatch) {
  section_pool pool;
  std::vector<es::notification> many(section_pool::max_spare + 2);
  many.back().event.state.assign(100, 1);
  pool.give_back(std::move(many));
  auto first = pool.start();
  first.used = 1;
  const auto* left = first.notes.back().event.state.data();
  EXPECT_EQ(pool.finish(std::move(first)).size(), 1 + section_pool::max_spare);

  auto second = pool.start();  // nothing given back: an empty batch
  ASSERT_TRUE(second.notes.empty());
  EXPECT_EQ(pool.next(second).event.state.data(), left);
  ++second.used;
  EXPECT_EQ(pool.next(second).event.state.capacity(), 0u);  // a new one: the spares ran out
}

TEST(SectionPool, StartsWithTheLongestVectorGivenBack) {
  section_pool pool;
  pool.give_back({note(1, 1)});
  pool.give_back({note(1, 1), note(2, 1), note(3, 1)});
  pool.give_back({note(1, 1), note(2, 1)});
  EXPECT_EQ(pool.start().notes.size(), 3u);
  EXPECT_EQ(pool.start().notes.size(), 2u);
}

// Decoded over recycled notifications, sections read exactly as decoded
// fresh, and the recycled state buffers are written over, not reallocated.
TEST(SectionPool, SectionsDecodeOverRecycledNotificationsAsIfFresh) {
  std::vector<es::notification> first, second;
  for (std::uint64_t id = 1; id <= 50; ++id) first.push_back(note(id, 200));
  for (std::uint64_t id = 51; id <= 90; ++id) second.push_back(note(id, id % 7));  // smaller
  const section_record one(first), two(second);

  section_pool pool;
  auto batch = pool.start();
  ASSERT_TRUE(decode_section(section_of(one), pool, batch).ok());
  auto decoded = pool.finish(std::move(batch));
  EXPECT_EQ(decoded, first);  // nothing was recycled: no spares follow
  std::vector<const std::uint8_t*> buffers;
  for (const auto& n : decoded) buffers.push_back(n.event.state.data());
  pool.give_back(std::move(decoded));

  auto again = pool.start();
  ASSERT_TRUE(decode_section(section_of(two), pool, again).ok());
  // Merged: a contiguous section appends to what is there.
  const auto last = note(91, 3);
  ASSERT_TRUE(decode_section(section_of(section_record({last})), pool, again).ok());
  auto merged = pool.finish(std::move(again));
  ASSERT_EQ(merged.size(), 50u);  // 41 decoded, then 9 spares given back with them
  EXPECT_EQ(std::vector(merged.begin(), merged.begin() + 40), second);
  EXPECT_EQ(merged[40], last);
  for (std::size_t k = 0; k < 40; ++k) EXPECT_EQ(merged[k].event.state.data(), buffers[k]) << k;
}

TEST(SectionPool, ASectionWithWrongIdsIsRefused) {
  std::vector<es::notification> notes = {note(5, 1), note(7, 1)};
  const section_record record(notes);  // claims 5..7 with two items
  section_pool pool;
  note_batch into;
  const auto decoded = decode_section(section_of(record), pool, into);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("not a contiguous range"), std::string::npos)
      << decoded.error().message;

  const section_record misnumbered(notes, 5, 6);  // two items, the second is 7
  const auto refused = decode_section(section_of(misnumbered), pool, into);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("has id 7, expected 6"), std::string::npos)
      << refused.error().message;
  EXPECT_EQ(into.used, 0u);  // nothing of a refused section counts
}

}  // namespace
}  // namespace weft::node
