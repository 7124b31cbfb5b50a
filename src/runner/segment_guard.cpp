#include "segment_guard.hpp"

#include <cstddef>
#include <cstring>

#include <fmt/format.h>

#include "weft/shm/record.hpp"
#include "weft/shm/spsc_ring.hpp"

namespace weft::runner {
namespace {

using shm::segment_header;

// The header's fields, in order, as a report names them.
#define WEFT_HEADER_FIELD(f) std::pair<const char*, std::uint64_t>(#f, offsetof(segment_header, f))
const std::pair<const char*, std::uint64_t> header_fields[] = {
    WEFT_HEADER_FIELD(magic),
    WEFT_HEADER_FIELD(layout_version),
    WEFT_HEADER_FIELD(header_size),
    WEFT_HEADER_FIELD(total_size),
    WEFT_HEADER_FIELD(creator_pid),
    WEFT_HEADER_FIELD(creator_uid),
    WEFT_HEADER_FIELD(created_micros),
    WEFT_HEADER_FIELD(creator_start_ticks),
    WEFT_HEADER_FIELD(process_count),
    WEFT_HEADER_FIELD(channel_count),
    WEFT_HEADER_FIELD(lanes_per_process),
    WEFT_HEADER_FIELD(process_entry_size),
    WEFT_HEADER_FIELD(channel_entry_size),
    WEFT_HEADER_FIELD(lane_entry_size),
    WEFT_HEADER_FIELD(process_table_offset),
    WEFT_HEADER_FIELD(channel_table_offset),
    WEFT_HEADER_FIELD(lane_table_offset),
    WEFT_HEADER_FIELD(system_name),
    WEFT_HEADER_FIELD(ready),  // written once, by create(), before the guard's copy
};
#undef WEFT_HEADER_FIELD

// Why positions read from a ring's control block cannot be right; empty if they can.
std::string positions_problem(const shm::ring_control& control, std::uint64_t capacity) {
  // tail, head, tail again: both only grow, so head <= the later tail and the
  // earlier tail <= head + capacity hold whatever the ends did in between.
  // Acquire keeps the three loads in this order; they pair with the producer's
  // store of tail in commit() and the consumer's release of head in release().
  const std::uint64_t tail_before = control.tail.load(std::memory_order_acquire);
  const std::uint64_t head = control.head.load(std::memory_order_acquire);
  const std::uint64_t tail_after = control.tail.load(std::memory_order_acquire);
  if (head % shm::record_alignment != 0 || tail_after % shm::record_alignment != 0)
    return fmt::format("head {} or tail {} is not {}-byte aligned", head, tail_after,
                       shm::record_alignment);
  if (head > tail_after) return fmt::format("head {} is past tail {}", head, tail_after);
  if (tail_before > head && tail_before - head > capacity)
    return fmt::format("tail {} is more than the capacity ({}) past head {}", tail_before, capacity,
                       head);
  return {};
}

}  // namespace

segment_guard::segment_guard(shm::segment& segment)
    : segment_(segment),
      base_(const_cast<std::byte*>(reinterpret_cast<const std::byte*>(&segment.header()))) {
  const segment_header& header = segment.header();
  std::vector<std::string> names;
  std::vector<std::uint64_t> offsets;
  for (const auto& [name, offset] : header_fields) {
    names.emplace_back(name);
    offsets.push_back(offset);
  }
  keep("header", 0, sizeof(segment_header), std::move(names), std::move(offsets));

  for (std::uint32_t p = 0; p < header.process_count; ++p) {
    const auto& entry = segment.process(p);
    process_names_.emplace_back(shm::name_of(entry));
    const auto at = static_cast<std::uint64_t>(reinterpret_cast<const std::byte*>(&entry) - base_);
    keep("process " + name_of(p), at, offsetof(shm::process_entry, upstreams),
         {"name", "index", "upstream_count"},
         {offsetof(shm::process_entry, name), offsetof(shm::process_entry, index),
          offsetof(shm::process_entry, upstream_count)});
    for (std::uint32_t k = 0; k < shm::max_upstreams; ++k)
      keep(fmt::format("process {} upstreams[{}]", name_of(p), k),
           at + offsetof(shm::process_entry, upstreams) + k * sizeof(shm::upstream_position),
           offsetof(shm::upstream_position, tracking));
  }
  const auto keep_capacity = [&](const std::string& ring, const shm::ring_ref& ref) {
    keep(ring + " ring capacity", ref.offset + offsetof(shm::ring_control, capacity),
         sizeof(std::uint64_t));
  };
  for (std::uint32_t c = 0; c < header.channel_count; ++c) {
    const auto& channel = segment.channel(c);
    leaders_.push_back(channel.leader);
    followers_.push_back(channel.follower);
    downstream_.push_back(channel.downstream);
    upstream_.push_back(channel.upstream);
    const std::string part =
        fmt::format("channel {} ({} -> {})", c, name_of(channel.leader), name_of(channel.follower));
    keep(part, static_cast<std::uint64_t>(reinterpret_cast<const std::byte*>(&channel) - base_),
         offsetof(shm::channel_entry, epoch), {"leader", "follower", "downstream", "upstream"},
         {offsetof(shm::channel_entry, leader), offsetof(shm::channel_entry, follower),
          offsetof(shm::channel_entry, downstream), offsetof(shm::channel_entry, upstream)});
    keep_capacity(part + " downstream", channel.downstream);
    keep_capacity(part + " upstream", channel.upstream);
  }
  for (std::uint32_t p = 0; p < header.process_count; ++p) {
    for (std::uint32_t l = 0; l < header.lanes_per_process; ++l) {
      const auto& lane = segment.lane(p, l);
      const std::string part = fmt::format("lane {} of {}", l, name_of(p));
      keep(part, static_cast<std::uint64_t>(reinterpret_cast<const std::byte*>(&lane) - base_),
           offsetof(shm::lane_entry, owner), {"process", "lane", "request", "reply"},
           {offsetof(shm::lane_entry, process), offsetof(shm::lane_entry, lane),
            offsetof(shm::lane_entry, request), offsetof(shm::lane_entry, reply)});
      keep_capacity(part + " request", lane.request);
      keep_capacity(part + " reply", lane.reply);
    }
  }
}

void segment_guard::keep(std::string part, std::uint64_t offset, std::size_t size,
                         std::vector<std::string> field_names, std::vector<std::uint64_t> offsets) {
  span_copy copy{std::move(part), std::move(field_names), std::move(offsets), offset,
                 std::vector<std::byte>(size)};
  std::memcpy(copy.bytes.data(), base_ + offset, size);
  spans_.push_back(std::move(copy));
}

std::string segment_guard::name_of(std::uint32_t process) const {
  return process < process_names_.size() ? process_names_[process]
                                         : "process " + std::to_string(process);
}

std::vector<std::string> segment_guard::restore() {
  std::vector<std::string> damaged;
  for (const auto& span : spans_) {
    std::byte* live = base_ + span.offset;
    if (std::memcmp(live, span.bytes.data(), span.bytes.size()) == 0) continue;
    std::string fields;
    for (std::size_t f = 0; f < span.field_offsets.size(); ++f) {
      const std::uint64_t begin = span.field_offsets[f];
      const std::uint64_t end =
          f + 1 < span.field_offsets.size() ? span.field_offsets[f + 1] : span.bytes.size();
      if (std::memcmp(live + begin, span.bytes.data() + begin, end - begin) != 0)
        fields += (fields.empty() ? "" : ", ") + span.field_names[f];
    }
    damaged.push_back(fields.empty() ? span.part : span.part + ": " + fields);
    std::memcpy(live, span.bytes.data(), span.bytes.size());
  }
  return damaged;
}

std::vector<corrupt_channel> segment_guard::check_rings() const {
  std::vector<corrupt_channel> corrupt;
  for (std::uint32_t c = 0; c < leaders_.size(); ++c) {
    for (const auto& [direction, ref] :
         {std::pair{"downstream", downstream_[c]}, std::pair{"upstream", upstream_[c]}}) {
      const auto ring = segment_.ring(ref);
      const std::string problem = positions_problem(*ring.control, ref.capacity);
      if (problem.empty()) continue;
      corrupt.push_back({c, leaders_[c], followers_[c],
                         fmt::format("channel {} ({} -> {}): {} ring: {}", c, name_of(leaders_[c]),
                                     name_of(followers_[c]), direction, problem)});
      break;  // one report per channel: both rings are formatted together
    }
  }
  return corrupt;
}

void segment_guard::format_channel(std::uint32_t channel) {
  shm::clear_ring(segment_.ring(downstream_.at(channel)));
  shm::clear_ring(segment_.ring(upstream_.at(channel)));
}

}  // namespace weft::runner
