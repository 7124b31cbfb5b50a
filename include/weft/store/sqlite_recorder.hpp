#pragma once
// The embedded default recorder: one SQLite database file per application,
// in WAL mode. Notification ids are SQLite rowids, assigned only inside
// serialized write transactions, so they are gapless.
#include <chrono>
#include <filesystem>
#include <memory>

#include "weft/es/recorder.hpp"
#include "weft/store/durability.hpp"

namespace weft::store {

struct sqlite_options {
  durability sync = durability::full;
  /// How long a write waits for another process holding the file's write lock.
  std::chrono::milliseconds busy_timeout{5000};
  /// Hold the file's lock from opening to closing (the default): no other
  /// connection or process can read or write it meanwhile (they get "database
  /// is locked"). This spares the file-lock system calls of every transaction;
  /// readers share the writer's connection. false: a separate reader
  /// connection, and other processes may read and write the file too; each
  /// commit costs about 1.3x the CPU (tools/bench/pipeline/RESULTS.md).
  /// Either way a commit reaches the WAL file in one write.
  bool exclusive = true;
  /// Open for reading only (inspection tools); every write throws weft::storage_error.
  bool read_only = false;
};

/// Opens `file`, creating the database and its schema when the file does not
/// exist or is empty. The parent directory must exist. Throws
/// weft::storage_error naming the file when it cannot be opened, is not a weft
/// database or has a schema version this build does not know.
std::unique_ptr<es::recorder> make_sqlite_recorder(const std::filesystem::path& file,
                                                   const sqlite_options& options);

inline std::unique_ptr<es::recorder> make_sqlite_recorder(const std::filesystem::path& file,
                                                          durability sync = durability::full) {
  return make_sqlite_recorder(file, sqlite_options{.sync = sync});
}

}  // namespace weft::store
