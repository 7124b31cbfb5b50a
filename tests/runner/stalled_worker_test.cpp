// A worker stuck in a turn of its application (here: a handler that sleeps,
// as an endless loop or a deadlock would hold it), under the real `weft run`:
// past the turn limit its heartbeats stop and the supervisor restarts it,
// while a slow turn within the limit is left alone; and when a worker dies
// holding commands it took, each of those gets a reply that says so, while
// the commands it had not taken yet are run by its successor. Under
// --runner threads a stuck thread ends the system instead.
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

// One application of type test.Stalling ("stall" sleeps for `ms`, "ping"
// answers "pong") run by `weft run`, a client attached.
class stalling_system {
 public:
  stalling_system(const std::string& label, const std::string& supervision,
                  const std::string& runner = "process")
      : dir_(label), name_(label + "-" + std::to_string(::getpid())) {
    const fs::path file = dir_.path() / "system.toml";
    std::ofstream(file) << "name = \"" << name_ << "\"\ndata_dir = \"data\"\nplugins = [\""
                        << WEFT_STALLING_PLUGIN << "\"]\n[persistence]\nkind = \"memory\"\n"
                        << "[supervision]\nmax_restarts = 5\nbackoff_initial_ms = 50\n"
                        << supervision
                        << "[[applications]]\nname = \"Stalling\"\ntype = \"test.Stalling\"\n";
    run_.emplace(std::vector<std::string>{"run", file.string(), "--runner", runner});
    const bool attached = eventually([&] {
      try {
        client_.emplace(node::client::attach(name_));
        return true;
      } catch (const std::exception&) {
        return false;
      }
    });
    if (!attached) throw std::runtime_error("weft run did not start: " + run_->err());
    if (!eventually([&] { return entry().state.load() == shm::process_state::running; }))
      throw std::runtime_error("the worker did not start: " + run_->err());
  }
  ~stalling_system() {
    client_.reset();
    if (exited_) return;
    run_->signal(SIGINT);
    EXPECT_EQ(run_->wait_exit(30s), 0) << run_->err();
  }

  /// How `weft run` exited by itself, within `limit`.
  std::optional<int> exit_code(std::chrono::milliseconds limit) {
    client_.reset();
    exited_ = true;
    return run_->wait_exit(limit);
  }

  node::client& client() { return *client_; }
  shm::process_entry& entry() { return client_->segment().process(0); }
  /// True once the worker that had `pid` was replaced and its successor runs.
  bool restarted_from(pid_t pid) {
    return eventually([&] {
      return entry().pid.load() != pid && entry().state.load() == shm::process_state::running;
    });
  }
  [[nodiscard]] std::string worker_log() const {
    return slurp(dir_.path() / "data" / "Stalling.log");
  }
  [[nodiscard]] std::string supervisor_log() const { return run_->err(); }

 private:
  scratch_dir dir_;
  std::string name_;
  std::optional<weft_process> run_;
  std::optional<node::client> client_;
  bool exited_ = false;
};

TEST(StalledWorker, AWorkerStuckInAHandlerIsRestartedAndASlowTurnIsNot) {
  stalling_system system("hung-turn", "heartbeat_timeout_ms = 500\nturn_timeout_ms = 2000\n");
  auto& client = system.client();
  const pid_t first = system.entry().pid.load();

  // Slower than the heartbeat timeout, within the turn limit: no hang.
  const auto slow = client.call("Stalling", "stall", R"({"ms":1000})", 30s);
  EXPECT_TRUE(slow.ok) << slow.payload;
  EXPECT_EQ(system.entry().pid.load(), first);
  EXPECT_EQ(system.entry().restarts.load(), 0u);

  client.submit("Stalling", "stall", R"({"ms":3600000})");
  ASSERT_TRUE(system.restarted_from(first)) << system.supervisor_log();
  EXPECT_EQ(system.entry().restarts.load(), 1u);
  const auto pong = client.call("Stalling", "ping", "{}", 30s);
  EXPECT_EQ(pong.payload, R"({"ok":true,"result":"pong"})");

  EXPECT_THAT(system.worker_log(), HasSubstr("past the turn limit of 2000 ms: taken for a hang"));
  EXPECT_THAT(system.supervisor_log(), HasSubstr("'Stalling' sent no heartbeat"));
}

// Under --runner threads nothing can kill the stuck thread, and stopping
// would wait for it forever: `weft run` ends, names the application and
// removes its segment.
TEST(StalledWorker, AThreadStuckInAHandlerEndsTheThreadsRunnerWithItsName) {
  stalling_system system("hung-thread", "turn_timeout_ms = 1000\n", "threads");
  auto& client = system.client();
  const std::string segment_name = client.segment().name();
  const auto slow = client.call("Stalling", "stall", R"({"ms":300})", 30s);
  EXPECT_TRUE(slow.ok) << slow.payload;

  client.submit("Stalling", "stall", R"({"ms":3600000})");
  const auto code = system.exit_code(30s);
  ASSERT_TRUE(code.has_value()) << "weft run waited for the stuck thread";
  EXPECT_EQ(*code, 1);
  EXPECT_THAT(system.supervisor_log(),
              HasSubstr("weft: application 'Stalling': a turn has run for "));
  EXPECT_THAT(system.supervisor_log(), HasSubstr("past the turn limit of 1000 ms"));
  EXPECT_THAT(system.supervisor_log(), HasSubstr("a thread cannot be killed: the system ends"));
  EXPECT_THROW((void)shm::segment::attach(segment_name), std::exception) << "segment removed";
}

TEST(StalledWorker, CommandsAWorkerTookBeforeItDiedAreAnsweredAsLostAndTheRestRun) {
  stalling_system system("lost-commands", "");
  auto& client = system.client();
  const pid_t first = system.entry().pid.load();

  const auto answered = client.call("Stalling", "ping", "{}", 30s);
  ASSERT_TRUE(answered.ok);
  const auto taken = client.submit("Stalling", "stall", R"({"ms":3600000})");
  // The worker marks a command taken before it runs it: from then on it
  // sleeps in the handler, and the next command waits in the ring.
  auto& segment = client.segment();
  ASSERT_TRUE(eventually([&] {
    for (std::uint32_t lane = 0; lane < segment.lanes_per_process(); ++lane)
      if (segment.lane(0, lane).taken_through.load() == taken) return true;
    return false;
  }));
  const auto waiting = client.submit("Stalling", "ping", "{}");
  ASSERT_EQ(::kill(first, SIGKILL), 0);

  const auto started = std::chrono::steady_clock::now();
  const auto lost = client.wait("Stalling", taken, 60s);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 30s) << "answered by the restart";
  EXPECT_FALSE(lost.ok);
  EXPECT_TRUE(lost.lost);
  EXPECT_THAT(lost.payload, HasSubstr("'Stalling' was restarted after it took this command and "
                                      "before it answered: the command may or may not have been "
                                      "applied"));
  const auto run_by_successor = client.wait("Stalling", waiting, 30s);
  EXPECT_EQ(run_by_successor.payload, R"({"ok":true,"result":"pong"})");
  EXPECT_FALSE(run_by_successor.lost);
  EXPECT_TRUE(system.restarted_from(first));
}

}  // namespace
}  // namespace weft::test
