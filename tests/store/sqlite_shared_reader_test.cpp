// A shared-mode writer gathers each commit's WAL frames into one write
// (buffered_wal.cpp); a reader in another process must still see every
// committed row, whole, the moment SQLite's WAL index says it is there.
// Real processes on one file.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

#include "recorder_backends.hpp"
#include "temp_dir.hpp"
#include "watchdog.hpp"
#include "weft/store/sqlite_recorder.hpp"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t commits = 20'000;

// The state of an event, told by its originator: a reader can check it.
es::bytes state_for(const uuid& originator) {
  es::bytes state;
  for (int i = 0; i < 40; ++i)
    state.insert(state.end(), originator.bytes.begin(), originator.bytes.end());
  return state;
}

[[noreturn]] void write_commits(const std::filesystem::path& file) {
  store::sqlite_options options;
  options.sync = store::durability::normal;
  options.exclusive = false;
  auto recorder = store::make_sqlite_recorder(file, options);
  for (std::uint64_t n = 0; n < commits; ++n) {
    const uuid id = uuid::random();
    recorder->insert_events(std::vector{es::stored_event{id, 1, "test.Happened", state_for(id)}});
  }
  recorder.reset();
  std::_Exit(0);
}

TEST(SqliteSharedReader, AnotherProcessSeesEveryCommittedRowWhole) {
  temp_dir dir;
  const auto file = dir.path() / "Emitter.sqlite";
  {  // Create the file first, so the reader can open it at once.
    store::sqlite_options options;
    options.exclusive = false;
    store::make_sqlite_recorder(file, options);
  }
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) write_commits(file);
  // Only now: the child starts threads of its own (the recorder's), which a
  // fork from a process with threads does not allow under ThreadSanitizer.
  watchdog dog("AnotherProcessSeesEveryCommittedRowWhole", 90s);

  auto reader = store::make_sqlite_recorder(file, store::sqlite_options{.read_only = true});
  std::uint64_t seen = 0, polls = 0;
  es::notification_query query;
  query.limit = 500;
  while (seen < commits) {
    query.start = seen + 1;
    for (const auto& note : reader->select_notifications(query)) {
      ASSERT_EQ(note.id, seen + 1);
      ASSERT_EQ(note.event.state, state_for(note.event.originator_id))
          << "notification " << note.id;
      seen = note.id;
    }
    ++polls;
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_EQ(reader->max_notification_id(), commits);
  // The reader raced the writer rather than reading after it: many polls saw a part.
  EXPECT_GT(polls, 100u);
}

}  // namespace
}  // namespace weft::test
