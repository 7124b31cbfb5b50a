// `weft run` with real processes: the shop as three worker processes under a
// supervisor, driven by a real client, killed and stopped with real signals.
// What happened is read back from the SQLite files alone.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <thread>

#include <gtest/gtest.h>
#include <unistd.h>
#include <boost/process.hpp>

#include "shop_system_file.hpp"
#include "shop_under_run.hpp"
#include "weft/node/client.hpp"
#include "weft/shm/process_table.hpp"
#include "weft/shm/segment.hpp"
#include "weft/store/sqlite_recorder.hpp"

namespace weft::runner {
namespace {

namespace bp = boost::process;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct shop_files {
  explicit shop_files(const std::string& test) {
    name = "rt-" + test + "-" + std::to_string(::getpid());
    dir = fs::temp_directory_path() / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    testing::write_shop_system(dir / "shop.toml", name);
  }
  ~shop_files() { fs::remove_all(dir); }

  std::string name;
  fs::path dir;
};

// `weft run` in the background, stopped (and, past a deadline, killed) at the end.
struct running_system {
  running_system(const shop_files& files, const std::string& runner = "process")
      : child(bp::exe = WEFT_EXECUTABLE,
              bp::args = {"run", (files.dir / "shop.toml").string(), "--runner", runner,
                          "--log-level", "warn"},
              bp::std_in<bp::null, bp::std_out>(files.dir / "run.out").string(),
              bp::std_err > (files.dir / "run.err").string()) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    for (;;) {
      try {
        client.emplace(node::client::attach(files.name));
        return;
      } catch (const std::exception&) {
        if (std::chrono::steady_clock::now() > deadline || !child.running()) throw;
        std::this_thread::sleep_for(20ms);
      }
    }
  }

