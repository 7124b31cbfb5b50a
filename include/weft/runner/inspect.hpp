#pragma once
// The read-only inspection commands, one per view; inspect_command()
// (commands.hpp) picks one. None of them writes into a running system.
#include <iosfwd>

#include "weft/runner/cli.hpp"

namespace weft::runner {

/// weft ls: this user's systems, live and stale.
int ls_command(const inspect_options& options, std::ostream& out);
/// weft ps SYSTEM: one row per process, rates over ~250 ms.
int ps_command(const inspect_options& options, std::ostream& out);
/// weft top SYSTEM: the ps table redrawn every second until `q`, SIGINT or the system stops.
int top_command(const inspect_options& options, std::ostream& out);
/// weft events TARGET APP: notifications as JSON lines, from the application's recorder.
int events_command(const inspect_options& options, std::ostream& out);

}  // namespace weft::runner
