#pragma once
// A worker's local run queue: a bounded ring the owning worker pushes to and
// any worker pops from (owner takes work, others steal). One CAS per pop.
#include <array>
#include <atomic>
#include <cstdint>

#include "weft/actor/scheduler.hpp"
#include "weft/core/cache_line.hpp"

namespace weft::actor::detail {

class RunQueue {
 public:
  static constexpr std::uint32_t capacity = 256;

  /// Appends; false when full. Owning worker only.
  bool push(Schedulable* actor) noexcept {
    const std::uint32_t tail = tail_.load(std::memory_order_relaxed);  // only we write it
    // acquire: pairs with the release CAS in pop(); a thief's read of the slot
    // we may overwrite happened before.
    const std::uint32_t head = head_.load(std::memory_order_acquire);
    if (tail - head >= capacity) return false;
    slots_[tail % capacity].store(actor, std::memory_order_relaxed);
    // release: publishes the slot to pop(); pairs with its acquire load of tail_.
    tail_.store(tail + 1, std::memory_order_release);
    return true;
  }

  /// Takes the oldest entry, or nullptr. @threadsafe (owner and thieves)
  Schedulable* pop() noexcept {
    std::uint32_t head = head_.load(std::memory_order_acquire);
    for (;;) {
      // acquire: pairs with the release store in push().
      const std::uint32_t tail = tail_.load(std::memory_order_acquire);
      if (head == tail) return nullptr;
      Schedulable* actor = slots_[head % capacity].load(std::memory_order_relaxed);
      // acq_rel: release pairs with the acquire head_ load in push() (our slot
      // read is done before the owner reuses it); acquire orders the retry.
      if (head_.compare_exchange_weak(head, head + 1, std::memory_order_acq_rel,
                                      std::memory_order_acquire)) {
        return actor;
      }
    }
  }

  /// A hint: whether entries seem queued. @threadsafe
  [[nodiscard]] bool seems_empty() const noexcept {
    return tail_.load(std::memory_order_relaxed) == head_.load(std::memory_order_relaxed);
  }

 private:
  alignas(cache_line) std::atomic<std::uint32_t> head_{0};
  alignas(cache_line) std::atomic<std::uint32_t> tail_{0};
  alignas(cache_line) std::array<std::atomic<Schedulable*>, capacity> slots_{};
};

}  // namespace weft::actor::detail
