// CAF 0.17's side of each benchmark case, written the way CAF's own
// examples write event-based actors.
#include <atomic>
#include <future>
#include <vector>

#include <caf/all.hpp>

#include "bench_common.hpp"

namespace weft::bench {
namespace {

constexpr std::uint64_t chunk = 1000;

caf::actor_system_config config(int workers) {
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", static_cast<std::size_t>(workers));
  return cfg;
}

caf::behavior pong(caf::event_based_actor* self) {
  return {[=](std::uint64_t n) {
    self->send(caf::actor_cast<caf::actor>(self->current_sender()),
               n == 0 ? std::uint64_t{0} : n - 1);
  }};
}

caf::behavior ping(caf::event_based_actor* self, caf::actor partner, std::atomic<int>* rounds) {
  return {[=](std::uint64_t n) {
    if (n == 0) {
      rounds->fetch_add(1, std::memory_order_release);
      rounds->notify_one();
    } else {
      self->send(partner, n - 1);
    }
  }};
}

}  // namespace

Figure caf_ping_pong(int workers, std::uint64_t messages) {
  auto cfg = config(workers);
  caf::actor_system system{cfg};
  std::atomic<int> rounds{0};
  auto pong_actor = system.spawn(pong);
  auto ping_actor = system.spawn(ping, pong_actor, &rounds);
  caf::anon_send(ping_actor, std::uint64_t{20000});
  rounds.wait(0, std::memory_order_acquire);
  const auto start = Clock::now();
  caf::anon_send(ping_actor, messages);
  rounds.wait(1, std::memory_order_acquire);
  const auto elapsed = Clock::now() - start;
  caf::anon_send_exit(ping_actor, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(pong_actor, caf::exit_reason::user_shutdown);
  return figure(messages, elapsed);
}

Figure caf_fan_in(int senders, std::uint64_t messages) {
  auto cfg = config(2);
  caf::actor_system system{cfg};
  const std::uint64_t per_sender = messages / static_cast<std::uint64_t>(senders);
  const std::uint64_t total = per_sender * static_cast<std::uint64_t>(senders);
  std::promise<void> done;
  auto receiver = system.spawn([total, &done](caf::event_based_actor*) -> caf::behavior {
    auto count = std::make_shared<std::uint64_t>(0);
    return {[=, &done](std::uint64_t) {
      if (++*count == total) done.set_value();
    }};
  });
  std::vector<caf::actor> sender_actors;
  for (int s = 0; s < senders; ++s) {
    sender_actors.push_back(system.spawn([receiver](caf::event_based_actor* self) -> caf::behavior {
      return {[=](std::uint64_t remaining) {
        const std::uint64_t n = remaining < chunk ? remaining : chunk;
        for (std::uint64_t i = 0; i < n; ++i) self->send(receiver, i);
        if (remaining > n) self->send(self, remaining - n);
      }};
    }));
  }
  const auto start = Clock::now();
  for (auto& s : sender_actors) caf::anon_send(s, per_sender);
  done.get_future().wait();
  const auto elapsed = Clock::now() - start;
  for (auto& s : sender_actors) caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(receiver, caf::exit_reason::user_shutdown);
  return figure(total, elapsed);
}

Figure caf_spawn_stop(std::uint64_t actors) {
  auto cfg = config(2);
  caf::actor_system system{cfg};
  std::promise<void> done;
  // The driver monitors each child, which quits at once; a down message per
  // child counts the stops (weft's driver counts them in post_stop).
  auto driver = system.spawn([actors, &done](caf::event_based_actor* self) -> caf::behavior {
    auto stopped = std::make_shared<std::uint64_t>(0);
    self->set_down_handler([=, &done](caf::down_msg&) {
      if (++*stopped == actors) done.set_value();
    });
    return {[=](std::uint64_t remaining) {
      const std::uint64_t n = remaining < chunk ? remaining : chunk;
      for (std::uint64_t i = 0; i < n; ++i) {
        auto child = self->spawn([](caf::event_based_actor* c) { c->quit(); });
        self->monitor(child);
      }
      if (remaining > n) self->send(self, remaining - n);
    }};
  });
  const auto start = Clock::now();
  caf::anon_send(driver, actors);
  done.get_future().wait();
  const auto elapsed = Clock::now() - start;
  caf::anon_send_exit(driver, caf::exit_reason::user_shutdown);
  return figure(actors, elapsed);
}

}  // namespace weft::bench
