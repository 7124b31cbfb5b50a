#pragma once
// One entry per application process, in the segment: what tools show and
// what the supervisor watches. Written by the process it describes (and the
// supervisor for pid/state/restarts); read by anyone.
#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

#include "weft/core/cache_line.hpp"
#include "weft/shm/doorbell.hpp"

namespace weft::shm {

inline constexpr std::size_t name_capacity = 64;  // including the terminating NUL
inline constexpr std::size_t error_text_capacity = 256;
inline constexpr std::size_t max_upstreams = 16;

enum class process_state : std::uint32_t { absent, starting, running, stopping, stopped, crashed };

/// "running", "crashed", ...; "unknown(N)" for a value no state has.
std::string_view to_string(process_state state) noexcept;

/// Where a follower has got to on one upstream edge.
struct upstream_position {
  std::uint32_t channel;  // index in the channel table; set by the segment builder
  std::uint32_t reserved;
  std::atomic<std::uint64_t> tracking;  // last notification id processed (relaxed; a gauge)
};

struct process_entry {
  // Immutable after the segment is built.
  char name[name_capacity];
  std::uint32_t index;
  std::uint32_t upstream_count;
  upstream_position upstreams[max_upstreams];

  // Gauges and counters: single writer, relaxed, read by tools as a snapshot.
  alignas(cache_line) std::atomic<std::int32_t> pid;  // supervisor
  std::atomic<process_state> state;                   // supervisor and the process
  std::atomic<std::uint32_t> restarts;                // supervisor
  std::atomic<std::int64_t> started_micros;           // supervisor
  std::atomic<std::int64_t> heartbeat_micros;         // the process
  std::atomic<std::uint64_t> notification_position;   // the process: max notification id
  std::atomic<std::uint64_t> events_recorded;
  std::atomic<std::uint64_t> commands_handled;
  std::atomic<std::uint64_t> sections_sent;
  std::atomic<std::uint64_t> sections_received;
  std::atomic<std::uint64_t> mailbox_depth;

  // Last error text under a sequence lock: odd while being written.
  alignas(cache_line) std::atomic<std::uint32_t> error_sequence;
  char last_error[error_text_capacity];  // accessed through std::atomic_ref<char> only

  /// The process's doorbell: every ring it consumes rings this one.
  doorbell bell;
};
static_assert(std::atomic<process_state>::is_always_lock_free);
static_assert(std::atomic<std::int64_t>::is_always_lock_free);
static_assert(std::is_standard_layout_v<process_entry> &&
              std::is_trivially_destructible_v<process_entry>);

/// Moves a process to `to` (starting or running) unless that would undo a
/// later step: a process marked stopping stays so (it refuses commands), and
/// one already running is not sent back to starting. The supervisor and the
/// worker both call it, in either order. Returns whether the state changed.
/// @threadsafe
bool enter_state(process_entry& entry, process_state to) noexcept;

/// Stores `text` (truncated to fit) as the last error. The process itself only.
void set_last_error(process_entry& entry, std::string_view text) noexcept;

/// A consistent copy of the last error text. @threadsafe (any process, read-only mappings too)
std::string last_error(const process_entry& entry);

/// The NUL-terminated name as a view. @threadsafe
inline std::string_view name_of(const process_entry& entry) noexcept {
  return {entry.name, ::strnlen(entry.name, name_capacity)};
}

}  // namespace weft::shm
