// Computing, building and validating the segment layout.
#include "weft/shm/segment_layout.hpp"

#include <fmt/format.h>

#include <bit>
#include <cstring>
#include <new>
#include <set>

#include "weft/core/error.hpp"
#include "weft/shm/spsc_ring.hpp"

namespace weft::shm {
namespace {

constexpr std::uint64_t align_up(std::uint64_t n, std::uint64_t a) {
  return (n + a - 1) / a * a;
}

constexpr std::size_t min_ring_bytes = 1024;
constexpr std::size_t max_ring_bytes = std::size_t{1} << 30;

void check_ring_size(const char* field, std::size_t bytes) {
  if (!std::has_single_bit(bytes) || bytes < min_ring_bytes || bytes > max_ring_bytes) {
    throw invalid_input(fmt::format("layout_spec.{}: {} is not a power of two in [{}, {}]", field,
                                    bytes, min_ring_bytes, max_ring_bytes));
  }
}

template <class T>
const T* at(const std::byte* base, std::uint64_t offset) {
  return std::launder(reinterpret_cast<const T*>(base + offset));
}

std::string check_ring(const std::byte* base, std::size_t size, const ring_ref& ref,
                       const std::string& what) {
  if (!std::has_single_bit(ref.capacity) || ref.capacity > max_ring_bytes ||
      ref.offset % cache_line != 0 || ref.offset > size ||
      size - ref.offset < sizeof(ring_control) + ref.capacity) {
    return fmt::format("{}: ring at offset {} with capacity {} does not fit the {}-byte segment",
                       what, ref.offset, ref.capacity, size);
  }
  const auto* control = at<ring_control>(base, ref.offset);
  if (control->capacity != ref.capacity) {
    return fmt::format("{}: ring control says capacity {}, table says {}", what, control->capacity,
                       ref.capacity);
  }
  return {};
}

bool terminated(const char* text, std::size_t capacity) {
  return std::memchr(text, 0, capacity) != nullptr;
}

}  // namespace

segment_layout segment_layout::compute(const layout_spec& spec) {
  if (spec.processes.empty()) throw invalid_input("layout_spec.processes: no process");
  if (spec.system_name.size() >= name_capacity) {
    throw invalid_input(fmt::format("layout_spec.system_name: '{}' is longer than {} bytes",
                                    spec.system_name, name_capacity - 1));
  }
  std::set<std::string> names;
  for (const auto& name : spec.processes) {
    if (name.empty() || name.size() >= name_capacity) {
      throw invalid_input(fmt::format("layout_spec.processes: name '{}' must have 1 to {} bytes",
                                      name, name_capacity - 1));
    }
    if (!names.insert(name).second) {
      throw invalid_input(fmt::format("layout_spec.processes: name '{}' appears twice", name));
    }
  }
  std::vector<std::uint32_t> upstreams(spec.processes.size());
  for (std::size_t i = 0; i < spec.channels.size(); ++i) {
    const auto& ch = spec.channels[i];
    if (ch.leader >= spec.processes.size() || ch.follower >= spec.processes.size()) {
      throw invalid_input(
          fmt::format("layout_spec.channels[{}]: leader {} or follower {} is not a "
                      "process index (there are {})",
                      i, ch.leader, ch.follower, spec.processes.size()));
    }
    if (++upstreams[ch.follower] > max_upstreams) {
      throw invalid_input(fmt::format("layout_spec.channels[{}]: '{}' follows more than {} leaders",
                                      i, spec.processes[ch.follower], max_upstreams));
    }
  }
  check_ring_size("downstream_ring_bytes", spec.downstream_ring_bytes);
  check_ring_size("upstream_ring_bytes", spec.upstream_ring_bytes);
  check_ring_size("request_ring_bytes", spec.request_ring_bytes);
  check_ring_size("reply_ring_bytes", spec.reply_ring_bytes);
  if (spec.lanes_per_process > 1024) {
    throw invalid_input(
        fmt::format("layout_spec.lanes_per_process: {} is more than 1024", spec.lanes_per_process));
  }

  segment_layout layout;
  layout.spec = spec;
  std::uint64_t at = align_up(sizeof(segment_header), cache_line);
  layout.process_table_offset = at;
  at = align_up(at + spec.processes.size() * sizeof(process_entry), cache_line);
  layout.channel_table_offset = at;
  at = align_up(at + spec.channels.size() * sizeof(channel_entry), cache_line);
  layout.lane_table_offset = at;
  const std::size_t lanes = spec.processes.size() * spec.lanes_per_process;
  at = align_up(at + lanes * sizeof(lane_entry), cache_line);
  auto place = [&](std::size_t capacity) {
    ring_ref ref{at, capacity};
    at = align_up(at + sizeof(ring_control) + capacity, cache_line);
    return ref;
  };
  for (std::size_t i = 0; i < spec.channels.size(); ++i) {
    layout.downstream.push_back(place(spec.downstream_ring_bytes));
    layout.upstream.push_back(place(spec.upstream_ring_bytes));
  }
  for (std::size_t i = 0; i < lanes; ++i) {
    layout.request.push_back(place(spec.request_ring_bytes));
    layout.reply.push_back(place(spec.reply_ring_bytes));
  }
  layout.total_size = at;
  return layout;
}

void build_segment(std::byte* base, const segment_layout& layout, std::int32_t creator_pid,
                   std::uint64_t creator_start_ticks, std::uint32_t creator_uid,
                   std::int64_t created_micros) {
  const auto& spec = layout.spec;
  auto* header = new (base) segment_header{};
  header->magic = segment_magic;
  header->layout_version = layout_version;
  header->header_size = sizeof(segment_header);
  header->total_size = layout.total_size;
  header->creator_pid = creator_pid;
  header->creator_uid = creator_uid;
  header->created_micros = created_micros;
  header->creator_start_ticks = creator_start_ticks;
  header->process_count = static_cast<std::uint32_t>(spec.processes.size());
  header->channel_count = static_cast<std::uint32_t>(spec.channels.size());
  header->lanes_per_process = spec.lanes_per_process;
  header->process_entry_size = sizeof(process_entry);
  header->channel_entry_size = sizeof(channel_entry);
  header->lane_entry_size = sizeof(lane_entry);
  header->process_table_offset = layout.process_table_offset;
  header->channel_table_offset = layout.channel_table_offset;
  header->lane_table_offset = layout.lane_table_offset;
  std::memcpy(header->system_name, spec.system_name.data(), spec.system_name.size());

  auto ring = [&](const ring_ref& ref) {
    format_ring({reinterpret_cast<ring_control*>(base + ref.offset),
                 base + ref.offset + sizeof(ring_control), ref.capacity});
  };
  auto* processes = reinterpret_cast<process_entry*>(base + layout.process_table_offset);
  for (std::uint32_t i = 0; i < spec.processes.size(); ++i) {
    auto* entry = new (processes + i) process_entry{};
    std::memcpy(entry->name, spec.processes[i].data(), spec.processes[i].size());
    entry->index = i;
  }
  auto* channels = reinterpret_cast<channel_entry*>(base + layout.channel_table_offset);
  for (std::uint32_t i = 0; i < spec.channels.size(); ++i) {
    auto* entry = new (channels + i) channel_entry{};
    entry->leader = spec.channels[i].leader;
    entry->follower = spec.channels[i].follower;
    entry->downstream = layout.downstream[i];
    entry->upstream = layout.upstream[i];
    ring(entry->downstream);
    ring(entry->upstream);
    auto& follower = processes[entry->follower];
    follower.upstreams[follower.upstream_count++].channel = i;
  }
  auto* lanes = reinterpret_cast<lane_entry*>(base + layout.lane_table_offset);
  for (std::uint32_t i = 0; i < layout.request.size(); ++i) {
    auto* entry = new (lanes + i) lane_entry{};
    entry->process = i / spec.lanes_per_process;
    entry->lane = i % spec.lanes_per_process;
    entry->request = layout.request[i];
    entry->reply = layout.reply[i];
    ring(entry->request);
    ring(entry->reply);
  }
}

std::string validate_ring_ref(const std::byte* base, std::size_t size, const ring_ref& ref,
                              const std::string& what) {
  return check_ring(base, size, ref, what);
}

std::string validate_segment(const std::byte* base, std::size_t size) {
  if (size < sizeof(segment_header)) {
    return fmt::format("{} bytes is smaller than the {}-byte header", size, sizeof(segment_header));
  }
  const auto* header = at<segment_header>(base, 0);
  // Pairs with the release store of `ready` by the creator.
  const std::uint32_t ready = header->ready.load(std::memory_order_acquire);
  if (header->magic != segment_magic) {
    return fmt::format("magic {:#018x} is not weft's {:#018x}", header->magic, segment_magic);
  }
  if (header->layout_version != layout_version) {
    return fmt::format("layout version {} but this build reads version {}", header->layout_version,
                       layout_version);
  }
  if (ready != segment_ready) {
    return fmt::format("ready flag is {:#x}, not {:#x}: its creator has not finished building it",
                       ready, segment_ready);
  }
  if (header->header_size != sizeof(segment_header) ||
      header->process_entry_size != sizeof(process_entry) ||
      header->channel_entry_size != sizeof(channel_entry) ||
      header->lane_entry_size != sizeof(lane_entry)) {
    return fmt::format(
        "struct sizes (header {}, process {}, channel {}, lane {}) differ from this "
        "build's ({}, {}, {}, {})",
        header->header_size, header->process_entry_size, header->channel_entry_size,
        header->lane_entry_size, sizeof(segment_header), sizeof(process_entry),
        sizeof(channel_entry), sizeof(lane_entry));
  }
  if (header->total_size != size) {
    return fmt::format("header says total size {} but the segment has {} bytes", header->total_size,
                       size);
  }
  if (!terminated(header->system_name, name_capacity)) return "system name is not terminated";
  const std::uint64_t lanes = std::uint64_t{header->process_count} * header->lanes_per_process;
  auto table_fits = [&](std::uint64_t offset, std::uint64_t count, std::uint64_t entry) {
    return offset % cache_line == 0 && offset <= size && count <= (size - offset) / entry;
  };
  if (header->process_count == 0 ||
      !table_fits(header->process_table_offset, header->process_count, sizeof(process_entry)) ||
      !table_fits(header->channel_table_offset, header->channel_count, sizeof(channel_entry)) ||
      !table_fits(header->lane_table_offset, lanes, sizeof(lane_entry))) {
    return fmt::format("tables (processes {} at {}, channels {} at {}, lanes {} at {}) do not fit",
                       header->process_count, header->process_table_offset, header->channel_count,
                       header->channel_table_offset, lanes, header->lane_table_offset);
  }
  for (std::uint32_t i = 0; i < header->process_count; ++i) {
    const auto* p =
        at<process_entry>(base, header->process_table_offset + i * sizeof(process_entry));
    if (!terminated(p->name, name_capacity) || p->index != i || p->upstream_count > max_upstreams) {
      return fmt::format("process entry {} is malformed (name, index or upstream count)", i);
    }
    for (std::uint32_t u = 0; u < p->upstream_count; ++u) {
      if (p->upstreams[u].channel >= header->channel_count) {
        return fmt::format("process entry {}: upstream {} names channel {} of {}", i, u,
                           p->upstreams[u].channel, header->channel_count);
      }
    }
  }
  for (std::uint32_t i = 0; i < header->channel_count; ++i) {
    const auto* c =
        at<channel_entry>(base, header->channel_table_offset + i * sizeof(channel_entry));
    if (c->leader >= header->process_count || c->follower >= header->process_count) {
      return fmt::format("channel {}: leader {} or follower {} is not a process index", i,
                         c->leader, c->follower);
    }
    for (auto [ref, what] : {std::pair{&c->downstream, "downstream"}, {&c->upstream, "upstream"}}) {
      if (auto why = check_ring(base, size, *ref, fmt::format("channel {} {}", i, what));
          !why.empty()) {
        return why;
      }
    }
  }
  for (std::uint64_t i = 0; i < lanes; ++i) {
    const auto* l = at<lane_entry>(base, header->lane_table_offset + i * sizeof(lane_entry));
    if (l->process != i / header->lanes_per_process) {
      return fmt::format("lane {}: process {} should be {}", i, l->process,
                         i / header->lanes_per_process);
    }
    for (auto [ref, what] : {std::pair{&l->request, "request"}, {&l->reply, "reply"}}) {
      if (auto why = check_ring(base, size, *ref, fmt::format("lane {} {}", i, what));
          !why.empty()) {
        return why;
      }
    }
  }
  return {};
}

}  // namespace weft::shm
