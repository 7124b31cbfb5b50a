#pragma once
// Reads an event's msgpack array field by field, straight into the event's
// members: integers, booleans, floats, strings and uuids are read in place
// (no allocation beyond the string's own); any other type is parsed by
// msgpack-cxx into this thread's reused zone and converted by its adaptors.
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include <msgpack.hpp>

#include "weft/core/uuid.hpp"
#include "weft/es/msgpack_uuid.hpp"

namespace weft::es::detail {

[[noreturn]] void throw_undecodable(std::string_view topic, std::string_view problem);
[[noreturn]] void throw_bad_field(std::string_view topic, std::string_view field,
                                  std::string_view problem);
/// The kind of msgpack value that starts with `tag`, for error messages.
std::string_view kind_of_tag(std::uint8_t tag);

/// Deeper than any event type declares; parsing deeper input is an error.
inline constexpr std::size_t max_nesting = 100;
/// What msgpack-cxx may allocate for `size` input bytes: no count beyond
/// what the bytes can hold, no nesting beyond max_nesting.
msgpack::unpack_limit unpack_limit_for(std::size_t size);

/// Parses one msgpack object at the reader's position with msgpack-cxx (the
/// general path) into this thread's zone, valid until the thread's next call.
const msgpack::object& parse_one(std::string_view topic, const std::uint8_t* data, std::size_t size,
                                 std::size_t& offset);

class field_reader {
 public:
  field_reader(std::string_view topic, std::span<const std::uint8_t> state) noexcept
      : topic_(topic), at_(state.data()), end_(state.data() + state.size()) {}

  /// The number of fields: the array header that starts the state.
  std::uint32_t array_size() {
    const std::uint8_t tag = byte();
    if ((tag & 0xf0) == 0x90) return tag & 0x0f;
    if (tag == 0xdc) return static_cast<std::uint32_t>(big_endian(2));
    if (tag == 0xdd) return static_cast<std::uint32_t>(big_endian(4));
    throw_undecodable(topic_, "expected an array of fields, got " + std::string(kind_of_tag(tag)));
  }

  template <class T>
  void read(T& out, std::string_view field) {
    if (at_ >= end_) [[unlikely]]
      truncated_before(field);
    if constexpr (std::is_same_v<T, bool>) {
      const std::uint8_t tag = *at_;
      if (tag != 0xc2 && tag != 0xc3) bad(field, tag);
      ++at_;
      out = tag == 0xc3;
    } else if constexpr (std::is_integral_v<T>) {
      read_integer(out, field);
    } else if constexpr (std::is_floating_point_v<T>) {
      const std::uint8_t tag = *at_;
      if (tag == 0xcb) {
        ++at_;
        const std::uint64_t bits = big_endian(8);
        double value;
        std::memcpy(&value, &bits, 8);
        out = static_cast<T>(value);
      } else if (tag == 0xca) {
        ++at_;
        const auto bits = static_cast<std::uint32_t>(big_endian(4));
        float value;
        std::memcpy(&value, &bits, 4);
        out = static_cast<T>(value);
      } else {
        read_general(out, field);
      }
    } else if constexpr (std::is_same_v<T, std::string>) {
      const std::uint8_t tag = *at_;
      std::size_t size;
      if ((tag & 0xe0) == 0xa0) {
        ++at_;
        size = tag & 0x1f;
      } else if (tag == 0xd9 || tag == 0xc4) {
        ++at_;
        size = big_endian(1);
      } else if (tag == 0xda || tag == 0xc5) {
        ++at_;
        size = big_endian(2);
      } else if (tag == 0xdb || tag == 0xc6) {
        ++at_;
        size = big_endian(4);
      } else {
        bad(field, tag);
      }
      need(size);
      out.assign(reinterpret_cast<const char*>(at_), size);
      at_ += size;
    } else if constexpr (std::is_same_v<T, uuid>) {
      if (*at_ != 0xd8) bad(field, *at_);
      need(18);
      if (static_cast<std::int8_t>(at_[1]) != msgpack_uuid_ext) bad(field, *at_);
      std::memcpy(out.bytes.data(), at_ + 2, 16);
      at_ += 18;
    } else {
      read_general(out, field);
    }
  }

  /// Every byte read: trailing bytes after the last field are an error.
  void finish() const {
    if (at_ != end_) [[unlikely]]
      trailing_bytes();
  }

