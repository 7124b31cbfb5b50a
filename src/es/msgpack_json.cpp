#include "weft/es/msgpack_json.hpp"

#include <cstring>
#include <string>

#include <nlohmann/json.hpp>

#include "weft/core/error.hpp"
#include "weft/es/detail/field_reader.hpp"
#include "weft/es/msgpack_uuid.hpp"

namespace weft::es {
namespace {

// The JSON rendering recurses once per level.
constexpr std::size_t max_depth = 100;

std::string hex(const char* data, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string text(size * 2, '0');
  for (std::size_t i = 0; i < size; ++i) {
    const auto byte = static_cast<unsigned char>(data[i]);
    text[2 * i] = digits[byte >> 4];
    text[2 * i + 1] = digits[byte & 0x0f];
  }
  return text;
}

// JSON keys are text. A compound key (array or map) becomes its msgpack bytes
// in hex: as rendered JSON, a key holding keys holding keys would be escaped
// once more at each level, doubling in length each time.
std::string key_text(const msgpack::object& key) {
  switch (key.type) {
    case msgpack::type::STR:
      return std::string(key.via.str.ptr, key.via.str.size);
    case msgpack::type::ARRAY:
    case msgpack::type::MAP: {
      msgpack::sbuffer packed;
      msgpack::pack(packed, key);
      std::string text = "msgpack:";
      text += hex(packed.data(), packed.size());
      return text;
    }
    default:
      return msgpack_to_json(key).dump(-1, ' ', false,
                                       nlohmann::ordered_json::error_handler_t::replace);
  }
}

}  // namespace

nlohmann::ordered_json msgpack_to_json(const msgpack::object& value) {
  switch (value.type) {
    case msgpack::type::NIL:
      return nullptr;
    case msgpack::type::BOOLEAN:
      return value.via.boolean;
    case msgpack::type::POSITIVE_INTEGER:
      return value.via.u64;
    case msgpack::type::NEGATIVE_INTEGER:
      return value.via.i64;
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64:
      return value.via.f64;
    case msgpack::type::STR:
      return std::string(value.via.str.ptr, value.via.str.size);
    case msgpack::type::BIN:
      return {{"bin", hex(value.via.bin.ptr, value.via.bin.size)}};
    case msgpack::type::ARRAY: {
      auto out = nlohmann::ordered_json::array();
      for (std::uint32_t i = 0; i < value.via.array.size; ++i)
        out.push_back(msgpack_to_json(value.via.array.ptr[i]));
      return out;
    }
    case msgpack::type::MAP: {
      auto out = nlohmann::ordered_json::object();
      for (std::uint32_t i = 0; i < value.via.map.size; ++i) {
        const auto& kv = value.via.map.ptr[i];
        out[key_text(kv.key)] = msgpack_to_json(kv.val);
      }
      return out;
    }
    case msgpack::type::EXT:
      if (value.via.ext.type() == msgpack_uuid_ext && value.via.ext.size == 16) {
        uuid id;
        std::memcpy(id.bytes.data(), value.via.ext.data(), 16);
        return id.str();
      }
      return {{"ext", value.via.ext.type()},
              {"hex", hex(value.via.ext.data(), value.via.ext.size)}};
  }
  return nullptr;
}

nlohmann::ordered_json msgpack_to_json(std::span<const std::uint8_t> bytes) {
  std::size_t offset = 0;
  msgpack::object_handle handle;
  try {
    handle = msgpack::unpack(reinterpret_cast<const char*>(bytes.data()), bytes.size(), offset,
                             nullptr, nullptr, detail::unpack_limit_for(bytes.size()));
  } catch (const std::exception& e) {
    throw decode_error(std::string("not msgpack: ") + e.what());
  }
  if (offset != bytes.size())
    throw decode_error(std::to_string(bytes.size() - offset) + " bytes after the value");
  return msgpack_to_json(handle.get());
}

}  // namespace weft::es
