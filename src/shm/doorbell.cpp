// The futex half of the doorbell. No FUTEX_PRIVATE_FLAG: the word lives in a
// shared mapping and waiter and waker are different processes.
#include "weft/shm/doorbell.hpp"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <climits>

namespace weft::shm {

void wake(doorbell& bell) noexcept {
  // Pairs with the acquire load of `sequence` in wait(): a consumer that read
  // the old value either gets woken or finds the futex word changed.
  bell.sequence.fetch_add(1, std::memory_order_release);
  bell.wakes.fetch_add(1, std::memory_order_relaxed);  // a statistic; orders nothing
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&bell.sequence), FUTEX_WAKE, INT_MAX,
            nullptr, nullptr, 0);
}

void sleep(doorbell& bell, std::uint32_t seen, std::chrono::nanoseconds timeout) noexcept {
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(timeout.count() / 1'000'000'000);
  ts.tv_nsec = static_cast<long>(timeout.count() % 1'000'000'000);
  // Returns at once (EAGAIN) if the word is no longer `seen`; spurious
  // returns are fine, the caller re-checks its rings.
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&bell.sequence), FUTEX_WAIT, seen, &ts,
            nullptr, 0);
}

}  // namespace weft::shm