 private:
  // The error paths out of line, so the reading paths stay small enough to inline.
  [[noreturn, gnu::cold, gnu::noinline]] void truncated_before(std::string_view field) const {
    throw_undecodable(topic_, "truncated before field '" + std::string(field) + "'");
  }
  [[noreturn, gnu::cold, gnu::noinline]] void trailing_bytes() const {
    throw_undecodable(topic_, std::to_string(end_ - at_) + " trailing bytes");
  }

  [[noreturn, gnu::cold, gnu::noinline]] void bad(std::string_view field, std::uint8_t tag) const {
    throw_bad_field(topic_, field, "unexpected " + std::string(kind_of_tag(tag)));
  }

  void need(std::size_t size) const {
    if (static_cast<std::size_t>(end_ - at_) < size) throw_undecodable(topic_, "truncated");
  }

  std::uint8_t byte() {
    need(1);
    return *at_++;
  }

  // `size` is 1, 2, 4 or 8 (msgpack's lengths and numbers): one load each,
  // where a loop took a shift, an or and a test per byte.
  std::uint64_t big_endian(std::size_t size) {
    need(size);
    std::uint64_t value = 0;
    switch (size) {
      case 1:
        value = at_[0];
        break;
      case 2:
        value = load_big_endian<std::uint16_t>();
        break;
      case 4:
        value = load_big_endian<std::uint32_t>();
        break;
      case 8:
        value = load_big_endian<std::uint64_t>();
        break;
      default:
        for (std::size_t i = 0; i < size; ++i) value = (value << 8) | at_[i];
    }
    at_ += size;
    return value;
  }

  template <class U>
  U load_big_endian() const noexcept {
    U value;
    std::memcpy(&value, at_, sizeof(U));
    if constexpr (std::endian::native == std::endian::little) {
      if constexpr (sizeof(U) == 2) value = __builtin_bswap16(value);
      if constexpr (sizeof(U) == 4) value = __builtin_bswap32(value);
      if constexpr (sizeof(U) == 8) value = __builtin_bswap64(value);
    }
    return value;
  }

  template <class T>
  void read_integer(T& out, std::string_view field) {
    const std::uint8_t tag = *at_;
    bool negative = false;
    std::uint64_t magnitude = 0;  // two's complement bits when negative
    if (tag <= 0x7f) {
      ++at_;
      magnitude = tag;
    } else if (tag >= 0xe0) {
      ++at_;
      negative = true;
      magnitude =
          static_cast<std::uint64_t>(static_cast<std::int64_t>(static_cast<std::int8_t>(tag)));
    } else if (tag >= 0xcc && tag <= 0xcf) {
      ++at_;
      magnitude = big_endian(std::size_t{1} << (tag - 0xcc));
    } else if (tag >= 0xd0 && tag <= 0xd3) {
      ++at_;
      const std::size_t size = std::size_t{1} << (tag - 0xd0);
      const std::uint64_t bits = big_endian(size);
      const unsigned shift = static_cast<unsigned>(64 - 8 * size);
      const auto value = static_cast<std::int64_t>(bits << shift) >> shift;  // sign-extend
      negative = value < 0;
      magnitude = static_cast<std::uint64_t>(value);
    } else {
      bad(field, tag);
    }
    if (negative) {
      const auto value = static_cast<std::int64_t>(magnitude);
      if constexpr (std::is_unsigned_v<T>) {
        throw_bad_field(topic_, field, "negative value for an unsigned field");
      } else {
        if (value < static_cast<std::int64_t>(std::numeric_limits<T>::min()))
          throw_bad_field(topic_, field, "value out of range");
        out = static_cast<T>(value);
      }
    } else {
      if (magnitude > static_cast<std::uint64_t>(std::numeric_limits<T>::max()))
        throw_bad_field(topic_, field, "value out of range");
      out = static_cast<T>(magnitude);
    }
  }

  template <class T>
  void read_general(T& out, std::string_view field) {
    std::size_t offset = 0;
    const msgpack::object& value =
        parse_one(topic_, at_, static_cast<std::size_t>(end_ - at_), offset);
    try {
      value.convert(out);
    } catch (const msgpack::type_error&) {
      bad(field, *at_);
    }
    at_ += offset;
  }

  std::string_view topic_;
  const std::uint8_t* at_;
  const std::uint8_t* end_;
};

}  // namespace weft::es::detail
