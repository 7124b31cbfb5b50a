// The multi-threaded runner's stop: graceful (no new commands, followers
// drain) and refusing. Real workers, real segment, real client.
#include "weft/node/multi_threaded_runner.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "shop/applications.hpp"
#include "shop/shop.hpp"
#include "weft/node/client.hpp"
#include "weft/node/draining.hpp"
#include "weft/store/memory_recorder.hpp"

namespace weft::node {
namespace {

using namespace std::chrono_literals;

std::size_t count_topic(es::recorder& recorder, const std::string& topic) {
  es::notification_query query;
  query.limit = 10'000'000;
  query.topics = {topic};
  return recorder.select_notifications(query).size();
}

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

std::string unique_name(const char* test) {
  return std::string("mtr-") + test + "-" + std::to_string(::getpid());
}

TEST(MultiThreadedRunner, StoppingGracefullyLetsFollowersFinishWhatLeadersRecorded) {
  shop_apps apps;
  const auto name = unique_name("graceful");
  multi_threaded_runner runner(name, shop::make_system(), apps.hosted());
  runner.start();
  auto client = client::attach(name);
  constexpr std::size_t orders = 3000;
  std::vector<std::uint64_t> ids;
  for (std::size_t i = 0; i < orders; ++i)
    ids.push_back(client.submit("Orders", "create_order", R"({"customer":"ann","amount":3})"));
  for (auto id : ids) ASSERT_TRUE(client.wait("Orders", id, 30s).ok);
  // Every order is recorded; reservations and payments may still be on their way.
  runner.stop_gracefully(60s);
  EXPECT_TRUE(followers_caught_up(runner.segment()));
  EXPECT_EQ(count_topic(*apps.recorders["Reservations"], "shop.ReservationMade"), orders);
  EXPECT_EQ(count_topic(*apps.recorders["Payments"], "shop.PaymentMade"), orders);
  EXPECT_EQ(count_topic(*apps.recorders["Orders"], "shop.OrderPaid"), orders);
}

TEST(MultiThreadedRunner, AStoppingSystemRefusesNewCommandsWithAClearError) {
  shop_apps apps;
  const auto name = unique_name("refuse");
  multi_threaded_runner runner(name, shop::make_system(), apps.hosted());
  runner.start();
  auto client = client::attach(name);
  ASSERT_TRUE(client.call("Orders", "create_order", R"({"customer":"ann","amount":3})", 30s).ok);
  refuse_new_commands(runner.segment());
  const auto refused =
      client.call("Orders", "create_order", R"({"customer":"bob","amount":4})", 30s);
  EXPECT_FALSE(refused.ok);
  EXPECT_NE(refused.payload.find("the system is stopping"), std::string::npos) << refused.payload;
  runner.stop_gracefully(60s);
  EXPECT_EQ(count_topic(*apps.recorders["Orders"], "shop.OrderCreated"), 1u);
}

}  // namespace
}  // namespace weft::node
