// The chaos harness's parts on their own: `weft run` restarted after its
// supervisor was SIGKILLed (it used to crash on the stale segment), and the
// audit, which must find what is wrong in recorders written by hand.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "audit.hpp"
#include "chaos_system.hpp"
#include "shop/domain.hpp"
#include "weft/runner/hosting.hpp"
#include "weft/runner/system_file.hpp"
#include "weft/shm/segment.hpp"
#include "weft/store/sqlite_recorder.hpp"
#include "weft_run.hpp"

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

struct temp_dir {
  fs::path path;
  temp_dir() {
    path = fs::temp_directory_path() /
           ("weft-chaos-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~temp_dir() { fs::remove_all(path); }
  static inline int counter = 0;
};

// Several test runs may share the machine: a system name of this process.
std::string unique_name() {
  return "chaos-test-" + std::to_string(::getpid());
}

// True once a segment created by `pid` for the system is ready; false if
// `run` exited first or nothing appeared within the time limit.
bool segment_appears(chaos::weft_run& run, const std::string& system) {
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (run.running() && std::chrono::steady_clock::now() < deadline) {
    for (const auto& found : weft::shm::list_systems())
      if (found.creator_pid == run.pid() && found.problem.empty() && found.system_name == system)
        return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

TEST(WeftRunAfterSupervisorKill, StartsAgainOnTheSameData) {
  temp_dir dir;
  chaos::become_subreaper();  // the killed supervisor's workers are reaped here
  const auto system = chaos::shop_system(WEFT_SHOP_PLUGIN, unique_name());
  const auto file = system.write_system_file(dir.path);
  chaos::weft_run run(WEFT_EXECUTABLE, file, dir.path / "data", dir.path / "supervisor.log");
  run.start();
  ASSERT_TRUE(segment_appears(run, system.name)) << run.how_it_ended() << "\n" << run.log_tail();
  run.signal(SIGKILL);  // leaves its segment behind: a stale one
  ASSERT_TRUE(run.wait(30s));

  run.start();
  ASSERT_TRUE(segment_appears(run, system.name))
      << "the second weft run " << run.how_it_ended() << "\n"
      << run.log_tail();
  run.signal(SIGINT);
  ASSERT_TRUE(run.wait(60s));
  EXPECT_EQ(run.how_it_ended(), "exit 0") << run.log_tail();
}

// Writes the shop's recorders as a system would, with `reserved` OrderReserved
// events for the one order and Payments' tracking of Orders at `payments_at`.
struct shop_recorders {
  fs::path data;
  weft::runner::system_spec spec;
  chaos::chaos_system system = chaos::shop_system(WEFT_SHOP_PLUGIN, unique_name());

  shop_recorders(const fs::path& dir, int reserved, std::uint64_t payments_at) {
    spec = weft::runner::load_system_file(system.write_system_file(dir));
    data = spec.data_dir;
    fs::create_directories(data);
    const auto order = weft::uuid::random();
    const auto reservation = shop::reservation_id_of(order);
    const auto payment = shop::payment_id_of(order);
    using weft::es::to_stored;
    auto orders = open("Orders");
    orders->insert_events(std::vector{to_stored(shop::OrderCreated{order, "c0", 5}, order, 1)});
    std::vector<weft::es::stored_event> reserved_events;
    for (int r = 0; r < reserved; ++r)
      reserved_events.push_back(to_stored(shop::OrderReserved{reservation, 5}, order, r + 2));
    const std::vector<weft::es::tracking> after_reservation{{"Reservations", 1}};
    orders->insert_events(reserved_events, after_reservation);
    const std::vector<weft::es::tracking> after_payment{{"Payments", 1}};
    orders->insert_events(std::vector{to_stored(shop::OrderPaid{payment}, order, reserved + 2)},
                          after_payment);
    const std::vector<weft::es::tracking> after_created{{"Orders", 1}};
    open("Reservations")
        ->insert_events(
            std::vector{to_stored(shop::ReservationMade{reservation, order}, reservation, 1)},
            after_created);
    const std::vector<weft::es::tracking> payments_tracking{{"Orders", payments_at}};
    open("Payments")
        ->insert_events(std::vector{to_stored(shop::PaymentMade{payment, order, 5}, payment, 1)},
                        payments_tracking);
  }

  std::unique_ptr<weft::es::recorder> open(const std::string& app) {
    weft::store::sqlite_options options;
    options.exclusive = false;
    return weft::store::make_sqlite_recorder(weft::runner::events_file(data, app), options);
  }

  chaos::audit_result audit() {
    return chaos::audit_recorders(spec, data, system, {chaos::fate::acknowledged});
  }
};

bool mentions(const chaos::audit_result& result, const std::string& text) {
  const auto& all = result.violations.examples();
  return std::any_of(all.begin(), all.end(),
                     [&](const std::string& v) { return v.find(text) != std::string::npos; });
}

TEST(ChaosAudit, PassesRecordersThatAreRight) {
  temp_dir dir;
  shop_recorders shop(dir.path, 1, 2);  // Payments tracked OrderReserved (id 2)
  const auto result = shop.audit();
  EXPECT_EQ(result.violations.count(), 0u) << result.violations.examples().front();
  EXPECT_EQ(result.facts.at("orders"), 1u);
  EXPECT_EQ(result.events_per_app.at("Orders"), 3u);
}

TEST(ChaosAudit, FindsAnOrderReservedTwice) {
  temp_dir dir;
  shop_recorders shop(dir.path, 2, 3);
  const auto result = shop.audit();
  EXPECT_TRUE(mentions(result, "reserved 2 times"));
}

TEST(ChaosAudit, FindsAFollowerThatDidNotDrain) {
  temp_dir dir;
  shop_recorders shop(dir.path, 1, 1);  // Payments never saw OrderReserved (id 2)
  const auto result = shop.audit();
  EXPECT_TRUE(mentions(result, "Payments tracks Orders at 1"));
}

}  // namespace
