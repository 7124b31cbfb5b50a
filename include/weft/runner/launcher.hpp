#pragma once
// Starting worker processes (Boost.Process). A launched child:
//   - dies with its parent: PR_SET_PDEATHSIG(SIGKILL), then a getppid() check
//     closes the race where the parent died before prctl took effect;
//   - runs in its own process group, so Ctrl-C on the terminal reaches only the
//     supervisor, which then stops the workers in order;
//   - starts with an empty signal mask (a supervisor may block signals, and a
//     mask survives exec) and stdin from /dev/null; stdout and stderr are inherited.
//
// PR_SET_PDEATHSIG fires when the *thread* that forked exits, not the process:
// launch from the supervisor's long-lived thread, never from a short-lived one.
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "weft/core/error.hpp"

namespace weft::runner {

/// A child could not be started; what() names the executable and the reason.
class launch_error : public error {
 public:
  using error::error;
};

struct launch_spec {
  std::filesystem::path executable;  ///< empty: this executable (self_executable())
  std::vector<std::string> args;     ///< without argv[0]
};

/// The running executable's path (/proc/self/exe), for re-executing in worker mode.
std::filesystem::path self_executable();

/// Starts a child and returns its pid; the caller reaps it (waitpid). Returns
/// once the child has exec'd, so a missing or non-executable file throws
/// launch_error here. Call from a long-lived thread (see above).
pid_t launch(const launch_spec& spec);

}  // namespace weft::runner
