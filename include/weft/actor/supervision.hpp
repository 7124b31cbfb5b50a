#pragma once
// Supervision: what an actor's failure (an exception from its handler or
// setup) does to it. The strategy travels with the supervised behavior, so
// restart counting is per child.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>

namespace weft::actor {

enum class Directive : std::uint8_t {
  resume,   ///< keep state, drop the failing message
  restart,  ///< stop the children, run setup and pre_start again; the mailbox is kept
  stop,     ///< stop for good
  escalate  ///< stop, and fail the parent with the same exception
};

const char* to_string(Directive directive) noexcept;

class SupervisorStrategy {
 public:
  using Decider = std::function<Directive(const std::exception_ptr&)>;

  static SupervisorStrategy restart() { return SupervisorStrategy(Directive::restart); }
  static SupervisorStrategy resume() { return SupervisorStrategy(Directive::resume); }
  static SupervisorStrategy stop() { return SupervisorStrategy(Directive::stop); }
  static SupervisorStrategy escalate() { return SupervisorStrategy(Directive::escalate); }
  /// Chooses per exception; a decider that throws means stop.
  static SupervisorStrategy deciding(Decider decider) {
    SupervisorStrategy strategy(Directive::stop);
    strategy.decider_ = std::move(decider);
    return strategy;
  }

  /// At most `max_restarts` within a sliding `window` (0 = ever); one more stops the actor.
  SupervisorStrategy& with_limit(std::size_t max_restarts, std::chrono::nanoseconds window) {
    max_restarts_ = max_restarts;
    window_ = window;
    return *this;
  }
  /// Waits min * factor^(n-1) (capped at max) before the n-th restart in the
  /// window, stretched by up to `jitter` (0.2 = +20%) at random.
  SupervisorStrategy& with_backoff(std::chrono::nanoseconds min, std::chrono::nanoseconds max,
                                   double jitter = 0.2, double factor = 2.0) {
    backoff_min_ = min;
    backoff_max_ = max;
    jitter_ = jitter;
    factor_ = factor;
    return *this;
  }

  [[nodiscard]] Directive decide(const std::exception_ptr& failure) const noexcept;
  [[nodiscard]] std::size_t max_restarts() const noexcept { return max_restarts_; }
  [[nodiscard]] std::chrono::nanoseconds window() const noexcept { return window_; }
  /// Delay before a restart that is the `nth` (1-based) within the window.
  [[nodiscard]] std::chrono::nanoseconds backoff(std::size_t nth) const;

 private:
  explicit SupervisorStrategy(Directive directive) : directive_(directive) {}

  Directive directive_;
  Decider decider_;
  std::size_t max_restarts_ = 0;  // 0 = unlimited
  std::chrono::nanoseconds window_{0};
  std::chrono::nanoseconds backoff_min_{0};
  std::chrono::nanoseconds backoff_max_{0};
  double jitter_ = 0.0;
  double factor_ = 2.0;
};

/// One actor's restart history for the sliding-window limit. Actor-turn only.
class RestartHistory {
 public:
  /// Records a restart at `now`; false when it would exceed the strategy's limit.
  bool admit(const SupervisorStrategy& strategy, std::chrono::nanoseconds now);
  /// Restarts counted in the current window (including the last admitted one).
  [[nodiscard]] std::size_t count() const noexcept { return times_.size(); }

 private:
  std::deque<std::chrono::nanoseconds> times_;
};

}  // namespace weft::actor
