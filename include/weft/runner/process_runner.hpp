#pragma once
// The multi-process runner: one `weft worker` process per application,
// connected by the rings of one segment, kept running by a supervisor. The
// segment lives as long as this object; its process table is what `weft ps`
// shows and what the supervisor watches (heartbeats, last errors).
#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "weft/runner/supervisor.hpp"
#include "weft/runner/system_spec.hpp"

namespace weft::runner {

struct run_plan {
  std::filesystem::path data_dir;  ///< created (0700) if missing
  std::string log_level = "info";
  std::vector<std::string> apps;  ///< empty: every application
  bool status_line = true;        ///< a one-line status on stderr while running
};

class process_runner {
 public:
  /// Checks that no system of this name runs, removes stale segments of this
  /// user, creates the data directory and the segment. Throws weft::invalid_input.
  process_runner(system_spec spec, run_plan plan);
  ~process_runner();

  /// Supervises the workers until stopped (request_stop, SIGINT, SIGTERM) or
  /// until one failed too often. Call once, from the thread that should own
  /// the children (they die with it).
  supervision_outcome run();
  /// @threadsafe, async-signal-safe.
  void request_stop() noexcept;
  [[nodiscard]] const std::string& segment_name() const noexcept;
  [[nodiscard]] const system_spec& spec() const noexcept;

 private:
  struct state;
  std::unique_ptr<state> state_;
};

}  // namespace weft::runner
