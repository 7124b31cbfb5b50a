// `weft demo`: the shop (Orders | Reservations | Orders, Orders | Payments |
// Orders) as three worker processes on SQLite files. It submits N orders
// through a pipelined client, shows progress, stops the system, then checks
// from the recorders alone that every order was reserved and paid exactly
// once and that notification ids are gapless. Run again, it resumes on the
// same data and checks every order ever made.
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "weft/core/clock.hpp"
#include "weft/core/log.hpp"
#include "weft/node/client.hpp"
#include "weft/runner/cli.hpp"
#include "weft/runner/commands.hpp"
#include "weft/runner/hosting.hpp"
#include "weft/runner/process_runner.hpp"
#include "weft/runner/system_file.hpp"
#include "weft/shm/process_table.hpp"
#include "weft/store/sqlite_recorder.hpp"

namespace weft::runner {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr const char* demo_system = R"(# Written by `weft demo`: the shop example.
name = "weft-demo"
data_dir = "."
plugins = ["@SHOP_PLUGIN@"]
pipes = [["Orders", "Reservations", "Orders"], ["Orders", "Payments", "Orders"]]

[persistence]
kind = "sqlite"
durability = "full"

[batching]
group_commit = 256

[[applications]]
name = "Orders"
type = "shop.Orders"

[[applications]]
name = "Reservations"
type = "shop.Reservations"

[[applications]]
name = "Payments"
type = "shop.Payments"
)";

std::unique_ptr<es::recorder> open_read_only(const fs::path& file) {
  store::sqlite_options options;
  options.read_only = true;
  options.exclusive = false;
  return store::make_sqlite_recorder(file, options);
}

/// What the recorders say, and whether it is what exactly-once means.
struct audit {
  std::size_t orders = 0;
  std::size_t reservations = 0;
  std::size_t payments = 0;
  std::vector<std::string> violations;
};

// Counts topics per originator over the whole log; notes gaps in the ids.
std::map<uuid, std::map<std::string, int>> scan(es::recorder& log, const std::string& app,
                                                std::vector<std::string>& violations) {
  std::map<uuid, std::map<std::string, int>> seen;
  es::notification_query query;
  query.limit = 10000;
  std::uint64_t expected = 1;
  for (;;) {
    query.start = expected;
    const auto page = log.select_notifications(query);
    if (page.empty()) break;
    for (const auto& note : page) {
      if (note.id != expected)
        violations.push_back(
            fmt::format("{}: notification id {} follows {}", app, note.id, expected - 1));
      expected = note.id + 1;
      ++seen[note.event.originator_id][note.event.topic];
    }
  }
  return seen;
}

audit check(const fs::path& data_dir) {
  audit result;
  auto orders = scan(*open_read_only(events_file(data_dir, "Orders")), "Orders", result.violations);
  auto reservations = scan(*open_read_only(events_file(data_dir, "Reservations")), "Reservations",
                           result.violations);
  auto payments =
      scan(*open_read_only(events_file(data_dir, "Payments")), "Payments", result.violations);
  for (const auto& [order, topics] : orders) {
    ++result.orders;
    for (const char* topic : {"shop.OrderCreated", "shop.OrderReserved", "shop.OrderPaid"}) {
      const auto found = topics.find(topic);
      const int count = found == topics.end() ? 0 : found->second;
      if (count != 1 && result.violations.size() < 20)
        result.violations.push_back(fmt::format("order {}: {} x {}", order.str(), count, topic));
    }
  }
  for (const auto& [_, topics] : reservations)
    result.reservations +=
        topics.count("shop.ReservationMade") ? topics.at("shop.ReservationMade") : 0;
  for (const auto& [_, topics] : payments)
    result.payments += topics.count("shop.PaymentMade") ? topics.at("shop.PaymentMade") : 0;
  if (result.reservations != result.orders)
    result.violations.push_back(
        fmt::format("{} reservations for {} orders", result.reservations, result.orders));
  if (result.payments != result.orders)
    result.violations.push_back(
        fmt::format("{} payments for {} orders", result.payments, result.orders));
  return result;
}

std::uint64_t recorded_in(const fs::path& file) {
  if (!fs::exists(file)) return 0;
  return open_read_only(file)->max_notification_id();
}

// Payments records one PaymentMade per order; Orders tracking it is "paid".
std::uint64_t payments_tracked_by_orders(shm::segment& segment) {
  const auto orders = segment.find_process("Orders");
  const auto payments = segment.find_process("Payments");
  if (!orders || !payments) return 0;
  const auto& entry = segment.process(*orders);
  for (std::uint32_t k = 0; k < entry.upstream_count && k < shm::max_upstreams; ++k)
    if (segment.channel(entry.upstreams[k].channel).leader == *payments)
      return entry.upstreams[k].tracking.load(std::memory_order_relaxed);
  return 0;
}

