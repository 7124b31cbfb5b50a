// Supervision on the deterministic scheduler: directives, limits, windows,
// backoff, deciders, escalation and the restart lifecycle.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "weft/actor/all.hpp"

using namespace weft::actor;
using namespace std::chrono_literals;

namespace {

// Counts messages in state created by setup; throws on negative values.
struct Counted {
  int setups = 0;
  std::vector<int> seen;  // values seen, with the count at that time
};

Behavior<int> fragile(Counted& out) {
  return setup<int>([&out](ActorContext<int>&) {
    ++out.setups;
    return receive<int>([&out, count = 0](ActorContext<int>&, int& v) mutable {
      if (v < 0) throw std::runtime_error("negative: " + std::to_string(v));
      out.seen.push_back(++count);
      return same<int>();
    });
  });
}

struct ActorSupervision : ::testing::Test {
  Counted c, a, b;  // before the system: actors use them until its shutdown
  ActorSystem system{ActorSystem::deterministic_config()};
};

}  // namespace

TEST_F(ActorSupervision, WithoutAStrategyAFailureStops) {
  auto ref = system.spawn(fragile(c), "plain");
  ref.tell(1);
  ref.tell(-1);
  ref.tell(2);
  system.run_until_idle();
  EXPECT_EQ(c.seen, (std::vector<int>{1}));
  EXPECT_EQ(ref.tell(3), TellStatus::dead);
}

TEST_F(ActorSupervision, RestartResetsStateThroughSetupAndKeepsTheMailbox) {
  auto ref = system.spawn(supervise(fragile(c), SupervisorStrategy::restart()), "worker");
  ref.tell(1);
  ref.tell(2);
  ref.tell(-1);
  ref.tell(3);  // queued behind the failure: kept and handled after the restart
  ref.tell(4);
  system.run_until_idle();
  EXPECT_EQ(c.setups, 2);
  EXPECT_EQ(c.seen, (std::vector<int>{1, 2, 1, 2}));
}

TEST_F(ActorSupervision, ResumeKeepsState) {
  auto ref = system.spawn(supervise(fragile(c), SupervisorStrategy::resume()), "worker");
  for (int v : {1, -1, 2}) ref.tell(v);
  system.run_until_idle();
  EXPECT_EQ(c.setups, 1);
  EXPECT_EQ(c.seen, (std::vector<int>{1, 2}));
}

TEST_F(ActorSupervision, MoreRestartsThanTheLimitStop) {
  auto ref = system.spawn(supervise(fragile(c), SupervisorStrategy::restart().with_limit(2, 10s)),
                          "worker");
  for (int v : {-1, -1, 5, -1, 6}) ref.tell(v);
  system.run_until_idle();
  EXPECT_EQ(c.setups, 3);  // start + 2 restarts
  EXPECT_EQ(c.seen, (std::vector<int>{1}));
  EXPECT_EQ(ref.tell(7), TellStatus::dead);
}

TEST_F(ActorSupervision, RestartsOutsideTheWindowAreForgotten) {
  auto ref = system.spawn(supervise(fragile(c), SupervisorStrategy::restart().with_limit(2, 100ms)),
                          "worker");
  ref.tell(-1);
  ref.tell(-1);
  system.run_until_idle();
  system.advance_time(150ms);  // both restarts leave the window
  ref.tell(-1);
  ref.tell(-1);
  ref.tell(9);
  system.run_until_idle();
  EXPECT_EQ(c.setups, 5);
  EXPECT_EQ(c.seen, (std::vector<int>{1}));
  EXPECT_EQ(ref.tell(1), TellStatus::delivered);
}

