// The node's work without threads or processes: the shop's three
// applications hosted by app_hosts and wired by real rings in heap memory.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "host_mesh.hpp"
#include "shop/applications.hpp"
#include "shop/shop.hpp"
#include "weft/es/application_registry.hpp"
#include "weft/node/recent_notifications.hpp"
#include "weft/store/memory_recorder.hpp"

namespace weft::node {
namespace {

using testing::collected_replies;
using testing::mesh;

// Counts the reads of notifications that reach the real recorder.
class counting_recorder final : public es::recorder {
 public:
  explicit counting_recorder(std::shared_ptr<es::recorder> inner) : inner_(std::move(inner)) {}
  std::vector<std::uint64_t> insert_events(std::span<const es::stored_event> events,
                                           std::span<const es::tracking> tracked) override {
    return inner_->insert_events(events, tracked);
  }
  std::vector<es::stored_event> select_events(const uuid& id,
                                              const es::event_query& query) override {
    return inner_->select_events(id, query);
  }
  std::vector<es::notification> select_notifications(const es::notification_query& query) override {
    ++notification_reads;
    return inner_->select_notifications(query);
  }
  std::uint64_t max_notification_id() override { return inner_->max_notification_id(); }
  std::uint64_t max_tracking_id(std::string_view upstream) override {
    return inner_->max_tracking_id(upstream);
  }
  bool has_tracking_id(std::string_view upstream, std::uint64_t id) override {
    return inner_->has_tracking_id(upstream, id);
  }
  std::size_t notification_reads = 0;

 private:
  std::shared_ptr<es::recorder> inner_;
};

struct shop_system {
  /// `window_bytes` > 0: each application records through a
  /// recent_notifications window of that size, as hosted applications do.
  explicit shop_system(std::size_t ring_bytes, std::size_t window = 0)
      : wires(ring_bytes), window_bytes(window) {
    for (auto name : {"Reservations", "Payments"}) {
      wires.connect("Orders", name);
      wires.connect(name, "Orders");
    }
    for (auto name : {"Orders", "Reservations", "Payments"}) {
      recorders[name] = std::shared_ptr<es::recorder>(store::make_memory_recorder());
      counted[name] = std::make_shared<counting_recorder>(recorders[name]);
    }
    for (auto name : {"Orders", "Reservations", "Payments"}) start(name);
  }

  void start(const std::string& name) {
    // A restarted application gets a fresh window, as a restarted process would.
    std::shared_ptr<es::recorder> events = counted[name];
    if (window_bytes > 0)
      events = windows[name] = std::make_shared<recent_notifications>(counted[name], window_bytes);
    es::app_context context{name, events, nullptr, {}};
    if (name == "Orders") apps[name] = std::make_unique<shop::Orders>(context);
    if (name == "Reservations") apps[name] = std::make_unique<shop::Reservations>(context);
    if (name == "Payments") apps[name] = std::make_unique<shop::Payments>(context);
    auto [down, up] = wires.ends_of(name);
    hosts[name] = std::make_unique<app_host>(*apps[name], std::move(down), std::move(up), &replies,
                                             host_config{});
    hosts[name]->start(clock::mono_nanos());
  }

  void stop(const std::string& name) {
    hosts.erase(name);
    apps.erase(name);
  }

  std::map<std::string, app_host*> live() {
    std::map<std::string, app_host*> out;
    for (auto& [name, host] : hosts) out[name] = host.get();
    return out;
  }

  void order(std::uint64_t correlation, std::size_t count) {
    std::vector<command_request> batch;
    for (std::size_t i = 0; i < count; ++i)
      batch.push_back({0, correlation + i, "create_order", R"({"customer":"ann","amount":5})"});
    hosts.at("Orders")->on_commands(batch, clock::mono_nanos());
  }

  std::size_t events_of(const std::string& name, const std::string& topic) {
    es::notification_query query;
    query.limit = 1'000'000;
    query.topics = {topic};
    return recorders[name]->select_notifications(query).size();
  }

  std::size_t notification_reads() {
    std::size_t total = 0;
    for (auto& [_, c] : counted) total += c->notification_reads;
    return total;
  }

