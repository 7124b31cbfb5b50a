// The summary of a chaos run, as text for people and JSON for scripts.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "chaos_run.hpp"

namespace chaos {

void print_text(const chaos_summary& s, std::ostream& out) {
  out << fmt::format("weft-chaos {}: seed {} (repeat with --seed {})\n", s.system, s.seed, s.seed);
  out << fmt::format(
      "  commands   {} planned, {} submitted ({} sent again), {} acknowledged, {} refused, {} lost "
      "({} answered late)\n",
      s.commands, s.submitted, s.retried, s.acknowledged, s.refused, s.lost, s.late_replies);
  out << fmt::format(
      "  chaos      {} worker SIGKILLs, {} supervisor SIGKILLs, {} supervisor starts, {} SIGSTOPs, "
      "{} worker restarts seen\n",
      s.worker_kills, s.supervisor_kills, s.supervisor_starts, s.stops, s.restarts_seen);
  if (s.unexpected_exits + s.start_failures > 0)
    out << fmt::format("  trouble    {} supervisor exits nobody asked for, {} failed starts\n",
                       s.unexpected_exits, s.start_failures);
  out << fmt::format("  time       {:.1f} s under load, {:.1f} s to drain ({}), {:.1f} s in all\n",
                     s.load_seconds, s.drain_seconds, s.drained ? "drained" : "NOT drained",
                     s.seconds);
  std::string events, facts;
  std::uint64_t total = 0;
  for (const auto& [app, n] : s.events_per_app) {
    events += fmt::format(" {} {}", app, n);
    total += n;
  }
  for (const auto& [name, n] : s.facts) facts += fmt::format(" {} {}", name, n);
  out << fmt::format("  events     {} in all:{}\n", total, events);
  out << fmt::format("  recorders {}\n", facts);
  out << fmt::format("  violations {}\n", s.violations);
  for (const auto& v : s.violation_examples) out << "    - " << v << "\n";
}

void print_json(const chaos_summary& s, std::ostream& out) {
  nlohmann::ordered_json j;
  j["system"] = s.system;
  j["seed"] = s.seed;
  j["commands"] = {{"planned", s.commands},         {"submitted", s.submitted},
                   {"retried", s.retried},          {"acknowledged", s.acknowledged},
                   {"refused", s.refused},          {"lost", s.lost},
                   {"late_replies", s.late_replies}};
  j["chaos"] = {
      {"worker_kills", s.worker_kills},           {"supervisor_kills", s.supervisor_kills},
      {"supervisor_starts", s.supervisor_starts}, {"stops", s.stops},
      {"restarts_seen", s.restarts_seen},         {"unexpected_exits", s.unexpected_exits},
      {"start_failures", s.start_failures}};
  j["seconds"] = {{"load", s.load_seconds}, {"drain", s.drain_seconds}, {"total", s.seconds}};
  j["drained"] = s.drained;
  j["events_per_app"] = s.events_per_app;
  j["facts"] = s.facts;
  j["violations"] = s.violations;
  j["violation_examples"] = s.violation_examples;
  out << j.dump(2) << "\n";
}

}  // namespace chaos
