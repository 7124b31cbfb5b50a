#pragma once
// Runs named child processes and keeps them running: restarts a failed child
// by its restart_policy, gives up past the limit (stopping the others), and
// stops everyone on request or on SIGINT/SIGTERM: SIGTERM, wait up to
// stop_timeout, then SIGKILL. A second SIGINT/SIGTERM during the stop kills at once.
//
// The thread that calls run() is "the supervisor thread": children are
// launched from it (so PR_SET_PDEATHSIG refers to it) and every hook runs on it.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "weft/runner/exit_status.hpp"
#include "weft/runner/launcher.hpp"
#include "weft/runner/restart_policy.hpp"

namespace weft::runner {

struct child_spec {
  std::string name;  ///< the application it hosts; names the child in hooks and errors
  launch_spec launch;
};

/// Extension points; each may be empty. All run on the supervisor thread; an
/// exception from a hook ends run() (the destructor then kills the children).
struct supervisor_hooks {
  std::function<void(const std::string& name, pid_t pid)> on_started;
  std::function<void(const std::string& name, const exit_status& status)> on_exited;
  /// Before a failed child is started again (e.g. reset its shared-memory channels).
  std::function<void(const std::string& name)> before_restart;
  /// Before the children get SIGTERM (e.g. stop accepting commands).
  std::function<void()> before_stop;
  /// Every tick_interval while running (e.g. heartbeat checks; may call signal_child()).
  std::function<void()> on_tick;
  /// The failed child's own account of its failure (e.g. from the process table), or "".
  std::function<std::string(const std::string& name)> last_error;
};

struct supervisor_options {
  restart_limits limits;
  std::chrono::milliseconds stop_timeout{5000};
  std::chrono::milliseconds tick_interval{250};
  bool stop_on_signals = true;        ///< SIGINT/SIGTERM request a graceful stop
  bool restart_clean_exits = false;   ///< exit code 0 ends a child for good unless set
  std::optional<std::uint64_t> seed;  ///< for the backoff jitter; random if unset
};

struct supervision_outcome {
  enum class kind {
    stopped,    ///< request_stop() or a signal; signal = which (0: request_stop)
    completed,  ///< every child exited cleanly
    gave_up,    ///< `name` failed too often; the others were stopped
  };
  kind how = kind::completed;
  int signal = 0;
  std::string name;
  exit_status last_status;
  std::string last_error;
  std::string message;  ///< one line for people, naming the application and its last exit
};

class supervisor {
 public:
  supervisor(std::vector<child_spec> children, supervisor_options options,
             supervisor_hooks hooks = {});
  /// Kills (SIGKILL) and reaps any child still running, e.g. after a hook threw.
  ~supervisor();
  supervisor(const supervisor&) = delete;
  supervisor& operator=(const supervisor&) = delete;

  /// Starts every child and supervises until stopped, completed or given up.
  /// Call once. One supervisor runs per process at a time (signal handlers).
  supervision_outcome run();

  /// Asks run() to stop gracefully. @threadsafe, async-signal-safe, callable before run().
  void request_stop() noexcept;

  /// Sends `sig` to the named child if it is running; false otherwise.
  /// Supervisor thread only (i.e. from a hook).
  bool signal_child(const std::string& name, int sig);

 private:
  struct state;
  std::unique_ptr<state> state_;
};

}  // namespace weft::runner
