#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "weft/core/error.hpp"

#include "weft/node/notification_codec.hpp"

namespace weft::node {
namespace {

es::notification sample() {
  es::notification note;
  note.id = 42;
  note.event.originator_id = uuid::random();
  note.event.originator_version = 7;
  note.event.topic = "shop.OrderCreated";
  note.event.state = {1, 2, 3, 250};
  return note;
}

std::span<const std::uint8_t> as_bytes(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

TEST(NotificationCodec, RoundTrips) {
  const auto note = sample();
  std::string wire;
  encode_notification(note, wire);
  EXPECT_EQ(wire.size(), encoded_size(note));
  auto back = decode_notification(as_bytes(wire));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, note);
}

TEST(NotificationCodec, EmptyStateRoundTrips) {
  auto note = sample();
  note.event.state.clear();
  std::string wire;
  encode_notification(note, wire);
  auto back = decode_notification(as_bytes(wire));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, note);
}

TEST(NotificationCodec, EveryTruncationIsRejectedNamingTheField) {
  std::string wire;
  encode_notification(sample(), wire);
  for (std::size_t size = 0; size < wire.size(); ++size) {
    auto back = decode_notification(as_bytes(wire).first(size));
    ASSERT_FALSE(back.ok()) << "accepted a blob cut to " << size << " bytes";
    EXPECT_NE(back.error().message.find("too short for field"), std::string::npos);
  }
  EXPECT_NE(decode_notification(as_bytes(wire).first(3)).error().message.find("'id'"),
            std::string::npos);
}

TEST(NotificationCodec, LengthsPointingPastTheBlobAreRejected) {
  std::string wire;
  encode_notification(sample(), wire);
  wire[32] = static_cast<char>(0xff);  // topic length low byte
  wire[33] = static_cast<char>(0xff);
  auto back = decode_notification(as_bytes(wire));
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.error().message.find("'topic'"), std::string::npos);
}

TEST(NotificationCodec, TrailingBytesAndZeroIdAreRejected) {
  std::string wire;
  encode_notification(sample(), wire);
  auto longer = wire + "x";
  EXPECT_NE(decode_notification(as_bytes(longer)).error().message.find("after its state"),
            std::string::npos);
  auto zero = sample();
  zero.id = 0;
  std::string zero_wire;
  encode_notification(zero, zero_wire);
  EXPECT_FALSE(decode_notification(as_bytes(zero_wire)).ok());
}

// Decoding over a recycled notification replaces every field, whichever
// topic and state it held; a refused blob leaves it as it was.
TEST(NotificationCodec, DecodesOverARecycledNotification) {
  auto other = sample();
  other.event.topic = "shop.SomethingElseWithALongerName";
  other.event.state.assign(300, 9);
  es::notification into;
  for (const auto& expected : {sample(), other, other}) {
    std::string wire;
    encode_notification(expected, wire);
    ASSERT_TRUE(decode_notification_into(as_bytes(wire), into).ok());
    EXPECT_EQ(into, expected);
    const auto before = into;
    ASSERT_FALSE(decode_notification_into(as_bytes(wire).first(wire.size() - 1), into).ok());
    EXPECT_EQ(into, before);
  }
}

// The topic of a recycled notification is kept only when every byte is the
// same: topics of every length up to past the inline compare's 32 bytes, one
// byte changed at each position in turn.
TEST(NotificationCodec, DecodingOverATopicOneByteApartReplacesIt) {
  for (std::size_t size = 1; size <= 40; ++size) {
    auto note = sample();
    note.event.topic.assign(size, 't');
    es::notification into;
    std::string wire;
    encode_notification(note, wire);
    ASSERT_TRUE(decode_notification_into(as_bytes(wire), into).ok());
    for (std::size_t at = 0; at < size; ++at) {
      auto other = note;
      other.event.topic[at] = 'u';
      std::string other_wire;
      encode_notification(other, other_wire);
      ASSERT_TRUE(decode_notification_into(as_bytes(other_wire), into).ok());
      ASSERT_EQ(into.event.topic, other.event.topic) << "size " << size << ", byte " << at;
      ASSERT_TRUE(decode_notification_into(as_bytes(wire), into).ok());
      ASSERT_EQ(into.event.topic, note.event.topic) << "size " << size << ", byte " << at;
    }
  }
}

// States that grow and shrink over one recycled notification come out whole.
TEST(NotificationCodec, DecodesGrowingAndShrinkingStatesOverOneNotification) {
  es::notification into;
  for (const std::size_t size : {0, 1, 15, 16, 17, 40, 41, 300, 2, 0, 1000, 999}) {
    auto note = sample();
    note.event.state.resize(size);
    for (std::size_t i = 0; i < size; ++i) note.event.state[i] = static_cast<std::uint8_t>(i * 7);
    std::string wire;
    encode_notification(note, wire);
    ASSERT_TRUE(decode_notification_into(as_bytes(wire), into).ok());
    EXPECT_EQ(into, note) << "state of " << size << " bytes";
  }
}

TEST(NotificationCodec, WriteNotificationMatchesEncode) {
  const auto note = sample();
  std::string wire;
  encode_notification(note, wire);
  std::vector<std::byte> written(encoded_size(note));
  EXPECT_EQ(write_notification(written.data(), note.id, note.event),
            written.data() + written.size());
  EXPECT_EQ(std::memcmp(written.data(), wire.data(), wire.size()), 0);
}

TEST(NotificationCodec, TopicsTooLongToEncodeAreRefused) {
  auto note = sample();
  note.event.topic.assign(70'000, 't');
  EXPECT_THROW(check_encodable(note.event), invalid_input);
  std::string wire;
  EXPECT_THROW(encode_notification(note, wire), invalid_input);
}

}  // namespace
}  // namespace weft::node
