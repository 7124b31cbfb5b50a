// Measures a recorder alone, in the shapes the pipeline uses: one-event
// transactions (Emitter), one event plus tracking (Reactor), tracking only
// (Counter), batches, and pulling notifications back. Prints each figure
// next to the memory recorder's, measured in the same run.
#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "bench_recorders.hpp"
#include "weft/core/uuid.hpp"

namespace {

using namespace weft;
using clock_type = std::chrono::steady_clock;

// Events are made before the clock starts: the figures are the recorder's alone.
std::vector<es::stored_event> emitted(std::uint64_t n) {
  std::vector<es::stored_event> events;
  events.reserve(n);
  for (std::uint64_t i = 1; i <= n; ++i) {
    events.push_back(es::stored_event{uuid::random(), 1, "bench.Emitted", es::bytes(16, 0)});
    for (int b = 0; b < 8; ++b) events.back().state[b] = static_cast<std::uint8_t>(i >> (8 * b));
  }
  return events;
}

// One scenario: `run` does `events.size()` operations on a fresh recorder
// that `prepare` has filled; only `run` is timed.
using step = std::function<void(es::recorder&, const std::vector<es::stored_event>& events)>;
struct scenario {
  std::string name;
  step run;
  step prepare = [](es::recorder&, const std::vector<es::stored_event>&) {};
};

std::vector<scenario> scenarios(std::uint64_t batch) {
  return {
      {"1 event / tx",
       [](es::recorder& r, const std::vector<es::stored_event>& events) {
         for (const auto& e : events) r.insert_events(std::span(&e, 1));
       }},
      {"1 event + tracking / tx",
       [](es::recorder& r, const std::vector<es::stored_event>& events) {
         std::uint64_t i = 0;
         for (const auto& e : events)
           r.insert_events(std::span(&e, 1), std::vector{es::tracking{"Emitter", ++i}});
       }},
      {"tracking only / tx",
       [](es::recorder& r, const std::vector<es::stored_event>& events) {
         for (std::uint64_t i = 1; i <= events.size(); ++i)
           r.insert_events({}, std::vector{es::tracking{"Reactor", i}});
       }},
      {fmt::format("{} events / tx", batch),
       [batch](es::recorder& r, const std::vector<es::stored_event>& events) {
         for (std::size_t i = 0; i < events.size(); i += batch)
           r.insert_events(
               std::span(events).subspan(i, std::min<std::size_t>(batch, events.size() - i)));
       }},
      {"pull 100 notifications",
       [](es::recorder& r, const std::vector<es::stored_event>& events) {
         es::notification_query query;
         for (query.start = 1; query.start <= events.size(); query.start += query.limit)
           r.select_notifications(query);
       },
       [](es::recorder& r, const std::vector<es::stored_event>& events) {
         r.insert_events(events);
       }},
      {"max_tracking_id",
       [](es::recorder& r, const std::vector<es::stored_event>& events) {
         std::uint64_t sum = 0;
         for (std::size_t i = 0; i < events.size(); ++i) sum += r.max_tracking_id("Emitter");
         if (sum != events.size() * 7)
           throw std::logic_error("max_tracking_id gave a wrong answer");
       },
       [](es::recorder& r, const std::vector<es::stored_event>&) {
         r.insert_events({}, std::vector{es::tracking{"Emitter", 7}});
       }},
  };
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"weft recorder benchmark: operations per second, per recorder"};
  std::uint64_t events = 100'000;
  std::uint64_t full_events = 5'000;
  std::uint64_t batch = 100;
  std::string dir = std::filesystem::temp_directory_path() / "weft-recorder-bench";
  std::vector<std::string> kinds = weft::bench::recorder_kinds;
  app.add_option("-n,--events", events, "operations per scenario (memory, sqlite-normal)");
  app.add_option("--full-events", full_events, "operations per scenario on sqlite-full (fsyncs)");
  app.add_option("-b,--batch", batch, "events per transaction in the batch scenario")
      ->check(CLI::PositiveNumber);
  app.add_option("-d,--dir", dir, "directory for database files (must be on a real disk)");
  app.add_option("-r,--recorders", kinds,
                 "memory, sqlite-normal, sqlite-full (+ \"-shared\": exclusive off)");
  CLI11_PARSE(app, argc, argv);

  std::filesystem::create_directories(dir);
  fmt::print("load average {}\n", [] {
    std::ifstream in("/proc/loadavg");
    std::string one;
    in >> one;
    return one;
  }());
  fmt::print("{:<24} {:<20} {:>7} {:>10} {:>11} {:>10}\n", "scenario", "recorder", "n", "ops/s",
             "ops/cpu-s", "vs memory");
  for (const auto& s : scenarios(batch)) {
    double memory_rate = 0;
    for (const auto& kind : kinds) {
      const std::uint64_t n = kind.starts_with("sqlite-full") ? full_events : events;
      const auto events = emitted(n);
      auto recorder = weft::bench::open_recorder(kind, dir, "bench");
      s.prepare(*recorder, events);
      const auto start = clock_type::now();
      const std::clock_t cpu_start = std::clock();
      s.run(*recorder, events);
      const std::chrono::duration<double> took = clock_type::now() - start;
      const double rate = static_cast<double>(n) / took.count();
      const double cpu_rate =
          static_cast<double>(n) * CLOCKS_PER_SEC / static_cast<double>(std::clock() - cpu_start);
      if (kind == "memory") memory_rate = rate;
      fmt::print("{:<24} {:<20} {:>7} {:>10.0f} {:>11.0f} {:>10}\n", s.name, kind, n, rate,
                 cpu_rate, memory_rate > 0 ? fmt::format("{:.3f}x", rate / memory_rate) : "-");
    }
  }
  std::filesystem::remove_all(dir);
}
