// `weft run --runner single`: the deterministic single-threaded runner,
// serving clients through the system's segment on the one thread it has.
//
// Commands are read a pass at a time (everything waiting on every lane), and
// followers run once per pass: a burst of commands costs the followers one
// transaction per batch_size notifications instead of one per command, as
// under the other runners. Replies go out as each command finishes, before its
// followers have run, also as under the other runners.
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

#include "weft/core/clock.hpp"
#include "weft/core/error.hpp"
#include "weft/es/single_threaded_runner.hpp"
#include "weft/node/inbound.hpp"
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

// One application's ingress lanes and its entry in the process table.
struct served_app {
  es::application* app;
  shm::process_entry* entry;
  shm::ingress_server requests;
  node::lane_replies replies;
};

// Publishes what the application's recorder says now: the gauges a worker
// keeps for its application (single writer: this thread).
void publish_positions(shm::segment& segment, served_app& served) {
  auto& recorder = served.app->events();
  auto& entry = *served.entry;
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
  for (std::uint32_t p = 0; p < segment.process_count(); ++p) {
    auto& entry = segment.process(p);
    served.push_back(std::make_unique<served_app>(
        served_app{&runner.app(shm::name_of(entry)), &entry, shm::ingress_server(segment, p),
                   node::lane_replies(segment, p)}));
  }

  // Runs (or, once stopping, refuses) what clients sent; false if there was nothing.
  const auto serve = [&](bool stopping) {
    bool served_any = false;
    es::command_reply refused;
    refused.error = "the system is stopping: command not run";
    auto burst = runner.defer_prompts();
    for (auto& lane : served) {
      std::uint32_t from = 0;
      shm::record_view record;
      std::uint64_t handled = 0;
      while (lane->requests.try_read(from, record) == shm::read_status::record) {
        served_any = true;
        auto command = node::decode_command(from, record);
        if (!command) continue;  // no correlation id to answer
        const auto reply =
            stopping ? refused : lane->app->handle_command(command->name, command->args_json);
        lane->replies.reply(from, command->correlation_id, reply.ok, reply.to_json_text());
        ++handled;
      }
      lane->requests.release_all();
      lane->replies.flush();
      lane->entry->commands_handled.fetch_add(handled, relaxed);
    }
    burst.end();  // the followers, everything this pass recorded; throws a follower's error
    for (auto& lane : served) publish_positions(segment, *lane);
    return served_any;
  };

  runner.start();
  const std::int64_t started = clock::wall_micros();
  for (auto& lane : served) {
    lane->entry->pid.store(static_cast<std::int32_t>(::getpid()), relaxed);
    lane->entry->started_micros.store(started, relaxed);
    publish_positions(segment, *lane);
    lane->entry->state.store(shm::process_state::running, relaxed);
  }
  out << "system '" << spec.name << "' running single-threaded; Ctrl-C stops it\n";
  while (stop_signal.load() == 0)
    if (!serve(false)) std::this_thread::sleep_for(200us);
  // Followers ran at the end of each pass, so nothing is left to drain;
  // clients still waiting get an answer.
  for (auto& lane : served) lane->entry->state.store(shm::process_state::stopping, relaxed);
  serve(true);
  runner.stop();
  for (auto& lane : served) lane->entry->state.store(shm::process_state::stopped, relaxed);
  return exit_ok;
}

}  // namespace weft::runner
