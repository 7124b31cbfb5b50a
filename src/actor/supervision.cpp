#include "weft/actor/supervision.hpp"

#include <algorithm>
#include <random>

namespace weft::actor {

const char* to_string(Directive directive) noexcept {
  switch (directive) {
    case Directive::resume:
      return "resume";
    case Directive::restart:
      return "restart";
    case Directive::stop:
      return "stop";
    case Directive::escalate:
      return "escalate";
  }
  return "?";
}

Directive SupervisorStrategy::decide(const std::exception_ptr& failure) const noexcept {
  if (!decider_) return directive_;
  try {
    return decider_(failure);
  } catch (...) {
    return Directive::stop;  // a broken decider must not keep a broken actor alive
  }
}

std::chrono::nanoseconds SupervisorStrategy::backoff(std::size_t nth) const {
  if (backoff_min_.count() <= 0 || nth == 0) return std::chrono::nanoseconds{0};
  double delay = static_cast<double>(backoff_min_.count());
  for (std::size_t i = 1; i < nth && delay < static_cast<double>(backoff_max_.count()); ++i)
    delay *= factor_;
  delay = std::min(delay, static_cast<double>(std::max(backoff_max_, backoff_min_).count()));
  if (jitter_ > 0) {
    thread_local std::minstd_rand random{std::random_device{}()};
    delay *= 1.0 + std::uniform_real_distribution<double>(0.0, jitter_)(random);
  }
  return std::chrono::nanoseconds{static_cast<std::int64_t>(delay)};
}

bool RestartHistory::admit(const SupervisorStrategy& strategy, std::chrono::nanoseconds now) {
  if (strategy.window().count() > 0) {
    while (!times_.empty() && now - times_.front() > strategy.window()) times_.pop_front();
  }
  if (strategy.max_restarts() != 0 && times_.size() >= strategy.max_restarts()) return false;
  times_.push_back(now);
  if (strategy.max_restarts() == 0 && times_.size() > 64)
    times_.pop_front();  // unlimited: keep a bounded tail for backoff
  return true;
}

}  // namespace weft::actor
