#include <gtest/gtest.h>

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

}  // namespace
}  // namespace weft::node
