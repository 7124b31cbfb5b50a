// Behaviors, refs, context and system on the deterministic scheduler
// (casty / fauxtp / munggoggo core behaviour).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "weft/actor/all.hpp"

using namespace weft::actor;
using namespace std::chrono_literals;

namespace {

struct ActorBehavior : ::testing::Test {
  std::vector<SystemEvent> events;  // before the system: its shutdown still publishes
  ActorSystem system{ActorSystem::deterministic_config()};

  void record_events() {
    system.events().subscribe([this](const SystemEvent& event) { events.push_back(event); });
  }
  template <class E>
  std::vector<E> events_of() const {
    std::vector<E> out;
    for (const auto& e : events) {
      if (auto* typed = std::get_if<E>(&e)) out.push_back(*typed);
    }
    return out;
  }
};

Behavior<int> recorder(std::vector<int>& seen) {
  return receive<int>([&seen](ActorContext<int>&, int& value) {
    seen.push_back(value);
    return same<int>();
  });
}

struct Increment {
  ActorRef<int> reply_to;
};

Behavior<Increment> counter(int n) {
  return receive<Increment>([n](ActorContext<Increment>&, Increment& msg) {
    msg.reply_to.tell(n + 1);
    return counter(n + 1);
  });
}

}  // namespace

TEST_F(ActorBehavior, MessagesFromOneSenderArriveInOrder) {
  std::vector<int> seen;
  auto ref = system.spawn(recorder(seen), "recorder");
  for (int i = 0; i < 1000; ++i) ref.tell(i);
  system.run_until_idle();
  ASSERT_EQ(seen.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(seen[i], i);
}

TEST_F(ActorBehavior, BecomeCountsOneTwoThree) {
  std::vector<int> replies;
  auto probe = system.spawn(recorder(replies), "probe");
  auto ref = system.spawn(counter(0), "counter");
  for (int i = 0; i < 3; ++i) ref.tell(Increment{probe});
  system.run_until_idle();
  EXPECT_EQ(replies, (std::vector<int>{1, 2, 3}));
}

TEST_F(ActorBehavior, SetupRunsOnceAtStart) {
  int setups = 0;
  std::vector<int> seen;
  auto ref = system.spawn(setup<int>([&](ActorContext<int>&) {
                            ++setups;
                            return recorder(seen);
                          }),
                          "setup");
  system.run_until_idle();
  EXPECT_EQ(setups, 1);
  ref.tell(1);
  ref.tell(2);
  system.run_until_idle();
  EXPECT_EQ(setups, 1);
  EXPECT_EQ(seen, (std::vector<int>{1, 2}));
}

TEST_F(ActorBehavior, StoppedStopsAndLaterTellsAreDeadLetters) {
  record_events();
  int handled = 0;
  auto ref = system.spawn(receive<int>([&](ActorContext<int>&, int&) {
                            ++handled;
                            return stopped<int>();
                          }),
                          "once");
  ref.tell(1);
  ref.tell(2);  // queued behind the stopping message: a dead letter
  system.run_until_idle();
  EXPECT_EQ(handled, 1);
  EXPECT_EQ(ref.tell(3), TellStatus::dead);
  auto dead = events_of<DeadLetter>();
  ASSERT_EQ(dead.size(), 2u);
  EXPECT_EQ(dead[0].recipient, "/once");
  EXPECT_EQ(std::any_cast<int>(dead[0].message), 2);
  EXPECT_EQ(std::any_cast<int>(dead[1].message), 3);
  EXPECT_EQ(events_of<ActorStopped>().size(), 1u);
  EXPECT_FALSE(system.lookup("/once").has_value());
}

TEST_F(ActorBehavior, TellsToAnActorAskedToStopAreDeadLettersAtOnce) {
  // A stop overtakes every user message, so nothing sent after it is queued:
  // a fast sender cannot pile up messages that would only be drained.
  record_events();
  int handled = 0;
  auto counting = [&](ActorContext<int>& ctx) {
    ctx.spawn(ignore<int>(), "child");
    return receive<int>([&](ActorContext<int>&, int& v) {
      ++handled;
      return v < 0 ? stopped<int>() : same<int>();
    });
  };
  auto stopped_from_outside = system.spawn(setup<int>(counting), "outside");
  auto stopping_itself = system.spawn(setup<int>(counting), "itself");
  system.run_until_idle();

  stopping_itself.tell(-1);
  // One turn: it handles -1, begins to stop and asks its child to stop first.
  ASSERT_TRUE(system.core().deterministic->run_one());
  ASSERT_TRUE(system.lookup("/itself/child").has_value());
  EXPECT_EQ(stopping_itself.tell(2), TellStatus::dead);

  system.stop(stopped_from_outside);
  EXPECT_EQ(stopped_from_outside.tell(1), TellStatus::dead);  // before its turn

  system.run_until_idle();
  EXPECT_FALSE(system.lookup("/outside").has_value());
  EXPECT_FALSE(system.lookup("/itself").has_value());
  EXPECT_EQ(handled, 1);
  EXPECT_EQ(events_of<DeadLetter>().size(), 2u);
}

TEST_F(ActorBehavior, LifecycleHooksRunInOrder) {
  std::vector<std::string> order;
  auto behavior = setup<int>([&](ActorContext<int>&) {
    order.push_back("setup");
    return receive<int>([&](ActorContext<int>&, int&) {
      order.push_back("message");
      return stopped<int>();
    });
  });
  auto ref = system.spawn(
      with_lifecycle(behavior,
                     Lifecycle<int>{.pre_start = [&](auto&) { order.push_back("pre_start"); },
                                    .post_stop = [&](auto&) { order.push_back("post_stop"); }}),
      "hooks");
  ref.tell(1);
  system.run_until_idle();
  EXPECT_EQ(order, (std::vector<std::string>{"setup", "pre_start", "message", "post_stop"}));
}

TEST_F(ActorBehavior, ForcedStopRunsPostStop) {
  bool post_stop = false;
  auto ref = system.spawn(
      with_lifecycle(ignore<int>(), Lifecycle<int>{.post_stop = [&](auto&) { post_stop = true; }}),
      "victim");
  system.run_until_idle();
  system.stop(ref);
  system.run_until_idle();
  EXPECT_TRUE(post_stop);
  EXPECT_EQ(ref.tell(1), TellStatus::dead);
}

struct ParentMsg {
  int value;
};

TEST_F(ActorBehavior, ChildrenGetMessagesAndStopBeforeTheirParent) {
  std::vector<int> child_seen;
  std::vector<std::string> stops;
  ActorRef<int> child;
  auto parent = system.spawn(
      with_lifecycle(
          setup<ParentMsg>([&](ActorContext<ParentMsg>& ctx) {
            child = ctx.spawn(
                with_lifecycle(
                    recorder(child_seen),
                    Lifecycle<int>{.post_stop = [&](auto& c) { stops.push_back(c.path()); }}),
                "child");
            return receive<ParentMsg>([&](ActorContext<ParentMsg>&, ParentMsg& m) {
              child.tell(m.value);
              return same<ParentMsg>();
            });
          }),
          Lifecycle<ParentMsg>{.post_stop = [&](auto& c) { stops.push_back(c.path()); }}),
      "parent");
  parent.tell({7});
  parent.tell({8});
  system.run_until_idle();
  EXPECT_EQ(child_seen, (std::vector<int>{7, 8}));
  EXPECT_EQ(child.path(), "/parent/child");
  system.stop(parent);
  system.run_until_idle();
  EXPECT_EQ(stops, (std::vector<std::string>{"/parent/child", "/parent"}));
  EXPECT_EQ(child.tell(1), TellStatus::dead);
}

TEST_F(ActorBehavior, DuplicateChildNameIsAnError) {
  bool threw = false;
  system.spawn(setup<int>([&](ActorContext<int>& ctx) {
                 ctx.spawn(ignore<int>(), "twin");
                 try {
                   ctx.spawn(ignore<int>(), "twin");
                 } catch (const invalid_actor_name& e) {
                   threw = std::string(e.what()).find("twin") != std::string::npos;
                 }
                 return ignore<int>();
               }),
               "parent");
  system.run_until_idle();
  EXPECT_TRUE(threw);
  system.spawn(ignore<int>(), "root");
  EXPECT_THROW(system.spawn(ignore<int>(), "root"), invalid_actor_name);
}

struct WatchMsg {
  AnyRef target;
};

TEST_F(ActorBehavior, WatchDeliversExactlyOneTerminatedForAnyActor) {
  std::vector<std::string> terminated;
  // The watched actor is not a child: it lives in another tree.
  auto other = system.spawn(ignore<int>(), "other");
  auto watcher = system.spawn(receive<WatchMsg>(
                                  [](ActorContext<WatchMsg>& ctx, WatchMsg& m) {
                                    ctx.watch(m.target);
                                    ctx.watch(m.target);  // a second watch adds nothing
                                    return same<WatchMsg>();
                                  },
                                  [&](ActorContext<WatchMsg>&, const Terminated& t) {
                                    terminated.push_back(t.actor.path());
                                    return same<WatchMsg>();
                                  }),
                              "watcher");
  watcher.tell({other});
  system.run_until_idle();
  system.stop(other);
  system.run_until_idle();
  EXPECT_EQ(terminated, (std::vector<std::string>{"/other"}));
}

TEST_F(ActorBehavior, WatchingADeadActorDeliversTerminatedAtOnce) {
  int terminated = 0;
  auto dead = system.spawn(stopped<int>(), "dead");
  system.run_until_idle();
  auto watcher = system.spawn(receive<WatchMsg>(
                                  [](ActorContext<WatchMsg>& ctx, WatchMsg& m) {
                                    ctx.watch(m.target);
                                    return same<WatchMsg>();
                                  },
                                  [&](ActorContext<WatchMsg>&, const Terminated&) {
                                    ++terminated;
                                    return same<WatchMsg>();
                                  }),
                              "watcher");
  watcher.tell({dead});
  system.run_until_idle();
  EXPECT_EQ(terminated, 1);
}

TEST_F(ActorBehavior, UnwatchSuppressesTerminatedAndWatchWithSendsAMessage) {
  std::vector<int> seen;
  auto a = system.spawn(ignore<int>(), "a");
  auto b = system.spawn(ignore<int>(), "b");
  system.spawn(setup<int>([&](ActorContext<int>& ctx) {
                 ctx.watch_with(a, 100);
                 ctx.watch(b);
                 ctx.unwatch(b);
                 return recorder(seen);
               }),
               "watcher");
  system.run_until_idle();
  system.stop(a);
  system.stop(b);
  system.run_until_idle();
  EXPECT_EQ(seen, (std::vector<int>{100}));
}

TEST_F(ActorBehavior, LookupFindsNestedPathsAndNotMissingOnes) {
  system.spawn(setup<int>([](ActorContext<int>& ctx) {
                 ctx.spawn(setup<int>([](ActorContext<int>& c) {
                             c.spawn(ignore<int>(), "worker-3");
                             return ignore<int>();
                           }),
                           "pool");
                 return ignore<int>();
               }),
               "orders");
  system.run_until_idle();
  auto found = system.lookup("/orders/pool/worker-3");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->path(), "/orders/pool/worker-3");
  EXPECT_TRUE(system.lookup<int>("/orders/pool").has_value());
  EXPECT_FALSE(system.lookup<std::string>("/orders/pool").has_value());  // wrong message type
  EXPECT_FALSE(system.lookup("/orders/pool/worker-4").has_value());
  EXPECT_FALSE(system.lookup("/missing").has_value());
  EXPECT_FALSE(system.lookup("orders").has_value());
  EXPECT_FALSE(system.lookup("/orders/").has_value());
}