// The shop plugin: beside an installed weft (<prefix>/lib/weft/plugins), else
// where the build tree that built this weft put it.
fs::path shop_plugin() {
  std::error_code ignored;
  const fs::path installed =
      fs::read_symlink("/proc/self/exe", ignored).parent_path() / WEFT_SHOP_PLUGIN_INSTALLED;
  if (fs::exists(installed, ignored)) return installed.lexically_normal();
  if (fs::exists(WEFT_SHOP_PLUGIN_PATH, ignored)) return WEFT_SHOP_PLUGIN_PATH;
  throw unavailable_error(fmt::format("weft demo: the shop plugin is neither at {} nor at {}",
                                      installed.lexically_normal().string(),
                                      WEFT_SHOP_PLUGIN_PATH));
}

}  // namespace

int demo_command(const demo_options& options, std::ostream& out) {
  const fs::path data_dir = fs::absolute(options.data_dir);
  prepare_data_dir(data_dir);
  const fs::path system_file = data_dir / "shop.toml";
  std::string text = demo_system;
  text.replace(text.find("@SHOP_PLUGIN@"), 13, shop_plugin().string());
  std::ofstream(system_file) << text;
  log::set_level(log::parse_level(options.log_level));

  const std::uint64_t paid_before = recorded_in(events_file(data_dir, "Payments"));
  run_plan plan;
  plan.data_dir = data_dir;
  plan.log_level = options.log_level;
  plan.status_line = false;
  process_runner runner(load_system_file(system_file), plan);
  supervision_outcome outcome;
  std::thread supervisor_thread([&] { outcome = runner.run(); });

  out << fmt::format("weft demo: the shop as 3 processes on SQLite (durability full) in {}\n",
                     data_dir.string());
  out << fmt::format("submitting {} orders through a pipelined client...\n", options.orders);
  const auto started = std::chrono::steady_clock::now();
  // Lost: taken by an Orders worker that was killed before it answered (its
  // successor says so); such an order may or may not have been recorded.
  std::size_t confirmed = 0, refused = 0, lost = 0;
  std::uint64_t paid = 0;
  std::string failure;
  try {
    auto client = node::client::attach("weft-demo");
    constexpr std::uint64_t window = 4096;  // commands in flight
    std::uint64_t submitted = 0;
    auto last_print = started;
    const auto show = [&] {
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      out << fmt::format("\r  submitted {:>8}  confirmed {:>8}  paid {:>8}  ({:.0f} orders/s)   ",
                         submitted, confirmed, paid, paid / std::max(seconds, 1e-9))
          << std::flush;
    };
    // Until every order has its reply and as many are paid as were confirmed
    // (with none lost, all of them). Stopping drains whatever is left.
    while (submitted < options.orders || confirmed + refused + lost < submitted ||
           paid < confirmed) {
      while (submitted < options.orders && submitted - confirmed - refused - lost < window) {
        client.submit(
            "Orders", "create_order",
            fmt::format(R"({{"customer":"demo-{}","amount":{}}})", submitted, 1 + submitted % 100));
        ++submitted;
      }
      for (const auto& reply : client.take_replies("Orders", 1ms))
        (reply.ok ? confirmed : reply.lost ? lost : refused)++;
      const auto tracked = payments_tracked_by_orders(client.segment());
      paid = tracked > paid_before ? tracked - paid_before : 0;
      if (std::chrono::steady_clock::now() - last_print > 250ms) {
        show();
        last_print = std::chrono::steady_clock::now();
      }
      if (!supervisor_thread.joinable()) break;
      if (refused > 0) {
        failure = fmt::format("{} orders were refused", refused);
        break;
      }
    }
    show();
    out << "\n";
  } catch (const std::exception& e) {
    failure = e.what();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  runner.request_stop();
  supervisor_thread.join();
  if (outcome.how == supervision_outcome::kind::gave_up) failure = outcome.message;
  if (!failure.empty()) {
    out << "weft demo failed: " << failure << "\n";
    return exit_failure;
  }

  out << fmt::format(
      "{} orders reserved and paid in {:.2f} s: {:.0f} orders/s, {:.0f} events/s end to end\n",
      paid, seconds, paid / seconds, paid * 5 / seconds);
  if (lost > 0)
    out << fmt::format(
        "{} orders were taken by an Orders worker that was killed before it answered: each may "
        "or may not have been recorded, and the check below counts those that were\n",
        lost);
  const audit result = check(data_dir);
  if (!result.violations.empty()) {
    out << "VIOLATIONS:\n";
    for (const auto& v : result.violations) out << "  " << v << "\n";
    return exit_failure;
  }
  out << fmt::format(
      "verified from the recorders: all {} orders ever made were reserved and paid exactly once "
      "({} reservations, {} payments), notification ids gapless\n",
      result.orders, result.reservations, result.payments);
  return exit_ok;
}

}  // namespace weft::runner
