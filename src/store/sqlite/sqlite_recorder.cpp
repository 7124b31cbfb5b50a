// The SQLite recorder: a writer connection and a reader connection on one
// WAL-mode file. Writes are serialised by a mutex (and, across processes, by
// BEGIN IMMEDIATE); readers use their own connection so a follower pulling
// notifications never waits for a commit's fsync.
#include "weft/store/sqlite_recorder.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "sqlite/buffered_wal.hpp"
#include "sqlite/connection.hpp"
#include "sqlite/page_cache.hpp"
#include "sqlite/schema.hpp"
#include "weft/core/error.hpp"

namespace weft::store {
namespace {

constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();

std::int64_t to_int64(std::uint64_t value) {
  return static_cast<std::int64_t>(std::min<std::uint64_t>(value, int64_max));
}

std::span<const std::uint8_t> bytes_of(const uuid& id) {
  return id.bytes;
}

uuid uuid_from(std::span<const std::uint8_t> blob, const std::string& file) {
  uuid id;
  if (blob.size() != id.bytes.size())
    throw decode_error("sqlite database '" + file + "': originator_id of " +
                       std::to_string(blob.size()) + " bytes, expected 16");
  std::copy(blob.begin(), blob.end(), id.bytes.begin());
  return id;
}

es::bytes copy_of(std::span<const std::uint8_t> blob) {
  return {blob.begin(), blob.end()};
}

// Rows per multi-row INSERT, largest first: a batch is cut greedily into
// these. Each execution of a statement has a fixed cost (cursors opened and
// closed, a statement savepoint opened and released, the index cursor's
// descent from the root) that a one-row INSERT pays for every event; in one
// statement of many rows, an index key that sorts after the last one (ordered
// ids) is placed without a descent. Measured on the pipeline's batches
// (callgrind): 10.6k instructions per event one row at a time, 5.0k in
// chunks of 64, 4.9k in chunks of 256.
constexpr std::array<std::size_t, 4> chunk_rows = {64, 16, 4, 1};

std::string insert_events_sql(std::size_t rows) {
  std::string sql = "INSERT INTO events (originator_id, originator_version, topic, state) VALUES ";
  for (std::size_t row = 0; row < rows; ++row) sql += row == 0 ? "(?, ?, ?, ?)" : ", (?, ?, ?, ?)";
  return sql;
}

// Statements of the writer connection, prepared once (the larger inserts
// when first needed: a leader that records one event at a time never needs them).
struct write_statements {
  explicit write_statements(sqlite::connection& db)
      : begin(db, "BEGIN IMMEDIATE"),
        commit(db, "COMMIT"),
        rollback(db, "ROLLBACK"),
        // Moves the position forward only: no change means "already done".
        advance_tracking(db,
                         "INSERT INTO tracking (upstream, notification_id) VALUES (?1, ?2) "
                         "ON CONFLICT (upstream) DO UPDATE SET notification_id = "
                         "excluded.notification_id WHERE excluded.notification_id > "
                         "tracking.notification_id"),
        db_(db) {}

  /// The INSERT of chunk_rows[size_index] rows, four parameters a row in column order.
  sqlite::statement& insert_events(std::size_t size_index) {
    auto& cached = inserts_[size_index];
    if (!cached)
      cached = std::make_unique<sqlite::statement>(db_, insert_events_sql(chunk_rows[size_index]));
    return *cached;
  }
  sqlite::statement& insert_event() { return insert_events(chunk_rows.size() - 1); }

  sqlite::statement begin, commit, rollback, advance_tracking;

 private:
  sqlite::connection& db_;
  std::array<std::unique_ptr<sqlite::statement>, chunk_rows.size()> inserts_;
};
static_assert(chunk_rows.back() == 1, "every batch must be cut into chunks");

// Statements of the reader connection, prepared once.
struct read_statements {
  explicit read_statements(sqlite::connection& db)
      : events_ascending(db, select_events("ASC")),
        events_descending(db, select_events("DESC")),
        notifications(db, select_notifications(0)),
        max_notification(db, "SELECT max(notification_id) FROM events"),
        tracking(db, "SELECT notification_id FROM tracking WHERE upstream = ?1") {}

