#include "weft/es/topic_registry.hpp"

#include <cstring>
#include <mutex>

#include <nlohmann/json.hpp>

#include "weft/core/error.hpp"
#include "weft/es/codec.hpp"

namespace weft::es {
namespace {

nlohmann::json to_json(const msgpack::object& value) {
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
      return nlohmann::json::binary(
          {reinterpret_cast<const std::uint8_t*>(value.via.bin.ptr),
           reinterpret_cast<const std::uint8_t*>(value.via.bin.ptr) + value.via.bin.size});
    case msgpack::type::ARRAY: {
      auto out = nlohmann::json::array();
      for (std::uint32_t i = 0; i < value.via.array.size; ++i)
        out.push_back(to_json(value.via.array.ptr[i]));
      return out;
    }
    case msgpack::type::MAP: {
      auto out = nlohmann::json::object();
      for (std::uint32_t i = 0; i < value.via.map.size; ++i) {
        const auto& kv = value.via.map.ptr[i];
        out[kv.key.type == msgpack::type::STR ? kv.key.as<std::string>() : to_json(kv.key).dump()] =
            to_json(kv.val);
      }
      return out;
    }
    case msgpack::type::EXT:
      if (value.via.ext.type() == msgpack_uuid_ext && value.via.ext.size == 16) {
        uuid id;
        std::memcpy(id.bytes.data(), value.via.ext.data(), 16);
        return id.str();
      }
      return {{"ext", value.via.ext.type()}};
  }
  return nullptr;
}

}  // namespace

topic_registry& topic_registry::global() {
  static topic_registry registry;
  return registry;
}

void topic_registry::add(topic_entry entry) {
  std::unique_lock lock(mutex_);
  auto found = entries_.find(entry.topic);
  if (found != entries_.end()) {
    if (found->second.type == entry.type) return;
    throw error("event topic '" + entry.topic + "' is registered already for another type (" +
                found->second.type.name() + ")");
  }
  auto topic = entry.topic;
  entries_.emplace(std::move(topic), std::move(entry));
}

const topic_entry* topic_registry::find(std::string_view topic) const {
  std::shared_lock lock(mutex_);
  auto found = entries_.find(topic);
  return found == entries_.end() ? nullptr : &found->second;
}

const topic_entry& topic_registry::at(std::string_view topic) const {
  if (const auto* entry = find(topic)) return *entry;
  throw decode_error("unknown event topic '" + std::string(topic) + "'");
}

decoded_event topic_registry::decode(const stored_event& event) const {
  const auto& entry = at(event.topic);
  return {&entry, entry.decode(event.state)};
}

nlohmann::json topic_registry::to_json(const stored_event& event) const {
  const auto& entry = at(event.topic);
  const msgpack::object& fields = detail::parse_array(entry.topic, event.state);
  auto out = nlohmann::json::object();
  for (std::uint32_t i = 0; i < fields.via.array.size; ++i) {
    const std::string name = i < entry.fields.size() ? entry.fields[i] : "#" + std::to_string(i);
    out[name] = es::to_json(fields.via.array.ptr[i]);
  }
  return {{"topic", entry.topic},
          {"originator_id", event.originator_id.str()},
          {"originator_version", event.originator_version},
          {"fields", std::move(out)}};
}

std::vector<std::string> topic_registry::topics() const {
  std::shared_lock lock(mutex_);
  std::vector<std::string> out;
  out.reserve(entries_.size());
  for (const auto& [topic, entry] : entries_) out.push_back(topic);
  return out;
}

}  // namespace weft::es
