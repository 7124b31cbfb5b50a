#pragma once
// The supervisor's guard over its segment while the system runs.
//
// Workers, clients and tools validate a segment when they attach; after that
// a stray write (a buggy or hostile process of the same user) would go
// unnoticed until the next attach failed, or a worker read a garbage offset.
// The supervisor built the segment, so it knows what never changes: the
// header, the names and wiring in the process table, the
// channel and lane tables' ends and ring references, each ring's capacity.
// It keeps a private copy of those bytes, compares it each tick, names what
// differs and writes its copy back. Ring positions do change; the guard
// checks that they are still possible (aligned, head not past tail, tail at
// most a capacity ahead) and, when both ends of a corrupt channel are
// stopped, formats its rings: they are accelerators, the recorders hold the
// truth, so the restarted ends pull what they miss.
#include <cstdint>
#include <string>
#include <vector>

#include "weft/shm/segment.hpp"

namespace weft::runner {

/// A channel whose ring positions cannot be right.
struct corrupt_channel {
  std::uint32_t channel;
  std::uint32_t leader, follower;  // process indices
  std::string problem;  // "Orders -> Reservations: downstream ring: head 12 is past tail 8"
};

/// The supervisor's thread only.
class segment_guard {
 public:
  /// Copies what must never change; call right after creating the segment.
  explicit segment_guard(shm::segment& segment);

  /// Compares the segment with the copy, writes the copy back over what
  /// differs and returns what was overwritten ("header: magic, process_count"),
  /// one entry per damaged part; empty when nothing was.
  std::vector<std::string> restore();

  /// Channels whose ring positions are impossible, read with the indices and
  /// references of the copy (never those in the segment).
  std::vector<corrupt_channel> check_rings() const;

  /// Formats both rings of `channel` (positions and records cleared). Only
  /// while neither end runs: a live end would keep its own idea of them.
  void format_channel(std::uint32_t channel);

 private:
  // One immutable range of the segment and what to call it in a report.
  struct span_copy {
    std::string part;  // "header", "process 1 (Reservations)", ...
    std::vector<std::string> field_names;
    std::vector<std::uint64_t> field_offsets;  // from `offset`, ascending; empty: one whole
    std::uint64_t offset;                      // from the segment's start
    std::vector<std::byte> bytes;
  };
  void keep(std::string part, std::uint64_t offset, std::size_t size,
            std::vector<std::string> field_names = {}, std::vector<std::uint64_t> offsets = {});
  [[nodiscard]] std::string name_of(std::uint32_t process) const;

  shm::segment& segment_;
  std::byte* base_;
  std::vector<span_copy> spans_;
  std::vector<std::string> process_names_;
  std::vector<std::uint32_t> leaders_, followers_;
  std::vector<shm::ring_ref> downstream_, upstream_;
};

}  // namespace weft::runner
