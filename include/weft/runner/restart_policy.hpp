#pragma once
// When to restart a failed worker, and when to give up: at most `max_restarts`
// failures within a sliding `window`, each restart delayed by an exponential
// backoff (initial * 2^(failures in window - 1), capped) with random jitter so
// that workers failing together do not restart in lockstep. Pure logic: time
// is passed in, so tests are deterministic.
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <random>

#include "weft/runner/system_spec.hpp"

namespace weft::runner {

struct restart_limits {
  std::uint32_t max_restarts = 5;
  std::chrono::milliseconds window{std::chrono::seconds(60)};
  std::chrono::milliseconds backoff_initial{100};
  std::chrono::milliseconds backoff_max{5000};
  double jitter = 0.2;  ///< each delay is scaled by a uniform factor in [1 - jitter, 1]

  static restart_limits from(const supervision_spec& spec);
};

/// One per supervised child. Not thread-safe: owned by the supervisor's loop.
class restart_policy {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  explicit restart_policy(restart_limits limits, std::uint64_t seed = std::random_device{}());

  /// Records a failure at `now`. Returns the delay before restarting, or
  /// nullopt when this failure makes more than max_restarts within the window.
  std::optional<std::chrono::milliseconds> on_failure(time_point now);

  /// Failures recorded within the window that ends at `now`.
  [[nodiscard]] std::size_t failures_in_window(time_point now) const;

  [[nodiscard]] const restart_limits& limits() const noexcept { return limits_; }

 private:
  void forget_before(time_point now);

  restart_limits limits_;
  std::deque<time_point> failures_;  // oldest first
  std::mt19937_64 random_;
};

}  // namespace weft::runner