TEST_F(ActorSupervision, RestartLimitsCountPerChild) {
  ActorRef<int> ra;
  ActorRef<int> rb;
  system.spawn(setup<int>([&](ActorContext<int>& ctx) {
                 auto strategy = SupervisorStrategy::restart().with_limit(1, 10s);
                 ra = ctx.spawn(supervise(fragile(a), strategy), "a");
                 rb = ctx.spawn(supervise(fragile(b), strategy), "b");
                 return ignore<int>();
               }),
               "parent");
  system.run_until_idle();
  ra.tell(-1);  // a: first restart, allowed
  rb.tell(-1);  // b: its own first restart, allowed
  system.run_until_idle();
  ra.tell(1);
  rb.tell(1);
  system.run_until_idle();
  EXPECT_EQ(a.seen, (std::vector<int>{1}));
  EXPECT_EQ(b.seen, (std::vector<int>{1}));
  ra.tell(-1);  // a: second restart exceeds its limit
  system.run_until_idle();
  EXPECT_EQ(ra.tell(1), TellStatus::dead);
  EXPECT_EQ(rb.tell(2), TellStatus::delivered);
}

TEST_F(ActorSupervision, TheDeciderChoosesPerException) {
  auto decider = [](const std::exception_ptr& failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::runtime_error&) {
      return Directive::resume;
    } catch (...) {
      return Directive::stop;
    }
  };
  auto behavior = setup<int>([&](ActorContext<int>&) {
    ++c.setups;
    return receive<int>([&](ActorContext<int>&, int& v) {
      if (v == -1) throw std::runtime_error("resumable");
      if (v == -2) throw std::logic_error("fatal");
      c.seen.push_back(v);
      return same<int>();
    });
  });
  auto ref = system.spawn(supervise(behavior, SupervisorStrategy::deciding(decider)), "worker");
  for (int v : {1, -1, 2, -2, 3}) ref.tell(v);
  system.run_until_idle();
  EXPECT_EQ(c.seen, (std::vector<int>{1, 2}));
  EXPECT_EQ(ref.tell(4), TellStatus::dead);
}

TEST_F(ActorSupervision, ADeciderThatThrowsStops) {
  auto strategy =
      SupervisorStrategy::deciding([](const std::exception_ptr&) -> Directive { throw 1; });
  auto ref = system.spawn(supervise(fragile(c), strategy), "worker");
  ref.tell(-1);
  system.run_until_idle();
  EXPECT_EQ(ref.tell(1), TellStatus::dead);
}

TEST_F(ActorSupervision, RestartLifecycleOrder) {
  std::vector<std::string> order;
  auto child_hooks =
      Lifecycle<int>{.post_stop = [&](auto&) { order.push_back("child post_stop"); }};
  auto behavior = setup<int>([&](ActorContext<int>& ctx) {
    order.push_back("setup");
    ctx.spawn(with_lifecycle(ignore<int>(), child_hooks), "child");
    return receive<int>(
        [](ActorContext<int>&, int&) -> Behavior<int> { throw std::runtime_error("boom"); });
  });
  auto hooks = Lifecycle<int>{.pre_start = [&](auto&) { order.push_back("pre_start"); },
                              .post_stop = [&](auto&) { order.push_back("post_stop"); },
                              .pre_restart = [&](auto&) { order.push_back("pre_restart"); },
                              .post_restart = [&](auto&) { order.push_back("post_restart"); }};
  auto ref = system.spawn(supervise(with_lifecycle(behavior, hooks), SupervisorStrategy::restart()),
                          "worker");
  system.run_until_idle();
  ref.tell(1);
  system.run_until_idle();
  EXPECT_EQ(order, (std::vector<std::string>{"setup", "pre_start", "pre_restart", "child post_stop",
                                             "setup", "pre_start", "post_restart"}));
  // The child was re-created under the same name.
  EXPECT_TRUE(system.lookup("/worker/child").has_value());
  system.shutdown();  // the hooks use `order`
}

TEST_F(ActorSupervision, BackoffDelaysTheRestart) {
  auto strategy = SupervisorStrategy::restart().with_backoff(100ms, 1s, 0.0);
  auto ref = system.spawn(supervise(fragile(c), strategy), "worker");
  ref.tell(-1);
  ref.tell(1);
  system.run_until_idle();
  EXPECT_EQ(c.setups, 1);
  EXPECT_TRUE(c.seen.empty());  // waiting: the message stays in the mailbox
  system.advance_time(99ms);
  EXPECT_EQ(c.setups, 1);
  system.advance_time(2ms);
  EXPECT_EQ(c.setups, 2);
  EXPECT_EQ(c.seen, (std::vector<int>{1}));
}