  static std::string select_events(const char* order) {
    return std::string(
               "SELECT originator_version, topic, state FROM events WHERE originator_id = ?1 "
               "AND originator_version > ?2 AND originator_version <= ?3 "
               "ORDER BY originator_version ") +
           order + " LIMIT ?4";
  }

  // ?1 start, ?2 stop, ?3 limit, ?4... topics.
  static std::string select_notifications(std::size_t topics) {
    std::string sql =
        "SELECT notification_id, originator_id, originator_version, topic, state FROM events "
        "WHERE notification_id >= ?1 AND notification_id <= ?2";
    if (topics > 0) {
      sql += " AND topic IN (";
      for (std::size_t i = 0; i < topics; ++i)
        sql += (i == 0 ? "?" : ", ?") + std::to_string(4 + i);
      sql += ")";
    }
    return sql + " ORDER BY notification_id LIMIT ?3";
  }

  sqlite::statement& notifications_with(sqlite::connection& db, std::size_t topics) {
    if (topics == 0) return notifications;
    auto& cached = by_topic_count[topics];
    if (!cached) cached = std::make_unique<sqlite::statement>(db, select_notifications(topics));
    return *cached;
  }

  sqlite::statement events_ascending, events_descending, notifications, max_notification, tracking;
  std::map<std::size_t, std::unique_ptr<sqlite::statement>> by_topic_count;
};

class sqlite_recorder final : public es::recorder {
 public:
  sqlite_recorder(const std::filesystem::path& file, const sqlite_options& options)
      : read_only_(options.read_only) {
    sqlite::install_page_cache();  // before SQLite initialises, i.e. before the first open
    const auto timeout = static_cast<int>(options.busy_timeout.count());
    const bool exclusive = options.exclusive && !read_only_;
    if (!read_only_) {
      writer_ = std::make_unique<sqlite::connection>(file.string(), false, timeout,
                                                     sqlite::buffered_wal_vfs());
      // Before the first read, so that WAL keeps its index in heap memory, not in a -shm file.
      if (exclusive) writer_->exec("PRAGMA locking_mode = EXCLUSIVE");
      sqlite::prepare_schema(*writer_, false);
      if (writer_->query_text("PRAGMA journal_mode = WAL") != "wal")
        writer_->fail(SQLITE_ERROR, "cannot switch to WAL mode");
      if (options.sync == durability::full) {
        writer_->exec("PRAGMA synchronous = FULL");
        sqlite::zero_wal_ahead(writer_->handle());
      } else {
        writer_->exec("PRAGMA synchronous = NORMAL");
      }
      writer_->exec(tuning);
      // Replaces SQLite's own autocheckpoint hook; see after_commit.
      sqlite3_wal_hook(writer_->handle(), after_commit, this);
      // Take the lock now, so a second opener fails at once rather than at its first write.
      if (exclusive) writer_->exec("BEGIN EXCLUSIVE; COMMIT");
      write_ = std::make_unique<write_statements>(*writer_);
    }
    if (exclusive) {
      read_mutex_ = &write_mutex_;
      reader_ = writer_.get();
      known_.emplace();
    } else {
      own_reader_ = std::make_unique<sqlite::connection>(file.string(), true, timeout);
      reader_ = own_reader_.get();
      if (read_only_) sqlite::prepare_schema(*reader_, true);
      reader_->exec(tuning);
    }
    read_ = std::make_unique<read_statements>(*reader_);
  }

  ~sqlite_recorder() override {
    // Statements before their connections.
    read_.reset();
    write_.reset();
  }

  std::vector<std::uint64_t> insert_events(std::span<const es::stored_event> events,
                                           std::span<const es::tracking> tracked) override {
    return record(events, tracked).ids();
  }

