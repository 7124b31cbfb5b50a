#pragma once
// The recorders a benchmark can run on, by name, each in its own file under a
// directory the benchmark owns.
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "weft/store/memory_recorder.hpp"
#include "weft/store/sqlite_recorder.hpp"

namespace weft::bench {

inline const std::vector<std::string> recorder_kinds = {
    "memory", "sqlite-normal", "sqlite-normal-shared", "sqlite-full", "sqlite-full-shared"};

/// A fresh recorder of `kind` named `app` under `dir`: "memory", "sqlite-normal" or
/// "sqlite-full" (SQLite's defaults: exclusive), with "-shared": exclusive = false.
inline std::unique_ptr<es::recorder> open_recorder(const std::string& kind,
                                                   const std::filesystem::path& dir,
                                                   const std::string& app) {
  if (kind == "memory") return store::make_memory_recorder();
  const auto file = dir / (app + ".sqlite");
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file.string() + suffix);
  store::sqlite_options options;
  const bool shared = kind.ends_with("-shared");
  options.exclusive = !shared;
  const auto sync = kind.substr(0, kind.size() - (shared ? 7 : 0));
  options.sync = sync == "sqlite-full" ? store::durability::full : store::durability::normal;
  if (sync == "sqlite-normal" || sync == "sqlite-full")
    return store::make_sqlite_recorder(file, options);
  throw std::invalid_argument("unknown recorder '" + kind +
                              "': choose memory, sqlite-normal or sqlite-full (+ -shared)");
}

}  // namespace weft::bench
