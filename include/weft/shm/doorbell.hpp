#pragma once
// One doorbell per consumer process, in the segment: a 32-bit futex word that
// producers in other processes ring. A producer makes the system call only
// when the consumer has announced that it sleeps, and only the first producer
// after an announcement makes it, so the busy path is one plain load and a
// sleep costs one wake however many commits arrive before the consumer runs
// again. The consumer spins for a bounded time before it announces.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <type_traits>

#include "weft/core/cache_line.hpp"

namespace weft::shm {

/// Plain data in the segment. Zero-initialised is ready to use.
struct doorbell {
  /// Bumped by every wake; the futex word the consumer waits on.
  alignas(cache_line) std::atomic<std::uint32_t> sequence;
  /// 1 once a consumer thread announced that it sleeps; the producer that
  /// takes it back to 0 makes the one system call that wakes the sleepers.
  std::atomic<std::uint32_t> sleeping;
  /// Wakes that made the system call; for tools and benchmarks.
  std::atomic<std::uint32_t> wakes;
};
static_assert(std::atomic<std::uint32_t>::is_always_lock_free);
static_assert(std::is_standard_layout_v<doorbell> && std::is_trivially_destructible_v<doorbell>);

/// Wakes the consumer if it announced that it sleeps. Call after committing
/// with a seq_cst store (spsc_producer::commit does both). @threadsafe
inline void ring(doorbell& bell) noexcept;

/// The system-call half of ring(); out of line. @threadsafe
void wake(doorbell& bell) noexcept;

/// Blocks on the futex until `sequence` differs from `seen` or `timeout`
/// passes. The owning consumer only.
void sleep(doorbell& bell, std::uint32_t seen, std::chrono::nanoseconds timeout) noexcept;

/// CPU hint inside spin loops.
inline void spin_pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

/// How long a consumer spins before it sleeps, and how long it sleeps at most.
struct wait_policy {
  std::chrono::nanoseconds spin{std::chrono::microseconds(50)};
  std::chrono::nanoseconds timeout{std::chrono::milliseconds(100)};
};

/// Waits until `has_work()` is true or the policy's timeout passes; returns
/// has_work(). `has_work` must read the rings with seq_cst or acquire loads.
/// The owning consumer only.
template <class HasWork>
bool wait(doorbell& bell, HasWork&& has_work, wait_policy policy = {});

// ---- implementation -------------------------------------------------------

inline void ring(doorbell& bell) noexcept {
  // Pairs with the seq_cst store in wait(): either this producer sees the
  // announcement, or the consumer's re-check sees the commit (both seq_cst).
  // The plain load keeps the busy path off the line; the exchange lets one of
  // the producers that saw it make the call. A later announcement sets it
  // again, and a consumer whose announcement was taken is woken by the taker.
  if (bell.sleeping.load(std::memory_order_seq_cst) != 0 &&
      bell.sleeping.exchange(0, std::memory_order_seq_cst) != 0)
    wake(bell);
}

template <class HasWork>
bool wait(doorbell& bell, HasWork&& has_work, wait_policy policy) {
  using clock = std::chrono::steady_clock;
  const auto spin_until = clock::now() + policy.spin;
  for (int i = 0;; ++i) {
    if (has_work()) return true;
    if ((i & 63) == 63 && clock::now() >= spin_until) break;
    spin_pause();
  }
  // Read the sequence before announcing: a wake after this point changes it
  // and the futex returns at once. Pairs with the fetch_add in wake().
  const std::uint32_t seen = bell.sequence.load(std::memory_order_acquire);
  bell.sleeping.store(1, std::memory_order_seq_cst);  // pairs with ring()
  const bool ready = has_work();
  // An announcement left standing (work found at the re-check, or a timeout)
  // costs the next commit one needless wake; withdrawing it could withdraw
  // another sleeping thread's.
  if (!ready) sleep(bell, seen, policy.timeout);
  return ready || has_work();
}

}  // namespace weft::shm
