// The threaded runtime under load: many senders, many actors, restarts,
// spawn/stop churn, ask and shutdown. Every wait has a watchdog limit so a
// lost wake-up fails the test instead of hanging it.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "weft/actor/all.hpp"

using namespace weft::actor;
using namespace std::chrono_literals;

namespace {

constexpr auto watchdog = 60s;

// "a17": appended, not literal + string, which g++ 12 -O3 warns about (-Wrestrict).
std::string numbered(const char* prefix, long n) {
  std::string name(prefix);
  name += std::to_string(n);
  return name;
}

SystemConfig threaded(std::size_t workers = 2) {
  SystemConfig config;
  config.workers = workers;
  return config;
}

struct FromSender {
  int sender;
  int seq;
};

}  // namespace

TEST(ActorStress, ManySendersKeepPerSenderOrder) {
  constexpr int senders = 8;
  constexpr int per_sender = 20000;
  ActorSystem system(threaded());
  std::promise<std::pair<int, int>> result;  // received, order violations
  auto sink = system.spawn(
      setup<FromSender>([&](ActorContext<FromSender>&) {
        auto next = std::make_shared<std::vector<int>>(senders, 0);
        auto received = std::make_shared<int>(0);
        auto violations = std::make_shared<int>(0);
        return receive<FromSender>([=, &result](ActorContext<FromSender>&, FromSender& m) {
          if ((*next)[m.sender] != m.seq) ++*violations;
          (*next)[m.sender] = m.seq + 1;
          if (++*received == senders * per_sender) result.set_value({*received, *violations});
          return same<FromSender>();
        });
      }),
      "sink");
  std::vector<std::thread> threads;
  for (int s = 0; s < senders; ++s) {
    threads.emplace_back([&, s] {
      for (int i = 0; i < per_sender; ++i) sink.tell(FromSender{s, i});
    });
  }
  for (auto& t : threads) t.join();
  auto future = result.get_future();
  ASSERT_EQ(future.wait_for(watchdog), std::future_status::ready)
      << "messages lost or the actor never ran";
  auto [received, violations] = future.get();
  EXPECT_EQ(received, senders * per_sender);
  EXPECT_EQ(violations, 0);
}

struct Token {
  int hops_left;
};

// 500 actors pass 50 tokens around a ring: every worker stays busy, actors
// are woken from both workers, and no token may be lost.
TEST(ActorStress, ManyActorsPassTokensAroundARing) {
  constexpr int actors = 500;
  constexpr int tokens = 50;
  constexpr int hops = 500;
  ActorSystem system(threaded());
  std::atomic<int> finished{0};
  std::promise<void> all_done;
  std::vector<ActorRef<Token>> ring(actors);
  auto next_of = std::make_shared<std::vector<ActorRef<Token>>>(actors);
  for (int i = 0; i < actors; ++i) {
    ring[i] = system.spawn(
        receive<Token>([i, next_of, &finished, &all_done](ActorContext<Token>&, Token& t) {
          if (t.hops_left == 0) {
            if (finished.fetch_add(1) + 1 == tokens) all_done.set_value();
          } else {
            (*next_of)[(i + 1) % actors].tell(Token{t.hops_left - 1});
          }
          return same<Token>();
        }),
        numbered("node-", i));
  }
  *next_of = ring;
  for (int t = 0; t < tokens; ++t) ring[t * (actors / tokens)].tell(Token{hops});
  auto future = all_done.get_future();
  ASSERT_EQ(future.wait_for(watchdog), std::future_status::ready)
      << finished.load() << " tokens arrived";
  next_of->clear();  // the behaviors hold refs to each other: break the ring
}

TEST(ActorStress, RestartsUnderLoadKeepTheMailbox) {
  constexpr int senders = 4;
  constexpr int per_sender = 10000;
  ActorSystem system(threaded());
  std::atomic<int> handled{0};
  std::atomic<int> failures{0};
  std::atomic<int> setups{0};
  std::promise<void> done;
  auto worker = system.spawn(
      supervise(setup<int>([&](ActorContext<int>&) {
                  setups.fetch_add(1);
                  return receive<int>([&](ActorContext<int>&, int& v) {
                    if (v % 97 == 0) {
                      failures.fetch_add(1);
                      throw std::runtime_error("every 97th fails");
                    }
                    if (handled.fetch_add(1) + 1 + failures.load() == senders * per_sender)
                      done.set_value();
                    return same<int>();
                  });
                }),
                SupervisorStrategy::restart()),
      "worker");
  std::vector<std::thread> threads;
  for (int s = 0; s < senders; ++s) {
    threads.emplace_back([&, s] {
      for (int i = 1; i <= per_sender; ++i) worker.tell(s * per_sender + i);
    });
  }
  for (auto& t : threads) t.join();
  auto future = done.get_future();
  ASSERT_EQ(future.wait_for(watchdog), std::future_status::ready)
      << handled.load() << " handled, " << failures.load() << " failed";
  EXPECT_EQ(handled.load() + failures.load(), senders * per_sender);
  EXPECT_EQ(setups.load(), failures.load() + 1);
}