TEST_F(ActorBehavior, RefsCompareHashAndPrintTheirPath) {
  auto a = system.spawn(ignore<int>(), "a");
  auto b = system.spawn(ignore<int>(), "b");
  auto a2 = system.lookup<int>("/a");
  ASSERT_TRUE(a2.has_value());
  EXPECT_EQ(a, *a2);
  EXPECT_NE(a, b);
  EXPECT_EQ(std::hash<ActorRef<int>>{}(a), std::hash<ActorRef<int>>{}(*a2));
  EXPECT_EQ(std::hash<ActorRef<int>>{}(a), std::hash<AnyRef>{}(AnyRef(a)));
  std::ostringstream out;
  out << a;
  EXPECT_EQ(out.str(), "/a");
}

TEST_F(ActorBehavior, UnhandledPublishesAnEvent) {
  record_events();
  auto ref = system.spawn(receive<int>([](ActorContext<int>&, int& v) {
                            return v < 0 ? unhandled<int>() : same<int>();
                          }),
                          "picky");
  ref.tell(1);
  ref.tell(-5);
  system.run_until_idle();
  auto unhandled_events = events_of<UnhandledMessage>();
  ASSERT_EQ(unhandled_events.size(), 1u);
  EXPECT_EQ(unhandled_events[0].path, "/picky");
  EXPECT_EQ(unhandled_events[0].message_type, "int");
  EXPECT_EQ(std::any_cast<int>(unhandled_events[0].message), -5);
}

