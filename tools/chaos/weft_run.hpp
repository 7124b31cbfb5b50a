#pragma once
// `weft run SYSTEM --data DIR` as a child of the harness: started, signalled,
// SIGKILLed and started again on the same data. The harness is a child
// subreaper, so the workers orphaned by a killed supervisor are reparented to
// it and reaped here too (nothing lingers as a zombie that looks alive).
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace chaos {

/// Makes this process the reaper of its orphaned descendants (PR_SET_CHILD_SUBREAPER).
void become_subreaper();

/// One `weft run` at a time. Not thread-safe.
class weft_run {
 public:
  weft_run(std::filesystem::path executable, std::filesystem::path system_file,
           std::filesystem::path data_dir, std::filesystem::path log_file);
  ~weft_run();  ///< SIGKILLs a supervisor still running

  /// Starts it; the previous one must have exited.
  void start();
  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  /// Reaps whatever exited; true while the supervisor runs.
  bool running();
  /// Sends `sig` to the supervisor (not its workers).
  void signal(int sig) const;
  /// Waits until it exits, up to `timeout`; true if it did.
  bool wait(std::chrono::milliseconds timeout);
  /// How the last supervisor ended: "exit 0", "signal 9 (Killed)".
  [[nodiscard]] const std::string& how_it_ended() const noexcept { return ended_; }
  /// The last `lines` lines of the log, for error messages.
  [[nodiscard]] std::string log_tail(std::size_t lines = 8) const;
  [[nodiscard]] int starts() const noexcept { return starts_; }

 private:
  std::filesystem::path executable_, system_file_, data_dir_, log_file_;
  pid_t pid_ = -1;
  int starts_ = 0;
  std::string ended_;
};

/// The parent pid of `pid` from /proc, if it exists.
std::optional<pid_t> parent_of(pid_t pid);

}  // namespace chaos
