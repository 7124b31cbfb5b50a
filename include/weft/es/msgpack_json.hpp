#pragma once
// Event state bytes (msgpack) as JSON, for people and tools: weft events,
// logs, the topic registry's views. One rendering, so every tool prints the
// same value the same way.
#include <cstdint>
#include <span>

#include <msgpack.hpp>
#include <nlohmann/json_fwd.hpp>

namespace weft::es {

/// A msgpack value as JSON, keys and array items in wire order. uuids (the
/// weft extension) print in canonical form, binary as {"bin": hex}, other
/// extensions as {"ext": type, "hex": hex}; a map key that is not a string
/// becomes its JSON text.
nlohmann::ordered_json msgpack_to_json(const msgpack::object& value);

/// Exactly one msgpack value in `bytes`, as JSON. Throws weft::decode_error
/// ("not msgpack: ..." or "N bytes after the value").
nlohmann::ordered_json msgpack_to_json(std::span<const std::uint8_t> bytes);

}  // namespace weft::es
