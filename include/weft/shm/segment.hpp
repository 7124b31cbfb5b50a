#pragma once
// The shared-memory segment of one running system: created by the supervisor,
// attached by its workers and clients, mapped read-only by tools.
//
// Name: "weft.<uid>.<creator pid>.<64 random bits>": unique per user and run,
// not guessable, and a dead creator is visible from the name alone, so stale
// segments are found even when their header was never finished. The header
// also records when the creator started, so a recycled pid is not mistaken
// for a live creator.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "weft/core/error.hpp"
#include "weft/shm/process_liveness.hpp"
#include "weft/shm/process_table.hpp"
#include "weft/shm/segment_layout.hpp"
#include "weft/shm/spsc_ring.hpp"

namespace weft::shm {

/// Thrown when a segment cannot be created or attached; the message names the
/// segment and what did not match.
class segment_error : public error {
 public:
  using error::error;
};

class segment {
 public:
  /// Creates, builds and publishes (ready flag last) a fresh segment with mode
  /// 0600. The returned object owns the name: its destructor removes it.
  /// Throws weft::invalid_input for a bad spec, segment_error if the OS refuses.
  static segment create(const layout_spec& spec);

  /// Maps an existing segment read-write (workers, clients). Refuses (throws
  /// segment_error) a segment of another user, a mode other than 0600, a
  /// wrong magic, layout version, size or struct size, one not ready yet, or
  /// one whose creator is dead.
  static segment attach(const std::string& name);

  segment(segment&&) noexcept;
  segment& operator=(segment&&) noexcept;
  ~segment();

  [[nodiscard]] const std::string& name() const noexcept;
  [[nodiscard]] const segment_header& header() const noexcept;
  // Counts as validated at attach: a peer that rewrites the header later
  // cannot widen them (nor any index check, nor a ring reference's bounds).
  [[nodiscard]] std::uint32_t process_count() const noexcept;
  [[nodiscard]] std::uint32_t channel_count() const noexcept;
  [[nodiscard]] std::uint32_t lanes_per_process() const noexcept;
  /// The index of the process with this name, if any.
  [[nodiscard]] std::optional<std::uint32_t> find_process(std::string_view name) const;

  /// Table entries; indices are checked (std::out_of_range naming the index).
  process_entry& process(std::uint32_t index);
  channel_entry& channel(std::uint32_t index);
  lane_entry& lane(std::uint32_t process, std::uint32_t lane);
  /// A ring of this segment as a process-local view; segment_error if `ref`
  /// (read once) does not lie inside the segment.
  ring_region ring(const ring_ref& ref);

  // The ends of an edge, each wired to the doorbell of the process that consumes it.
  spsc_producer downstream_producer(std::uint32_t channel);  // in the leader
  spsc_consumer downstream_consumer(std::uint32_t channel);  // in the follower
  spsc_producer upstream_producer(std::uint32_t channel);    // in the follower
  spsc_consumer upstream_consumer(std::uint32_t channel);    // in the leader

  /// Supervisor, after one end of the edge died and before its successor
  /// attaches: bumps the channel's epoch and both rings' epochs.
  std::uint32_t reset_channel(std::uint32_t channel);

  /// Removes the name now (the mapping stays valid). The creator only.
  void remove() noexcept;
  /// The creator's object removes the name on destruction; false hands that on.
  void set_owner(bool owner) noexcept;

 private:
  struct impl;
  explicit segment(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

/// A read-only mapping for tools: it can never write into a running system.
class segment_reader {
 public:
  /// Same checks as segment::attach, mapping read-only.
  static segment_reader attach(const std::string& name);
  segment_reader(segment_reader&&) noexcept;
  ~segment_reader();

  [[nodiscard]] const std::string& name() const noexcept;
  [[nodiscard]] const segment_header& header() const noexcept;
  [[nodiscard]] const process_entry& process(std::uint32_t index) const;
  [[nodiscard]] const channel_entry& channel(std::uint32_t index) const;
  [[nodiscard]] const lane_entry& lane(std::uint32_t process, std::uint32_t lane) const;
  /// Bytes committed but not yet released in a ring (tail hint - head); 0
  /// for a reference that does not lie inside the segment.
  [[nodiscard]] std::uint64_t ring_fill(const ring_ref& ref) const noexcept;

 private:
  struct impl;
  explicit segment_reader(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

/// A system found in /dev/shm, for `weft ls`.
struct system_info {
  std::string segment_name;
  std::string system_name;  // empty when the header could not be read
  std::int32_t creator_pid = 0;
  std::int64_t created_micros = 0;
  std::uint32_t process_count = 0;
  bool creator_alive = false;
  std::string problem;  // why the header could not be read; empty if it could
};

/// Segments of this user (named for this uid and owned by it), live or stale.
/// Files named like ours but owned by another user are skipped. @threadsafe
std::vector<system_info> list_systems();

/// Removes this user's segments whose creator is dead and returns their
/// names. A segment whose creator lives is never touched. @threadsafe
std::vector<std::string> remove_stale_segments();

}  // namespace weft::shm
