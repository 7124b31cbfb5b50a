// Workers on real shared memory with real actors and a real client, each
// worker on its own thread of this process (the multi-process runner puts
// each in its own process; see tests/runner).
#include <future>
#include <thread>

#include <gtest/gtest.h>
#include <unistd.h>

#include "shop/applications.hpp"
#include "shop/shop.hpp"
#include "topic_count.hpp"
#include "weft/core/clock.hpp"
#include "weft/node/client.hpp"
#include "weft/node/system_layout.hpp"
#include "weft/node/worker.hpp"
#include "weft/store/memory_recorder.hpp"

namespace weft::node {
namespace {

using namespace std::chrono_literals;

using node::testing::count_topic;

struct running_shop {
  explicit running_shop(std::string name, ring_sizes sizes = {})
      : system_name(std::move(name)),
        segment(shm::segment::create(layout_for(system_name, shop::make_system(), sizes))) {
    for (auto app : {"Orders", "Reservations", "Payments"})
      recorders[app] = store::make_memory_recorder();
    for (auto app : {"Orders", "Reservations", "Payments"}) start(app);
  }

  ~running_shop() {
    for (auto& [_, w] : workers) w->request_stop();
    for (auto& [_, t] : threads) t.get();
  }

  void start(const std::string& app) {
    es::app_context context{app, recorders[app], nullptr, {}};
    if (app == "Orders") apps[app] = std::make_unique<shop::Orders>(context);
    if (app == "Reservations") apps[app] = std::make_unique<shop::Reservations>(context);
    if (app == "Payments") apps[app] = std::make_unique<shop::Payments>(context);
    workers[app] = std::make_unique<worker>(segment, *segment.find_process(app), *apps[app]);
    threads[app] = std::async(std::launch::async, [w = workers[app].get()] { w->run(); });
  }

  void stop(const std::string& app) {
    workers[app]->request_stop();
    threads[app].get();
    threads.erase(app);
    workers.erase(app);
    apps.erase(app);
  }

  bool wait_for(const std::string& app, const std::string& topic, std::size_t n,
                std::chrono::seconds limit = 60s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (count_topic(*recorders[app], topic) >= n) return true;
      std::this_thread::sleep_for(5ms);
    }
    return false;
  }

  std::string system_name;
  shm::segment segment;
  std::map<std::string, std::shared_ptr<es::recorder>> recorders;
  std::map<std::string, std::unique_ptr<es::application>> apps;
  std::map<std::string, std::unique_ptr<worker>> workers;
  std::map<std::string, std::future<void>> threads;
};

std::string unique_name(const char* test) {
  return std::string("wt-") + test + "-" + std::to_string(::getpid());
}

TEST(Worker, PipelinedOrdersAreAllReservedAndPaid) {
  running_shop shop(unique_name("pipelined"));
  auto client = client::attach(shop.system_name);
  constexpr std::size_t orders = 2000;
  std::vector<std::uint64_t> ids;
  for (std::size_t i = 0; i < orders; ++i)
    ids.push_back(client.submit("Orders", "create_order", R"({"customer":"ann","amount":3})"));
  for (auto id : ids) {
    auto answer = client.wait("Orders", id, 30s);
    ASSERT_TRUE(answer.ok) << answer.payload;
  }
  ASSERT_TRUE(shop.wait_for("Orders", "shop.OrderPaid", orders));
  EXPECT_EQ(count_topic(*shop.recorders["Reservations"], "shop.ReservationMade"), orders);
  EXPECT_EQ(count_topic(*shop.recorders["Payments"], "shop.PaymentMade"), orders);
  EXPECT_EQ(shop.segment.process(0).commands_handled.load(), orders);
}

TEST(Worker, BadCommandsGetErrorRepliesNamingTheProblem) {
  running_shop shop(unique_name("bad"));
  auto client = client::attach(shop.system_name);
  auto unknown = client.call("Orders", "cancel_everything", "{}", 10s);
  EXPECT_FALSE(unknown.ok);
  EXPECT_NE(unknown.payload.find("cancel_everything"), std::string::npos);
  auto malformed = client.call("Orders", "create_order", "{oops", 10s);
  EXPECT_FALSE(malformed.ok);
  EXPECT_THROW(client.call("Nowhere", "create_order", "{}", 1s), invalid_input);
  EXPECT_THROW(client::attach("no-such-system-" + std::to_string(::getpid())), invalid_input);
}

TEST(Worker, RestartedFollowerResumesFromItsTrackingPosition) {
  running_shop shop(unique_name("restart"), ring_sizes{1 << 12, 1 << 12, 1 << 16, 4});
  auto client = client::attach(shop.system_name);
  shop.stop("Payments");
  std::vector<std::uint64_t> ids;
  for (int i = 0; i < 300; ++i)
    ids.push_back(client.submit("Orders", "create_order", R"({"amount":1})"));
  for (auto id : ids) {
    auto answer = client.wait("Orders", id, 30s);
    ASSERT_TRUE(answer.ok) << answer.payload;
  }
  ASSERT_TRUE(shop.wait_for("Orders", "shop.OrderReserved", 300));
  shop.segment.reset_channel(1);  // what the supervisor does before a restart
  shop.segment.reset_channel(3);
  shop.start("Payments");
  ASSERT_TRUE(shop.wait_for("Orders", "shop.OrderPaid", 300));
  EXPECT_EQ(count_topic(*shop.recorders["Payments"], "shop.PaymentMade"), 300u);
}

}  // namespace
}  // namespace weft::node
