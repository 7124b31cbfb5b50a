#pragma once
// How a child process ended, decoded from waitpid() for people and for policy.
#include <string>

namespace weft::runner {

struct exit_status {
  enum class kind {
    exited,       ///< value = exit code
    signaled,     ///< value = signal number
    not_started,  ///< launch failed; detail says why
    vanished,     ///< reaped by someone else (ECHILD); value meaningless
  };
  kind how = kind::exited;
  int value = 0;
  std::string detail;

  static exit_status from_wait_status(int wstatus);

  [[nodiscard]] bool clean() const noexcept { return how == kind::exited && value == 0; }
  /// "exited with code 3", "killed by signal 9 (SIGKILL)", "could not start: ...".
  [[nodiscard]] std::string describe() const;
};

}  // namespace weft::runner