  // The exit code once the child has ended within `limit`; -1 if it still runs.
  int exit_code_within(std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (child.running() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(10ms);
    if (child.running()) return -1;
    child.wait();
    return child.exit_code();
  }

  // SIGINT, then the exit code; -1 if it had to be killed.
  int stop() {
    client.reset();
    ::kill(child.id(), SIGINT);
    const int code = exit_code_within(30s);
    if (code == -1) {
      child.terminate();
      child.wait();
    }
    return code;
  }

  ~running_system() {
    if (child.running()) stop();
  }

  void order(std::size_t n) {
    std::vector<std::uint64_t> ids;
    for (std::size_t i = 0; i < n; ++i)
      ids.push_back(client->submit("Orders", "create_order", R"({"amount":7})"));
    for (auto id : ids) ASSERT_TRUE(client->wait("Orders", id, 30s).ok);
  }

  std::uint64_t paid() {
    auto& seg = client->segment();
    const auto& orders = seg.process(*seg.find_process("Orders"));
    const auto payments = *seg.find_process("Payments");
    for (std::uint32_t k = 0; k < orders.upstream_count; ++k)
      if (seg.channel(orders.upstreams[k].channel).leader == payments)
        return orders.upstreams[k].tracking.load();
    return 0;
  }

  bool wait_paid(std::uint64_t n) {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (paid() < n && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(10ms);
    return paid() >= n;
  }

  bp::child child;
  std::optional<node::client> client;
};

// Every order created is reserved and paid exactly once, from the files alone.
void expect_exactly_once(const shop_files& files, std::size_t orders) {
  test::expect_exactly_once(files.dir / "data", orders);
}

bool system_listed(const std::string& name) {
  for (const auto& found : shm::list_systems())
    if (found.system_name == name) return true;
  return false;
}

TEST(WeftRun, ShopOrdersAreReservedAndPaidThenSigintStopsAndASecondRunResumes) {
  shop_files files("resume");
  {
    running_system system(files);
    system.order(400);
    ASSERT_TRUE(system.wait_paid(400));
    EXPECT_EQ(system.stop(), 0);
  }
  EXPECT_FALSE(system_listed(files.name)) << "the segment outlived the supervisor";
  expect_exactly_once(files, 400);
  {
    running_system again(files);
    again.order(100);
    ASSERT_TRUE(again.wait_paid(500));  // Payments' log continues: 400 + 100
    EXPECT_EQ(again.stop(), 0);
  }
  expect_exactly_once(files, 500);
}

TEST(WeftRun, CommandsSentWhileTheSystemStopsAreRefusedAndFollowersStillDrain) {
  shop_files files("stopping");
  {  // a drain long enough for a loaded machine: the test ends it itself
    std::ifstream in(files.dir / "shop.toml");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    text.replace(text.find("backoff_initial_ms"), 0, "stop_timeout_ms = 60000\n");
    std::ofstream(files.dir / "shop.toml") << text;
  }
  running_system run(files);
  run.order(5);
  ASSERT_TRUE(run.wait_paid(5));
  // Payments held: the supervisor's drain waits for it, which gives a window to call in.
  auto& seg = run.client->segment();
  const pid_t payments = seg.process(*seg.find_process("Payments")).pid.load();
  const auto& orders = seg.process(*seg.find_process("Orders"));
  ASSERT_EQ(::kill(payments, SIGSTOP), 0);
  run.order(3);
  ASSERT_EQ(::kill(run.child.id(), SIGINT), 0);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (orders.state.load() != shm::process_state::stopping &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  ASSERT_EQ(orders.state.load(), shm::process_state::stopping);
  const auto refused = run.client->call("Orders", "create_order", R"({"amount":7})", 10s);
  EXPECT_FALSE(refused.ok);
  EXPECT_NE(refused.payload.find("stopping"), std::string::npos) << refused.payload;
  ASSERT_EQ(::kill(payments, SIGCONT), 0);
  run.client.reset();
  ASSERT_EQ(run.exit_code_within(30s), 0);
  expect_exactly_once(files, 8);
}

// True once `pid` is stopped by a signal (kill() only asks; the stop comes later).
bool wait_until_stopped(pid_t pid) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line((std::istreambuf_iterator<char>(stat)), {});
    const auto end = line.rfind(')');
    if (end != std::string::npos && end + 2 < line.size() && line[end + 2] == 'T') return true;
    std::this_thread::sleep_for(1ms);
  }
  return false;
}

TEST(WeftRun, TheSingleRunnerAnswersEveryCommandLeftWhenItStops) {
  shop_files files("single-stop");
  running_system run(files, "single");
  run.order(5);
  // Stopped, the runner cannot read: these wait in the lane while SIGINT arrives.
  ASSERT_EQ(::kill(run.child.id(), SIGSTOP), 0);
  ASSERT_TRUE(wait_until_stopped(run.child.id()));
  std::vector<std::uint64_t> ids;
  for (int i = 0; i < 3; ++i)
    ids.push_back(run.client->submit("Orders", "create_order", R"({"amount":7})"));
  ASSERT_EQ(::kill(run.child.id(), SIGINT), 0);
  std::this_thread::sleep_for(100ms);
  ASSERT_EQ(::kill(run.child.id(), SIGCONT), 0);
  std::size_t ran = 0;
  for (auto id : ids) {
    const auto reply = run.client->wait("Orders", id, 20s);  // throws if never answered
    if (reply.ok) {
      ++ran;
    } else {
      EXPECT_NE(reply.payload.find("the system is stopping"), std::string::npos) << reply.payload;
    }
  }
  run.client.reset();
  ASSERT_EQ(run.exit_code_within(30s), 0);
  expect_exactly_once(files, 5 + ran);
}

TEST(WeftRun, KilledWorkersAreRestartedAndNothingIsDoneTwice) {
  shop_files files("kill");
  running_system system(files);
  auto& seg = system.client->segment();
  std::thread killer([&] {
    for (const char* app : {"Reservations", "Payments", "Reservations"}) {
      std::this_thread::sleep_for(150ms);
      const auto pid = seg.process(*seg.find_process(app)).pid.load();
      if (pid > 0) ::kill(pid, SIGKILL);
    }
  });
  system.order(1500);
  killer.join();
  ASSERT_TRUE(system.wait_paid(1500));
  const auto restarts = seg.process(*seg.find_process("Reservations")).restarts.load();
  EXPECT_GE(restarts, 1u);
  EXPECT_EQ(system.stop(), 0);
  expect_exactly_once(files, 1500);
}

TEST(WeftRun, ThreadsAndSingleRunnersReachTheSameFinalState) {
  for (const char* runner : {"threads", "single"}) {
    shop_files files(runner);
    {
      running_system system(files, runner);
      system.order(300);
      // Both publish states and positions in the process table, as workers do.
      EXPECT_TRUE(system.wait_paid(300)) << runner;
      auto& seg = system.client->segment();
      for (const char* app : {"Orders", "Reservations", "Payments"})
        EXPECT_EQ(seg.process(*seg.find_process(app)).state.load(), shm::process_state::running)
            << runner << " " << app;
      EXPECT_EQ(system.stop(), 0) << runner;
    }
    expect_exactly_once(files, 300);
  }
}

TEST(WeftRun, CallsToARunningSystemAnswerClearly) {
  shop_files files("call");
  running_system system(files);
  const auto call = [&](std::vector<std::string> args) {
    bp::ipstream out;
    bp::child c(bp::exe = WEFT_EXECUTABLE, bp::args = args, bp::std_out > out,
                bp::std_err > bp::null);
    std::string text, line;
    while (std::getline(out, line)) text += line + "\n";
    c.wait();
    return std::make_pair(c.exit_code(), text);
  };
  auto [ok_code, ok_text] = call({"call", files.name, "Orders", "create_order", R"({"amount":3})"});
  EXPECT_EQ(ok_code, 0) << ok_text;
  EXPECT_NE(ok_text.find("\"ok\":true"), std::string::npos) << ok_text;
  auto [bad_code, bad_text] = call({"call", files.name, "Orders", "refund_everything", "{}"});
  EXPECT_EQ(bad_code, 1);
  EXPECT_NE(bad_text.find("refund_everything"), std::string::npos) << bad_text;
}

}  // namespace
}  // namespace weft::runner