TEST_F(ActorSupervision, AStopQueuedWhileItsStartFailsOvertakesTheRestartBackoff) {
  // The stop reaches the mailbox during the actor's own turn, while that turn
  // handles its start; the turn ends with the actor restarting (not running).
  // It must handle the queued stop before going idle, not sleep through the
  // backoff: the same lost wake-up once left a shutting-down guardian waiting
  // forever for a child_terminated that had already arrived.
  auto strategy = SupervisorStrategy::restart().with_backoff(1h, 1h, 0.0);
  int post_stops = 0;
  auto failing_setup = setup<int>([&](ActorContext<int>& ctx) -> Behavior<int> {
    system.stop(ctx.self());
    throw std::runtime_error("setup failed after asking to stop");
  });
  auto ref = system.spawn(
      supervise(
          with_lifecycle(failing_setup, Lifecycle<int>{.post_stop = [&](auto&) { ++post_stops; }}),
          strategy),
      "doomed");
  system.run_until_idle();
  EXPECT_EQ(post_stops, 1);
  EXPECT_EQ(ref.tell(1), TellStatus::dead);
}

TEST(ActorBackoff, GrowsExponentiallyUpToTheCapWithBoundedJitter) {
  auto strategy = SupervisorStrategy::restart().with_backoff(10ms, 100ms, 0.5);
  for (int i = 0; i < 50; ++i) {
    EXPECT_GE(strategy.backoff(1), 10ms);
    EXPECT_LE(strategy.backoff(1), 15ms);
    EXPECT_GE(strategy.backoff(3), 40ms);
    EXPECT_LE(strategy.backoff(3), 60ms);
    EXPECT_GE(strategy.backoff(10), 100ms);
    EXPECT_LE(strategy.backoff(10), 150ms);
  }
}

TEST_F(ActorSupervision, EscalateFailsTheParent) {
  int parent_setups = 0;
  ActorRef<int> child;
  auto parent = system.spawn(
      supervise(setup<int>([&](ActorContext<int>& ctx) {
                  ++parent_setups;
                  Counted* unused = new Counted();  // owned by the child's closure below
                  std::shared_ptr<Counted> keep(unused);
                  child = ctx.spawn(supervise(receive<int>([keep](ActorContext<int>&, int& v) {
                                                if (v < 0) throw std::runtime_error("child failed");
                                                keep->seen.push_back(v);
                                                return same<int>();
                                              }),
                                              SupervisorStrategy::escalate()),
                                    "child");
                  return ignore<int>();
                }),
                SupervisorStrategy::restart()),
      "parent");
  system.run_until_idle();
  auto first_child = child;
  child.tell(-1);
  system.run_until_idle();
  EXPECT_EQ(parent_setups, 2);  // the parent restarted
  EXPECT_EQ(first_child.tell(1), TellStatus::dead);
  EXPECT_NE(child, first_child);
  EXPECT_EQ(child.tell(1), TellStatus::delivered);
  EXPECT_EQ(parent.tell(0), TellStatus::delivered);
}

TEST_F(ActorSupervision, RestartBehaviorRestarts) {
  int setups = 0;
  auto ref =
      system.spawn(setup<int>([&](ActorContext<int>&) {
                     ++setups;
                     return receive<int>([](ActorContext<int>&, int&) { return restart<int>(); });
                   }),
                   "phoenix");
  ref.tell(1);
  ref.tell(2);
  system.run_until_idle();
  EXPECT_EQ(setups, 3);
}

TEST_F(ActorSupervision, RestartEventsArePublished) {
  std::vector<ActorRestarted> restarts;
  system.events().subscribe([&](const SystemEvent& e) {
    if (auto* r = std::get_if<ActorRestarted>(&e)) restarts.push_back(*r);
  });
  auto ref = system.spawn(supervise(fragile(c), SupervisorStrategy::restart()), "worker");
  ref.tell(-7);
  system.run_until_idle();
  ASSERT_EQ(restarts.size(), 1u);
  EXPECT_EQ(restarts[0].path, "/worker");
  EXPECT_EQ(restarts[0].reason, "negative: -7");
  system.shutdown();
}
