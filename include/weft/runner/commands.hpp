#pragma once
// The `weft` commands, one function each, returning an exit code (cli.hpp).
// They may throw: cli_main() prints the message and turns weft::invalid_input
// and plugin_error into exit_usage, unavailable_error into exit_unavailable and
// any other error into exit_failure.
#include <iosfwd>

#include "weft/core/error.hpp"
#include "weft/runner/cli.hpp"

namespace weft::runner {

/// The command exists but its machinery is not in this build (exit_unavailable).
class unavailable_error : public error {
 public:
  using error::error;
};

/// Reads the system file, registers its plugins into the global application
/// registry, checks the types, prints applications and the follow graph.
int check_command(const check_options& options, std::ostream& out);

// Each checks its input first (bad input: exit_usage), then does its work and
// returns the exit status.
int run_command(const run_options& options, std::ostream& out);
int call_command(const call_options& options, std::ostream& out);
int demo_command(const demo_options& options, std::ostream& out);
int worker_command(const worker_options& options);
int inspect_command(const inspect_options& options, std::ostream& out);

}  // namespace weft::runner
