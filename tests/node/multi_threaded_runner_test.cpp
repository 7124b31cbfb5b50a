// The multi-threaded runner's stop: graceful (no new commands, followers
// drain) and refusing. Real workers, real segment, real client.
#include "weft/node/multi_threaded_runner.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <optional>

#include "shop/applications.hpp"
#include "shop/shop.hpp"
#include "topic_count.hpp"
#include "weft/node/client.hpp"
#include "weft/node/draining.hpp"
#include "weft/store/memory_recorder.hpp"

namespace weft::node {
namespace {

using namespace std::chrono_literals;

using node::testing::count_topic;

struct shop_apps {
  shop_apps() {
    for (auto app : {"Orders", "Reservations", "Payments"})
      recorders[app] = store::make_memory_recorder();
    orders = std::make_unique<shop::Orders>(context("Orders"));
    reservations = std::make_unique<shop::Reservations>(context("Reservations"));
    payments = std::make_unique<shop::Payments>(context("Payments"));
  }
  es::app_context context(const std::string& app) { return {app, recorders[app], nullptr, {}}; }
  std::map<std::string, es::application*> hosted() {
    return {{"Orders", orders.get()},
            {"Reservations", reservations.get()},
            {"Payments", payments.get()}};
  }
  std::map<std::string, std::shared_ptr<es::recorder>> recorders;
  std::unique_ptr<es::application> orders, reservations, payments;
};

// The shop on a started runner, and a client attached to it.
struct running_shop {
  explicit running_shop(const char* test)
      : name(std::string("mtr-") + test + "-" + std::to_string(::getpid())),
        runner(name, shop::make_system(), apps.hosted()) {
    runner.start();
    client.emplace(client::attach(name));
  }
  std::size_t count(const std::string& app, const std::string& topic) {
    return count_topic(*apps.recorders[app], topic);
  }
  shop_apps apps;
  std::string name;
  multi_threaded_runner runner;
  std::optional<node::client> client;
};

TEST(MultiThreadedRunner, StoppingGracefullyLetsFollowersFinishWhatLeadersRecorded) {
  running_shop shop("graceful");
  constexpr std::size_t orders = 3000;
  std::vector<std::uint64_t> ids;
  for (std::size_t i = 0; i < orders; ++i)
    ids.push_back(
        shop.client->submit("Orders", "create_order", R"({"customer":"ann","amount":3})"));
  for (auto id : ids) ASSERT_TRUE(shop.client->wait("Orders", id, 30s).ok);
  // Every order is recorded; reservations and payments may still be on their way.
  shop.runner.stop_gracefully(60s);
  EXPECT_TRUE(followers_caught_up(shop.runner.segment()));
  EXPECT_EQ(shop.count("Reservations", "shop.ReservationMade"), orders);
  EXPECT_EQ(shop.count("Payments", "shop.PaymentMade"), orders);
  EXPECT_EQ(shop.count("Orders", "shop.OrderPaid"), orders);
}

TEST(MultiThreadedRunner, AStoppingSystemRefusesNewCommandsWithAClearError) {
  running_shop shop("refuse");
  ASSERT_TRUE(
      shop.client->call("Orders", "create_order", R"({"customer":"ann","amount":3})", 30s).ok);
  refuse_new_commands(shop.runner.segment());
  const auto refused =
      shop.client->call("Orders", "create_order", R"({"customer":"bob","amount":4})", 30s);
  EXPECT_FALSE(refused.ok);
  EXPECT_NE(refused.payload.find("the system is stopping"), std::string::npos) << refused.payload;
  shop.runner.stop_gracefully(60s);
  EXPECT_EQ(shop.count("Orders", "shop.OrderCreated"), 1u);
}

}  // namespace
}  // namespace weft::node
