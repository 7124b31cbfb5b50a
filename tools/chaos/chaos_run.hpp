#pragma once
// One chaos run: start the system under `weft run`, submit the load through a
// pipelined weft::Client, SIGKILL workers at random intervals, SIGKILL the
// supervisor and start it again on the same data, SIGSTOP a worker for a
// while; then drain, stop with SIGINT and audit the recorders.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "chaos_system.hpp"

namespace chaos {

struct chaos_options {
  std::filesystem::path weft;      ///< the weft executable
  std::filesystem::path work_dir;  ///< system file, data/, supervisor.log; data/ is wiped first
  std::uint64_t commands = 20000;
  std::uint64_t window = 1024;  ///< commands in flight at most
  std::uint64_t kills = 20;     ///< worker SIGKILLs
  std::chrono::milliseconds kill_min{50}, kill_max{500};
  std::uint32_t supervisor_kills = 1;
  std::chrono::milliseconds stop_for{0};           ///< SIGSTOP one worker this long; 0: never
  std::uint64_t seed = 0;                          ///< 0: a random one (printed)
  std::chrono::milliseconds reply_timeout{15000};  ///< an unanswered command is lost after this
  std::chrono::milliseconds drain_timeout{60000};
  std::chrono::milliseconds give_up_after{std::chrono::hours(24)};  ///< load + chaos phase
  bool progress = true;  ///< a line on stderr every second
};

struct chaos_summary {
  std::string system;
  std::uint64_t seed = 0;
  std::uint64_t commands = 0, submitted = 0, acknowledged = 0, refused = 0, lost = 0, retried = 0,
                late_replies = 0;
  std::uint64_t worker_kills = 0, supervisor_kills = 0, supervisor_starts = 0, stops = 0,
                restarts_seen = 0, unexpected_exits = 0, start_failures = 0;
  bool drained = false;
  double seconds = 0, load_seconds = 0, drain_seconds = 0;
  std::map<std::string, std::uint64_t> events_per_app;
  std::map<std::string, std::uint64_t> facts;
  std::uint64_t violations = 0;
  std::vector<std::string> violation_examples;
};

chaos_summary run_chaos(const chaos_options& options, const chaos_system& system);

void print_text(const chaos_summary& summary, std::ostream& out);
void print_json(const chaos_summary& summary, std::ostream& out);

}  // namespace chaos
