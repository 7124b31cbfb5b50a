// The SQLite recorder's checkpoints under continuous commits: the WAL file
// stays bounded, and what the checkpoints copy back into the database (read
// from the WAL through a memory mapping in exclusive mode) is byte for byte
// what was committed.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <vector>

#include "recorder_backends.hpp"
#include "temp_dir.hpp"
#include "weft/store/sqlite_recorder.hpp"

namespace weft::test {
namespace {

// The recorder checkpoints once the WAL holds this many frames (sqlite_recorder.cpp).
constexpr std::uintmax_t checkpoint_frames = 40'000;
constexpr std::uintmax_t frame_bytes = 24 + 2048;  // header + 2 KiB page
constexpr std::uint64_t events_per_transaction = 40;
constexpr std::size_t state_bytes = 4000;    // about three pages per event
constexpr std::uint64_t transactions = 600;  // about two and a half checkpoints

// The state of the event with notification id `id`, different for every id.
es::bytes state_of(std::uint64_t id) {
  es::bytes state(state_bytes);
  for (std::size_t j = 0; j < state.size(); ++j)
    state[j] = static_cast<std::uint8_t>((id * 131 + j * 7) ^ (id >> 8) ^ (j >> 5));
  return state;
}

std::uintmax_t size_or_zero(const std::filesystem::path& file) {
  std::error_code error;
  const auto size = std::filesystem::file_size(file, error);
  return error ? 0 : size;
}

class SqliteCheckpoints : public ::testing::TestWithParam<bool> {};

TEST_P(SqliteCheckpoints, KeepTheWalBoundedAndCopyBackEveryCommittedByte) {
  temp_dir dir;
  const auto file = dir.path() / "Emitter.sqlite";
  const auto wal = dir.path() / "Emitter.sqlite-wal";
  store::sqlite_options options;
  options.sync = store::durability::normal;
  options.exclusive = GetParam();
  auto recorder = store::make_sqlite_recorder(file, options);

  std::uintmax_t largest_wal = 0;
  std::uint64_t next_id = 1;
  for (std::uint64_t t = 0; t < transactions; ++t) {
    std::vector<es::stored_event> events;
    for (std::uint64_t i = 0; i < events_per_transaction; ++i)
      events.push_back(es::stored_event{uuid::random(), 1, "test.Happened", state_of(next_id + i)});
    const auto ids = recorder->insert_events(events);
    ASSERT_EQ(ids.front(), next_id);
    next_id += events_per_transaction;
    largest_wal = std::max(largest_wal, size_or_zero(wal));
  }
  // One transaction's frames may land after the threshold before the checkpoint runs.
  const std::uintmax_t bound = 32 + (checkpoint_frames + 1'000) * frame_bytes;
  EXPECT_LE(largest_wal, bound);
  EXPECT_GE(largest_wal, checkpoint_frames * frame_bytes) << "the WAL never reached a checkpoint";
  // Checkpoints ran while the recorder was open: the database file grew by
  // tens of megabytes (a frame in four rewrites an index page, so less than the WAL).
  EXPECT_GE(size_or_zero(file), checkpoint_frames * 2048 / 2);

  recorder.reset();
  auto reopened = store::make_sqlite_recorder(file);
  ASSERT_EQ(reopened->max_notification_id(), next_id - 1);
  es::notification_query query;
  query.limit = 1'000;
  std::uint64_t seen = 0;
  for (query.start = 1; query.start < next_id; query.start += query.limit) {
    for (const auto& note : reopened->select_notifications(query)) {
      ASSERT_EQ(note.id, ++seen);
      ASSERT_EQ(note.event.state, state_of(note.id)) << "notification " << note.id;
    }
  }
  EXPECT_EQ(seen, next_id - 1);
}

INSTANTIATE_TEST_SUITE_P(Modes, SqliteCheckpoints, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "exclusive" : "shared"; });

}  // namespace
}  // namespace weft::test
