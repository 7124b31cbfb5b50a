#pragma once
// The process-global map from topic (an event type's registered name) to what
// is needed to decode it without knowing its C++ type: tools, logs, JSON
// views. Typed code (aggregates, policies) decodes without the registry.
#include <cstdint>
#include <map>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <typeindex>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "weft/es/stored_event.hpp"

namespace weft::es {

/// One registered event type.
struct topic_entry {
  std::string topic;
  std::type_index type;
  std::vector<std::string> fields;  ///< in wire order
  /// Decodes state bytes into a new E (as void); throws weft::decode_error naming the topic.
  std::shared_ptr<const void> (*decode)(std::span<const std::uint8_t> state);
};

/// An event decoded by topic: the value is an E where `entry->type` is typeid(E).
struct decoded_event {
  const topic_entry* entry = nullptr;
  std::shared_ptr<const void> value;

  /// The event as an E, or nullptr if it is another type.
  template <class E>
  const E* as() const noexcept {
    return entry && entry->type == typeid(E) ? static_cast<const E*>(value.get()) : nullptr;
  }
};

/// Every method is @threadsafe. Entries are never removed, so pointers to them stay valid.
class topic_registry {
 public:
  /// The one registry of this process (shared by every library and plugin).
  static topic_registry& global();

  /// Adds an entry. Registering the same topic for the same type again is a
  /// no-op; for another type it throws weft::error naming the topic.
  void add(topic_entry entry);

  /// The entry of `topic`, or nullptr.
  [[nodiscard]] const topic_entry* find(std::string_view topic) const;

  /// The entry of `topic`; throws weft::decode_error naming an unknown topic.
  [[nodiscard]] const topic_entry& at(std::string_view topic) const;

  /// Decodes an event of any registered topic; throws weft::decode_error.
  [[nodiscard]] decoded_event decode(const stored_event& event) const;

  /// The event for people and tools: {"topic", "originator_id", "originator_version",
  /// "fields": {name: value}}.
  /// uuids print in canonical form. Throws weft::decode_error.
  [[nodiscard]] nlohmann::json to_json(const stored_event& event) const;

  [[nodiscard]] std::vector<std::string> topics() const;

 private:
  mutable std::shared_mutex mutex_;
  std::map<std::string, topic_entry, std::less<>> entries_;
};

}  // namespace weft::es
