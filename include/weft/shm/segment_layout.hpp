#pragma once
// The segment's plain-data layout and the builder that computes it.
//
//   +------------------+  offset 0
//   | segment_header   |  magic, version, sizes, creator, table offsets, ready (last)
//   +------------------+
//   | process table    |  process_entry[process_count]
//   | channel table    |  channel_entry[channel_count]   one per edge leader -> follower
//   | lane table       |  lane_entry[process_count * lanes_per_process]   ingress
//   +------------------+
//   | rings            |  ring_control + buffer, each cache-line aligned
//   +------------------+  total_size
//
// Everything is addressed by offsets from the start of the segment, never by
// pointers, so every process may map it anywhere.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "weft/core/cache_line.hpp"
#include "weft/shm/doorbell.hpp"
#include "weft/shm/process_table.hpp"

namespace weft::shm {

inline constexpr std::uint64_t segment_magic = 0x316d'6873'7466'6577;  // "weftshm1" little-endian
inline constexpr std::uint32_t layout_version = 5;
inline constexpr std::uint32_t segment_ready = 0x52454459;  // "READ"+"Y"

/// Where one ring lives: its ring_control at `offset`, its buffer right after.
struct ring_ref {
  std::uint64_t offset;
  std::uint64_t capacity;
};

struct segment_header {
  std::uint64_t magic;
  std::uint32_t layout_version;
  std::uint32_t header_size;
  std::uint64_t total_size;
  std::int32_t creator_pid;
  std::uint32_t creator_uid;
  std::int64_t created_micros;
  /// When the creator started (ticks since boot; 0 if unknown): tells the
  /// creator from a later process that got its pid.
  std::uint64_t creator_start_ticks;
  std::uint32_t process_count;
  std::uint32_t channel_count;
  std::uint32_t lanes_per_process;
  std::uint32_t process_entry_size;
  std::uint32_t channel_entry_size;
  std::uint32_t lane_entry_size;
  std::uint64_t process_table_offset;
  std::uint64_t channel_table_offset;
  std::uint64_t lane_table_offset;
  char system_name[name_capacity];
  /// segment_ready once everything above and all tables are written; stored
  /// last (release), loaded first (acquire) by every attach.
  std::atomic<std::uint32_t> ready;
};
static_assert(std::is_standard_layout_v<segment_header> &&
              std::is_trivially_destructible_v<segment_header>);

/// One edge: the leader pushes sections and prompts downstream, the follower
/// sends pull requests upstream.
struct channel_entry {
  std::uint32_t leader;
  std::uint32_t follower;
  ring_ref downstream;  // consumed by the follower, rings the follower's doorbell
  ring_ref upstream;    // consumed by the leader, rings the leader's doorbell
  /// Bumped by segment::reset_channel (supervisor) when either end restarts.
  std::atomic<std::uint32_t> epoch;
};
static_assert(std::is_standard_layout_v<channel_entry> &&
              std::is_trivially_destructible_v<channel_entry>);

/// Who holds an ingress lane, packed in one word so that a claim is one CAS:
/// the pid in the low 22 bits (Linux's limit), the process's start time
/// (process_start_ticks, 0 if unknown) above. With the pid alone, a dead
/// client's pid reused by some long-lived process would hold its lane forever.
struct lane_owner {
  static constexpr int pid_bits = 22;
  std::int32_t pid = 0;
  std::uint64_t start_ticks = 0;

  [[nodiscard]] constexpr std::uint64_t word() const noexcept {
    return start_ticks << pid_bits | (static_cast<std::uint64_t>(pid) & pid_mask);
  }
  static constexpr lane_owner of(std::uint64_t word) noexcept {
    return {static_cast<std::int32_t>(word & pid_mask), word >> pid_bits};
  }

 private:
  static constexpr std::uint64_t pid_mask = (std::uint64_t{1} << pid_bits) - 1;
};

/// One ingress lane of one process: a client's private request ring into the
/// process and reply ring back. Clients claim a lane (owner) before use,
/// so each ring has one producer and one consumer, and each client's
/// commands stay in order (see ingress.hpp).
struct lane_entry {
  std::uint32_t process;
  std::uint32_t lane;
  ring_ref request;  // client -> process; rings the process's doorbell
  ring_ref reply;    // process -> client; rings client_bell
  alignas(cache_line) std::atomic<std::uint64_t> owner;  // lane_owner::word(), 0 when free
  std::atomic<std::uint32_t> epoch;                      // bumped at each claim
  /// Set by each incarnation of the process as it starts: the last command
  /// its predecessor took from the request ring. Those it did not answer
  /// never will be; the client answers them itself (see node::client).
  std::atomic<std::uint64_t> lost_through;
  /// The last correlation id a client of this lane put in a command, written
  /// before the command is committed. A new owner numbers on from it, so ids
  /// never repeat on a lane and lost_through never names a successor's. Its
  /// own line: the client writes it per command, the process reads the
  /// owner's line (epoch) per reply.
  alignas(cache_line) std::atomic<std::uint64_t> issued_through;
  /// The correlation id of the last command the process took, written
  /// before it runs the command. Its own line: written once per command.
  alignas(cache_line) std::atomic<std::uint64_t> taken_through;
  doorbell client_bell;
};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
static_assert(std::is_standard_layout_v<lane_entry> &&
              std::is_trivially_destructible_v<lane_entry>);

struct channel_spec {
  std::uint32_t leader;
  std::uint32_t follower;
};

/// What the supervisor asks for. Ring sizes are powers of two.
struct layout_spec {
  std::string system_name;
  std::vector<std::string> processes;  // application names, unique, < name_capacity bytes
  std::vector<channel_spec> channels;  // indices into processes; self-follow allowed
  std::size_t downstream_ring_bytes = std::size_t{1} << 20;
  std::size_t upstream_ring_bytes = std::size_t{64} << 10;
  std::uint32_t lanes_per_process = 4;
  std::size_t request_ring_bytes = std::size_t{64} << 10;
  std::size_t reply_ring_bytes = std::size_t{64} << 10;
};

/// Offsets of everything, computed from a spec.
struct segment_layout {
  layout_spec spec;
  std::uint64_t process_table_offset = 0;
  std::uint64_t channel_table_offset = 0;
  std::uint64_t lane_table_offset = 0;
  std::vector<ring_ref> downstream;  // per channel
  std::vector<ring_ref> upstream;    // per channel
  std::vector<ring_ref> request;     // per lane, process-major
  std::vector<ring_ref> reply;       // per lane, process-major
  std::uint64_t total_size = 0;

  /// Throws weft::invalid_input naming the field at fault.
  static segment_layout compute(const layout_spec& spec);
};

/// Writes header (all but `ready`), tables and empty rings into zeroed memory
/// of layout.total_size bytes. The segment creator only.
void build_segment(std::byte* base, const segment_layout& layout, std::int32_t creator_pid,
                   std::uint64_t creator_start_ticks, std::uint32_t creator_uid,
                   std::int64_t created_micros);

/// Why the `size` bytes at `base` are not a segment this build can use;
/// empty when they are. Checks the header (after `ready`), every table
/// offset, index and ring reference.
std::string validate_segment(const std::byte* base, std::size_t size);

/// Why `ref` is not a ring inside the `size` bytes at `base` (named `what`);
/// empty when it is. For references read again after validate_segment().
std::string validate_ring_ref(const std::byte* base, std::size_t size, const ring_ref& ref,
                              const std::string& what);

}  // namespace weft::shm
