// The shop example end to end: Orders | Reservations | Orders and
// Orders | Payments | Orders on memory recorders and on SQLite files,
// including runners stopped midway and restarted on the same recorders.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "memory_recorders.hpp"
#include "shop/applications.hpp"
#include "shop/shop.hpp"
#include "weft/es/single_threaded_runner.hpp"
#include "weft/store/sqlite_recorder.hpp"

namespace weft::es {
namespace {

using testing::memory_recorders;

/// Forwards to a real recorder but fails from the n-th insert on, as a full
/// disk would: the way to stop a runner in the middle of its work.
class failing_recorder final : public recorder {
 public:
  failing_recorder(std::shared_ptr<recorder> inner, int fail_at)
      : inner_(std::move(inner)), fail_at_(fail_at) {}
  std::vector<std::uint64_t> insert_events(std::span<const stored_event> events,
                                           std::span<const tracking> tracked) override {
    if (++inserts_ >= fail_at_) throw storage_error("disk full (injected)");
    return inner_->insert_events(events, tracked);
  }
  std::vector<stored_event> select_events(const uuid& id, const event_query& query) override {
    return inner_->select_events(id, query);
  }
  std::vector<notification> select_notifications(const notification_query& query) override {
    return inner_->select_notifications(query);
  }
  std::uint64_t max_notification_id() override { return inner_->max_notification_id(); }
  std::uint64_t max_tracking_id(std::string_view upstream) override {
    return inner_->max_tracking_id(upstream);
  }
  bool has_tracking_id(std::string_view upstream, std::uint64_t id) override {
    return inner_->has_tracking_id(upstream, id);
  }