  es::id_range append_events(std::span<es::stored_event> events,
                             std::span<const es::tracking> tracked) override {
    return record(events, tracked);
  }

  std::vector<es::stored_event> select_events(const uuid& originator_id,
                                              const es::event_query& query) override {
    std::vector<es::stored_event> out;
    std::lock_guard lock(*read_mutex_);
    sqlite::use select(query.descending ? read_->events_descending : read_->events_ascending);
    select->bind(1, bytes_of(originator_id));
    select->bind(2, query.after_version ? to_int64(*query.after_version) : -1);
    select->bind(3, query.up_to_version ? to_int64(*query.up_to_version) : int64_max);
    select->bind(4, query.limit ? to_int64(*query.limit) : int64_max);
    while (select->step()) {
      out.push_back(es::stored_event{originator_id, static_cast<std::uint64_t>(select->int64(0)),
                                     std::string(select->text(1)), copy_of(select->blob(2))});
    }
    return out;
  }

  std::vector<es::notification> select_notifications(const es::notification_query& query) override {
    std::vector<es::notification> out;
    select_notifications_into(query, out);
    return out;
  }

  void select_notifications_into(const es::notification_query& query,
                                 std::vector<es::notification>& out) override {
    std::lock_guard lock(*read_mutex_);
    sqlite::use select(read_->notifications_with(*reader_, query.topics.size()));
    select->bind(1, to_int64(query.start));
    select->bind(2, query.stop ? to_int64(*query.stop) : int64_max);
    select->bind(3, to_int64(query.limit));
    for (std::size_t i = 0; i < query.topics.size(); ++i)
      select->bind(static_cast<int>(4 + i), query.topics[i]);
    // Assigning over the elements already there reuses their buffers.
    std::size_t count = 0;
    while (select->step()) {
      if (count == out.size()) out.emplace_back();
      auto& note = out[count++];
      note.id = static_cast<std::uint64_t>(select->int64(0));
      note.event.originator_id = uuid_from(select->blob(1), reader_->file());
      note.event.originator_version = static_cast<std::uint64_t>(select->int64(2));
      note.event.topic.assign(select->text(3));
      const auto state = select->blob(4);
      note.event.state.assign(state.begin(), state.end());
    }
    out.resize(count);
  }

  std::uint64_t max_notification_id() override {
    std::lock_guard lock(*read_mutex_);
    if (known_ && known_->max_id) return *known_->max_id;
    sqlite::use select(read_->max_notification);
    const auto max = select->step() ? static_cast<std::uint64_t>(select->int64(0)) : 0;
    if (known_) known_->max_id = max;
    return max;
  }

  std::uint64_t max_tracking_id(std::string_view upstream) override {
    std::lock_guard lock(*read_mutex_);
    if (known_) {
      if (const auto* position = known_->position_of(upstream)) return *position;
    }
    sqlite::use select(read_->tracking);
    select->bind(1, upstream);
    const auto position = select->step() ? static_cast<std::uint64_t>(select->int64(0)) : 0;
    if (known_) known_->positions.emplace_back(upstream, position);
    return position;
  }

  bool has_tracking_id(std::string_view upstream, std::uint64_t id) override {
    return id <= max_tracking_id(upstream);
  }

 private:
  // Refuses, before touching the database, what SQLite cannot hold or the
  // interface forbids: versions and ids above 2^63 - 1, two records for one upstream.
  void check_arguments(std::span<const es::stored_event> events,
                       std::span<const es::tracking> tracked) const {
    for (const auto& event : events) {
      if (event.originator_version > static_cast<std::uint64_t>(int64_max))
        throw invalid_input("event " + event.originator_id.str() + ": version " +
                            std::to_string(event.originator_version) + " exceeds 2^63 - 1");
    }
    for (auto it = tracked.begin(); it != tracked.end(); ++it) {
      if (it->notification_id > static_cast<std::uint64_t>(int64_max))
        throw invalid_input("tracking of '" + it->upstream + "': notification id " +
                            std::to_string(it->notification_id) + " exceeds 2^63 - 1");
      if (std::any_of(tracked.begin(), it,
                      [&](const es::tracking& other) { return other.upstream == it->upstream; }))
        throw integrity_error("two tracking records for upstream '" + it->upstream +
                              "' in one call");
    }
  }

