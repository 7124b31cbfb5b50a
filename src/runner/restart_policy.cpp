#include "weft/runner/restart_policy.hpp"

#include <algorithm>

namespace weft::runner {

restart_limits restart_limits::from(const supervision_spec& spec) {
  restart_limits limits;
  limits.max_restarts = spec.max_restarts;
  limits.window = spec.window;
  limits.backoff_initial = spec.backoff_initial;
  limits.backoff_max = spec.backoff_max;
  return limits;
}

restart_policy::restart_policy(restart_limits limits, std::uint64_t seed)
    : limits_(limits), random_(seed) {}

void restart_policy::forget_before(time_point now) {
  // A failure exactly one window ago has left the window.
  while (!failures_.empty() && now - failures_.front() >= limits_.window) failures_.pop_front();
}

std::size_t restart_policy::failures_in_window(time_point now) const {
  return static_cast<std::size_t>(std::count_if(
      failures_.begin(), failures_.end(), [&](time_point t) { return now - t < limits_.window; }));
}

std::optional<std::chrono::milliseconds> restart_policy::on_failure(time_point now) {
  forget_before(now);
  failures_.push_back(now);
  if (failures_.size() > limits_.max_restarts) return std::nullopt;

  // Doubling stops at the cap, so many failures cannot overflow.
  std::chrono::milliseconds delay = limits_.backoff_initial;
  for (std::size_t i = 1; i < failures_.size() && delay < limits_.backoff_max; ++i) delay *= 2;
  delay = std::min(delay, limits_.backoff_max);
  if (limits_.jitter > 0 && delay.count() > 0) {
    std::uniform_real_distribution<double> factor(1.0 - limits_.jitter, 1.0);
    delay = std::chrono::milliseconds(
        static_cast<std::int64_t>(static_cast<double>(delay.count()) * factor(random_)));
  }
  return delay;
}

}  // namespace weft::runner