 private:
  std::shared_ptr<recorder> inner_;
  int fail_at_;
  int inserts_ = 0;
};

const application_registry& shop_registry() {
  static application_registry registry;
  static const bool registered = (shop::register_types(registry), true);
  (void)registered;
  return registry;
}

std::vector<notification> everything(recorder& source) {
  notification_query all;
  all.limit = 1'000'000;
  return source.select_notifications(all);
}

/// Every order reserved and paid exactly once: one reservation and one payment per order.
void expect_all_done(const std::vector<uuid>& ids, shop::Orders& orders, recorder& reservations,
                     recorder& payments) {
  for (const auto& id : ids) {
    const auto order = orders.order(id);
    EXPECT_TRUE(order.reserved()) << id;
    EXPECT_TRUE(order.paid()) << id;
    EXPECT_EQ(order.version(), 3u) << id;
  }
  const auto made = everything(reservations);
  const auto paid = everything(payments);
  EXPECT_EQ(made.size(), ids.size());
  EXPECT_EQ(paid.size(), ids.size());
  std::set<uuid> reserved_ids, paid_ids;
  for (const auto& n : made) reserved_ids.insert(n.event.originator_id);
  for (const auto& n : paid) paid_ids.insert(n.event.originator_id);
  EXPECT_EQ(reserved_ids.size(), ids.size());
  EXPECT_EQ(paid_ids.size(), ids.size());
}

TEST(Shop, EveryOrderEndsReservedAndPaid) {
  memory_recorders recorders;
  single_threaded_runner runner(shop::make_system(), recorders.factory(), shop_registry());
  runner.start();
  auto& orders = runner.get<shop::Orders>("Orders");
  std::vector<uuid> ids;
  for (int i = 0; i < 50; ++i) ids.push_back(orders.create_order("customer", 10 + i));
  expect_all_done(ids, orders, *recorders["Reservations"], *recorders["Payments"]);
  EXPECT_EQ(recorders["Orders"]->max_notification_id(), 150u);
}

TEST(Shop, OrdersAreCreatedByCommand) {
  memory_recorders recorders;
  single_threaded_runner runner(shop::make_system(), recorders.factory(), shop_registry());
  runner.start();
  auto& orders = runner.app("Orders");
  const auto created = orders.handle_command("create_order", R"({"customer":"ann","amount":5})");
  ASSERT_TRUE(created.ok) << created.error;
  const auto shown = orders.handle_command(
      "get_order", nlohmann::json{{"id", created.result.get<std::string>()}}.dump());
  ASSERT_TRUE(shown.ok) << shown.error;
  EXPECT_EQ(shown.result["paid"], true);
  EXPECT_EQ(shown.result["customer"], "ann");
  const auto refused = orders.handle_command("create_order", R"({"amount":-5})");
  EXPECT_FALSE(refused.ok);
  EXPECT_NE(refused.error.find("'amount'"), std::string::npos) << refused.error;
}

TEST(Shop, ARunnerStoppedMidwayIsFinishedByTheNextWithoutDuplicates) {
  memory_recorders recorders;
  std::vector<uuid> ids;
  {
    // Payments' disk fills up at its 6th transaction: orders 1..5 are paid,
    // the 6th is reserved but not paid, and the error reaches the caller.
    auto factory = [&](const std::string& name) -> std::shared_ptr<recorder> {
      if (name == "Payments") return std::make_shared<failing_recorder>(recorders[name], 6);
      return recorders[name];
    };
    single_threaded_runner runner(shop::make_system(), factory, shop_registry());
    runner.start();
    auto& orders = runner.get<shop::Orders>("Orders");
    for (int i = 0; i < 5; ++i) ids.push_back(orders.create_order("early", 1));
    EXPECT_THROW(ids.push_back(orders.create_order("unlucky", 1)), storage_error);
    ids.push_back(
        recorders["Orders"]->select_notifications({16, 1, {}, {}}).front().event.originator_id);
    runner.stop();
  }
  {
    // Orders alone takes more orders while the others are down.
    system_definition alone{{"Orders"}};
    alone.use_type("Orders", "shop.Orders");
    single_threaded_runner runner(alone, recorders.factory(), shop_registry());
    runner.start();
    for (int i = 0; i < 4; ++i)
      ids.push_back(runner.get<shop::Orders>("Orders").create_order("late", 1));
  }
  EXPECT_EQ(everything(*recorders["Payments"]).size(), 5u);
  single_threaded_runner runner(shop::make_system(), recorders.factory(), shop_registry());
  runner.start();  // catches up
  expect_all_done(ids, runner.get<shop::Orders>("Orders"), *recorders["Reservations"],
                  *recorders["Payments"]);
}

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() / ("weft-shop-test-" + uuid::random().str());
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TEST(Shop, OnSqliteFilesARestartedRunnerFinishesWithoutDuplicates) {
  TempDir dir;
  auto sqlite = [&](const std::string& name) -> std::shared_ptr<recorder> {
    return store::make_sqlite_recorder(dir.path() / (name + ".db"), store::durability::normal);
  };
  std::vector<uuid> ids;
  {
    auto failing = [&](const std::string& name) -> std::shared_ptr<recorder> {
      if (name == "Payments") return std::make_shared<failing_recorder>(sqlite(name), 4);
      return sqlite(name);
    };
    single_threaded_runner runner(shop::make_system(), failing, shop_registry());
    runner.start();
    auto& orders = runner.get<shop::Orders>("Orders");
    for (int i = 0; i < 3; ++i) ids.push_back(orders.create_order("early", 1));
    EXPECT_THROW(ids.push_back(orders.create_order("unlucky", 1)), storage_error);
    ids.push_back(
        orders.events().select_notifications({10, 1, {}, {}}).front().event.originator_id);
  }  // every database file is closed here
  {
    single_threaded_runner runner(shop::make_system(), sqlite, shop_registry());
    runner.start();
    auto& orders = runner.get<shop::Orders>("Orders");
    for (int i = 0; i < 3; ++i) ids.push_back(orders.create_order("restarted", 1));
  }
  auto reservations = sqlite("Reservations");
  auto payments = sqlite("Payments");
  auto orders_recorder = sqlite("Orders");
  shop::Orders orders({"Orders", orders_recorder, nullptr, {}});
  expect_all_done(ids, orders, *reservations, *payments);
}

TEST(Shop, ThePluginRegistersTheShopTypes) {
  void* plugin = dlopen(WEFT_SHOP_PLUGIN, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(plugin, nullptr) << dlerror();
  auto entry = reinterpret_cast<plugin_register_function>(dlsym(plugin, plugin_entry_point));
  ASSERT_NE(entry, nullptr) << dlerror();
  application_registry registry;
  entry(registry);
  EXPECT_EQ(registry.names(),
            (std::vector<std::string>{"shop.Orders", "shop.Payments", "shop.Reservations"}));
  EXPECT_TRUE(registry.at("shop.Reservations").is_process);
  memory_recorders recorders;
  {
    single_threaded_runner runner(shop::make_system(), recorders.factory(), registry);
    runner.start();
    const auto id = runner.get<shop::Orders>("Orders").create_order("plugged", 2);
    EXPECT_TRUE(runner.get<shop::Orders>("Orders").order(id).paid());
  }
  dlclose(plugin);
}

}  // namespace
}  // namespace weft::es
