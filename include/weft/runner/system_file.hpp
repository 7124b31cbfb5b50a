#pragma once
// Reading system files (TOML). Every error names the file, the line and the key:
//
//   shop.toml:12:1: applications[2].tpye: unknown key (did you mean 'type'?)
//
// The format, with defaults (see tests/runner/data/shop.toml for a full example):
//
//   name = "shop"                        # required; [A-Za-z0-9_.-], names the segment
//   data_dir = "shop-data"               # relative to this file; default "<name>-data"
//   plugins = ["lib/libshop.so"]         # relative to this file
//   pipes = [["Orders", "Reservations", "Orders"], "Orders | Payments | Orders"]
//   [persistence]  kind = "sqlite"|"memory"|"postgres", durability = "full"|"normal", dsn = "..."
//   [rings]        edge_bytes = 1048576, ingress_bytes = 262144      # powers of two
//   [batching]     section_events = 1024, group_commit = 1024
//   [supervision]  max_restarts = 5, window_seconds = 60, backoff_initial_ms = 100,
//                  backoff_max_ms = 5000, stop_timeout_ms = 5000, heartbeat_timeout_ms = 5000,
//                  turn_timeout_ms = 60000
//   [[applications]]  name = "Orders", type = "shop.Orders"
//                     options = { ... }, persistence = { kind = "memory" }
#include <filesystem>
#include <string_view>

#include "weft/core/error.hpp"
#include "weft/runner/system_spec.hpp"

namespace weft::runner {

/// A system file that cannot be used; what() is "file:line:col: key: problem".
class system_file_error : public invalid_input {
 public:
  using invalid_input::invalid_input;
};

/// Reads and checks a system file. Throws system_file_error (also when the
/// file cannot be read). Relative paths in the file are resolved against the
/// file's directory.
system_spec load_system_file(const std::filesystem::path& file);

/// Parses system-file text as if read from `file` (which need not exist); for
/// tests and for definitions built in memory. Throws system_file_error.
system_spec parse_system_file(std::string_view text, const std::filesystem::path& file);

}  // namespace weft::runner
