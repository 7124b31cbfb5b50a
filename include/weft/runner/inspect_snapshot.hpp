#pragma once
// What `weft ps` and `weft top` show: a copy of a running system's process
// table taken through a read-only mapping, with the figures derived from it
// (lag per upstream, ring fill, rates between two copies).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "weft/core/error.hpp"
#include "weft/shm/process_table.hpp"
#include "weft/shm/segment.hpp"

namespace weft::runner {

/// The named system is not running (exit_not_running); what() says which
/// systems are.
class not_running_error : public error {
 public:
  using error::error;
};

/// Where a follower stands on one upstream edge.
struct upstream_view {
  std::string leader;
  std::uint64_t leader_position = 0;  ///< the leader's notification position
  std::uint64_t tracking = 0;         ///< the last leader notification processed
  std::uint64_t lag = 0;              ///< leader_position - tracking, 0 if tracking is ahead
};

struct process_view {
  std::string application;
  std::int32_t pid = 0;
  shm::process_state state = shm::process_state::absent;
  std::uint32_t restarts = 0;
  std::int64_t started_micros = 0;    ///< 0: never started
  std::int64_t heartbeat_micros = 0;  ///< 0: no heartbeat yet
  std::uint64_t notification_position = 0;
  std::uint64_t events_recorded = 0;
  std::uint64_t commands_handled = 0;
  std::uint64_t sections_sent = 0;
  std::uint64_t sections_received = 0;
  std::uint64_t mailbox_depth = 0;
  std::vector<upstream_view> upstreams;
  double ring_fill_percent = 0;  ///< the fullest ring this process consumes
  std::string last_error;
  /// events_recorded per second between two snapshots; empty after one snapshot.
  std::optional<double> events_per_second;
};

struct system_view {
  std::string name;
  std::string segment;
  std::int32_t supervisor_pid = 0;
  std::int64_t created_micros = 0;
  std::int64_t taken_micros = 0;      ///< wall clock when copied
  std::int64_t taken_mono_nanos = 0;  ///< monotonic clock when copied, for rates
  std::vector<process_view> processes;
};

/// The segment of the running system named `name_or_segment` (a system name
/// as `weft ls` shows it, or a segment name). Throws not_running_error naming
/// the systems that do run, or weft::invalid_input if several run under the name.
std::string find_running_segment(const std::string& name_or_segment);

/// Copies the process and channel tables. Reads only.
system_view take_snapshot(const shm::segment_reader& segment);

/// Fills events_per_second in `now` from the counters in `before` (same system).
void add_rates(system_view& now, const system_view& before);

/// The snapshot for scripts: one object with a "processes" array.
nlohmann::json to_json(const system_view& system);

/// The aligned table of `weft ps` (one row per process, a header line first).
std::string process_table_text(const system_view& system);

/// "3d4h", "5m12s", "42s"; "-" for negative durations.
std::string format_duration(std::int64_t micros);

}  // namespace weft::runner
