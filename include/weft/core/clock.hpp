#pragma once
// Time for timestamps (wall clock, microseconds since the epoch) and for
// measuring intervals (monotonic nanoseconds).
#include <chrono>
#include <cstdint>

namespace weft::clock {

/// Microseconds since the Unix epoch; what events and the process table record.
inline std::int64_t wall_micros() noexcept {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

/// Monotonic nanoseconds; for rates, heartbeats and timeouts.
inline std::int64_t mono_nanos() noexcept {
  using namespace std::chrono;
  return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace weft::clock
