#pragma once
// The clock behind actor timers and ask timeouts: a thread with a deadline
// queue in production, a manually advanced clock in deterministic tests.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace weft::actor {

using TimerId = std::uint64_t;

class TimerService {
 public:
  virtual ~TimerService() = default;
  /// Runs `callback` after `delay`, then every `period` if period > 0.
  /// Callbacks run on the service's thread and must be short. @threadsafe
  virtual TimerId schedule(std::chrono::nanoseconds delay, std::chrono::nanoseconds period,
                           std::function<void()> callback) = 0;
  /// Cancels; a callback already running may still complete. @threadsafe
  virtual void cancel(TimerId id) = 0;
  /// Stops the service; later schedules are ignored. Call once.
  virtual void stop() = 0;
};

/// One background thread sleeping until the next deadline.
std::unique_ptr<TimerService> make_thread_timer_service();

/// Virtual time for tests: nothing fires until advance().
class ManualTimerService final : public TimerService {
 public:
  ManualTimerService();
  ~ManualTimerService() override;
  TimerId schedule(std::chrono::nanoseconds delay, std::chrono::nanoseconds period,
                   std::function<void()> callback) override;  ///< @threadsafe
  void cancel(TimerId id) override;                           ///< @threadsafe
  void stop() override;
  /// Moves virtual time forward, running due callbacks in deadline order on the caller's thread.
  void advance(std::chrono::nanoseconds by);
  /// Virtual time elapsed since construction. @threadsafe
  [[nodiscard]] std::chrono::nanoseconds now() const;
  /// Number of armed timers. @threadsafe
  [[nodiscard]] std::size_t pending() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace weft::actor
