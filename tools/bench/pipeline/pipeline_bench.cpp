// The pipeline benchmark of issue 2: Emitter -> Reactor -> Counter on the
// single-threaded runner, one transaction per source command. For each
// recorder it measures
//   emit only  - the Emitter alone, N commands;
//   end to end - the whole pipeline live: N / time until the Counter has
//                tracked the N-th reaction; followers prompted after every
//                command (the runner's default);
//   end to end, deferred - the same with runner.defer_prompts(batch_size):
//                still one Emitter transaction per command, but the followers
//                run every batch_size commands and process what is new in
//                one transaction each;
//   catch-up   - the pipeline started on an Emitter log of N events: the
//                followers catch up batch_size notifications per transaction.
// --runners threads processes runs the live pipeline also hosted by
// node::workers, weft-run-process weft-run-threads weft-run-single under
// `weft run` (see hosted_pipeline.hpp); with weft-run-process and
// weft-run-single both, it prints the multi-process/single-process ratio, the
// same system file and client under both. Each figure is printed next to the Python eventsourcing
// library's (v9.3, same pipeline, same machine kind) as a ratio. --stages 3 4 5 lengthens the
// pipeline with Relays; --json writes every row for tools/bench/run, and
// --progress reports "progress <what> <done> <total>" lines on stderr.
#include <fmt/core.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench_recorders.hpp"
#include "hosted_pipeline.hpp"
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

/// Emitter -> Reactor -> Relay1 .. Relay(stages - 3) -> Counter.
std::vector<std::string> stage_names(std::uint64_t stages) {
  std::vector<std::string> names{"Emitter", "Reactor"};
  for (std::uint64_t i = 1; i + 3 <= stages; ++i) names.push_back("Relay" + std::to_string(i));
  names.emplace_back("Counter");
  return names;
}

es::system_definition pipeline(std::uint64_t batch, std::uint64_t stages, const std::string& ids) {
  const auto names = stage_names(stages);
  es::pipe chain(names.front());
  for (std::size_t i = 1; i < names.size(); ++i) chain = std::move(chain) | names[i];
  es::system_definition system{chain};
  system.bind<bench::Emitter>("Emitter").bind<bench::Reactor>("Reactor").bind<bench::Counter>(
      "Counter");
  system.configure(names.front(), es::options{{"ids", ids}});
  const es::options options{{"batch_size", std::to_string(batch)}, {"ids", ids}};
  for (std::size_t i = 1; i < names.size(); ++i) {
    if (names[i].starts_with("Relay")) system.bind<bench::Relay>(names[i]);
    system.configure(names[i], options);
  }
  return system;
}

/// The application the Counter follows.
std::string counted(std::uint64_t stages) {
  return stage_names(stages).end()[-2];
}

/// "progress <what> <done> <total>" on stderr about 100 times per run, when asked.
class progress {
 public:
  progress(bool on, std::string what, std::uint64_t total)
      : on_(on),
        what_(std::move(what)),
        total_(total),
        step_(std::max<std::uint64_t>(total / 100, 1)) {}
  void at(std::uint64_t done) {
    if (!on_ || done < next_) return;
    fmt::print(stderr, "progress {} {} {}\n", what_, done, total_);
    next_ = (done / step_ + 1) * step_;
  }

 private:
  bool on_;
  std::string what_;
  std::uint64_t total_, step_, next_ = 0;
};

es::system_definition emitter_alone(const std::string& ids) {
  es::system_definition system{{"Emitter"}};
  system.bind<bench::Emitter>("Emitter");
  system.configure("Emitter", es::options{{"ids", ids}});
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
  double busy_cores;    ///< CPU seconds per wall second while timed
  double client_cores;  ///< of busy_cores, a client's apart from the system's (0: none)
};

figure measured(std::string scenario, const stopwatch& started) {
  const double seconds = std::chrono::duration<double>(clock_type::now() - started.wall).count();
  const double cpu_seconds = static_cast<double>(std::clock() - started.cpu) / CLOCKS_PER_SEC;
  return {std::move(scenario), seconds, cpu_seconds, cpu_seconds / seconds, 0};
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one;
  in >> one;
  return one.empty() ? "?" : one;
}

// The same fixed chain of dependent multiplications on every run. On a
// shared host the CPU a virtual machine gets swings (this loop takes ~110 ms
// on the 2-core machine kind when the host leaves it alone, up to twice that
// when it does not), and every figure with it: runs compare only when this does.
double reference_loop_ms() {
  const auto start = clock_type::now();
  std::uint64_t x = 1;
  for (std::uint64_t i = 0; i < 100'000'000; ++i) x = x * 6364136223846793005ULL + i;
  volatile std::uint64_t sink = x;
  static_cast<void>(sink);
  return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
}

