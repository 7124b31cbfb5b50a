// `weft run`: one system definition, three runners. `process` (the default)
// runs one worker process per application under a supervisor; `threads` runs
// the same node code on threads of this process; `single` runs the
// deterministic single-threaded runner. Each serves `weft call` through the
// system's segment, and each stops on SIGINT/SIGTERM.
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "single_hosting.hpp"

#include "weft/core/clock.hpp"
#include "weft/core/log.hpp"
#include "weft/node/multi_threaded_runner.hpp"
#include "weft/runner/cli.hpp"
#include "weft/runner/commands.hpp"
#include "weft/runner/hosting.hpp"
#include "weft/runner/process_runner.hpp"
#include "weft/runner/registry.hpp"
#include "weft/runner/system_file.hpp"

namespace weft::runner {
namespace {

using namespace std::chrono_literals;

std::atomic<int> stop_signal{0};
void note_stop_signal(int sig) {
  stop_signal.store(sig);
}

void stop_on_signals() {
  std::signal(SIGINT, note_stop_signal);
  std::signal(SIGTERM, note_stop_signal);
}

std::map<std::string, std::unique_ptr<es::application>> make_all(
    const system_spec& spec, const std::filesystem::path& data_dir) {
  std::map<std::string, std::unique_ptr<es::application>> apps;
  for (const auto& app : spec.applications)
    apps[app.name] = make_application(spec, app.name, data_dir);
  return apps;
}

// A thread stuck in a handler cannot be stopped, and stop() would wait for
// it: once its turn is past the turn limit, the process ends, its segment
// removed, with the reason on stderr. Under --runner process the supervisor
// restarts such a worker instead.
[[noreturn]] void end_on_hang(node::multi_threaded_runner& runner, const std::string& why) {
  std::cerr << "weft: " << why << "; a thread cannot be killed: the system ends" << std::endl;
  runner.segment().remove();
  std::_Exit(exit_failure);
}

int run_threads(const system_spec& spec, const std::filesystem::path& data_dir, std::ostream& out) {
  auto apps = make_all(spec, data_dir);
  std::map<std::string, es::application*> hosted;
  for (auto& [name, app] : apps) hosted[name] = app.get();
  node::multi_threaded_runner runner(spec.name, to_definition(spec), hosted, worker_config_of(spec),
                                     ring_sizes_of(spec));
  stop_on_signals();
  runner.start();
  std::jthread hang_watch([&runner](const std::stop_token& stopping) {
    while (!stopping.stop_requested()) {
      if (auto why = runner.hang(); !why.empty()) end_on_hang(runner, why);
      std::this_thread::sleep_for(100ms);
    }
  });
  out << "system '" << spec.name << "' running on threads; Ctrl-C stops it\n";
  while (stop_signal.load() == 0) runner.watch_for_errors(100ms);  // rethrows a worker's error
  runner.stop_gracefully(
      std::chrono::duration_cast<std::chrono::milliseconds>(spec.supervision.stop_timeout / 2));
  return exit_ok;
}

}  // namespace

int run_command(const run_options& options, std::ostream& out) {
  system_spec spec = load_system_file(options.system);
  for (const auto& app : options.apps)
    if (spec.find(app) == nullptr)
      throw invalid_input("--apps: no application '" + app + "' in system '" + spec.name + "' (" +
                          spec.source.string() + ")");
  log::set_level(log::parse_level(options.log_level));
  const auto data_dir = options.data_dir.value_or(spec.data_dir);
  if (options.runner != runner_kind::process) {
    if (!options.apps.empty()) throw invalid_input("--apps needs --runner process");
    prepare_system(spec, es::application_registry::global());
    prepare_data_dir(data_dir);
    if (options.runner == runner_kind::threads) return run_threads(spec, data_dir, out);
    stop_on_signals();
    return run_single(spec, data_dir, out, stop_signal);
  }
  run_plan plan;
  plan.data_dir = data_dir;
  plan.log_level = options.log_level;
  plan.apps = options.apps;
  process_runner runner(std::move(spec), plan);
  const auto outcome = runner.run();
  out << outcome.message << "\n";
  return outcome.how == supervision_outcome::kind::gave_up ? exit_failure : exit_ok;
}

}  // namespace weft::runner
