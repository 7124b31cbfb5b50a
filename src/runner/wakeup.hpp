#pragma once
// How the supervisor's loop sleeps and is woken: a self-pipe written by
// signal handlers (SIGCHLD, SIGINT, SIGTERM) and by request_stop(), so the
// loop reacts to a dying child at once instead of polling.
#include <atomic>
#include <chrono>

namespace weft::runner::detail {

/// A non-blocking close-on-exec pipe. notify() is async-signal-safe and
/// @threadsafe; wait() is for the one owning thread.
class wakeup_pipe {
 public:
  wakeup_pipe();
  ~wakeup_pipe();
  wakeup_pipe(const wakeup_pipe&) = delete;
  wakeup_pipe& operator=(const wakeup_pipe&) = delete;

  void notify() const noexcept;
  /// Sleeps until notified or `timeout` passed, then swallows pending notifications.
  void wait(std::chrono::milliseconds timeout) const;
  [[nodiscard]] int write_fd() const noexcept { return fds_[1]; }

 private:
  int fds_[2] = {-1, -1};
};

/// While alive, SIGCHLD (and, if asked, SIGINT/SIGTERM) write to `pipe`; the
/// previous handlers come back on destruction. One instance per process at a
/// time (signal dispositions are process-wide): a second one throws weft::error.
class signal_forwarding {
 public:
  signal_forwarding(const wakeup_pipe& pipe, bool stop_signals);
  ~signal_forwarding();
  signal_forwarding(const signal_forwarding&) = delete;
  signal_forwarding& operator=(const signal_forwarding&) = delete;

  /// The last SIGINT/SIGTERM received (0: none) and how many arrived.
  [[nodiscard]] static int stop_signal() noexcept;
  [[nodiscard]] static int stop_signal_count() noexcept;

 private:
  bool stop_signals_;
};

}  // namespace weft::runner::detail
