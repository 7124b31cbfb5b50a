// The mailbox's peer: a plain moodycamel::ConcurrentQueue (no producer tokens).
#include <atomic>
#include <thread>
#include <vector>

#include <concurrentqueue/concurrentqueue.h>

#include "bench_common.hpp"

namespace weft::bench {

Figure moodycamel_queue(int producers, std::uint64_t messages) {
  struct Item {
    std::uint32_t producer;
    std::uint64_t seq;
  };
  moodycamel::ConcurrentQueue<Item> queue;
  const std::uint64_t per_producer = messages / static_cast<std::uint64_t>(producers);
  const std::uint64_t total = per_producer * static_cast<std::uint64_t>(producers);
  std::vector<std::uint64_t> next(static_cast<std::size_t>(producers), 0);
  std::uint64_t violations = 0;
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      while (!go.load(std::memory_order_acquire)) {
      }
      for (std::uint64_t i = 0; i < per_producer; ++i)
        queue.enqueue(Item{static_cast<std::uint32_t>(p), i});
    });
  }
  const auto allocs_before = allocations();
  const auto start = Clock::now();
  go.store(true, std::memory_order_release);
  Item item{};
  for (std::uint64_t received = 0; received < total;) {
    if (!queue.try_dequeue(item)) continue;
    if (item.seq != next[item.producer]) ++violations;
    next[item.producer] = item.seq + 1;
    ++received;
  }
  const auto elapsed = Clock::now() - start;
  const auto allocs = allocations() - allocs_before;
  for (auto& t : threads) t.join();
  Figure f = figure(total, elapsed, allocs);
  f.order_violations = violations;
  return f;
}

}  // namespace weft::bench