// The reference loop alone and on two threads at once: how much of a second
// core the host gives. Two vCPUs may share a physical core, with each other
// or with other guests; then two busy threads each run slower, and a
// multi-process figure can only be read against what the cores gave.
struct core_check {
  double alone_ms, together_ms;
  [[nodiscard]] double two_core_speedup() const { return 2 * alone_ms / together_ms; }
};

core_check check_cores() {
  const double alone = reference_loop_ms();
  const auto start = clock_type::now();
  std::thread other([] { static_cast<void>(reference_loop_ms()); });
  static_cast<void>(reference_loop_ms());
  other.join();
  return {alone, std::chrono::duration<double, std::milli>(clock_type::now() - start).count()};
}

void require(bool ok, const std::string& what) {
  if (!ok) throw std::logic_error("benchmark result wrong: " + what);
}

struct plan {
  std::uint64_t n, batch, stages;
  std::string ids;      ///< the applications' "ids" option
  bool emit, catch_up;  ///< besides the live end-to-end runs
  bool each, deferred;  ///< live runs: prompts after each command, deferred prompts
  bool progress;
};

std::vector<figure> run(const std::string& kind, const std::filesystem::path& dir, const plan& p) {
  const std::uint64_t n = p.n;
  std::vector<figure> out;
  if (p.emit || p.catch_up) {  // emit only, then catch-up on the log it leaves
    recorders logs(kind, dir);
    {
      es::single_threaded_runner runner(emitter_alone(p.ids), logs.factory());
      runner.start();
      auto& emitter = runner.get<bench::Emitter>("Emitter");
      progress shown(p.progress, kind + "/emit-only", n);
      const stopwatch start;
      for (std::uint64_t i = 1; i <= n; ++i) {
        emitter.emit(i);
        shown.at(i);
      }
      if (p.emit) out.push_back(measured("emit only", start));
      require(emitter.events().max_notification_id() == n, "emitter log");
    }
    if (p.catch_up) {
      es::single_threaded_runner runner(pipeline(p.batch, p.stages, p.ids), logs.factory());
      if (p.progress) fmt::print(stderr, "progress {}/catch-up 0 1\n", kind);
      const stopwatch start;
      runner.start();
      out.push_back(measured(fmt::format("catch-up (batch {})", p.batch), start));
      require(runner.get<bench::Counter>("Counter").position(counted(p.stages)) == n,
              "catch-up counter");
    }
  }
  for (const bool deferred : {false, true}) {  // end to end, live
    if (deferred ? !p.deferred : !p.each) continue;
    recorders logs(kind, dir);
    es::single_threaded_runner runner(pipeline(p.batch, p.stages, p.ids), logs.factory());
    runner.start();
    auto& emitter = runner.get<bench::Emitter>("Emitter");
    auto& counter = runner.get<bench::Counter>("Counter");
    const std::string scenario = deferred ? "end to end, deferred" : "end to end";
    progress shown(p.progress, fmt::format("{}/{}/{}-stages", kind, scenario, p.stages), n);
    const stopwatch start;
    {
      // Deferred: one Emitter transaction per command still; the followers
      // run every batch_size commands, one transaction each for what is new.
      std::optional<es::single_threaded_runner::deferred_prompts> burst;
      if (deferred) burst.emplace(runner.defer_prompts(p.batch));
      for (std::uint64_t i = 1; i <= n; ++i) {
        emitter.emit(i);
        shown.at(i);
      }
      if (burst) burst->end();
    }
    require(counter.position(counted(p.stages)) == n, scenario + " counter position");
    out.push_back(measured(scenario, start));
    require(counter.count == n, scenario + " counter count");
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
  std::vector<std::string> prompting = {"each", "deferred"};
  app.add_option("--prompts", prompting,
                 "live runs of the single runner: each (followers prompted after every "
                 "command), deferred (defer_prompts(batch_size))")
      ->check(CLI::IsMember({"each", "deferred"}));
  std::string ids = "time-ordered";
  app.add_option("--ids", ids,
                 "how the applications make ids: time-ordered (uuid::time_ordered, "
                 "uuid::derived) or random (uuid::random, uuid::name_based)")
      ->check(CLI::IsMember({"time-ordered", "random"}));
  bool live_only = false;
  app.add_flag("--end-to-end-only", live_only, "only the live end-to-end run (for profiling)");
  std::vector<std::uint64_t> stages = {3};
  app.add_option("-s,--stages", stages,
                 "pipeline lengths (3 = Emitter, Reactor, Counter; more add Relays); emit only "
                 "and catch-up run with the first")
      ->check(CLI::Range(std::uint64_t{3}, std::uint64_t{64}));
  std::string json_file;
  app.add_option("--json", json_file, "also write every row as JSON to this file");
  std::vector<std::string> runners = {"single"};
  app.add_option("--runners", runners,
                 "single (es::single_threaded_runner, direct calls), threads or processes "
                 "(node::worker per application on a shared-memory segment), weft-run-process, "
                 "weft-run-threads or weft-run-single (`weft run --runner ...`, commands through "
                 "weft::Client); all but single end to end only")
      ->check(CLI::IsMember({"single", "threads", "processes", "weft-run-process",
                             "weft-run-threads", "weft-run-single"}));
  // Next to this program in the build tree: tools/bench/pipeline/ -> runner/weft.
  const auto here = std::filesystem::canonical("/proc/self/exe").parent_path();
  bench::weft_run_paths weft_run{here / "../../../runner/weft", here / "libweft_bench_plugin.so"};
  app.add_option("--weft", weft_run.weft, "the weft executable (weft-run-* runners)");
  app.add_option("--plugin", weft_run.plugin, "the benchmark's plugin (weft-run-* runners)");
  bool show_progress = false;
  app.add_flag("--progress", show_progress, "report progress lines on stderr");
  app.add_option("-d,--dir", dir, "directory for the SQLite files (a real disk)");
  app.add_option("-r,--recorders", kinds,
                 "memory, sqlite-normal, sqlite-full (+ \"-shared\": exclusive off)");
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(dir);

  const std::string load_at_start = load_average();
  const core_check cores_at_start = check_cores();
  fmt::print(
      "N = {}, batch_size = {}, ids {}, files in {}, load average {}, reference loop {:.0f} ms, "
      "two at once {:.0f} ms: two cores give {:.2f}x one\n",
      n, batch, ids, dir, load_at_start, cores_at_start.alone_ms, cores_at_start.together_ms,
      cores_at_start.two_core_speedup());
  fmt::print("{:<20} {:<20} {:<16} {:>6} {:>8} {:>10} {:>10}  {}\n", "scenario", "recorder",
             "runner", "stages", "seconds", "events/s", "ev/cpu-s",
             "events/s vs Python eventsourcing 9.3");
  nlohmann::json rows = nlohmann::json::array();
  nlohmann::json ratios = nlohmann::json::array();
  std::vector<std::string> failures;
  for (const auto& kind : kinds) {
    std::map<std::string, double> end_to_end;  // runner -> events/s, first pipeline length
    std::map<std::string, double> cores_busy;  // runner -> CPU seconds per wall second there
    for (const auto& runner : runners) {
      for (const auto length : stages) {
        const bool first = length == stages.front() && runner == "single";
        const auto wants = [&](const char* how) {
          return std::find(prompting.begin(), prompting.end(), how) != prompting.end();
        };
        const plan p{n,
                     batch,
                     length,
                     ids,
                     first && !live_only,
                     first && !live_only,
                     wants("each"),
                     wants("deferred"),
                     show_progress};
        std::vector<figure> figures;
        try {
          if (runner == "single") {
            figures = run(kind, dir, p);
          } else {
            progress shown(show_progress,
                           fmt::format("{}/{}/end-to-end/{}-stages", kind, runner, length), n);
            const auto how = runner == "threads"            ? bench::hosting::threads
                             : runner == "processes"        ? bench::hosting::processes
                             : runner == "weft-run-process" ? bench::hosting::weft_run_process
                             : runner == "weft-run-threads" ? bench::hosting::weft_run_threads
                                                            : bench::hosting::weft_run_single;
            const auto hosted = bench::run_hosted(
                how, pipeline(batch, length, ids), kind, dir, n,
                [&](std::uint64_t done) { shown.at(done); }, weft_run);
            figures.push_back({"end to end", hosted.seconds, hosted.cpu_seconds, hosted.busy_cores,
                               hosted.client_cores});
          }
        } catch (const std::exception& e) {  // report it, measure the rest
          failures.push_back(
              fmt::format("{} / {} / {} applications: {}", kind, runner, length, e.what()));
          fmt::print("{:<20} {:<20} {:<16} {:>6}  FAILED (see stderr)\n", "end to end", kind,
                     runner, length);
          fmt::print(stderr, "pipeline_bench: FAILED {}\n", failures.back());
          rows.push_back({{"scenario", "end to end"},
                          {"recorder", kind},
                          {"runner", runner},
                          {"stages", length},
                          {"n", n},
                          {"error", e.what()}});
        }
        for (const auto& [scenario, seconds, cpu_seconds, busy_cores, client_cores] : figures) {
          const double rate = static_cast<double>(n) / seconds;
          const double cpu_rate = static_cast<double>(n) / cpu_seconds;
          const std::string versus =
              kind == "memory"
                  ? fmt::format("{:.0f}x of {:.0f} (memory)", rate / python_memory, python_memory)
                  : fmt::format("{:.0f}x of {:.0f} (sqlite 1 thread), {:.0f}x of {:.0f} (threaded)",
                                rate / python_sqlite_single, python_sqlite_single,
                                rate / python_sqlite_threaded, python_sqlite_threaded);
          const std::string client_part =
              client_cores > 0 ? fmt::format(" (client {:.2f})", client_cores) : "";
          fmt::print(
              "{:<20} {:<20} {:<16} {:>6} {:>8.2f} {:>10.0f} {:>10.0f}  {}, {:.2f} cores busy{}\n",
              scenario, kind, runner, length, seconds, rate, cpu_rate, versus, busy_cores,
              client_part);
          if (scenario.starts_with("end to end") && length == stages.front() &&
              rate > end_to_end[runner]) {  // single: its best mode
            end_to_end[runner] = rate;
            cores_busy[runner] = busy_cores;
          }
          std::fflush(stdout);
          const bool memory = kind == "memory";
          rows.push_back(
              {{"scenario", scenario},
               {"recorder", kind},
               {"runner", runner},
               {"stages", scenario == "emit only" ? 1 : length},
               {"n", n},
               {"batch_size", batch},
               {"ids", ids},
               {"seconds", seconds},
               {"cpu_seconds", cpu_seconds},
               {"events_per_s", rate},
               {"events_per_cpu_s", cpu_rate},
               {"busy_cores", busy_cores},
               {"client_cores", client_cores},
               {"python_reference", memory ? python_memory : python_sqlite_single},
               {"vs_python", rate / (memory ? python_memory : python_sqlite_single)},
               {"vs_python_threaded",
                memory ? nlohmann::json() : nlohmann::json(rate / python_sqlite_threaded)}});
        }
      }
    }
    // Issue 5's ratio: the same system file and client, N processes against one thread.
    const auto ratio = [&](const char* over, const char* under, const char* what) {
      if (!end_to_end.contains(over) || !end_to_end.contains(under)) return;
      const double value = end_to_end[over] / end_to_end[under];
      fmt::print("{:<20} {:<20} {:.2f}x  {} / {} ({})\n", "ratio", kind, value, over, under, what);
      // The ratio is exactly (cores busy) x (CPU per event) of one run over
      // the other's: more cores only help as far as the reference left any
      // idle, and only if an event does not cost more CPU.
      const double cores = std::thread::hardware_concurrency();
      const double busy = cores_busy[over] / cores_busy[under];
      const double cpu_over = cores_busy[over] / end_to_end[over] * 1e6;  // us per event
      const double cpu_under = cores_busy[under] / end_to_end[under] * 1e6;
      fmt::print(
          "{:<20} {:<20} = {:.2f}x the cores busy ({:.2f} vs {:.2f} of {:.0f}: at most {:.2f}x) "
          "x {:.2f}x the events per CPU second ({:.3f} vs {:.3f} us CPU per event)\n",
          "ratio, made of", kind, busy, cores_busy[over], cores_busy[under], cores,
          cores / cores_busy[under], cpu_under / cpu_over, cpu_over, cpu_under);
      ratios.push_back({{"recorder", kind},
                        {"over", over},
                        {"under", under},
                        {"ratio", value},
                        {"cores_busy_ratio", busy},
                        {"events_per_cpu_s_ratio", cpu_under / cpu_over}});
    };
    ratio("weft-run-process", "weft-run-single", "multi-process / single-process under weft run");
    ratio("weft-run-process", "single", "against direct calls, in-process runner's best");
  }
  std::filesystem::remove_all(dir);
  const core_check cores_at_end = check_cores();
  fmt::print("at the end: reference loop {:.0f} ms, two at once {:.0f} ms: {:.2f}x\n",
             cores_at_end.alone_ms, cores_at_end.together_ms, cores_at_end.two_core_speedup());
  if (!json_file.empty()) {
    const nlohmann::json doc{{"benchmark", "pipeline"},
                             {"load_average_start", load_at_start},
                             {"load_average_end", load_average()},
                             {"reference_loop_ms_start", cores_at_start.alone_ms},
                             {"reference_loop_ms_end", cores_at_end.alone_ms},
                             {"two_core_speedup_start", cores_at_start.two_core_speedup()},
                             {"two_core_speedup_end", cores_at_end.two_core_speedup()},
                             {"python_reference",
                              {{"memory", python_memory},
                               {"sqlite_single_threaded", python_sqlite_single},
                               {"sqlite_multi_threaded", python_sqlite_threaded}}},
                             {"rows", rows},
                             {"ratios", ratios},
                             {"failures", failures}};
    std::ofstream(json_file) << doc.dump(2) << "\n";
  }
  for (const auto& failure : failures) fmt::print("FAILED: {}\n", failure);
  return failures.empty() ? 0 : 1;
}
