#pragma once
// The one recorder interface every store implements (memory, sqlite, later
// postgres). It is the source of truth of a running system: rings and
// prompts only accelerate what can always be read back from here.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "weft/es/stored_event.hpp"

namespace weft::es {

/// Filters for select_events; the defaults select every version in order.
struct event_query {
  std::optional<std::uint64_t> after_version = std::nullopt;  ///< versions > this
  std::optional<std::uint64_t> up_to_version = std::nullopt;  ///< versions <= this
  bool descending = false;
  std::optional<std::size_t> limit = std::nullopt;
};

/// Filters for select_notifications.
struct notification_query {
  std::uint64_t start = 1;                           ///< first id wanted (inclusive)
  std::size_t limit = 100;                           ///< at most this many
  std::optional<std::uint64_t> stop = std::nullopt;  ///< last id wanted (inclusive)
  std::vector<std::string> topics = {};              ///< empty = every topic
};

/// The notification ids one insert gave its events: [first, first + count).
/// Ids of one call are consecutive (see recorder::insert_events).
struct id_range {
  std::uint64_t first = 0;  ///< 0 when count is 0
  std::uint64_t count = 0;

  [[nodiscard]] bool empty() const noexcept { return count == 0; }
  /// The highest id, 0 when empty.
  [[nodiscard]] std::uint64_t last() const noexcept { return count == 0 ? 0 : first + count - 1; }
  /// Every id of the range, in order: what insert_events returns.
  [[nodiscard]] std::vector<std::uint64_t> ids() const {
    std::vector<std::uint64_t> all(count);
    for (std::uint64_t i = 0; i < count; ++i) all[i] = first + i;
    return all;
  }
};

/// Tracking positions only move forward: a tracking record for an upstream
/// says "processed up to here", so one covers a whole batch, and a record at
/// or below the current position means "already done" and is refused.
///
/// Every method is @threadsafe: several threads may record at once.
class recorder {
 public:
  virtual ~recorder() = default;

  /// Records `events` and `tracked` in one atomic transaction and returns the
  /// notification ids given to the events, in order. Throws
  /// weft::integrity_error if an (originator_id, version) exists already or a
  /// tracking id is not above its upstream's current position (at most one
  /// tracking record per upstream in a call); then nothing of the call is
  /// recorded. Concurrent callers get non-interleaved, gapless id ranges.
  virtual std::vector<std::uint64_t> insert_events(std::span<const stored_event> events,
                                                   std::span<const tracking> tracked = {}) = 0;

  /// insert_events for hot paths: returns the ids as a range, allocating
  /// nothing for them, and may move the events' topic and state out of
  /// `events` once the transaction has committed (a recorder that keeps them,
  /// like the memory recorder, takes them instead of copying). When it throws,
  /// `events` are untouched. The default calls insert_events.
  virtual id_range append_events(std::span<stored_event> events,
                                 std::span<const tracking> tracked = {});

  /// select_notifications into `out`, whose elements (and their byte
  /// buffers) are reused: a follower pulling batch after batch into one
  /// vector allocates nothing once it has grown. `out` holds exactly the
  /// result afterwards. The default calls select_notifications.
  virtual void select_notifications_into(const notification_query& query,
                                         std::vector<notification>& out);

  /// Events of one originator, by version.
  virtual std::vector<stored_event> select_events(const uuid& originator_id,
                                                  const event_query& query = {}) = 0;

  /// Notifications with ids in [start, stop], at most `limit`, optionally of some topics only.
  virtual std::vector<notification> select_notifications(const notification_query& query) = 0;

  /// The highest notification id recorded, 0 when the log is empty.
  virtual std::uint64_t max_notification_id() = 0;

  /// The highest notification id of `upstream` tracked, 0 when none: where a follower resumes.
  virtual std::uint64_t max_tracking_id(std::string_view upstream) = 0;

  /// Whether notification `id` of `upstream` has been processed: id <= max_tracking_id(upstream).
  virtual bool has_tracking_id(std::string_view upstream, std::uint64_t id) = 0;
};

}  // namespace weft::es
