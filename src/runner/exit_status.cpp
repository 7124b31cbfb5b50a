#include "weft/runner/exit_status.hpp"

#include <sys/wait.h>

#include <csignal>
#include <cstring>

namespace weft::runner {

exit_status exit_status::from_wait_status(int wstatus) {
  if (WIFSIGNALED(wstatus)) return {kind::signaled, WTERMSIG(wstatus), {}};
  return {kind::exited, WEXITSTATUS(wstatus), {}};
}

std::string exit_status::describe() const {
  switch (how) {
    case kind::exited:
      return "exited with code " + std::to_string(value);
    case kind::signaled: {
      const char* name = sigabbrev_np(value);
      return "killed by signal " + std::to_string(value) +
             (name ? " (SIG" + std::string(name) + ")" : std::string());
    }
    case kind::not_started:
      return "could not start: " + detail;
    case kind::vanished:
      return "vanished (reaped by another waiter)";
  }
  return "?";
}

}  // namespace weft::runner