struct Question {
  int value;
  ActorRef<int> reply_to;
};

TEST_F(ActorBehavior, AskGetsTheReply) {
  auto doubler = system.spawn(receive<Question>([](ActorContext<Question>&, Question& q) {
                                q.reply_to.tell(q.value * 2);
                                return same<Question>();
                              }),
                              "doubler");
  auto reply = doubler.ask<int>([](ActorRef<int> reply_to) { return Question{21, reply_to}; }, 1s);
  system.run_until_idle();
  ASSERT_TRUE(reply.ready());
  EXPECT_EQ(reply.get(), 42);
}

TEST_F(ActorBehavior, AskWithoutReplyFailsWithTimeout) {
  auto silent = system.spawn(ignore<Question>(), "silent");
  auto reply = silent.ask<int>([](ActorRef<int> reply_to) { return Question{1, reply_to}; }, 100ms);
  system.run_until_idle();
  EXPECT_FALSE(reply.ready());
  system.advance_time(101ms);
  ASSERT_TRUE(reply.ready());
  EXPECT_THROW(reply.get(), ask_timeout);
}

TEST_F(ActorBehavior, PipeToSelfDeliversValueAndFailure) {
  std::vector<int> seen;
  Promise<int> ok;
  Promise<int> bad;
  system.spawn(
      setup<int>([&](ActorContext<int>& ctx) {
        ctx.pipe_to_self(
            ok.future(), [](int v) { return v + 1; }, [](std::exception_ptr) { return -1; });
        ctx.pipe_to_self(
            bad.future(), [](int v) { return v + 1; }, [](std::exception_ptr) { return -1; });
        return recorder(seen);
      }),
      "piper");
  system.run_until_idle();
  ok.set_value(41);
  bad.set_failure(std::make_exception_ptr(std::runtime_error("boom")));
  system.run_until_idle();
  EXPECT_EQ(seen, (std::vector<int>{42, -1}));
}

