#pragma once
// Test support for the bad-input tests on a running system: the shop
// (Orders, Reservations, Payments; types from the shop plugin) run by the
// real `weft run` with the process runner in a scratch directory, a client
// attached, the supervisor's stderr kept for assertions, and what was
// recorded read back from the SQLite files alone.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "inspect_weft.hpp"
#include "weft/node/client.hpp"
#include "weft/shm/process_table.hpp"
#include "weft/shm/segment.hpp"
#include "weft/store/sqlite_recorder.hpp"

namespace weft::test {

using namespace std::chrono_literals;

/// TOML bodies of the sections the tests vary; the rest is the shop.
struct shop_config {
  std::string persistence = "kind = \"sqlite\"\ndurability = \"normal\"\n";
  std::string rings;  // empty: the defaults
  std::string supervision = "max_restarts = 10\nbackoff_initial_ms = 50\n";
  std::string data_dir = "data";
};

inline void write_shop(const fs::path& file, const std::string& name, const shop_config& c) {
  std::ofstream out(file);
  out << "name = \"" << name << "\"\ndata_dir = \"" << c.data_dir << "\"\nplugins = [\""
      << WEFT_SHOP_PLUGIN << "\"]\n"
      << "pipes = [\"Orders | Reservations | Orders\", \"Orders | Payments | Orders\"]\n"
      << "[persistence]\n"
      << c.persistence << "[supervision]\n"
      << c.supervision;
  if (!c.rings.empty()) out << "[rings]\n" << c.rings;
  for (const char* app : {"Orders", "Reservations", "Payments"})
    out << "[[applications]]\nname = \"" << app << "\"\ntype = \"shop." << app << "\"\n";
}

class shop_under_run {
 public:
  explicit shop_under_run(const std::string& label, shop_config config = {})
      : dir_(label), config_(std::move(config)) {
    static int runs = 0;  // a system of the same name left running must not be taken for ours
    name_ = label + "-" + std::to_string(::getpid()) + "-" + std::to_string(++runs);
    write_shop(file(), name_, config_);
    start();
  }
  shop_under_run(const shop_under_run&) = delete;
  shop_under_run& operator=(const shop_under_run&) = delete;
  ~shop_under_run() {
    if (process_) stop();
  }

  /// Starts `weft run` (again) and attaches a client; throws if it cannot.
  void start() {
    process_.emplace(std::vector<std::string>{"run", file().string(), "--log-level", "info"});
    const bool attached = eventually(
        [&] {
          try {
            client_.emplace(node::client::attach(name_));
            return true;
          } catch (const std::exception&) {
            return false;
          }
        },
        30s);
    // Thrown, not asserted: the test must not go on without a system.
    if (!attached) throw std::runtime_error("weft run did not start: " + process_->err());
    const bool running = eventually([&] {
      for (const char* app : {"Orders", "Reservations", "Payments"})
        if (process(app).state.load() != shm::process_state::running) return false;
      return true;
    });
    if (!running) throw std::runtime_error("the shop's workers did not start: " + process_->err());
  }

  /// SIGINT; the exit code, nothing if it had to be killed.
  std::optional<int> stop() {
    client_.reset();
    process_->signal(SIGINT);
    auto code = process_->wait_exit(60s);
    last_log_ = process_->err();
    process_.reset();
    return code;
  }

  /// The exit code once `weft run` ends by itself (nothing after `limit`).
  std::optional<int> wait_exit(std::chrono::milliseconds limit) {
    client_.reset();
    auto code = process_->wait_exit(limit);
    last_log_ = process_->err();
    process_.reset();
    return code;
  }

  node::client& client() { return *client_; }
  shm::segment& segment() { return client_->segment(); }
  shm::process_entry& process(const std::string& app) {
    return segment().process(*segment().find_process(app));
  }
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] fs::path file() const { return dir_.path() / "shop.toml"; }
  [[nodiscard]] fs::path data() const { return dir_.path() / config_.data_dir; }
  /// The supervisor's stderr (its log) so far, or of the run that ended.
  [[nodiscard]] std::string log() const { return process_ ? process_->err() : last_log_; }

  /// Creates `n` orders pipelined; every reply must be ok.
  void order(std::size_t n) {
    std::vector<std::uint64_t> ids;
    for (std::size_t i = 0; i < n; ++i)
      ids.push_back(client_->submit("Orders", "create_order", R"({"amount":7})"));
    for (auto id : ids) {
      const auto reply = client_->wait("Orders", id, 60s);
      ASSERT_TRUE(reply.ok) << reply.payload;
    }
  }

  /// How far Orders has got on `leader`'s log (its tracking gauge).
  std::uint64_t orders_tracking(const std::string& leader) {
    auto& orders = process("Orders");
    const auto index = *segment().find_process(leader);
    for (std::uint32_t k = 0; k < orders.upstream_count; ++k)
      if (segment().channel(orders.upstreams[k].channel).leader == index)
        return orders.upstreams[k].tracking.load();
    return 0;
  }

  /// Every one of `n` orders reserved and paid, as Orders' tracking says.
  bool wait_settled(std::uint64_t n, std::chrono::milliseconds limit = 60s) {
    return eventually(
        [&] { return orders_tracking("Reservations") >= n && orders_tracking("Payments") >= n; },
        limit);
  }

 private:
  scratch_dir dir_;
  shop_config config_;
  std::string name_;
  std::optional<weft_process> process_;
  std::optional<node::client> client_;
  std::string last_log_;
};

/// Topic counts per originator in one application's file; ids must be gapless.
inline std::map<uuid, std::map<std::string, int>> read_log(const fs::path& file) {
  store::sqlite_options options;
  options.read_only = true;
  options.exclusive = false;
  auto log = store::make_sqlite_recorder(file, options);
  es::notification_query query;
  query.limit = 10'000'000;
  std::map<uuid, std::map<std::string, int>> out;
  std::uint64_t expected = 1;
  for (const auto& note : log->select_notifications(query)) {
    EXPECT_EQ(note.id, expected++) << file << ": notification ids have a gap";
    ++out[note.event.originator_id][note.event.topic];
  }
  return out;
}

/// Every order created is reserved and paid exactly once, from the files alone.
inline void expect_exactly_once(const fs::path& data, std::size_t orders) {
  const auto order_log = read_log(data / "Orders.sqlite");
  ASSERT_EQ(order_log.size(), orders);
  for (const auto& [id, topics] : order_log)
    for (const char* topic : {"shop.OrderCreated", "shop.OrderReserved", "shop.OrderPaid"})
      ASSERT_EQ(topics.count(topic) ? topics.at(topic) : 0, 1) << id << " " << topic;
  EXPECT_EQ(read_log(data / "Reservations.sqlite").size(), orders);
  EXPECT_EQ(read_log(data / "Payments.sqlite").size(), orders);
}

}  // namespace weft::test
