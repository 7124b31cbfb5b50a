#pragma once
// The `weft` command line: what each command takes, how argv becomes one of
// them, and the exit codes scripts can rely on. runner/main.cpp only calls
// cli_main(); the commands themselves are in commands.hpp.
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace weft::runner {

/// Exit codes of `weft`. Stable: scripts depend on them.
enum exit_code : int {
  exit_ok = 0,           ///< done
  exit_failure = 1,      ///< runtime failure: a worker gave up, storage failed, internal error
  exit_usage = 2,        ///< bad arguments or bad input: system file, plugin, JSON payload
  exit_unavailable = 3,  ///< the command exists but this build cannot run it yet
  exit_not_running = 4,  ///< the named system is not running (call, ps, top, events)
};

enum class runner_kind { process, threads, single };

/// weft run SYSTEM.toml [--data DIR] [--runner process|threads|single] [--apps A,B] [--log-level L]
struct run_options {
  std::filesystem::path system;
  std::optional<std::filesystem::path> data_dir;  ///< overrides the file's data_dir
  runner_kind runner = runner_kind::process;
  std::vector<std::string> apps;  ///< empty: all; else only these run on this host
  std::string log_level = "info";
};

/// weft check SYSTEM.toml
struct check_options {
  std::filesystem::path system;
};

/// weft call SYSTEM APP COMMAND [JSON]
struct call_options {
  std::string system;  ///< a running system's name, or its system file
  std::string app;
  std::string command;
  std::string arguments = "{}";  ///< JSON object
};

/// weft demo [--data DIR] [--orders N]: always the process runner (`weft run` has the others).
struct demo_options {
  std::filesystem::path data_dir = "weft-demo-data";
  std::uint64_t orders = 200000;  // a few seconds on two cores: long enough to watch
  std::string log_level = "warn";
};

/// weft worker ... (hidden): one application in this process, started by the supervisor.
struct worker_options {
  std::filesystem::path system;
  std::string app;
  std::string segment;
  std::filesystem::path data_dir;
  std::string log_level = "info";
};

/// weft ls [--json] | ps SYSTEM [--json] | top SYSTEM
/// | events SYSTEM|DATA_DIR|SYSTEM.toml APP [--from N] [--limit K] [--follow]: read-only
/// inspection.
struct inspect_options {
  enum class view { ls, ps, top, events };
  view what = view::ls;
  std::string system;
  std::string app;
  std::uint64_t from = 1;
  std::optional<std::uint64_t> limit;  ///< events: at most this many
  bool follow = false;                 ///< events: wait for new ones until interrupted
  bool json = false;  ///< ls, ps: JSON for scripts (events always print JSON lines)
};

using command = std::variant<run_options, check_options, call_options, demo_options, worker_options,
                             inspect_options>;

/// Parses argv (argv[0] is the program). Returns the command, or the exit code
/// to end with when parsing already finished the job: 0 after --help, exit_usage
/// after a bad argument (the message, naming the argument, went to `err`).
std::variant<command, int> parse_command_line(int argc, const char* const* argv, std::ostream& out,
                                              std::ostream& err);

/// The argv (after the program) that makes `weft` run `options` as a worker;
/// what the supervisor passes to launch(). parse_command_line() reads it back.
std::vector<std::string> worker_arguments(const worker_options& options);

/// Parses, runs the command, and turns exceptions into messages and exit codes.
int cli_main(int argc, const char* const* argv);

}  // namespace weft::runner
