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

TEST(SectionPool, GivesNewNotificationsUntilSomeAreGivenBack) {
  section_pool pool;
  EXPECT_EQ(pool.take(), es::notification{});
  std::vector<es::notification> back;
  back.push_back(note(1, 100));
  pool.give_back(std::move(back));
  const auto reused = pool.take();
  EXPECT_EQ(reused.id, 1u);  // handed out as it was: the decoder writes over it
  EXPECT_GE(reused.event.state.capacity(), 100u);
  EXPECT_EQ(pool.take(), es::notification{});
}

// Decoded over recycled notifications, sections read exactly as decoded
// fresh, and the recycled state buffers are written over, not reallocated.
TEST(SectionPool, SectionsDecodeOverRecycledNotificationsAsIfFresh) {
  std::vector<es::notification> first, second;
  for (std::uint64_t id = 1; id <= 50; ++id) first.push_back(note(id, 200));
  for (std::uint64_t id = 51; id <= 90; ++id) second.push_back(note(id, id % 7));  // smaller
  const section_record one(first), two(second);

  section_pool pool;
  std::vector<es::notification> decoded;
  ASSERT_TRUE(decode_section(section_of(one), pool, decoded).ok());
  EXPECT_EQ(decoded, first);
  std::vector<const std::uint8_t*> buffers;
  for (const auto& n : decoded) buffers.push_back(n.event.state.data());
  pool.give_back(std::move(decoded));

  std::vector<es::notification> again;
  ASSERT_TRUE(decode_section(section_of(two), pool, again).ok());
  EXPECT_EQ(again, second);
  std::size_t reused = 0;
  for (const auto& n : again)
    for (const auto* b : buffers) reused += (n.event.state.data() == b && b != nullptr) ? 1 : 0;
  EXPECT_GT(reused, 0u);

  // Merged: a contiguous section appends to what is there.
  ASSERT_TRUE(decode_section(section_of(section_record({note(91, 3)})), pool, again).ok());
  ASSERT_EQ(again.size(), 41u);
  EXPECT_EQ(again.back().id, 91u);
}

TEST(SectionPool, ASectionWithWrongIdsIsRefused) {
  std::vector<es::notification> notes = {note(5, 1), note(7, 1)};
  const section_record record(notes);  // claims 5..7 with two items
  section_pool pool;
  std::vector<es::notification> into;
  const auto decoded = decode_section(section_of(record), pool, into);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("not a contiguous range"), std::string::npos)
      << decoded.error().message;

  const section_record misnumbered(notes, 5, 6);  // two items, the second is 7
  const auto refused = decode_section(section_of(misnumbered), pool, into);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("has id 7, expected 6"), std::string::npos)
      << refused.error().message;
}

}  // namespace
}  // namespace weft::node
