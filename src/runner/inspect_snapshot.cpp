// Copies of a running system's process table, and the figures derived from them.
#include "weft/runner/inspect_snapshot.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "weft/core/clock.hpp"

namespace weft::runner {
namespace {

double fill_percent(const shm::segment_reader& segment, const shm::ring_ref& ring) {
  if (ring.capacity == 0) return 0;
  const auto used = std::min(segment.ring_fill(ring), ring.capacity);
  return 100.0 * static_cast<double>(used) / static_cast<double>(ring.capacity);
}

// The rings `process` consumes: sections from its leaders, pull requests from
// its followers, commands from clients.
double fullest_inbound_ring(const shm::segment_reader& segment, std::uint32_t process) {
  const auto& header = segment.header();
  double fullest = 0;
  for (std::uint32_t c = 0; c < header.channel_count; ++c) {
    const auto& channel = segment.channel(c);
    if (channel.follower == process)
      fullest = std::max(fullest, fill_percent(segment, channel.downstream));
    if (channel.leader == process)
      fullest = std::max(fullest, fill_percent(segment, channel.upstream));
  }
  for (std::uint32_t lane = 0; lane < header.lanes_per_process; ++lane)
    fullest = std::max(fullest, fill_percent(segment, segment.lane(process, lane).request));
  return fullest;
}

// Every field is a gauge with a single writer; a tool only wants a recent
// value of each, so relaxed loads (they pair with the writers' relaxed stores).
process_view copy_entry(const shm::process_entry& entry) {
  constexpr auto relaxed = std::memory_order_relaxed;
  process_view view;
  view.application = std::string(shm::name_of(entry));
  view.pid = entry.pid.load(relaxed);
  view.state = entry.state.load(relaxed);
  view.restarts = entry.restarts.load(relaxed);
  view.started_micros = entry.started_micros.load(relaxed);
  view.heartbeat_micros = entry.heartbeat_micros.load(relaxed);
  view.notification_position = entry.notification_position.load(relaxed);
  view.events_recorded = entry.events_recorded.load(relaxed);
  view.commands_handled = entry.commands_handled.load(relaxed);
  view.sections_sent = entry.sections_sent.load(relaxed);
  view.sections_received = entry.sections_received.load(relaxed);
  view.mailbox_depth = entry.mailbox_depth.load(relaxed);
  view.last_error = shm::last_error(entry);
  return view;
}

std::string upstreams_text(const process_view& p) {
  if (p.upstreams.empty()) return "-";
  std::string text;
  for (const auto& u : p.upstreams)
    text += fmt::format("{}{} {} lag {}", text.empty() ? "" : ", ", u.leader, u.tracking, u.lag);
  return text;
}

std::string uptime_text(const process_view& p, std::int64_t now_micros) {
  if (p.started_micros == 0 || p.state != shm::process_state::running) return "-";
  return format_duration(now_micros - p.started_micros);
}

std::string rate_text(const process_view& p) {
  if (!p.events_per_second) return "-";
  return fmt::format("{:.0f}", *p.events_per_second);
}

}  // namespace

std::string find_running_segment(const std::string& name_or_segment) {
  std::vector<shm::system_info> matches;
  std::string running;
  for (auto& info : shm::list_systems()) {
    if (!info.creator_alive || !info.problem.empty()) continue;
    running += (running.empty() ? "" : ", ") + info.system_name;
    if (info.system_name == name_or_segment || info.segment_name == name_or_segment)
      matches.push_back(std::move(info));
  }
  if (matches.size() == 1) return matches.front().segment_name;
  if (matches.empty())
    throw not_running_error(fmt::format("no system named '{}' is running ({})", name_or_segment,
                                        running.empty() ? "none is" : "running: " + running));
  std::string segments;
  for (const auto& m : matches) segments += (segments.empty() ? "" : ", ") + m.segment_name;
  throw invalid_input(
      fmt::format("{} systems named '{}' are running (segments {}); name one by "
                  "its segment",
                  matches.size(), name_or_segment, segments));
}

system_view take_snapshot(const shm::segment_reader& segment) {
  const auto& header = segment.header();
  system_view system;
  system.name = std::string(header.system_name, ::strnlen(header.system_name, shm::name_capacity));
  system.segment = segment.name();
  system.supervisor_pid = header.creator_pid;
  system.created_micros = header.created_micros;
  system.taken_micros = clock::wall_micros();
  system.taken_mono_nanos = clock::mono_nanos();
  for (std::uint32_t i = 0; i < header.process_count; ++i) {
    const auto& entry = segment.process(i);
    process_view view = copy_entry(entry);
    view.ring_fill_percent = fullest_inbound_ring(segment, i);
    // upstream_count and channel indices were checked when the segment was attached.
    for (std::uint32_t k = 0; k < entry.upstream_count && k < shm::max_upstreams; ++k) {
      const auto& leader = segment.process(segment.channel(entry.upstreams[k].channel).leader);
      upstream_view up;
      up.leader = std::string(shm::name_of(leader));
      up.leader_position = leader.notification_position.load(std::memory_order_relaxed);
      up.tracking = entry.upstreams[k].tracking.load(std::memory_order_relaxed);
      up.lag = up.leader_position > up.tracking ? up.leader_position - up.tracking : 0;
      view.upstreams.push_back(std::move(up));
    }
    system.processes.push_back(std::move(view));
  }
  return system;
}

void add_rates(system_view& now, const system_view& before) {
  const double seconds = static_cast<double>(now.taken_mono_nanos - before.taken_mono_nanos) / 1e9;
  if (seconds <= 0) return;
  for (auto& p : now.processes) {
    auto was = std::find_if(before.processes.begin(), before.processes.end(),
                            [&](const process_view& b) { return b.application == p.application; });
    // A restarted process counts from zero again: no rate across the restart.
    if (was == before.processes.end() || was->pid != p.pid ||
        p.events_recorded < was->events_recorded)
      continue;
    p.events_per_second = static_cast<double>(p.events_recorded - was->events_recorded) / seconds;
  }
}

nlohmann::json to_json(const system_view& system) {
  auto processes = nlohmann::json::array();
  for (const auto& p : system.processes) {
    auto upstreams = nlohmann::json::array();
    for (const auto& u : p.upstreams)
      upstreams.push_back({{"leader", u.leader},
                           {"leader_position", u.leader_position},
                           {"tracking", u.tracking},
                           {"lag", u.lag}});
    const bool started = p.started_micros != 0;
    processes.push_back({
        {"application", p.application},
        {"pid", p.pid},
        {"state", std::string(shm::to_string(p.state))},
        {"restarts", p.restarts},
        {"started_micros", p.started_micros},
        {"uptime_seconds",
         started ? nlohmann::json(static_cast<double>(system.taken_micros - p.started_micros) / 1e6)
                 : nlohmann::json(nullptr)},
        {"heartbeat_age_seconds",
         p.heartbeat_micros != 0
             ? nlohmann::json(static_cast<double>(system.taken_micros - p.heartbeat_micros) / 1e6)
             : nlohmann::json(nullptr)},
        {"notification_position", p.notification_position},
        {"events_recorded", p.events_recorded},
        {"events_per_second",
         p.events_per_second ? nlohmann::json(*p.events_per_second) : nlohmann::json(nullptr)},
        {"commands_handled", p.commands_handled},
        {"sections_sent", p.sections_sent},
        {"sections_received", p.sections_received},
        {"mailbox_depth", p.mailbox_depth},
        {"ring_fill_percent", p.ring_fill_percent},
        {"upstreams", std::move(upstreams)},
        {"last_error", p.last_error},
    });
  }
  return {{"system", system.name},
          {"segment", system.segment},
          {"supervisor_pid", system.supervisor_pid},
          {"created_micros", system.created_micros},
          {"taken_micros", system.taken_micros},
          {"processes", std::move(processes)}};
}

std::string process_table_text(const system_view& system) {
  constexpr std::size_t columns = 11;
  using row = std::array<std::string, columns>;
  std::vector<row> rows{{"APP", "PID", "STATE", "RESTARTS", "UPTIME", "POSITION", "EVENTS/S",
                         "MAILBOX", "RING%", "UPSTREAMS (tracking, lag)", "LAST ERROR"}};
  for (const auto& p : system.processes) {
    rows.push_back({p.application, p.pid > 0 ? std::to_string(p.pid) : "-",
                    std::string(shm::to_string(p.state)), std::to_string(p.restarts),
                    uptime_text(p, system.taken_micros), std::to_string(p.notification_position),
                    rate_text(p), std::to_string(p.mailbox_depth),
                    fmt::format("{:.0f}", p.ring_fill_percent), upstreams_text(p),
                    p.last_error.empty() ? "-" : p.last_error});
  }
  std::array<std::size_t, columns> width{};
  for (const auto& r : rows)
    for (std::size_t c = 0; c < columns; ++c) width[c] = std::max(width[c], r[c].size());
  // Text columns align left, numbers right; the last column is not padded.
  constexpr std::array<bool, columns> numeric{false, true, false, true,  true, true,
                                              true,  true, true,  false, false};
  std::string text;
  for (const auto& r : rows) {
    for (std::size_t c = 0; c < columns; ++c) {
      if (c + 1 == columns)
        text += r[c];
      else if (numeric[c])
        text += fmt::format("{:>{}}  ", r[c], width[c]);
      else
        text += fmt::format("{:<{}}  ", r[c], width[c]);
    }
    text += '\n';
  }
  return text;
}

std::string format_duration(std::int64_t micros) {
  if (micros < 0) return "-";
  const std::int64_t s = micros / 1'000'000;
  if (s >= 86400) return fmt::format("{}d{}h", s / 86400, s % 86400 / 3600);
  if (s >= 3600) return fmt::format("{}h{}m", s / 3600, s % 3600 / 60);
  if (s >= 60) return fmt::format("{}m{}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

}  // namespace weft::runner
