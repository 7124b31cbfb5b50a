#pragma once
// What recorders store: events as opaque bytes under a topic, notifications
// (events with their position in an application's log) and tracking records
// (how far a process application has read an upstream log).
#include <cstdint>
#include <string>
#include <vector>

#include "weft/core/uuid.hpp"

namespace weft::es {

using bytes = std::vector<std::uint8_t>;

/// One recorded domain event. Unique on (originator_id, originator_version).
struct stored_event {
  uuid originator_id;
  std::uint64_t originator_version = 0;
  std::string topic;  ///< registered type name of the event
  bytes state;        ///< encoded event fields

  friend bool operator==(const stored_event&, const stored_event&) = default;
};

/// A stored event with its place in the application's notification log:
/// ids start at 1, are gapless and strictly increasing per application.
struct notification {
  std::uint64_t id = 0;
  stored_event event;

  friend bool operator==(const notification&, const notification&) = default;
};

/// "Application `upstream` has been processed up to notification `id`."
struct tracking {
  std::string upstream;
  std::uint64_t notification_id = 0;

  friend bool operator==(const tracking&, const tracking&) = default;
};

}  // namespace weft::es
