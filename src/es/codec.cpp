#include "weft/es/codec.hpp"

#include <algorithm>
#include <string>

namespace weft::es::detail {
namespace {

std::string kind_of(const msgpack::object& value) {
  switch (value.type) {
    case msgpack::type::NIL:
      return "nil";
    case msgpack::type::BOOLEAN:
      return "a boolean";
    case msgpack::type::POSITIVE_INTEGER:
    case msgpack::type::NEGATIVE_INTEGER:
      return "an integer";
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64:
      return "a float";
    case msgpack::type::STR:
      return "a string";
    case msgpack::type::BIN:
      return "binary";
    case msgpack::type::ARRAY:
      return "an array";
    case msgpack::type::MAP:
      return "a map";
    case msgpack::type::EXT:
      return "an extension";
  }
  return "an unknown value";
}

// One zone per thread, cleared and reused: the general decoding path
// allocates nothing once the zone's first chunk has grown to what it needs.
msgpack::zone& thread_zone() {
  thread_local msgpack::zone zone;
  zone.clear();
  return zone;
}

}  // namespace

std::string_view kind_of_tag(std::uint8_t tag) {
  if (tag <= 0x7f || tag >= 0xe0 || (tag >= 0xcc && tag <= 0xd3)) return "an integer";
  if ((tag & 0xf0) == 0x80 || tag == 0xde || tag == 0xdf) return "a map";
  if ((tag & 0xf0) == 0x90 || tag == 0xdc || tag == 0xdd) return "an array";
  if ((tag & 0xe0) == 0xa0 || (tag >= 0xd9 && tag <= 0xdb)) return "a string";
  if (tag == 0xc0) return "nil";
  if (tag == 0xc2 || tag == 0xc3) return "a boolean";
  if (tag >= 0xc4 && tag <= 0xc6) return "binary";
  if (tag == 0xca || tag == 0xcb) return "a float";
  if ((tag >= 0xc7 && tag <= 0xc9) || (tag >= 0xd4 && tag <= 0xd8)) return "an extension";
  return "an invalid byte";
}

void throw_undecodable(std::string_view topic, std::string_view problem) {
  throw decode_error("cannot decode event of topic '" + std::string(topic) +
                     "': " + std::string(problem));
}

void throw_bad_field(std::string_view topic, std::string_view field, std::string_view problem) {
  throw decode_error("cannot decode field '" + std::string(field) + "' of event topic '" +
                     std::string(topic) + "': " + std::string(problem));
}

void throw_bad_field(std::string_view topic, std::string_view field, const msgpack::object& value) {
  throw_bad_field(topic, field, "unexpected " + kind_of(value));
}

msgpack::unpack_limit unpack_limit_for(std::size_t size) {
  // msgpack-cxx allocates a container's elements before reading them: a
  // header claiming 4 G of them would allocate ~100 GB. Each element takes a
  // byte at least (a map entry two), so the input's size bounds every count.
  // Nesting is bounded too: the JSON views recurse once per level.
  return {size, size / 2, size, size, size, max_nesting};
}

const msgpack::object& parse_one(std::string_view topic, const std::uint8_t* data, std::size_t size,
                                 std::size_t& offset) {
  thread_local msgpack::object value;
  try {
    value = msgpack::unpack(thread_zone(), reinterpret_cast<const char*>(data), size, offset,
                            nullptr, nullptr, unpack_limit_for(size - std::min(offset, size)));
  } catch (const std::exception& e) {
    throw_undecodable(topic, e.what());
  }
  return value;
}

const msgpack::object& parse_array(std::string_view topic, std::span<const std::uint8_t> state) {
  std::size_t offset = 0;
  const msgpack::object& root = parse_one(topic, state.data(), state.size(), offset);
  if (root.type != msgpack::type::ARRAY)
    throw_undecodable(topic, "expected an array of fields, got " + kind_of(root));
  if (offset != state.size())
    throw_undecodable(topic, std::to_string(state.size() - offset) + " trailing bytes");
  return root;
}

}  // namespace weft::es::detail
