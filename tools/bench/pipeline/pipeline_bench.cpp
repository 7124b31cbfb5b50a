// The pipeline benchmark of issue 2: Emitter -> Reactor -> Counter on the
// single-threaded runner, one transaction per source command. For each
// recorder it measures
//   emit only  - the Emitter alone, N commands;
//   end to end - the whole pipeline live: N / time until the Counter has
//                tracked the N-th reaction;
//   catch-up   - the pipeline started on an Emitter log of N events: the
//                followers catch up batch_size notifications per transaction.
// Each figure is printed next to the Python eventsourcing library's (v9.3,
// same pipeline, same machine kind) as a ratio.
#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench_recorders.hpp"
#include "pipeline_apps.hpp"
#include "weft/es/single_threaded_runner.hpp"

namespace {

using namespace weft;
using clock_type = std::chrono::steady_clock;

// Python eventsourcing 9.3, N = 10,000 (issue 2).
constexpr double python_memory = 8'380;
constexpr double python_sqlite_single = 655;
constexpr double python_sqlite_threaded = 999;

// One recorder per application name, kept so a second runner reopens the same logs.
class recorders {
 public:
  recorders(std::string kind, std::filesystem::path dir)
      : kind_(std::move(kind)), dir_(std::move(dir)) {}
  es::recorder_factory factory() {
    return [this](const std::string& name) {
      auto& slot = open_[name];
      if (!slot) slot = bench::open_recorder(kind_, dir_, name);
      return slot;
    };
  }

 private:
  std::string kind_;
  std::filesystem::path dir_;
  std::map<std::string, std::shared_ptr<es::recorder>> open_;
};

es::system_definition pipeline(std::uint64_t batch) {
  es::system_definition system{{"Emitter", "Reactor", "Counter"}};
  system.bind<bench::Emitter>("Emitter").bind<bench::Reactor>("Reactor").bind<bench::Counter>(
      "Counter");
  const es::options options{{"batch_size", std::to_string(batch)}};
  system.configure("Reactor", options).configure("Counter", options);
  return system;
}

es::system_definition emitter_alone() {
  es::system_definition system{{"Emitter"}};
  system.bind<bench::Emitter>("Emitter");
  return system;
}

// Wall and CPU time of a scenario: on a shared machine the CPU time says what
// the code costs, the wall time what a user would see.
struct stopwatch {
  clock_type::time_point wall = clock_type::now();
  std::clock_t cpu = std::clock();
};

struct figure {
  std::string scenario;
  double seconds;
  double cpu_seconds;
};

figure measured(std::string scenario, const stopwatch& started) {
  return {std::move(scenario),
          std::chrono::duration<double>(clock_type::now() - started.wall).count(),
          static_cast<double>(std::clock() - started.cpu) / CLOCKS_PER_SEC};
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one;
  in >> one;
  return one.empty() ? "?" : one;
}

void require(bool ok, const std::string& what) {
  if (!ok) throw std::logic_error("benchmark result wrong: " + what);
}

std::vector<figure> run(const std::string& kind, const std::filesystem::path& dir, std::uint64_t n,
                        std::uint64_t batch, bool live_only) {
  std::vector<figure> out;
  if (!live_only) {  // emit only, then catch-up on the log it leaves
    recorders logs(kind, dir);
    {
      es::single_threaded_runner runner(emitter_alone(), logs.factory());
      runner.start();
      auto& emitter = runner.get<bench::Emitter>("Emitter");
      const stopwatch start;
      for (std::uint64_t i = 1; i <= n; ++i) emitter.emit(i);
      out.push_back(measured("emit only", start));
      require(emitter.events().max_notification_id() == n, "emitter log");
    }
    es::single_threaded_runner runner(pipeline(batch), logs.factory());
    const stopwatch start;
    runner.start();
    out.push_back(measured(fmt::format("catch-up (batch {})", batch), start));
    require(runner.get<bench::Counter>("Counter").position("Reactor") == n, "catch-up counter");
  }
  {  // end to end, live
    recorders logs(kind, dir);
    es::single_threaded_runner runner(pipeline(batch), logs.factory());
    runner.start();
    auto& emitter = runner.get<bench::Emitter>("Emitter");
    auto& counter = runner.get<bench::Counter>("Counter");
    const stopwatch start;
    for (std::uint64_t i = 1; i <= n; ++i) emitter.emit(i);
    require(counter.position("Reactor") == n, "end-to-end counter position");
    out.push_back(measured("end to end", start));
    require(counter.count == n, "end-to-end counter count");
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"weft pipeline benchmark: Emitter -> Reactor -> Counter, single-threaded runner"};
  std::uint64_t n = 100'000;
  std::uint64_t batch = 100;
  std::string dir = std::filesystem::temp_directory_path() / "weft-pipeline-bench";
  std::vector<std::string> kinds = {"memory", "sqlite-normal", "sqlite-full"};
  app.add_option("-n,--commands", n, "source commands (N)")->check(CLI::PositiveNumber);
  app.add_option("-b,--batch", batch, "batch_size of the process applications")
      ->check(CLI::PositiveNumber);
  bool live_only = false;
  app.add_flag("--end-to-end-only", live_only, "only the live end-to-end run (for profiling)");
  app.add_option("-d,--dir", dir, "directory for the SQLite files (a real disk)");
  app.add_option("-r,--recorders", kinds,
                 "memory, sqlite-normal, sqlite-full (+ \"-shared\": exclusive off)");
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(dir);

  fmt::print("N = {}, batch_size = {}, files in {}, load average {}\n", n, batch, dir,
             load_average());
  fmt::print("{:<20} {:<20} {:>8} {:>10} {:>10}  {}\n", "scenario", "recorder", "seconds",
             "events/s", "ev/cpu-s", "events/s vs Python eventsourcing 9.3");
  for (const auto& kind : kinds) {
    for (const auto& [scenario, seconds, cpu_seconds] : run(kind, dir, n, batch, live_only)) {
      const double rate = static_cast<double>(n) / seconds;
      const double cpu_rate = static_cast<double>(n) / cpu_seconds;
      const std::string versus =
          kind == "memory"
              ? fmt::format("{:.0f}x of {:.0f} (memory)", rate / python_memory, python_memory)
              : fmt::format("{:.0f}x of {:.0f} (sqlite 1 thread), {:.0f}x of {:.0f} (threaded)",
                            rate / python_sqlite_single, python_sqlite_single,
                            rate / python_sqlite_threaded, python_sqlite_threaded);
      fmt::print("{:<20} {:<20} {:>8.2f} {:>10.0f} {:>10.0f}  {}\n", scenario, kind, seconds, rate,
                 cpu_rate, versus);
      std::fflush(stdout);
    }
  }
  std::filesystem::remove_all(dir);
}
