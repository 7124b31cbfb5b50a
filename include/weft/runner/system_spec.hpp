#pragma once
// A system definition as read from a system file: plain data, no behaviour.
// load_system_file() (system_file.hpp) fills it and has already checked
// everything that the file alone can tell; what needs the application type
// registry is checked by validate_types() (type_check.hpp).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace weft::runner {

/// Where a value stood in its file, for error messages (1-based; 0 = unknown).
struct source_line {
  int line = 0;
  int column = 0;
};

/// How an application stores its events.
struct persistence_spec {
  enum class kind { memory, sqlite, postgres };
  /// sqlite only: FULL fsyncs every commit; NORMAL only at WAL checkpoints.
  enum class durability { full, normal };

  kind backend = kind::sqlite;
  durability sync = durability::full;
  std::string dsn;  ///< postgres only (reserved: the postgres recorder comes later)
};

struct application_spec {
  std::string name;  ///< unique in the system; also names files and log files
  std::string type;  ///< registered application type name
  nlohmann::json options = nlohmann::json::object();  ///< the [options] table, types kept
  std::optional<persistence_spec> persistence;        ///< overrides the system's, if set
  source_line where;                                  ///< the [[applications]] header
  source_line type_where;                             ///< the `type` value
};

/// One pipe: each application follows the one before it.
struct pipe_spec {
  std::vector<std::string> names;
  std::vector<source_line> name_where;  ///< parallel to names
  source_line where;
};

/// Ring buffer sizes in bytes; powers of two.
struct ring_spec {
  std::uint32_t edge_bytes = 1u << 20;     ///< leader -> follower sections and prompts
  std::uint32_t ingress_bytes = 1u << 18;  ///< client commands into one application
};

struct batching_spec {
  /// Notifications per section pushed or pulled, and per follower transaction
  /// unless an application sets its own batch_size option.
  std::uint32_t section_events = 1024;
  std::uint32_t group_commit = 1024;  ///< commands recorded in one transaction at most
};

/// Restart policy for workers (see restart_policy.hpp) and shutdown timing.
struct supervision_spec {
  std::uint32_t max_restarts = 5;  ///< failures tolerated within `window`
  std::chrono::milliseconds window{std::chrono::seconds(60)};
  std::chrono::milliseconds backoff_initial{100};
  std::chrono::milliseconds backoff_max{5000};
  std::chrono::milliseconds stop_timeout{5000};       ///< SIGTERM -> SIGKILL
  std::chrono::milliseconds heartbeat_timeout{5000};  ///< a silent worker counts as hung
  /// One turn of an application (a handler, a transaction) running longer
  /// counts as hung: its worker stops its heartbeats, and heartbeat_timeout
  /// later the supervisor kills and restarts it. Longer than any database wait.
  std::chrono::milliseconds turn_timeout{60000};
};

struct system_spec {
  std::filesystem::path source;                ///< the file read, absolute
  std::string name;                            ///< names the segment and the data directory default
  std::vector<application_spec> applications;  ///< in file order
  std::vector<pipe_spec> pipes;
  persistence_spec persistence;
  std::filesystem::path data_dir;              ///< absolute
  std::vector<std::filesystem::path> plugins;  ///< absolute, in file order
  std::vector<source_line> plugin_where;       ///< parallel to plugins
  ring_spec rings;
  batching_spec batching;
  supervision_spec supervision;

  /// The application named `name`, or nullptr.
  [[nodiscard]] const application_spec* find(std::string_view name) const;
  /// An application's persistence: its own override or the system's.
  [[nodiscard]] const persistence_spec& persistence_of(const application_spec& app) const;
};

std::string_view to_string(persistence_spec::kind kind);
std::string_view to_string(persistence_spec::durability sync);

}  // namespace weft::runner
