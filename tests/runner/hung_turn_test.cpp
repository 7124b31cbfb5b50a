// A worker whose application never finishes a turn (here: a handler that
// sleeps for an hour) is a hung process although its heartbeat thread is
// alive: past the turn limit the beats stop, and the supervisor kills and
// restarts it. A slow turn within the limit is left alone.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "inspect_weft.hpp"
#include "weft/node/client.hpp"
#include "weft/shm/process_table.hpp"
#include "weft/shm/segment.hpp"

namespace weft::test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = 30s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return done();
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

TEST(HungTurn, AWorkerStuckInAHandlerIsRestartedAndASlowTurnIsNot) {
  scratch_dir dir("hung-turn");
  const std::string name = "hung-turn-" + std::to_string(::getpid());
  const fs::path file = dir.path() / "system.toml";
  std::ofstream(file) << "name = \"" << name << "\"\ndata_dir = \"data\"\nplugins = [\""
                      << WEFT_STALLING_PLUGIN << "\"]\n"
                      << "[persistence]\nkind = \"memory\"\n"
                      << "[supervision]\nmax_restarts = 5\nbackoff_initial_ms = 50\n"
                      << "heartbeat_timeout_ms = 500\nturn_timeout_ms = 2000\n"
                      << "[[applications]]\nname = \"Stalling\"\ntype = \"test.Stalling\"\n";
  weft_process run({"run", file.string()});
  std::optional<node::client> client;
  ASSERT_TRUE(eventually([&] {
    try {
      client.emplace(node::client::attach(name));
      return true;
    } catch (const std::exception&) {
      return false;
    }
  })) << run.err();
  auto& entry = client->segment().process(0);
  ASSERT_TRUE(eventually([&] { return entry.state.load() == shm::process_state::running; }));
  const pid_t first = entry.pid.load();

  // Slower than the heartbeat timeout, within the turn limit: no hang.
  const auto slow = client->call("Stalling", "stall", R"({"ms":1000})", 30s);
  EXPECT_TRUE(slow.ok) << slow.payload;
  EXPECT_EQ(entry.pid.load(), first);
  EXPECT_EQ(entry.restarts.load(), 0u);

  client->submit("Stalling", "stall", R"({"ms":3600000})");
  ASSERT_TRUE(eventually([&] {
    return entry.restarts.load() == 1 && entry.pid.load() != first &&
           entry.state.load() == shm::process_state::running;
  })) << run.err();
  const auto pong = client->call("Stalling", "ping", "{}", 30s);
  EXPECT_TRUE(pong.ok) << pong.payload;
  EXPECT_EQ(pong.payload, R"({"ok":true,"result":"pong"})");

  const std::string worker_log = slurp(dir.path() / "data" / "Stalling.log");
  EXPECT_THAT(worker_log, HasSubstr("past the turn limit of 2000 ms: taken for a hang"));
  EXPECT_THAT(run.err(), HasSubstr("'Stalling' sent no heartbeat"));

  client.reset();
  run.signal(SIGINT);
  EXPECT_EQ(run.wait_exit(30s), 0) << run.err();
}

}  // namespace
}  // namespace weft::test