struct Churn {
  int round;
};

// A parent spawns and stops children while other threads watch them; every
// child's death reaches its watcher exactly once.
TEST(ActorStress, SpawnStopChurnWithWatchers) {
  constexpr int children = 2000;
  ActorSystem system(threaded());
  std::atomic<int> terminated{0};
  std::atomic<int> stopped_hooks{0};
  std::promise<void> done;
  auto watcher = system.spawn(receive<AnyRef>(
                                  [](ActorContext<AnyRef>& ctx, AnyRef& target) {
                                    ctx.watch(target);
                                    return same<AnyRef>();
                                  },
                                  [&](ActorContext<AnyRef>&, const Terminated&) {
                                    if (terminated.fetch_add(1) + 1 == children) done.set_value();
                                    return same<AnyRef>();
                                  }),
                              "watcher");
  auto parent = system.spawn(
      receive<Churn>([&](ActorContext<Churn>& ctx, Churn& c) {
        auto child = ctx.spawn(
            with_lifecycle(ignore<int>(),
                           Lifecycle<int>{.post_stop = [&](auto&) { stopped_hooks.fetch_add(1); }}),
            numbered("child-", c.round));
        watcher.tell(AnyRef(child));
        child.tell(c.round);
        ctx.stop(child);
        return same<Churn>();
      }),
      "parent");
  for (int i = 0; i < children; ++i) parent.tell(Churn{i});
  auto future = done.get_future();
  ASSERT_EQ(future.wait_for(watchdog), std::future_status::ready)
      << terminated.load() << " Terminated signals";
  system.shutdown();
  EXPECT_EQ(terminated.load(), children);
  EXPECT_EQ(stopped_hooks.load(), children);
}

struct Echo {
  int value;
  ActorRef<int> reply_to;
};

TEST(ActorStress, AsksFromManyThreads) {
  ActorSystem system(threaded());
  auto echo = system.spawn(receive<Echo>([](ActorContext<Echo>&, Echo& e) {
                             e.reply_to.tell(e.value);
                             return same<Echo>();
                           }),
                           "echo");
  std::atomic<int> correct{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        int v = t * 1000 + i;
        if (echo.ask<int>([v](ActorRef<int> r) { return Echo{v, r}; }, 10s).get() == v)
          correct.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(correct.load(), 2000);
  auto silent = system.spawn(ignore<Echo>(), "silent");
  auto reply = silent.ask<int>([](ActorRef<int> r) { return Echo{0, r}; }, 20ms);
  EXPECT_THROW(reply.get(), ask_timeout);
}

TEST(ActorStress, ShutdownWithMessagesInFlightRunsEveryPostStop) {
  std::atomic<int> post_stops{0};
  std::atomic<bool> stop_sending{false};
  std::thread sender;
  {
    ActorSystem system(threaded());
    std::vector<ActorRef<int>> refs;
    for (int i = 0; i < 50; ++i) {
      refs.push_back(system.spawn(
          with_lifecycle(
              setup<int>([&](ActorContext<int>& ctx) {
                ctx.spawn(with_lifecycle(
                              ignore<int>(),
                              Lifecycle<int>{.post_stop = [&](auto&) { post_stops.fetch_add(1); }}),
                          "leaf");
                return receive<int>([](ActorContext<int>& c, int& v) {
                  if (v % 2 == 0) c.self().tell(v + 1);  // self-tells keep the mailboxes busy
                  return same<int>();
                });
              }),
              Lifecycle<int>{.post_stop = [&](auto&) { post_stops.fetch_add(1); }}),
          numbered("a", i)));
    }
    sender = std::thread([&] {
      for (int i = 0; !stop_sending.load(); ++i) refs[i % refs.size()].tell(i * 2);
    });
    std::this_thread::sleep_for(50ms);
    system.shutdown(watchdog);
    EXPECT_TRUE(system.terminated());
    stop_sending.store(true);
    sender.join();  // tells after shutdown are dead letters, not crashes
  }
  EXPECT_EQ(post_stops.load(), 100);
}
