// Bounded mailboxes, spy and receptionist on the deterministic scheduler.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "weft/actor/all.hpp"

using namespace weft::actor;
using namespace std::chrono_literals;

namespace {

struct ActorFeatures : ::testing::Test {
  std::vector<int> seen;
  std::vector<SpyEvent> spied;
  std::vector<SystemEvent> events;
  ActorSystem system{ActorSystem::deterministic_config()};

  Behavior<int> recorder() {
    return receive<int>([this](ActorContext<int>&, int& v) {
      seen.push_back(v);
      return same<int>();
    });
  }
  ActorRef<SpyEvent> spy_probe() {
    return system.spawn(receive<SpyEvent>([this](ActorContext<SpyEvent>&, SpyEvent& e) {
                          spied.push_back(e);
                          return same<SpyEvent>();
                        }),
                        "spy-probe");
  }
  std::size_t dropped_events() const {
    std::size_t n = 0;
    for (const auto& e : events) n += std::holds_alternative<MessageDropped>(e) ? 1 : 0;
    return n;
  }
};

}  // namespace

TEST_F(ActorFeatures, BoundedDropNewKeepsTheFirstMessages) {
  system.events().subscribe([this](const SystemEvent& e) { events.push_back(e); });
  auto ref =
      system.spawn(recorder(), "bounded", MailboxConfig::bounded(2, OverflowPolicy::drop_new));
  system.run_until_idle();
  std::vector<TellStatus> statuses;
  for (int i = 0; i < 10; ++i) statuses.push_back(ref.tell(i));
  system.run_until_idle();
  EXPECT_EQ(seen, (std::vector<int>{0, 1}));
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), TellStatus::dropped), 8);
  EXPECT_EQ(dropped_events(), 8u);
}

TEST_F(ActorFeatures, BoundedRejectFailsTheSendersTell) {
  auto ref = system.spawn(recorder(), "bounded", MailboxConfig::bounded(2, OverflowPolicy::reject));
  system.run_until_idle();
  std::vector<TellStatus> statuses;
  for (int i = 0; i < 10; ++i) statuses.push_back(ref.tell(i));
  EXPECT_EQ(statuses[0], TellStatus::delivered);
  EXPECT_EQ(statuses[1], TellStatus::delivered);
  for (int i = 2; i < 10; ++i) EXPECT_EQ(statuses[i], TellStatus::rejected);
  system.run_until_idle();
  EXPECT_EQ(seen, (std::vector<int>{0, 1}));
  EXPECT_EQ(ref.tell(10), TellStatus::delivered);  // room again
}

TEST_F(ActorFeatures, BoundedDropOldestKeepsTheNewestMessages) {
  system.events().subscribe([this](const SystemEvent& e) { events.push_back(e); });
  auto ref =
      system.spawn(recorder(), "bounded", MailboxConfig::bounded(2, OverflowPolicy::drop_oldest));
  system.run_until_idle();
  for (int i = 0; i < 10; ++i) EXPECT_EQ(ref.tell(i), TellStatus::delivered);
  system.run_until_idle();
  EXPECT_EQ(seen, (std::vector<int>{8, 9}));
  EXPECT_EQ(dropped_events(), 8u);
}

struct Ping {
  int n;
  ActorRef<int> reply_to;
};

TEST_F(ActorFeatures, SpyReportsMessagesInOrderWithMonotonicTimestamps) {
  auto probe = spy_probe();
  auto replies = system.spawn(recorder(), "replies");
  auto spied_actor = system.spawn(spy(receive<Ping>([](ActorContext<Ping>& ctx, Ping& p) {
                                        p.reply_to.tell(p.n);
                                        if (p.n == 1)
                                          ctx.self().tell(Ping{2, p.reply_to});  // a self-tell
                                        return p.n == 3 ? stopped<Ping>() : same<Ping>();
                                      }),
                                      probe),
                                  "spied");
  spied_actor.tell(Ping{1, replies});
  system.run_until_idle();
  spied_actor.tell(Ping{3, replies});  // the stopping message
  system.run_until_idle();
  ASSERT_EQ(spied.size(), 3u);
  std::vector<int> order;
  for (const auto& e : spied) {
    EXPECT_EQ(e.actor_path, "/spied");
    order.push_back(std::any_cast<Ping>(e.event).n);
  }
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_LE(spied[0].timestamp_ns, spied[1].timestamp_ns);
  EXPECT_LE(spied[1].timestamp_ns, spied[2].timestamp_ns);
  EXPECT_EQ(seen, (std::vector<int>{1, 2, 3}));  // replies still arrive
}

TEST_F(ActorFeatures, SpyChildrenOnlyWhenAskedTo) {
  auto probe = spy_probe();
  auto parent_behavior = [](const char* child_name) {
    return setup<int>([child_name](ActorContext<int>& ctx) {
      auto child = ctx.spawn(ignore<int>(), child_name);
      return receive<int>([child](ActorContext<int>&, int& v) {
        child.tell(v);
        return same<int>();
      });
    });
  };
  auto with_children = system.spawn(spy(parent_behavior("c"), probe, true), "with");
  auto without_children = system.spawn(spy(parent_behavior("c"), probe, false), "without");
  with_children.tell(1);
  without_children.tell(2);
  system.run_until_idle();
  std::vector<std::string> paths;
  for (const auto& e : spied) paths.push_back(e.actor_path);
  std::sort(paths.begin(), paths.end());
  EXPECT_EQ(paths, (std::vector<std::string>{"/with", "/with/c", "/without"}));
}

TEST_F(ActorFeatures, ReceptionistRegistersFindsNotifiesAndDeregisters) {
  const ServiceKey<int> key{"workers"};
  std::vector<std::size_t> listing_sizes;
  auto subscriber =
      system.spawn(receive<Listing<int>>([&](ActorContext<Listing<int>>&, Listing<int>& l) {
                     listing_sizes.push_back(l.services.size());
                     return same<Listing<int>>();
                   }),
                   "subscriber");
  system.receptionist().subscribe(key, subscriber);  // the current (empty) listing at once
  auto w1 = system.spawn(discoverable(recorder(), key), "w1");
  auto w2 = system.spawn(discoverable(recorder(), key), "w2");
  system.spawn(recorder(), "not-registered");
  system.run_until_idle();
  auto found = system.receptionist().find(key);
  ASSERT_EQ(found.services.size(), 2u);
  EXPECT_EQ(found.services[0], w1);
  EXPECT_EQ(found.services[1], w2);
  found.services[1].tell(5);
  EXPECT_TRUE(system.receptionist()
                  .find(ServiceKey<std::string>{"workers"})
                  .services.empty());  // other type
  system.stop(w1);
  system.run_until_idle();
  found = system.receptionist().find(key);
  ASSERT_EQ(found.services.size(), 1u);
  EXPECT_EQ(found.services[0], w2);
  EXPECT_EQ(listing_sizes, (std::vector<std::size_t>{0, 1, 2, 1}));
  EXPECT_EQ(seen, (std::vector<int>{5}));
  system.shutdown();  // the subscriber uses listing_sizes
}