  // Both inserts: one transaction, ids as a range (consecutive rowids: the
  // write lock is held from BEGIN IMMEDIATE to COMMIT). A lone event without
  // tracking is one INSERT in autocommit mode: as atomic, and it spares
  // BEGIN, COMMIT and the statement savepoint SQLite opens for an INSERT
  // inside an explicit transaction (a leader's one-event command, the hot path).
  es::id_range record(std::span<const es::stored_event> events,
                      std::span<const es::tracking> tracked) {
    check_arguments(events, tracked);
    std::lock_guard lock(write_mutex_);
    check_usable();
    const bool own_transaction = events.size() == 1 && tracked.empty();
    if (!own_transaction) sqlite::use(write_->begin)->run();
    es::id_range range;
    try {
      for (const auto& track : tracked) advance(track);
      range = insert_all(events);
      if (!own_transaction) sqlite::use(write_->commit)->run();
      if (known_) known_->committed(range, tracked);
    } catch (...) {
      rollback();
      check_usable();  // a failed WAL write says more than the COMMIT that reported it
      throw;
    }
    return range;
  }

  // Called inside the write transaction.
  void advance(const es::tracking& track) {
    sqlite::use upsert(write_->advance_tracking);
    upsert->bind(1, track.upstream);
    upsert->bind(2, static_cast<std::int64_t>(track.notification_id));
    upsert->run();
    if (sqlite3_changes(writer_->handle()) == 0)
      throw integrity_error("sqlite database '" + writer_->file() + "': notification " +
                            std::to_string(track.notification_id) + " of '" + track.upstream +
                            "' is tracked already");
  }

  // Called inside the write transaction; returns the notification ids:
  // consecutive, as SQLite gives each new row max(rowid) + 1 while this
  // connection holds the write lock.
  es::id_range insert_all(std::span<const es::stored_event> events) {
    es::id_range range;
    std::uint64_t last = 0;
    for (std::size_t i = 0; i < chunk_rows.size(); ++i) {
      while (events.size() - range.count >= chunk_rows[i]) {
        const auto chunk = events.subspan(range.count, chunk_rows[i]);
        last = insert_chunk(write_->insert_events(i), chunk);
        if (range.count == 0) range.first = last + 1 - chunk.size();
        range.count += chunk.size();
      }
    }
    if (range.count > 0 && last != range.last())
      throw storage_error("sqlite database '" + writer_->file() + "': notification ids " +
                          std::to_string(range.first) + ".." + std::to_string(last) + " for " +
                          std::to_string(range.count) + " events are not consecutive");
    return range;
  }

  // Inserts `chunk` with `insert` (a statement of chunk.size() rows);
  // returns the last row's notification id.
  std::uint64_t insert_chunk(sqlite::statement& insert, std::span<const es::stored_event> chunk) {
    {
      sqlite::use rows(insert);
      int column = 1;
      for (const auto& event : chunk) {
        rows->bind(column++, bytes_of(event.originator_id));
        rows->bind(column++, static_cast<std::int64_t>(event.originator_version));
        rows->bind(column++, event.topic);
        rows->bind(column++, event.state);
      }
      try {
        rows->run();
        return static_cast<std::uint64_t>(sqlite3_last_insert_rowid(writer_->handle()));
      } catch (const integrity_error& e) {
        if (chunk.size() == 1) throw conflict_of(chunk.front(), e);
      }
    }
    // The failed statement undid its rows; find the event to name, one row at a time.
    for (const auto& event : chunk) insert_chunk(write_->insert_event(), std::span(&event, 1));
    throw integrity_error("sqlite database '" + writer_->file() + "': a unique constraint failed");
  }

