#pragma once
// The benchmark's pipeline hosted the way a running system hosts it: one
// node::worker per application over a real shared-memory segment, each on its
// own thread of this process ("threads") or in its own forked process
// ("processes"), or by `weft run` itself loading the benchmark's plugin: a
// supervised system of worker processes, worker threads in one process, or
// the single-threaded runner on one thread. Source commands reach the Emitter through a
// weft::Client, pipelined; a run ends when the Counter's tracking gauge in the process table
// reaches N.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "weft/es/system_definition.hpp"

namespace weft::bench {

enum class hosting { threads, processes, weft_run_process, weft_run_threads, weft_run_single };

/// What `weft run` needs: the executable and the plugin with the bench.* types.
struct weft_run_paths {
  std::filesystem::path weft;
  std::filesystem::path plugin;
};

struct hosted_figure {
  double seconds;       ///< first command submitted -> Counter tracked the N-th reaction
  double busy_cores;    ///< CPU seconds of client and system per second of `seconds`
  double client_cores;  ///< of busy_cores, the client's
  double cpu_seconds;   ///< every thread and process of the system, start to stop
};

/// Runs `system` (whose first application is the Emitter and last the
/// Counter) on recorders of `recorder_kind` under `dir`; `progress` is called
/// with the Counter's position now and then. Throws weft::error if a worker fails.
hosted_figure run_hosted(hosting how, const es::system_definition& system,
                         const std::string& recorder_kind, const std::filesystem::path& dir,
                         std::uint64_t n, const std::function<void(std::uint64_t)>& progress,
                         const weft_run_paths& paths = {});

}  // namespace weft::bench
