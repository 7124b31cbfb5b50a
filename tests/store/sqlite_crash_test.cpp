// A commit that insert_events reported survives the process being killed
// right after, at durability::normal and durability::full (whose WAL is
// written ahead with zeros that recovery must step over), with and without
// the exclusive mode. Real processes, real SIGKILL.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <tuple>

#include "recorder_backends.hpp"
#include "watchdog.hpp"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

// In the child: records one event per transaction for ever, writing each
// returned id to `out` only after insert_events returned.
[[noreturn]] void record_until_killed(const std::filesystem::path& file, bool exclusive,
                                      store::durability sync, int out) {
  store::sqlite_options options;
  options.sync = sync;
  options.exclusive = exclusive;
  auto recorder = store::make_sqlite_recorder(file, options);
  for (std::uint64_t n = 1;; ++n) {
    const std::vector events{event(uuid::random(), 1)};
    const std::uint64_t id = recorder->insert_events(events).at(0);
    if (::write(out, &id, sizeof id) != sizeof id) std::_Exit(3);
  }
}

// Exclusive mode, durability.
using crash_mode = std::tuple<bool, store::durability>;
class SqliteCrash : public ::testing::TestWithParam<crash_mode> {};

TEST_P(SqliteCrash, ReportedCommitsSurviveSigkill) {
  const auto [exclusive, sync] = GetParam();
  // A few thousand commits (and a checkpoint or two at normal; at full,
  // where each commit waits for the disk, several megabytes of WAL).
  const std::uint64_t commits = sync == store::durability::full ? 3'000 : 25'000;
  temp_dir dir;
  const auto file = dir.path() / "Emitter.sqlite";
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    record_until_killed(file, exclusive, sync, pipe_fds[1]);
  }
  // Only now: the child starts threads of its own (the recorder's), which a
  // fork from a process with threads does not allow under ThreadSanitizer.
  watchdog dog("ReportedCommitsSurviveSigkill", 60s);
  ::close(pipe_fds[1]);
  // Let it pass those commits, then kill it mid-stride.
  std::uint64_t reported = 0, id = 0;
  while (reported < commits && ::read(pipe_fds[0], &id, sizeof id) == sizeof id) reported = id;
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  while (::read(pipe_fds[0], &id, sizeof id) == sizeof id) reported = id;
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ::close(pipe_fds[0]);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child ended on its own: " << status;
  ASSERT_GE(reported, commits);

  auto recorder = store::make_sqlite_recorder(file);
  const auto max = recorder->max_notification_id();
  EXPECT_GE(max, reported);
  es::notification_query all;
  all.limit = max + 1;
  const auto notes = recorder->select_notifications(all);
  ASSERT_EQ(notes.size(), max);
  for (std::size_t i = 0; i < notes.size(); ++i) ASSERT_EQ(notes[i].id, i + 1);
  EXPECT_EQ(recorder->insert_events(std::vector{event(uuid::random(), 1)}).at(0), max + 1);
}

INSTANTIATE_TEST_SUITE_P(Modes, SqliteCrash,
                         ::testing::Combine(::testing::Values(true, false),
                                            ::testing::Values(store::durability::normal,
                                                              store::durability::full)),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param) ? "exclusive" : "shared") +
                                  (std::get<1>(info.param) == store::durability::full ? "_full"
                                                                                      : "_normal");
                         });

}  // namespace
}  // namespace weft::test