  static integrity_error conflict_of(const es::stored_event& event, const integrity_error& e) {
    return integrity_error("event " + event.originator_id.str() + " version " +
                           std::to_string(event.originator_version) + " exists already (" +
                           e.what() + ")");
  }

  // Undoes the open transaction, if SQLite has not already done so. A failed
  // rollback leaves nothing to undo in a recorder that failed anyway.
  void rollback() noexcept {
    if (!writer_->in_transaction()) return;
    try {
      sqlite::use(write_->rollback)->run();
    } catch (...) {
    }
  }

  // Checkpoints copy the WAL back into the database file, with an fsync of
  // each even at synchronous=NORMAL, on the committing thread. Every 40,000
  // pages (80 MB of WAL at 2 KiB pages) rather than SQLite's 1,000 makes them
  // rare and lets repeated writes of a page coalesce: measured against 10,000
  // and 20,000 (tools/bench/pipeline/RESULTS.md), the pipeline's wall time
  // falls by a fifth, its CPU time stays. The WAL file stays that size
  // while the recorder is open (SQLite reuses it in place).
  static constexpr int checkpoint_pages = 40'000;
  // The page cache holds the unique index's hot pages (random uuids spread inserts).
  static constexpr const char* tuning = "PRAGMA cache_size = -65536";

  // SQLite calls this after every commit of the writer connection, write lock
  // released. A buffered WAL is written out here: only then is the commit safe
  // from a crash of this process. A failed write leaves the connection's view
  // ahead of its file: the recorder is broken until reopened.
  static int after_commit(void* self, sqlite3* db, const char* schema, int wal_pages) {
    auto& recorder = *static_cast<sqlite_recorder*>(self);
    if (const int rc = sqlite::flush_wal(db); rc != SQLITE_OK) {
      recorder.broken_ = std::string("writing the WAL failed: ") + sqlite3_errstr(rc);
      return rc;
    }
    if (wal_pages >= checkpoint_pages)
      sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    return SQLITE_OK;
  }

  // Called with the write lock held.
  void check_usable() const {
    if (read_only_)
      throw storage_error("sqlite database '" + reader_->file() + "': opened read-only");
    if (!broken_.empty())
      throw storage_error("sqlite database '" + writer_->file() + "': " + broken_ +
                          "; reopen the recorder");
  }

  // What an exclusive recorder, the file's only writer, knows without asking
  // SQLite: followers ask for these on every prompt. Filled on first use,
  // kept current by every commit; guarded by write_mutex_.
  struct known_state {
    std::optional<std::uint64_t> max_id;
    std::vector<std::pair<std::string, std::uint64_t>> positions;  // few upstreams: a vector

    std::uint64_t* position_of(std::string_view upstream) {
      for (auto& [name, position] : positions)
        if (name == upstream) return &position;
      return nullptr;
    }
    void committed(const es::id_range& ids, std::span<const es::tracking> tracked) {
      if (max_id && !ids.empty()) max_id = ids.last();
      for (const auto& track : tracked)
        if (auto* position = position_of(track.upstream)) *position = track.notification_id;
    }
  };

  bool read_only_;
  std::optional<known_state> known_;  // exclusive mode only
  std::string broken_;                // why the writer is unusable; guarded by write_mutex_
  std::mutex write_mutex_;            // guards writer_ and write_
  std::unique_ptr<sqlite::connection> writer_;
  std::unique_ptr<write_statements> write_;
  std::mutex own_read_mutex_;
  std::mutex* read_mutex_ = &own_read_mutex_;  // guards *reader_ and read_
  std::unique_ptr<sqlite::connection> own_reader_;
  sqlite::connection* reader_ = nullptr;  // own_reader_, or writer_ when exclusive
  std::unique_ptr<read_statements> read_;
};

}  // namespace

std::unique_ptr<es::recorder> make_sqlite_recorder(const std::filesystem::path& file,
                                                   const sqlite_options& options) {
  return std::make_unique<sqlite_recorder>(file, options);
}

}  // namespace weft::store
