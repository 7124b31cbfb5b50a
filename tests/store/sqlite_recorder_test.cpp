// What only the SQLite recorder does: files, schema checks, clear errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "recorder_backends.hpp"
#include "temp_dir.hpp"
#include "weft/core/error.hpp"
#include "weft/store/sqlite_recorder.hpp"

namespace weft::test {
namespace {

using store::make_sqlite_recorder;
using ::testing::HasSubstr;

// Runs SQL on the file with SQLite directly, as another program would.
void raw_sql(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  char* message = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  const std::string text = message != nullptr ? message : "";
  sqlite3_free(message);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << text;
}

std::string raw_text(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(file.c_str(), &db);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
  std::string out;
  if (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW)
    out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

std::string contents(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream all;
  all << in.rdbuf();
  return all.str();
}

// The message of the storage_error that opening `file` throws, or "" if none.
std::string open_error(const std::filesystem::path& file, bool read_only = false) {
  try {
    make_sqlite_recorder(file, store::sqlite_options{.read_only = read_only});
  } catch (const storage_error& e) {
    return e.what();
  }
  return "";
}

class SqliteRecorder : public ::testing::Test {
 protected:
  temp_dir dir;
  std::filesystem::path file = dir.path() / "Orders.sqlite";
};

TEST_F(SqliteRecorder, CreatesAWalDatabaseMarkedAsWeft) {
  make_sqlite_recorder(file);
  EXPECT_EQ(raw_text(file, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw_text(file, "PRAGMA application_id"), std::to_string(0x77656674));
  EXPECT_EQ(raw_text(file, "SELECT version FROM weft_schema"), "1");
  EXPECT_EQ(raw_text(file, "PRAGMA page_size"), "2048");
}

TEST_F(SqliteRecorder, MissingDirectoryIsAClearErrorAndNotCreated) {
  const auto missing = dir.path() / "no-such-dir" / "Orders.sqlite";
  const auto message = open_error(missing);
  EXPECT_THAT(message, HasSubstr(missing.string()));
  EXPECT_THAT(message, HasSubstr("unable to open"));
  EXPECT_FALSE(std::filesystem::exists(missing.parent_path()));
}

TEST_F(SqliteRecorder, GarbageFileIsRefusedAndLeftAlone) {
  const std::string garbage(8192, 'x');
  std::ofstream(file, std::ios::binary) << garbage;
  const auto message = open_error(file);
  EXPECT_THAT(message, HasSubstr(file.string()));
  EXPECT_THAT(message, HasSubstr("not a database"));
  EXPECT_EQ(contents(file), garbage);
}

TEST_F(SqliteRecorder, ForeignDatabaseIsRefusedAndLeftAlone) {
  raw_sql(file, "CREATE TABLE invoices (n INTEGER); INSERT INTO invoices VALUES (7);");
  const auto message = open_error(file);
  EXPECT_THAT(message, HasSubstr(file.string()));
  EXPECT_THAT(message, HasSubstr("not a weft database"));
  EXPECT_EQ(raw_text(file, "SELECT n FROM invoices"), "7");
  EXPECT_EQ(raw_text(file, "PRAGMA journal_mode"), "delete");
}

TEST_F(SqliteRecorder, UnknownSchemaVersionIsRefused) {
  make_sqlite_recorder(file);
  raw_sql(file, "UPDATE weft_schema SET version = 99");
  const auto message = open_error(file);
  EXPECT_THAT(message, HasSubstr(file.string()));
  EXPECT_THAT(message, HasSubstr("schema version 99"));
  EXPECT_THAT(open_error(file, true), HasSubstr("schema version 99"));
}

TEST_F(SqliteRecorder, ReadOnlyOpeningReadsButRefusesWritesAndLosesNothing) {
  const auto o = uuid::random();
  make_sqlite_recorder(file)->insert_events(std::vector{event(o, 1)},
                                            std::vector{es::tracking{"Up", 3}});
  {
    auto reader = make_sqlite_recorder(file, store::sqlite_options{.read_only = true});
    EXPECT_EQ(reader->max_notification_id(), 1u);
    EXPECT_EQ(reader->max_tracking_id("Up"), 3u);
    try {
      reader->insert_events(std::vector{event(o, 2)});
      ADD_FAILURE() << "a read-only recorder recorded";
    } catch (const storage_error& e) {
      EXPECT_THAT(e.what(), HasSubstr(file.string()));
      EXPECT_THAT(e.what(), HasSubstr("read-only"));
    }
  }
  auto writer = make_sqlite_recorder(file);
  EXPECT_EQ(writer->select_events(o).size(), 1u);
  EXPECT_EQ(writer->insert_events(std::vector{event(o, 2)}), std::vector<std::uint64_t>{2});
}

TEST_F(SqliteRecorder, ReadOnlyFileIsRefusedAtOpeningAndLosesNothing) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes to read-only files regardless";
  const auto o = uuid::random();
  make_sqlite_recorder(file)->insert_events(std::vector{event(o, 1)});
  ASSERT_EQ(::chmod(file.c_str(), 0444), 0);
  // SQLite would open it for reading and fail at the first write, perhaps
  // much later: the recorder says so at once.
  try {
    make_sqlite_recorder(file);
    ADD_FAILURE() << "opened a read-only file for writing";
  } catch (const storage_error& e) {
    EXPECT_THAT(e.what(), HasSubstr(file.string()));
    EXPECT_THAT(e.what(), HasSubstr("cannot open for writing: the file or its directory is "
                                    "read-only"));
  }
  ASSERT_EQ(::chmod(file.c_str(), 0644), 0);
  EXPECT_EQ(make_sqlite_recorder(file)->select_events(o).size(), 1u);
}

TEST_F(SqliteRecorder, VersionsBeyondWhatSqliteHoldsAreRefused) {
  auto r = make_sqlite_recorder(file);
  const std::vector huge{event(uuid::random(), std::uint64_t{1} << 63)};
  EXPECT_THROW(r->insert_events(huge), invalid_input);
  EXPECT_EQ(r->max_notification_id(), 0u);
}

TEST_F(SqliteRecorder, AnExclusiveRecorderKeepsOthersOutClearly) {
  store::sqlite_options quick;
  quick.busy_timeout = std::chrono::milliseconds(50);
  auto owner = make_sqlite_recorder(file, quick);
  owner->insert_events(std::vector{event(uuid::random(), 1)});
  for (bool exclusive : {true, false}) {
    quick.exclusive = exclusive;
    try {
      make_sqlite_recorder(file, quick)->insert_events(std::vector{event(uuid::random(), 1)});
      ADD_FAILURE() << "a second recorder wrote beside an exclusive one";
    } catch (const storage_error& e) {
      EXPECT_THAT(e.what(), HasSubstr(file.string()));
      EXPECT_THAT(e.what(), HasSubstr("locked"));
    }
  }
  EXPECT_EQ(owner->max_notification_id(), 1u);
  owner.reset();
  EXPECT_EQ(make_sqlite_recorder(file, quick)->max_notification_id(), 1u);
}

TEST_F(SqliteRecorder, SharedRecordersInterleaveOnOneFile) {
  store::sqlite_options shared;
  shared.exclusive = false;
  auto one = make_sqlite_recorder(file, shared);
  auto two = make_sqlite_recorder(file, shared);
  const auto o = uuid::random();
  EXPECT_EQ(one->insert_events(std::vector{event(o, 1)}), std::vector<std::uint64_t>{1});
  EXPECT_EQ(two->insert_events(std::vector{event(o, 2)}), std::vector<std::uint64_t>{2});
  EXPECT_THROW(one->insert_events(std::vector{event(o, 2)}), integrity_error);
  EXPECT_EQ(one->select_events(o).size(), 2u);
}

// The recorder writes a batch in multi-row INSERTs of several sizes: every
// batch size, across the chunk boundaries, keeps each event whole, in order,
// under consecutive ids that follow on from the last call's.
TEST_F(SqliteRecorder, BatchesOfEverySizeKeepOrderAndConsecutiveIds) {
  for (bool exclusive : {true, false}) {
    temp_dir here;
    auto r = make_sqlite_recorder(here.path() / "Batches.sqlite",
                                  store::sqlite_options{.exclusive = exclusive});
    std::uint64_t next_id = 1;
    for (std::size_t size = 1; size <= 150; ++size) {
      std::vector<es::stored_event> batch;
      for (std::size_t i = 0; i < size; ++i) {
        batch.push_back(event(uuid::time_ordered(), i + 1, "test.Size" + std::to_string(size)));
        batch.back().state.push_back(static_cast<std::uint8_t>(i));  // each row its own bytes
      }
      const auto expected = batch;
      const es::id_range ids = r->append_events(batch, std::vector{es::tracking{"Up", size}});
      ASSERT_EQ(ids.first, next_id) << "batch of " << size;
      ASSERT_EQ(ids.count, size);
      es::notification_query query;
      query.start = next_id;
      query.limit = size + 1;
      const auto notes = r->select_notifications(query);
      ASSERT_EQ(notes.size(), size);
      for (std::size_t i = 0; i < size; ++i) {
        EXPECT_EQ(notes[i].id, next_id + i);
        EXPECT_EQ(notes[i].event, expected[i]) << "batch of " << size << ", event " << i;
      }
      next_id += size;
    }
    EXPECT_EQ(r->max_notification_id(), next_id - 1);
    EXPECT_EQ(r->max_tracking_id("Up"), 150u);
  }
}

// A conflict inside one multi-row INSERT is reported for the event that
// caused it, and the whole call leaves nothing behind.
TEST_F(SqliteRecorder, AConflictInsideABatchNamesItsEventAndRecordsNothing) {
  auto r = make_sqlite_recorder(file);
  const auto taken = uuid::time_ordered();
  r->insert_events(std::vector{event(taken, 1)});
  std::vector<es::stored_event> batch;
  for (int i = 0; i < 100; ++i) batch.push_back(event(uuid::time_ordered(), 1));
  batch[40] = event(taken, 1);  // inside the first, largest chunk
  try {
    r->insert_events(batch, std::vector{es::tracking{"Up", 7}});
    ADD_FAILURE() << "a duplicate version was recorded";
  } catch (const integrity_error& e) {
    EXPECT_THAT(e.what(), HasSubstr(taken.str()));
    EXPECT_THAT(e.what(), HasSubstr("version 1"));
  }
  EXPECT_EQ(r->max_notification_id(), 1u);
  EXPECT_EQ(r->max_tracking_id("Up"), 0u);
  EXPECT_TRUE(r->select_events(batch[0].originator_id).empty());
  batch[40] = event(uuid::time_ordered(), 1);
  EXPECT_EQ(r->append_events(batch, std::vector{es::tracking{"Up", 7}}).first, 2u);
}

// At durability full the WAL is written ahead with zeros, so that commits
// overwrite blocks the file has (cheaper syncs); at normal it is not. Either
// way every commit reads back whole, before and after reopening.
TEST_F(SqliteRecorder, AtFullTheWalIsWrittenAheadOfItsCommits) {
  for (const auto sync : {store::durability::full, store::durability::normal}) {
    temp_dir here;
    const auto db = here.path() / "Ahead.sqlite";
    const auto wal = here.path() / "Ahead.sqlite-wal";
    auto r = make_sqlite_recorder(db, store::sqlite_options{.sync = sync});
    std::vector<es::stored_event> batch;
    for (std::uint64_t i = 1; i <= 20; ++i) batch.push_back(event(uuid::time_ordered(), i));
    const auto o = batch.front().originator_id;
    for (auto& e : batch) e.originator_id = o;
    r->insert_events(batch);
    const auto size = std::filesystem::file_size(wal);
    if (sync == store::durability::full) {
      EXPECT_GE(size, std::uintmax_t{1} << 20) << "no zeros ahead of the commit";
    } else {
      EXPECT_LT(size, std::uintmax_t{256} << 10) << "zeros ahead at durability normal";
    }
    EXPECT_EQ(r->select_events(o), batch);
    r.reset();
    EXPECT_EQ(make_sqlite_recorder(db, store::sqlite_options{.sync = sync})->select_events(o),
              batch);
  }
}

}  // namespace
}  // namespace weft::test
