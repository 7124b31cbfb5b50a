// weft ls, ps, top, events: read-only views of running systems.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "weft/core/clock.hpp"
#include "weft/runner/commands.hpp"
#include "weft/runner/inspect.hpp"
#include "weft/runner/inspect_snapshot.hpp"

namespace weft::runner {
namespace {

// How `weft ps` measures events/s: two copies of the table this far apart.
constexpr auto rate_sample = std::chrono::milliseconds(250);

struct ls_row {
  shm::system_info info;
  std::uint32_t running = 0;  // processes in state running
};

std::vector<ls_row> ls_rows() {
  std::vector<ls_row> rows;
  for (auto& info : shm::list_systems()) {
    ls_row row{std::move(info)};
    if (row.info.creator_alive && row.info.problem.empty()) {
      try {
        const auto reader = shm::segment_reader::attach(row.info.segment_name);
        for (const auto& p : take_snapshot(reader).processes)
          row.running += p.state == shm::process_state::running ? 1 : 0;
      } catch (const std::exception& e) {
        row.info.problem = e.what();  // stopped meanwhile
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

bool live(const ls_row& row) {
  return row.info.creator_alive && row.info.problem.empty();
}

}  // namespace

int ls_command(const inspect_options& options, std::ostream& out) {
  const auto rows = ls_rows();
  const auto now = clock::wall_micros();
  if (options.json) {
    auto systems = nlohmann::json::array();
    for (const auto& r : rows) {
      systems.push_back(
          {{"system", r.info.system_name},
           {"segment", r.info.segment_name},
           {"supervisor_pid", r.info.creator_pid},
           {"created_micros", r.info.created_micros},
           {"uptime_seconds",
            live(r) ? nlohmann::json(static_cast<double>(now - r.info.created_micros) / 1e6)
                    : nlohmann::json(nullptr)},
           {"processes", r.info.process_count},
           {"running", r.running},
           {"stale", !live(r)},
           {"problem", r.info.problem}});
    }
    out << nlohmann::json{{"systems", std::move(systems)}}.dump() << '\n';
    return exit_ok;
  }
  if (rows.empty()) {
    out << "no weft systems are running\n";
    return exit_ok;
  }
  std::size_t name_width = 6, segment_width = 7;
  for (const auto& r : rows) {
    name_width = std::max(name_width, r.info.system_name.size());
    segment_width = std::max(segment_width, r.info.segment_name.size());
  }
  out << fmt::format("{:<{}}  {:>8}  {:>7}  {:>9}  {:<{}}  {}\n", "SYSTEM", name_width, "PID",
                     "UPTIME", "PROCESSES", "SEGMENT", segment_width, "STATUS");
  for (const auto& r : rows) {
    const bool ok = live(r);
    out << fmt::format("{:<{}}  {:>8}  {:>7}  {:>9}  {:<{}}  {}\n", ok ? r.info.system_name : "?",
                       name_width, r.info.creator_pid,
                       ok ? format_duration(now - r.info.created_micros) : "-",
                       ok ? fmt::format("{}/{}", r.running, r.info.process_count) : "-",
                       r.info.segment_name, segment_width, ok ? "running" : r.info.problem);
  }
  return exit_ok;
}

int ps_command(const inspect_options& options, std::ostream& out) {
  const auto segment = find_running_segment(options.system);
  std::optional<shm::segment_reader> reader;
  try {
    reader.emplace(shm::segment_reader::attach(segment));
  } catch (const shm::segment_error& e) {
    throw not_running_error(fmt::format("system '{}' stopped: {}", options.system, e.what()));
  }
  const system_view first = take_snapshot(*reader);
  std::this_thread::sleep_for(rate_sample);
  system_view second = take_snapshot(*reader);
  add_rates(second, first);
  if (options.json)
    out << to_json(second).dump() << '\n';
  else
    out << process_table_text(second);
  return exit_ok;
}

int inspect_command(const inspect_options& options, std::ostream& out) {
  try {
    switch (options.what) {
      case inspect_options::view::ls:
        return ls_command(options, out);
      case inspect_options::view::ps:
        return ps_command(options, out);
      case inspect_options::view::top:
        return top_command(options, out);
      case inspect_options::view::events:
        return events_command(options, out);
    }
  } catch (const not_running_error& e) {
    std::cerr << "weft: " << e.what() << '\n';
    return exit_not_running;
  }
  throw error("weft: unknown inspection view");
}

}  // namespace weft::runner
