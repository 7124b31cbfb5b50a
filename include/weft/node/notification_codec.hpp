#pragma once
// How one notification travels inside a section on a ring. The shm layer
// frames a section as length-prefixed blobs; each blob is one notification:
//
//   0        8                24        32      34          34+T      38+T
//   +--------+----------------+---------+-------+-----------+---------+-----------+
//   | id u64 | originator 16B | ver u64 | T u16 | topic (T) | S u32   | state (S) |
//   +--------+----------------+---------+-------+-----------+---------+-----------+
//
// Integers are little-endian. Every length is checked against the blob, so
// bytes written by a crashed or hostile peer give a decode error, never an
// out-of-bounds read.
#include <cstdint>
#include <cstring>
#include <span>
#include <string>

#include "weft/core/result.hpp"
#include "weft/core/same_bytes.hpp"
#include "weft/es/stored_event.hpp"

namespace weft::node {

/// Bytes of a notification's encoding besides its topic and state.
inline constexpr std::size_t notification_fixed_size = 8 + 16 + 8 + 2 + 4;

/// Bytes needed to encode notification `note`, or one of `event`.
inline std::size_t encoded_size(const es::stored_event& event) noexcept {
  return notification_fixed_size + event.topic.size() + event.state.size();
}
inline std::size_t encoded_size(const es::notification& note) noexcept {
  return encoded_size(note.event);
}

/// Appends the encoding of `note` to `out`. Throws weft::invalid_input if the
/// topic is longer than 65535 bytes.
void encode_notification(const es::notification& note, std::string& out);

/// Writes the encoding of `note` into `out`, which must hold encoded_size(note) bytes.
void encode_notification(const es::notification& note, std::span<std::uint8_t> out);

/// The same for notification `id` of `event`, without building a notification.
void encode_notification(std::uint64_t id, const es::stored_event& event,
                         std::span<std::uint8_t> out);

/// Throws the weft::invalid_input that check_encodable() throws for `event`.
[[noreturn]] void refuse_to_encode(const es::stored_event& event);

/// Throws weft::invalid_input when `event` cannot be encoded (a topic longer
/// than 65535 bytes, a state of 4 GiB or more): what write_notification() assumes.
inline void check_encodable(const es::stored_event& event) {
  if (event.topic.size() > 0xffff || event.state.size() > 0xffff'ffff) refuse_to_encode(event);
}

/// Writes the encoding of notification `id` of `event` at `at`, which holds
/// encoded_size(event) bytes, and returns where it ends. No checks: for a
/// batch that check_encodable() accepted, encoded on the hot path.
inline std::byte* write_notification(std::byte* at, std::uint64_t id,
                                     const es::stored_event& event) noexcept {
  const auto topic_size = static_cast<std::uint16_t>(event.topic.size());
  const auto state_size = static_cast<std::uint32_t>(event.state.size());
  std::memcpy(at, &id, 8);
  std::memcpy(at + 8, event.originator_id.bytes.data(), 16);
  std::memcpy(at + 24, &event.originator_version, 8);
  std::memcpy(at + 32, &topic_size, 2);
  std::memcpy(at + 34, event.topic.data(), topic_size);
  at += 34 + topic_size;
  std::memcpy(at, &state_size, 4);
  if (state_size != 0) std::memcpy(at + 4, event.state.data(), state_size);
  return at + 4 + state_size;
}

/// Decodes one blob; the failure message names the field that did not fit.
result<es::notification> decode_notification(std::span<const std::uint8_t> blob);

/// Why decode_notification_into() refused `blob`: the field that does not
/// fit, bytes left over, or an id of 0. The cold path.
failure refuse_notification(std::span<const std::uint8_t> blob);

namespace detail {

/// Capacity to give a recycled state buffer that must hold `size` bytes:
/// some room above it, so states that grow a little (a counter gaining a
/// digit) do not reallocate every recycled buffer once per size.
[[nodiscard]] inline std::size_t state_capacity(std::size_t size) noexcept {
  return size + size / 4 + 16;
}

}  // namespace detail

/// The same into `out`, whose topic and state buffers are reused. On failure
/// `out` is as it was. Always inline (the compiler judged it too big to): a
/// follower decodes every notification here. One bounds check per length
/// read; a blob that fails any of them goes to refuse_notification(), which
/// finds the field to name.
[[gnu::always_inline]] inline result<void> decode_notification_into(
    std::span<const std::uint8_t> blob, es::notification& out) {
  const std::uint8_t* at = blob.data();
  const std::size_t size = blob.size();
  if (size < notification_fixed_size) [[unlikely]]
    return refuse_notification(blob);
  std::uint16_t topic_size = 0;
  std::memcpy(&topic_size, at + 32, 2);
  if (size - notification_fixed_size < topic_size) [[unlikely]]
    return refuse_notification(blob);
  std::uint32_t state_size = 0;
  std::memcpy(&state_size, at + 34 + topic_size, 4);
  std::uint64_t id = 0;
  std::memcpy(&id, at, 8);
  if (size - notification_fixed_size - topic_size != state_size || id == 0) [[unlikely]]
    return refuse_notification(blob);

  auto& event = out.event;
  out.id = id;
  std::memcpy(event.originator_id.bytes.data(), at + 8, 16);
  std::memcpy(&event.originator_version, at + 24, 8);
  // A recycled notification mostly holds the same topic already.
  const char* topic = reinterpret_cast<const char*>(at + 34);
  if (event.topic.size() != topic_size || !same_bytes(event.topic.data(), topic, topic_size))
      [[unlikely]]
    event.topic.assign(topic, topic_size);
  const std::uint8_t* state = at + notification_fixed_size + topic_size;
  if (event.state.capacity() < state_size) [[unlikely]] {
    event.state.clear();
    event.state.reserve(detail::state_capacity(state_size));
  }
  event.state.assign(state, state + state_size);
  return {};
}

}  // namespace weft::node
