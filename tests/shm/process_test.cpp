// Real processes (fork + exec of shm_peer), real kills, one shared segment.
// Every wait has a deadline: a hang fails the test instead of blocking CI.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "weft/shm/segment.hpp"

namespace weft::shm {
namespace {

using namespace std::chrono_literals;

#ifndef WEFT_SHM_DEFAULT_RECORDS
#define WEFT_SHM_DEFAULT_RECORDS 10'000'000
#endif

/// Records per run: 10M, fewer in sanitizer builds (see CMakeLists.txt);
/// the environment variable WEFT_SHM_TEST_RECORDS overrides.
std::uint64_t record_count() {
  if (const char* env = std::getenv("WEFT_SHM_TEST_RECORDS")) {
    return std::strtoull(env, nullptr, 10);
  }
  return WEFT_SHM_DEFAULT_RECORDS;
}

pid_t spawn(std::vector<std::string> args) {
  args.insert(args.begin(), WEFT_SHM_PEER);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

/// The exit code, or -signal; kills the child and returns -999 after `limit`.
int wait_exit(pid_t pid, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -999;
    }
    std::this_thread::sleep_for(5ms);
  }
}

/// Waits until `done()` or the deadline; false on timeout.
template <class F>
bool eventually(F&& done, std::chrono::seconds limit = 120s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

layout_spec edge_spec() {
  layout_spec spec;
  spec.system_name = "shm-process-test";
  spec.processes = {"Leader", "Follower"};
  spec.channels = {{0, 1}};
  spec.downstream_ring_bytes = 64 << 10;
  spec.lanes_per_process = 2;
  spec.request_ring_bytes = 64 << 10;
  return spec;
}

std::string str(std::uint64_t n) {
  return std::to_string(n);
}

TEST(ShmProcesses, TenMillionRecordsArriveWholeAndInOrder) {
  auto s = segment::create(edge_spec());
  const std::uint64_t n = record_count();
  const pid_t consumer = spawn({"consume", s.name(), "0", str(n), "0", "0", "0"});
  const pid_t producer = spawn({"produce", s.name(), "0", str(n), "16"});
  EXPECT_EQ(wait_exit(producer, 280s), 0);
  EXPECT_EQ(wait_exit(consumer, 30s), 0);
}

TEST(ShmProcesses, TwoProducersThroughIngressKeepEachOnesOrder) {
  auto s = segment::create(edge_spec());
  const std::uint64_t each = record_count() / 2;
  const pid_t consumer = spawn({"lane-consume", s.name(), "1", "2", str(each)});
  const pid_t a = spawn({"lane-produce", s.name(), "1", "0", str(each), "8"});
  const pid_t b = spawn({"lane-produce", s.name(), "1", "1", str(each), "1"});
  EXPECT_EQ(wait_exit(a, 280s), 0);
  EXPECT_EQ(wait_exit(b, 60s), 0);
  EXPECT_EQ(wait_exit(consumer, 30s), 0);
}

TEST(ShmProcesses, ProducerKilledMidStreamThenRestartedLeavesNoTornOrDuplicateRecord) {
  auto s = segment::create(edge_spec());
  const std::uint64_t final_count = 200'000;
  constexpr int kills = 3;
  const pid_t consumer = spawn({"consume", s.name(), "0", str(final_count), str(kills), "0", "0"});
  auto& follower = s.process(1);
  for (int k = 0; k < kills; ++k) {
    const pid_t producer = spawn({"produce", s.name(), "0", "0", "7"});  // forever, odd batches
    const std::uint64_t before = follower.events_recorded.load();
    ASSERT_TRUE(eventually([&] { return follower.events_recorded.load() > before + 50'000; }))
        << "consumer made no progress";
    ASSERT_EQ(::kill(producer, SIGKILL), 0);
    ASSERT_EQ(wait_exit(producer, 10s), -SIGKILL);
    s.reset_channel(0);  // the supervisor's part: a new producer incarnation
  }
  const pid_t last = spawn({"produce", s.name(), "0", str(final_count), "7"});
  EXPECT_EQ(wait_exit(last, 120s), 0);
  EXPECT_EQ(wait_exit(consumer, 60s), 0) << "the consumer saw a torn, duplicate or lost record";
}

TEST(ShmProcesses, ConsumerKilledAndRestartedResumesWithoutLoss) {
  auto s = segment::create(edge_spec());
  const std::uint64_t n = record_count() / 10;
  auto& follower = s.process(1);
  const pid_t first = spawn({"consume", s.name(), "0", str(n), "0", "0", "0"});
  const pid_t producer = spawn({"produce", s.name(), "0", str(n), "16"});
  ASSERT_TRUE(eventually([&] { return follower.events_recorded.load() > n / 10; }));
  ASSERT_EQ(::kill(first, SIGKILL), 0);
  ASSERT_EQ(wait_exit(first, 10s), -SIGKILL);
  // The successor starts at the released head: no later than what was
  // released, no earlier than what was seen (at-least-once, nothing skipped).
  const std::uint64_t released = follower.events_recorded.load();
  const std::uint64_t seen = follower.notification_position.load();
  ASSERT_LE(released, seen);
  s.reset_channel(0);
  const pid_t second = spawn({"consume", s.name(), "0", str(n), "0", str(released), str(seen)});
  EXPECT_EQ(wait_exit(producer, 120s), 0);
  EXPECT_EQ(wait_exit(second, 60s), 0);
}

TEST(ShmProcesses, AnotherProcessRefusesAWrongVersionOrForeignMode) {
  auto s = segment::create(edge_spec());
  EXPECT_EQ(wait_exit(spawn({"attach", s.name()}), 30s), 0);
  auto& header = const_cast<segment_header&>(s.header());
  header.layout_version += 1;
  EXPECT_EQ(wait_exit(spawn({"attach", s.name()}), 30s), 3);
  header.layout_version -= 1;
  ASSERT_EQ(::chmod(("/dev/shm/" + s.name()).c_str(), 0640), 0);
  EXPECT_EQ(wait_exit(spawn({"attach", s.name()}), 30s), 3);
}

}  // namespace
}  // namespace weft::shm
