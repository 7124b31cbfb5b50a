#pragma once
// Shared pieces of the actor benchmark: timing, results, allocation counting.
#include <chrono>
#include <cstdint>
#include <string>

namespace weft::bench {

/// Operator-new calls so far in this process (counted by alloc_counter.cpp).
std::uint64_t allocations() noexcept;

struct Figure {
  double messages_per_second = 0;
  double ns_per_message = 0;       ///< one-way mean for ping-pong
  double allocs_per_message = -1;  ///< -1 when not measured
  std::uint64_t order_violations = 0;
};

inline Figure figure(std::uint64_t messages, std::chrono::nanoseconds elapsed,
                     std::uint64_t allocs = ~0ULL) {
  Figure f;
  const double seconds = static_cast<double>(elapsed.count()) / 1e9;
  f.messages_per_second = static_cast<double>(messages) / seconds;
  f.ns_per_message = static_cast<double>(elapsed.count()) / static_cast<double>(messages);
  if (allocs != ~0ULL)
    f.allocs_per_message = static_cast<double>(allocs) / static_cast<double>(messages);
  return f;
}

using Clock = std::chrono::steady_clock;

// The cases each runtime implements (weft_cases.cpp, caf_cases.cpp, queue_cases.cpp).
Figure weft_ping_pong(int workers, std::uint64_t messages);
Figure weft_fan_in(int senders, std::uint64_t messages);
Figure weft_spawn_stop(std::uint64_t actors);
Figure weft_mailbox(int producers, std::uint64_t messages);
/// Process CPU use (% of one core) of an idle 2-worker system over one second.
double weft_idle_cpu_percent();

Figure caf_ping_pong(int workers, std::uint64_t messages);
Figure caf_fan_in(int senders, std::uint64_t messages);
Figure caf_spawn_stop(std::uint64_t actors);

Figure moodycamel_queue(int producers, std::uint64_t messages);

}  // namespace weft::bench
