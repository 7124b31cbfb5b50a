#include "weft/es/topic_registry.hpp"

#include <mutex>

#include <nlohmann/json.hpp>

#include "weft/core/error.hpp"
#include "weft/es/codec.hpp"
#include "weft/es/msgpack_json.hpp"

namespace weft::es {

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
    // Fields beyond the declared ones (a newer writer's) are named by position.
    std::string name;
    if (i < entry.fields.size()) {
      name = entry.fields[i];
    } else {
      name = "#";
      name += std::to_string(i);
    }
    out[name] = nlohmann::json(msgpack_to_json(fields.via.array.ptr[i]));
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
