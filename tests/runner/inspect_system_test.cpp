// The inspection tools against the real shop run by `weft run`: what ps
// reports must be what the SQLite recorders hold, a killed worker must show
// up restarted, and a stopped system must leave `weft ls`.
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include "shop_system_file.hpp"

#include "inspect_weft.hpp"
#include "weft/runner/cli.hpp"
#include "weft/store/sqlite_recorder.hpp"

namespace weft::runner {
namespace {

using test::scratch_dir;
using test::weft;
using test::weft_process;
using json = nlohmann::json;
using namespace std::chrono_literals;

constexpr auto patience = 60s;  // generous: sanitizer builds are slow

void write_shop(const std::filesystem::path& file, const std::string& name) {
  testing::write_shop_system(file, name);
}

std::optional<json> listed(const std::string& name) {
  const auto r = weft({"ls", "--json"});
  if (r.code != exit_ok) return std::nullopt;
  const json systems = json::parse(r.out).at("systems");
  for (const auto& s : systems)
    if (s.at("system") == name) return s;
  return std::nullopt;
}

json ps(const std::string& name) {
  const auto r = weft({"ps", name, "--json"});
  if (r.code != exit_ok) throw std::runtime_error("weft ps: " + r.err);
  return json::parse(r.out);
}

const json& process_named(const json& snapshot, const std::string& app) {
  for (const auto& p : snapshot.at("processes"))
    if (p.at("application") == app) return p;
  throw std::runtime_error("no process " + app);
}

// Every follower has processed all its leaders recorded, and Orders holds `orders_events`.
bool settled(const json& snapshot, std::uint64_t orders_events) {
  if (process_named(snapshot, "Orders").at("notification_position") != orders_events) return false;
  for (const auto& p : snapshot.at("processes")) {
    if (p.at("state") != "running") return false;
    for (const auto& u : p.at("upstreams"))
      if (u.at("lag") != 0) return false;
  }
  return true;
}

json wait_until(const std::string& name, const std::function<bool(const json&)>& done) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  json snapshot = ps(name);
  while (!done(snapshot) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
    snapshot = ps(name);
  }
  return snapshot;
}

void create_orders(const std::string& name, int n) {
  for (int i = 0; i < n; ++i) {
    const auto r =
        weft({"call", name, "Orders", "create_order", R"({"customer":"ann","amount":7})"});
    ASSERT_EQ(r.code, exit_ok) << r.out << r.err;
  }
}

// What ps says each process has recorded and tracked is what its SQLite file holds.
void expect_positions_match_recorders(const json& snapshot, const std::filesystem::path& data) {
  store::sqlite_options read_only;
  read_only.read_only = true;
  read_only.exclusive = false;
  for (const auto& p : snapshot.at("processes")) {
    const std::string app = p.at("application");
    const auto recorder = store::make_sqlite_recorder(data / (app + ".sqlite"), read_only);
    EXPECT_EQ(p.at("notification_position"), recorder->max_notification_id()) << app;
    for (const auto& u : p.at("upstreams")) {
      const std::string leader = u.at("leader");
      EXPECT_EQ(u.at("tracking"), recorder->max_tracking_id(leader)) << app << " on " << leader;
    }
  }
}

TEST(InspectRunningShop, ToolsReportWhatTheRecordersHoldAndRestartsAndStops) {
  scratch_dir dir("inspect-shop");
  const std::string name = "inspect-shop-" + std::to_string(::getpid());
  write_shop(dir.path() / "shop.toml", name);
  weft_process run({"run", (dir.path() / "shop.toml").string(), "--log-level", "warn"});

  const auto deadline = std::chrono::steady_clock::now() + patience;
  std::optional<json> system;
  while (std::chrono::steady_clock::now() < deadline) {
    system = listed(name);
    if (system && system->at("running") == 3) break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_TRUE(system && system->at("running") == 3)
      << weft({"ls", "--json"}).out << run.out() << run.err() << "exit "
      << run.wait_exit(1s).value_or(-1);
  EXPECT_EQ(system->at("processes"), 3);

  // Each order: Orders records created, reserved, paid; the others one event each.
  create_orders(name, 4);
  auto snapshot = wait_until(name, [](const json& s) { return settled(s, 12); });
  ASSERT_TRUE(settled(snapshot, 12)) << snapshot.dump(1);
  EXPECT_EQ(process_named(snapshot, "Reservations").at("notification_position"), 4);
  EXPECT_EQ(process_named(snapshot, "Payments").at("notification_position"), 4);
  expect_positions_match_recorders(snapshot, dir.path() / "data");

  // events finds the data directory from the running system's name.
  const auto events = weft({"events", name, "Orders", "--limit", "3"});
  ASSERT_EQ(events.code, exit_ok) << events.err;
  std::vector<json> lines;
  std::istringstream in(events.out);
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  ASSERT_EQ(lines.size(), 3u) << events.out;
  EXPECT_EQ(lines[0].at("topic"), "shop.OrderCreated");
  EXPECT_EQ(lines[0].at("state").at("customer"), "ann");
  EXPECT_EQ(lines[2].at("id"), 3);

  // A killed worker comes back: restarts >= 1, a new pid, and it catches up.
  const auto& payments = process_named(snapshot, "Payments");
  const int killed = payments.at("pid");
  ASSERT_GT(killed, 0);
  ASSERT_EQ(::kill(killed, SIGKILL), 0);
  snapshot = wait_until(name, [&](const json& s) {
    const auto& p = process_named(s, "Payments");
    return p.at("restarts") >= 1 && p.at("state") == "running" && p.at("pid") != killed;
  });
  EXPECT_GE(process_named(snapshot, "Payments").at("restarts"), 1) << snapshot.dump(1);
  EXPECT_NE(process_named(snapshot, "Payments").at("pid"), killed);
  create_orders(name, 1);
  snapshot = wait_until(name, [](const json& s) { return settled(s, 15); });
  ASSERT_TRUE(settled(snapshot, 15)) << snapshot.dump(1);
  expect_positions_match_recorders(snapshot, dir.path() / "data");

  // Stopped: gone from ls, and ps says it is not running.
  run.signal(SIGINT);
  EXPECT_EQ(run.wait_exit(patience), exit_ok) << run.err();
  EXPECT_FALSE(listed(name).has_value());
  EXPECT_EQ(weft({"ps", name}).code, exit_not_running);
}

}  // namespace
}  // namespace weft::runner