  mesh wires;
  collected_replies replies;
  std::map<std::string, std::shared_ptr<es::recorder>> recorders;
  std::map<std::string, std::shared_ptr<counting_recorder>> counted;
  std::size_t window_bytes;
  std::map<std::string, std::shared_ptr<recent_notifications>> windows;
  std::map<std::string, std::unique_ptr<es::application>> apps;
  std::map<std::string, std::unique_ptr<app_host>> hosts;
};

TEST(AppHost, ShopOrdersEndReservedAndPaidOverRings) {
  shop_system shop(1 << 16);
  shop.order(1, 100);
  shop.wires.pump(shop.live());
  ASSERT_EQ(shop.replies.answers.size(), 100u);
  for (auto& [id, answer] : shop.replies.answers) ASSERT_TRUE(answer.first) << answer.second;
  EXPECT_EQ(shop.events_of("Reservations", "shop.ReservationMade"), 100u);
  EXPECT_EQ(shop.events_of("Payments", "shop.PaymentMade"), 100u);
  EXPECT_EQ(shop.events_of("Orders", "shop.OrderPaid"), 100u);
}

TEST(AppHost, TinyRingsApplyBackPressureWithoutLoss) {
  shop_system shop(1 << 10);  // a few notifications per section, rings full all the time
  for (int round = 0; round < 10; ++round) shop.order(1 + round * 50, 50);
  shop.wires.pump(shop.live());
  EXPECT_EQ(shop.events_of("Reservations", "shop.ReservationMade"), 500u);
  EXPECT_EQ(shop.events_of("Orders", "shop.OrderPaid"), 500u);
}

TEST(AppHost, RestartedFollowerCatchesUpWithoutDuplicates) {
  shop_system shop(1 << 12);
  shop.order(1, 200);
  shop.stop("Payments");
  shop.wires.pump(shop.live());
  EXPECT_EQ(shop.events_of("Orders", "shop.OrderReserved"), 200u);
  EXPECT_EQ(shop.events_of("Payments", "shop.PaymentMade"), 0u);
  shop.start("Payments");  // pulls from its tracking position + 1
  shop.wires.pump(shop.live());
  EXPECT_EQ(shop.events_of("Payments", "shop.PaymentMade"), 200u);
  EXPECT_EQ(shop.events_of("Orders", "shop.OrderPaid"), 200u);
}

TEST(AppHost, RestartedLeaderPromptsAndServesPulls) {
  shop_system shop(1 << 12);
  shop.order(1, 50);
  shop.wires.pump(shop.live());
  shop.stop("Orders");
  shop.start("Orders");
  shop.order(100, 50);
  shop.wires.pump(shop.live());
  EXPECT_EQ(shop.events_of("Reservations", "shop.ReservationMade"), 100u);
  EXPECT_EQ(shop.events_of("Orders", "shop.OrderPaid"), 100u);
}

TEST(AppHost, BadCommandGetsErrorReplyAndOthersInTheBatchAreRecorded) {
  shop_system shop(1 << 16);
  std::vector<command_request> batch = {
      {0, 1, "create_order", R"({"amount":5})"},
      {0, 2, "no_such_command", "{}"},
      {0, 3, "create_order", R"({"amount":"five"})"},
      {0, 4, "create_order", "{not json"},
  };
  shop.hosts.at("Orders")->on_commands(batch, clock::mono_nanos());
  shop.wires.pump(shop.live());
  EXPECT_TRUE(shop.replies.answers.at(1).first);
  EXPECT_FALSE(shop.replies.answers.at(2).first);
  EXPECT_NE(shop.replies.answers.at(2).second.find("no_such_command"), std::string::npos);
  EXPECT_FALSE(shop.replies.answers.at(3).first);
  EXPECT_NE(shop.replies.answers.at(3).second.find("amount"), std::string::npos);
  EXPECT_FALSE(shop.replies.answers.at(4).first);
  EXPECT_EQ(shop.events_of("Orders", "shop.OrderCreated"), 1u);
  EXPECT_EQ(shop.events_of("Payments", "shop.PaymentMade"), 1u);
}

TEST(AppHost, LeadersPushWhatTheyJustRecordedWithoutReadingItBack) {
  shop_system shop(1 << 16, recent_notifications::default_max_bytes);
  for (int round = 0; round < 4; ++round) {
    shop.order(1 + round * 50, 50);
    shop.wires.pump(shop.live());
  }
  EXPECT_EQ(shop.events_of("Payments", "shop.PaymentMade"), 200u);
  EXPECT_EQ(shop.events_of("Orders", "shop.OrderPaid"), 200u);
  EXPECT_EQ(shop.notification_reads(), 0u) << "every section came from a window";
}

TEST(AppHost, FollowersBehindTheWindowAreServedFromTheRecorder) {
  // A window of a few hundred bytes and rings that fill up: most sections
  // are read back, some come from the window, none is lost or duplicated.
  shop_system shop(1 << 10, 512);
  for (int round = 0; round < 10; ++round) shop.order(1 + round * 50, 50);
  shop.wires.pump(shop.live());
  EXPECT_EQ(shop.events_of("Reservations", "shop.ReservationMade"), 500u);
  EXPECT_EQ(shop.events_of("Orders", "shop.OrderPaid"), 500u);
  EXPECT_GT(shop.notification_reads(), 0u);
}

TEST(AppHost, RestartedFollowerCatchesUpWithWindows) {
  shop_system shop(1 << 12, recent_notifications::default_max_bytes);
  shop.order(1, 200);
  shop.stop("Payments");
  shop.wires.pump(shop.live());
  shop.start("Payments");  // pulls from its tracking position + 1
  shop.wires.pump(shop.live());
  EXPECT_EQ(shop.events_of("Payments", "shop.PaymentMade"), 200u);
  EXPECT_EQ(shop.events_of("Orders", "shop.OrderPaid"), 200u);
}

// A recycling poller leaves spare notifications behind a section's (see
// section_pool::finish): the host processes and tracks [first, last] only.
TEST(AppHost, NotificationsAfterASectionsLastIdAreNotProcessed) {
  shop_system shop(1 << 16);
  shop.order(1, 10);  // ids 1..10 in Orders' log; nothing pumped yet
  es::notification_query all;
  const auto notes = shop.recorders["Orders"]->select_notifications(all);
  ASSERT_EQ(notes.size(), 10u);
  auto& reservations = *shop.hosts.at("Reservations");
  reservations.on_section(0, 1, 4, notes, clock::mono_nanos());
  EXPECT_EQ(reservations.cursor(0).tracked(), 4u);
  EXPECT_EQ(shop.events_of("Reservations", "shop.ReservationMade"), 4u);
}

// A leader sizes each section from its window before claiming room: the
// longest run of notifications that fits a quarter of the ring, never more;
// a ring that is full leaves the rest to later turns. The follower gets every
// notification once, in order.
TEST(AppHost, SectionsFromTheWindowAreTheLongestRunsThatFitAQuarterRing) {
  testing::heap_ring ring(1 << 12);
  shm::spsc_producer producer(ring.region, nullptr, "down");
  shm::spsc_consumer reader(ring.region, "down");
  const std::size_t limit = producer.max_payload() / 4;
  auto window = std::make_shared<recent_notifications>(
      std::shared_ptr<es::recorder>(store::make_memory_recorder()));
  shop::Orders orders(es::app_context{"Orders", window, nullptr, {}});
  std::vector<downstream_end> down;
  down.push_back({"Reader", std::move(producer)});
  collected_replies replies;
  app_host host(orders, std::move(down), {}, &replies, host_config{});
  host.start(clock::mono_nanos());

  constexpr std::uint64_t orders_made = 300;
  std::vector<command_request> batch;
  for (std::uint64_t i = 0; i < orders_made; ++i)
    batch.push_back({0, i + 1, "create_order",
                     R"({"customer":")" + std::string(1 + i % 37, 'c') + R"(","amount":5})"});
  host.on_commands(batch, clock::mono_nanos());

  std::uint64_t next = 1;
  std::size_t sections = 0;
  for (int round = 0; round < 1000 && next <= orders_made; ++round) {
    reader.drain(
        [&](const shm::record_view& record) {
          auto read = read_from_leader(0, record);
          ASSERT_TRUE(read.ok()) << read.error().message;
          const auto* section = std::get_if<shm::protocol::section_view>(&*read);
          if (section == nullptr) return;  // the prompt of start()
          ++sections;
          ASSERT_EQ(section->first_id(), next) << "a gap or a repeat";
          next = section->last_id() + 1;
          EXPECT_LE(record.payload.size(), limit);
          if (next > orders_made) return;
          ASSERT_TRUE(window->holds(next));
          EXPECT_GT(record.payload.size() + shm::protocol::item_prefix_size +
                        window->encoded(next).size(),
                    limit)
              << "section " << section->first_id() << ".." << section->last_id()
              << " had room for the next notification";
        },
        64);
    host.tick(clock::mono_nanos());
  }
  EXPECT_EQ(next, orders_made + 1);
  EXPECT_GT(sections, 8u) << "a ring of 4 KiB holds a few sections at a time";
}

}  // namespace
}  // namespace weft::node
