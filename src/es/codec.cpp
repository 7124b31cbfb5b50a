#include "weft/es/codec.hpp"

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

}  // namespace

const msgpack::object& parse_array(std::string_view topic, std::span<const std::uint8_t> state) {
  // One zone per thread, cleared and reused: decoding allocates nothing once
  // the zone's first chunk has grown to the largest event seen.
  thread_local msgpack::zone zone;
  thread_local msgpack::object root;
  zone.clear();
  std::size_t offset = 0;
  try {
    root = msgpack::unpack(zone, reinterpret_cast<const char*>(state.data()), state.size(), offset);
  } catch (const std::exception& e) {
    throw decode_error("cannot decode event of topic '" + std::string(topic) + "': " + e.what() +
                       " (" + std::to_string(state.size()) + " bytes)");
  }
  if (root.type != msgpack::type::ARRAY)
    throw decode_error("cannot decode event of topic '" + std::string(topic) +
                       "': expected an array of fields, got " + kind_of(root));
  if (offset != state.size())
    throw decode_error("cannot decode event of topic '" + std::string(topic) +
                       "': " + std::to_string(state.size() - offset) + " trailing bytes");
  return root;
}

void throw_bad_field(std::string_view topic, std::string_view field, const msgpack::object& value) {
  throw decode_error("cannot decode field '" + std::string(field) + "' of event topic '" +
                     std::string(topic) + "': unexpected " + kind_of(value));
}

}  // namespace weft::es::detail
