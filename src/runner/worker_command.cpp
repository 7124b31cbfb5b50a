// `weft worker`: the child the supervisor starts for one application. It
// attaches to the system's segment, opens the application's recorders and
// hosts it (node::worker) until SIGTERM, or until it fails: then it exits
// non-zero with its error in the process table and the supervisor decides.
#include <csignal>
#include <iostream>

#include "weft/core/log.hpp"
#include "weft/node/worker.hpp"
#include "weft/runner/cli.hpp"
#include "weft/runner/commands.hpp"
#include "weft/runner/hosting.hpp"
#include "weft/runner/registry.hpp"
#include "weft/runner/system_file.hpp"
#include "weft/runner/workers.hpp"
#include "weft/shm/process_table.hpp"
#include "weft/shm/segment.hpp"

namespace weft::runner {
namespace {

node::worker* running_worker = nullptr;  // for the signal handler only

void stop_worker(int /*signal*/) {
  if (running_worker != nullptr) running_worker->request_stop();  // async-signal-safe
}

}  // namespace

int worker_command(const worker_options& options) {
  // Logging first, so the plugins' log lines go to the worker's file at the
  // level asked for, not to the console of whoever started the system.
  log::to_file(worker_log_file(options.data_dir, options.app).string());
  log::set_level(log::parse_level(options.log_level));
  const system_spec spec = load_system_file(options.system);
  if (spec.find(options.app) == nullptr)
    throw invalid_input("--app: no application '" + options.app + "' in system '" + spec.name +
                        "' (" + spec.source.string() + ")");
  auto plugins = prepare_system(spec, es::application_registry::global());
  auto logger = log::get("worker." + options.app);

  auto segment = shm::segment::attach(options.segment);
  const auto index = segment.find_process(options.app);
  if (!index)
    throw invalid_input("segment " + options.segment + " has no process '" + options.app + "'");
  auto& entry = segment.process(*index);
  try {
    auto app = make_application(spec, options.app, options.data_dir);
    node::worker host(segment, *index, *app, worker_config_of(spec));
    running_worker = &host;
    std::signal(SIGTERM, stop_worker);
    std::signal(SIGINT, stop_worker);
    host.run();
    running_worker = nullptr;
  } catch (const std::exception& e) {
    running_worker = nullptr;
    shm::set_last_error(entry, e.what());
    logger->error("{}", e.what());
    logger->flush();
    std::cerr << "weft worker " << options.app << ": " << e.what() << "\n";
    return exit_failure;
  }
  logger->flush();
  return exit_ok;
}

}  // namespace weft::runner
