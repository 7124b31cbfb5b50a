#pragma once
// The record format every weft ring uses, drawn once here.
//
//   position p (8-byte aligned, never straddles the end of the buffer)
//   0               4       6       8                          8+n    align8(8+n)
//   +---------------+-------+-------+--------------------------+--------+
//   | length (u32)  | type  | epoch |  payload (n bytes)       |  pad   |
//   +---------------+-------+-------+--------------------------+--------+
//   length = 8 + n. It is the commit word: zero means "nothing committed here
//   yet". The producer stores it last (release), then publishes the ring's
//   tail; the consumer reads only below the published tail and checks every
//   commit word it meets there. A record of type `padding` fills the rest of
//   the buffer when the next record would not fit before the wrap; its length
//   reaches exactly to the end of the buffer. The next record starts at
//   p + align8(length).
//
// Everything in a header comes from another process, so readers validate it
// (validate_header) before trusting a byte of it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

namespace weft::shm {

/// Ring-level record types; the channel protocol (protocol.hpp) uses 1..0xFFFE.
namespace record_type {
inline constexpr std::uint16_t invalid = 0;  // zeroed memory is never a valid record
inline constexpr std::uint16_t padding = 0xFFFF;
}  // namespace record_type

/// The plain-data header in front of every record (see the diagram above).
struct record_header {
  std::uint32_t length;  // header + payload bytes; written last, via std::atomic_ref
  std::uint16_t type;
  std::uint16_t epoch;  // the producer incarnation that wrote it (ring_control::epoch)
};
static_assert(sizeof(record_header) == 8);
static_assert(std::is_trivially_copyable_v<record_header> &&
              std::is_standard_layout_v<record_header>);

inline constexpr std::size_t record_alignment = 8;
inline constexpr std::size_t record_header_size = sizeof(record_header);

constexpr std::size_t align_record(std::size_t n) noexcept {
  return (n + record_alignment - 1) & ~(record_alignment - 1);
}

/// The largest payload a ring of `capacity` bytes accepts: a quarter of the
/// ring, so a record plus the padding before it always fits in an empty ring.
constexpr std::size_t max_payload(std::size_t capacity) noexcept {
  return capacity / 4 - record_header_size;
}

/// True if a header read from shared memory may be trusted: long enough,
/// inside the buffer, inside what the producer may have written (`room`
/// bytes from `offset`), of a valid type, and padding only up to the end.
constexpr bool header_valid(const record_header& header, std::size_t offset, std::size_t capacity,
                            std::size_t room) noexcept {
  const std::size_t size = align_record(header.length);
  return header.length >= record_header_size && offset + size <= capacity && size <= room &&
         header.type != record_type::invalid &&
         (header.type != record_type::padding || offset + header.length == capacity);
}

/// Why a header read from shared memory was refused; empty when it is valid.
/// `offset` is the record's index in the buffer, `room` the bytes the reader
/// knows may hold committed data from there on.
std::string validate_header(const record_header& header, std::size_t offset, std::size_t capacity,
                            std::size_t room);

}  // namespace weft::shm