TEST_F(ActorBehavior, ShutdownStopsChildrenFirstAndDeadLettersQueuedMessages) {
  record_events();
  std::vector<std::string> stops;
  std::vector<int> handled;
  auto hooks = [&](auto& ctx) { stops.push_back(ctx.path()); };
  auto top = system.spawn(
      with_lifecycle(setup<int>([&](ActorContext<int>& ctx) {
                       ctx.spawn(with_lifecycle(ignore<int>(), Lifecycle<int>{.post_stop = hooks}),
                                 "leaf");
                       return recorder(handled);
                     }),
                     Lifecycle<int>{.post_stop = hooks}),
      "top");
  system.run_until_idle();
  // More than one turn's worth (throughput 64): the stop overtakes the rest.
  for (int i = 0; i < 200; ++i) top.tell(i);
  system.shutdown();
  EXPECT_EQ(stops, (std::vector<std::string>{"/top/leaf", "/top"}));
  const auto dead = events_of<DeadLetter>();
  EXPECT_FALSE(dead.empty());
  EXPECT_LT(handled.size(), 200u);
  EXPECT_EQ(handled.size() + dead.size(), 200u);
  EXPECT_TRUE(system.terminated());
  EXPECT_THROW(system.spawn(ignore<int>(), "late"), system_stopped);
}

TEST_F(ActorBehavior, TimersFireReplaceAndStopWithTheActor) {
  std::vector<int> seen;
  auto ref = system.spawn(setup<int>([&](ActorContext<int>& ctx) {
                            ctx.timers().start_single("once", 1, 10ms);
                            ctx.timers().start_single("once", 2, 20ms);  // replaces 1
                            ctx.timers().start_periodic("tick", 7, 30ms);
                            return receive<int>([&](ActorContext<int>& c, int& v) {
                              seen.push_back(v);
                              if (seen.size() == 3) c.timers().cancel("tick");
                              return same<int>();
                            });
                          }),
                          "timed");
  system.run_until_idle();
  system.advance_time(25ms);
  EXPECT_EQ(seen, (std::vector<int>{2}));
  system.advance_time(40ms);  // t = 65 ms: ticks at 30 and 60
  EXPECT_EQ(seen, (std::vector<int>{2, 7, 7}));
  system.advance_time(100ms);  // cancelled after the third message
  EXPECT_EQ(seen, (std::vector<int>{2, 7, 7}));
  system.stop(ref);
  system.run_until_idle();
  EXPECT_EQ(static_cast<ManualTimerService&>(*system.core().timers).pending(), 0u);
}

TEST_F(ActorBehavior, TimersAreCancelledWhenTheActorStops) {
  std::vector<int> seen;
  auto ref = system.spawn(setup<int>([&](ActorContext<int>& ctx) {
                            ctx.timers().start_periodic("tick", 1, 10ms);
                            return recorder(seen);
                          }),
                          "ticker");
  system.advance_time(25ms);
  EXPECT_EQ(seen.size(), 2u);
  system.stop(ref);
  system.run_until_idle();
  system.advance_time(100ms);
  EXPECT_EQ(seen.size(), 2u);
}
