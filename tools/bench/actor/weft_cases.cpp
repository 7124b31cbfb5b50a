// weft's side of each benchmark case.
#include <sys/resource.h>

#include <atomic>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "bench_common.hpp"
#include "weft/actor/all.hpp"

namespace weft::bench {

using namespace weft::actor;

namespace {

SystemConfig config(int workers) {
  SystemConfig c;
  c.workers = static_cast<std::size_t>(workers);
  return c;
}

// Senders send in chunks and continue by telling themselves, as a
// well-behaved actor does, so the scheduler can interleave.
constexpr std::uint64_t chunk = 1000;

}  // namespace

Figure weft_ping_pong(int workers, std::uint64_t messages) {
  ActorSystem system(config(workers));
  std::atomic<int> rounds{0};  // a ball that reaches 0 ends a round
  auto pong_target = std::make_shared<ActorRef<std::uint64_t>>();
  auto ping =
      system.spawn(receive<std::uint64_t>([pong_target, &rounds](ActorContext<std::uint64_t>&,
                                                                 std::uint64_t& n) {
                     if (n == 0) {
                       rounds.fetch_add(1, std::memory_order_release);  // pairs with wait_round()
                       rounds.notify_one();
                     } else {
                       pong_target->tell(n - 1);
                     }
                     return same<std::uint64_t>();
                   }),
                   "ping");
  *pong_target =
      system.spawn(receive<std::uint64_t>([ping](ActorContext<std::uint64_t>&, std::uint64_t& n) {
                     ping.tell(n == 0 ? 0 : n - 1);
                     return same<std::uint64_t>();
                   }),
                   "pong");
  auto wait_round = [&](int seen) { rounds.wait(seen, std::memory_order_acquire); };
  ping.tell(20000);  // warm-up: fills the node pools
  wait_round(0);
  const auto allocs_before = allocations();
  const auto start = Clock::now();
  ping.tell(messages);
  wait_round(1);
  const auto elapsed = Clock::now() - start;
  const auto allocs = allocations() - allocs_before;
  *pong_target = ActorRef<std::uint64_t>();
  return figure(messages, elapsed, allocs);
}

Figure weft_fan_in(int senders, std::uint64_t messages) {
  ActorSystem system(config(2));
  const std::uint64_t per_sender = messages / static_cast<std::uint64_t>(senders);
  const std::uint64_t total = per_sender * static_cast<std::uint64_t>(senders);
  std::promise<void> done;
  auto receiver = system.spawn(
      receive<std::uint64_t>([total, &done, count = std::uint64_t{0}](ActorContext<std::uint64_t>&,
                                                                      std::uint64_t&) mutable {
        if (++count == total) done.set_value();
        return same<std::uint64_t>();
      }),
      "receiver");
  std::vector<ActorRef<std::uint64_t>> sender_refs;
  for (int s = 0; s < senders; ++s) {
    sender_refs.push_back(
        system.spawn(receive<std::uint64_t>(
                         [receiver](ActorContext<std::uint64_t>& ctx, std::uint64_t& remaining) {
                           const std::uint64_t n = remaining < chunk ? remaining : chunk;
                           for (std::uint64_t i = 0; i < n; ++i) receiver.tell(i);
                           if (remaining > n) ctx.self().tell(remaining - n);
                           return same<std::uint64_t>();
                         }),
                     "sender-" + std::to_string(s)));
  }
  const auto allocs_before = allocations();
  const auto start = Clock::now();
  for (auto& s : sender_refs) s.tell(per_sender);
  done.get_future().wait();
  const auto elapsed = Clock::now() - start;
  return figure(total, elapsed, allocations() - allocs_before);
}

Figure weft_spawn_stop(std::uint64_t actors) {
  ActorSystem system(config(2));
  std::promise<void> done;
  auto stopped_count = std::make_shared<std::atomic<std::uint64_t>>(0);
  auto child = with_lifecycle(
      stopped<int>(), Lifecycle<int>{.post_stop = [stopped_count, actors, &done](auto&) {
        // acq_rel: the last one completes the promise
        if (stopped_count->fetch_add(1, std::memory_order_acq_rel) + 1 == actors) {
          done.set_value();
        }
      }});
  auto driver = system.spawn(
      receive<std::uint64_t>([child](ActorContext<std::uint64_t>& ctx, std::uint64_t& remaining) {
        const std::uint64_t n = remaining < chunk ? remaining : chunk;
        for (std::uint64_t i = 0; i < n; ++i) ctx.spawn_anonymous(child);
        if (remaining > n) ctx.self().tell(remaining - n);
        return same<std::uint64_t>();
      }),
      "driver");
  const auto start = Clock::now();
  driver.tell(actors);
  done.get_future().wait();
  return figure(actors, Clock::now() - start);
}

namespace {
struct Item final : MailboxNode {
  std::uint32_t producer;
  std::uint64_t seq;
  Item(std::uint32_t p, std::uint64_t s) : producer(p), seq(s) {}
};
}  // namespace

Figure weft_mailbox(int producers, std::uint64_t messages) {
  Mailbox box;
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
      for (std::uint64_t i = 0; i < per_producer; ++i) {
        box.push(detail::pool_new<Item>(static_cast<std::uint32_t>(p), i));
      }
    });
  }
  const auto allocs_before = allocations();
  const auto start = Clock::now();
  go.store(true, std::memory_order_release);
  for (std::uint64_t received = 0; received < total;) {
    MailboxNode* node = box.pop();
    if (node == nullptr) continue;
    auto* item = static_cast<Item*>(node);
    if (item->seq != next[item->producer]) ++violations;
    next[item->producer] = item->seq + 1;
    detail::pool_delete(item);
    ++received;
  }
  const auto elapsed = Clock::now() - start;
  const auto allocs = allocations() - allocs_before;
  for (auto& t : threads) t.join();
  Figure f = figure(total, elapsed, allocs);
  f.order_violations = violations;
  return f;
}

double weft_idle_cpu_percent() {
  auto cpu_seconds = [] {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto sec = [](const timeval& t) {
      return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return sec(usage.ru_utime) + sec(usage.ru_stime);
  };
  ActorSystem system(config(2));
  auto actor = system.spawn(ignore<int>(), "idle");
  actor.tell(1);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // past the spin phase
  const double before = cpu_seconds();
  const auto start = Clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  return 100.0 * (cpu_seconds() - before) / wall;
}

}  // namespace weft::bench
