// `weft run --runner single`: the deterministic single-threaded runner,
// serving clients through the system's segment on the one thread it has.
//
// Each application's commands are served as a worker serves them, by a
// node::app_host without rings: read a pass at a time, decoded and parsed the
// same way, run as one group commit, answered as each batch is recorded.
// Followers run once per pass (deferred prompts): a burst of commands costs
// them one transaction per batch_size notifications, as under the other
// runners, and replies go out before followers have run, also as there.
//
// After each pass the process table shows every application running, with
// the same positions and counters worker processes publish, so `weft ps`,
// `weft top` and clients that wait on a follower's tracking see this runner as
// they see the others.
#include "single_hosting.hpp"

#include <unistd.h>

#include <chrono>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "weft/core/clock.hpp"
#include "weft/core/error.hpp"
#include "weft/core/log.hpp"
#include "weft/es/single_threaded_runner.hpp"
#include "weft/node/app_host.hpp"
#include "weft/node/command_reader.hpp"
#include "weft/node/lane_replies.hpp"
#include "weft/node/system_layout.hpp"
#include "weft/runner/cli.hpp"
#include "weft/runner/hosting.hpp"
#include "weft/runner/registry.hpp"
#include "weft/shm/ingress.hpp"

namespace weft::runner {
namespace {

using namespace std::chrono_literals;
constexpr auto relaxed = std::memory_order_relaxed;

// One application: its ingress lanes, its host and its entry in the process table.
struct served_app {
  // Positions are published from the recorder after each pass (followers
  // record through the runner, not the host): the host keeps the rest.
  served_app(shm::segment& segment, std::uint32_t index, es::application& app)
      : entry(segment.process(index)),
        requests(segment, index),
        replies(segment, index),
        host(app, {}, {}, &replies, {},
             node::host_gauges{
                 nullptr, nullptr, &entry.commands_handled, nullptr, nullptr,
                 [this](const std::string& why) { shm::set_last_error(entry, why); }}) {}
  served_app(const served_app&) = delete;  // the host's error hook holds `this`
  served_app& operator=(const served_app&) = delete;

  // What its clients sent, up to `limit` commands run as one batch, as a
  // worker's poller reads them; false if there was nothing.
  bool serve(bool stopping, std::size_t limit) {
    const std::size_t read =
        node::read_commands(requests, commands, limit, [this](const std::string& why) {
          log::get("node." + host.app().name())->warn("{}", why);
          shm::set_last_error(entry, why);
        });
    const std::span<const node::command_request> batch(commands.data(), read);
    if (stopping)
      host.refuse_commands(batch, "the system is stopping: command not run");
    else if (read > 0)
      host.on_commands(batch, clock::mono_nanos());
    replies.flush();
    return read > 0;
  }

  shm::process_entry& entry;
  shm::ingress_server requests;
  node::lane_replies replies;
  node::app_host host;
  std::vector<node::command_request> commands;  // reused: decoded over the last pass's
};

// The positions a worker's host publishes, read here from the recorder.
void publish_positions(shm::segment& segment, served_app& served) {
  auto& entry = served.entry;
  auto& recorder = served.host.app().events();
  const std::uint64_t recorded = recorder.max_notification_id();
  const std::uint64_t before = entry.notification_position.load(relaxed);
  if (recorded > before) entry.events_recorded.fetch_add(recorded - before, relaxed);
  entry.notification_position.store(recorded, relaxed);
  for (std::uint32_t k = 0; k < entry.upstream_count; ++k) {
    auto& upstream = entry.upstreams[k];
    const auto& leader = segment.process(segment.channel(upstream.channel).leader);
    upstream.tracking.store(recorder.max_tracking_id(shm::name_of(leader)), relaxed);
  }
  entry.heartbeat_micros.store(clock::wall_micros(), relaxed);
}

}  // namespace

int run_single(const system_spec& spec, const std::filesystem::path& data_dir, std::ostream& out,
               const std::atomic<int>& stop_signal) {
  std::map<std::string, std::shared_ptr<es::recorder>> recorders;
  es::single_threaded_runner runner(to_definition(spec), [&](const std::string& name) {
    const auto dot = name.find(".snapshots");
    const std::string app = name.substr(0, dot);
    const auto* app_spec = spec.find(app);
    if (app_spec == nullptr) throw invalid_input("no application '" + app + "'");
    return recorders[name] = open_recorder(spec, *app_spec, data_dir,
                                           dot == std::string::npos ? "" : ".snapshots");
  });
  auto segment =
      shm::segment::create(node::layout_for(spec.name, to_definition(spec), ring_sizes_of(spec)));
  std::vector<std::unique_ptr<served_app>> served;
  for (std::uint32_t p = 0; p < segment.process_count(); ++p)
    served.push_back(
        std::make_unique<served_app>(segment, p, runner.app(shm::name_of(segment.process(p)))));

  // Runs (or, once stopping, refuses) what clients sent; false if there was nothing.
  const auto serve = [&](bool stopping) {
    bool served_any = false;
    auto burst = runner.defer_prompts();
    for (auto& app : served) served_any |= app->serve(stopping, spec.batching.group_commit);
    burst.end();  // the followers, everything this pass recorded; throws a follower's error
    for (auto& app : served) publish_positions(segment, *app);
    return served_any;
  };

  runner.start();
  const std::int64_t started = clock::wall_micros();
  for (auto& app : served) {
    app->entry.pid.store(static_cast<std::int32_t>(::getpid()), relaxed);
    app->entry.started_micros.store(started, relaxed);
    publish_positions(segment, *app);
    app->entry.state.store(shm::process_state::running, relaxed);
  }
  out << "system '" << spec.name << "' running single-threaded; Ctrl-C stops it\n";
  while (stop_signal.load() == 0)
    if (!serve(false)) std::this_thread::sleep_for(200us);
  // Followers ran at the end of each pass, so nothing is left to drain;
  // clients still waiting get an answer, a batch at a time.
  for (auto& app : served) app->entry.state.store(shm::process_state::stopping, relaxed);
  while (serve(true)) {
  }
  runner.stop();
  for (auto& app : served) app->entry.state.store(shm::process_state::stopped, relaxed);
  return exit_ok;
}

}  // namespace weft::runner
