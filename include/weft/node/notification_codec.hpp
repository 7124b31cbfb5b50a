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
#include <span>
#include <string>

#include "weft/core/result.hpp"
#include "weft/es/stored_event.hpp"

namespace weft::node {

/// Bytes needed to encode `note`.
std::size_t encoded_size(const es::notification& note) noexcept;

/// Appends the encoding of `note` to `out`. Throws weft::invalid_input if the
/// topic is longer than 65535 bytes.
void encode_notification(const es::notification& note, std::string& out);

/// Writes the encoding of `note` into `out`, which must hold encoded_size(note) bytes.
void encode_notification(const es::notification& note, std::span<std::uint8_t> out);

/// The same for notification `id` of `event`, without building a notification.
std::size_t encoded_size(const es::stored_event& event) noexcept;
void encode_notification(std::uint64_t id, const es::stored_event& event,
                         std::span<std::uint8_t> out);

/// Decodes one blob; the failure message names the field that did not fit.
result<es::notification> decode_notification(std::span<const std::uint8_t> blob);

/// The same into `out`, whose topic and state buffers are reused. On failure
/// `out` holds whatever was decoded before the bad field.
result<void> decode_notification_into(std::span<const std::uint8_t> blob, es::notification& out);

}  // namespace weft::node
