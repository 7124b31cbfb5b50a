#include "weft/runner/process_runner.hpp"

#include <csignal>
#include <iostream>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "segment_guard.hpp"
#include "weft/core/clock.hpp"
#include "weft/core/error.hpp"
#include "weft/core/log.hpp"
#include "weft/node/draining.hpp"
#include "weft/runner/hosting.hpp"
#include "weft/runner/registry.hpp"
#include "weft/runner/workers.hpp"
#include "weft/shm/process_table.hpp"
#include "weft/shm/segment.hpp"

namespace weft::runner {
namespace {

using namespace std::chrono_literals;

void refuse_if_running(const std::string& system_name) {
  for (const auto& found : shm::list_systems())
    if (found.creator_alive && found.system_name == system_name)
      throw invalid_input(
          fmt::format("system '{}' is already running (supervisor pid {}, segment {})", system_name,
                      found.creator_pid, found.segment_name));
}

}  // namespace

struct process_runner::state {
  // First: make_segment() logs while `segment` below is initialised.
  std::shared_ptr<spdlog::logger> log = log::get("supervisor");
  system_spec spec;
  run_plan plan;
  std::vector<plugin> plugins;
  shm::segment segment;
  segment_guard guard;
  std::set<std::uint32_t> channels_to_format;  // corrupt; formatted once both ends are down
  std::unique_ptr<supervisor> supervision;

  state(system_spec s, run_plan p)
      : spec(std::move(s)),
        plan(std::move(p)),
        plugins(prepare_system(spec, es::application_registry::global())),
        segment(make_segment()),
        guard(segment) {}

  shm::segment make_segment() {
    refuse_if_running(spec.name);
    for (const auto& stale : shm::remove_stale_segments())
      log->info("removed stale segment {}", stale);
    prepare_data_dir(plan.data_dir);
    return shm::segment::create(
        node::layout_for(spec.name, to_definition(spec), ring_sizes_of(spec)));
  }

  shm::process_entry& entry(const std::string& app) {
    return segment.process(*segment.find_process(app));
  }

  // Before anything reads the segment: undo stray writes into what never changes.
  void guard_segment() {
    for (const auto& damage : guard.restore())
      log->error("segment {}: {} overwritten while running; restored the supervisor's copy",
                 segment.name(), damage);
  }

  // Ring positions that cannot be right: both ends restart on fresh rings
  // (formatted in before_restart once both are down) and pull what they miss.
  void check_rings() {
    for (const auto& bad : guard.check_rings()) {
      const bool first = channels_to_format.insert(bad.channel).second;
      for (const auto p : {bad.leader, bad.follower}) {
        auto& e = segment.process(p);
        const std::string name(shm::name_of(e));
        if (first) shm::set_last_error(e, bad.problem);
        // Killed, not stopped: a worker stopped (SIGSTOP) or spinning on the ring still dies.
        supervision->signal_child(name, SIGKILL);
      }
      if (first) log->error("{}: restarting both ends on fresh rings", bad.problem);
    }
  }

  bool is_down(std::uint32_t process) {
    const auto state = segment.process(process).state.load(std::memory_order_relaxed);
    return state != shm::process_state::starting && state != shm::process_state::running &&
           state != shm::process_state::stopping;
  }

  // The corrupt channels of the process about to restart, once neither end runs.
  void format_corrupt_channels_of(std::uint32_t index) {
    for (auto c = channels_to_format.begin(); c != channels_to_format.end();) {
      const auto& channel = segment.channel(*c);
      const bool ours = channel.leader == index || channel.follower == index;
      const bool ends_down = (channel.leader == index || is_down(channel.leader)) &&
                             (channel.follower == index || is_down(channel.follower));
      if (!ours || !ends_down) {
        ++c;  // the next check_rings() kills what still runs on it
        continue;
      }
      guard.format_channel(*c);
      log->warn("channel {} ({} -> {}): rings formatted; both ends resume from their recorders", *c,
                shm::name_of(segment.process(channel.leader)),
                shm::name_of(segment.process(channel.follower)));
      c = channels_to_format.erase(c);
    }
  }

  // A restarted end of an edge starts a new epoch of both its rings.
  void reset_channels_of(const std::string& app) {
    const auto index = *segment.find_process(app);
    format_corrupt_channels_of(index);
    for (std::uint32_t c = 0; c < segment.channel_count(); ++c) {
      const auto& channel = segment.channel(c);
      if (channel.leader == index || channel.follower == index) segment.reset_channel(c);
    }
  }

  // Followers have processed everything their leaders recorded.
  void check_heartbeats() {
    const auto limit =
        std::chrono::duration_cast<std::chrono::microseconds>(spec.supervision.heartbeat_timeout)
            .count();
    const std::int64_t now = clock::wall_micros();
    for (std::uint32_t p = 0; p < segment.process_count(); ++p) {
      auto& e = segment.process(p);
      if (e.state.load(std::memory_order_relaxed) != shm::process_state::running) continue;
      const std::int64_t beat = e.heartbeat_micros.load(std::memory_order_relaxed);
      if (beat != 0 && now - beat > limit) {
        const std::string name(shm::name_of(e));
        log->error("'{}' sent no heartbeat for {} ms: killing it", name, (now - beat) / 1000);
        shm::set_last_error(
            e, "hung: no heartbeat for " + std::to_string((now - beat) / 1000) + " ms");
        supervision->signal_child(name, SIGKILL);
      }
    }
  }

  void print_status() {
    std::string line;
    for (std::uint32_t p = 0; p < segment.process_count(); ++p) {
      const auto& e = segment.process(p);
      line += fmt::format("{}{} {} @{} ", p ? "| " : "", shm::name_of(e),
                          shm::to_string(e.state.load(std::memory_order_relaxed)),
                          e.notification_position.load(std::memory_order_relaxed));
    }
    std::cerr << "\r\033[K" << line << std::flush;
  }

  supervisor_hooks hooks() {
    supervisor_hooks h;
    h.on_started = [this](const std::string& app, pid_t pid) {
      guard_segment();
      auto& e = entry(app);
      e.pid.store(pid, std::memory_order_relaxed);
      e.started_micros.store(clock::wall_micros(), std::memory_order_relaxed);
      e.heartbeat_micros.store(0, std::memory_order_relaxed);
      // The worker may already have said it runs: that must stay.
      shm::enter_state(e, shm::process_state::starting);
    };
    h.on_exited = [this](const std::string& app, const exit_status& status) {
      guard_segment();
      auto& e = entry(app);
      e.state.store(status.clean() ? shm::process_state::stopped : shm::process_state::crashed,
                    std::memory_order_relaxed);
      if (!status.clean()) {
        log->warn("'{}' {}", app, status.describe());
        // A worker killed by a signal could not say why; tools show how it ended.
        if (shm::last_error(e).empty()) shm::set_last_error(e, status.describe());
      }
    };
    h.before_restart = [this](const std::string& app) {
      guard_segment();
      reset_channels_of(app);
      auto& e = entry(app);
      e.restarts.store(e.restarts.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    };
    h.before_stop = [this] {
      guard_segment();
      node::refuse_new_commands(segment);
      // Let followers finish what their leaders recorded, within half the stop timeout.
      const auto deadline = std::chrono::steady_clock::now() + spec.supervision.stop_timeout / 2;
      while (!node::followers_caught_up(segment) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(10ms);
    };
    h.on_tick = [this] {
      guard_segment();
      check_rings();
      check_heartbeats();
      if (plan.status_line) print_status();
    };
    h.last_error = [this](const std::string& app) {
      guard_segment();
      return shm::last_error(entry(app));
    };
    return h;
  }
};

process_runner::process_runner(system_spec spec, run_plan plan)
    : state_(std::make_unique<state>(std::move(spec), std::move(plan))) {
  worker_plan workers;
  workers.segment = state_->segment.name();
  workers.data_dir = state_->plan.data_dir;
  workers.log_level = state_->plan.log_level;
  workers.apps = state_->plan.apps;
  state_->supervision =
      std::make_unique<supervisor>(worker_children(state_->spec, workers),
                                   supervisor_options_for(state_->spec), state_->hooks());
}

process_runner::~process_runner() = default;

supervision_outcome process_runner::run() {
  state_->log->info("running system '{}' ({} applications) in segment {}, data in {}",
                    state_->spec.name, state_->spec.applications.size(), state_->segment.name(),
                    state_->plan.data_dir.string());
  auto outcome = state_->supervision->run();
  if (state_->plan.status_line) std::cerr << "\n";
  return outcome;
}

void process_runner::request_stop() noexcept {
  state_->supervision->request_stop();
}

const std::string& process_runner::segment_name() const noexcept {
  return state_->segment.name();
}

const system_spec& process_runner::spec() const noexcept {
  return state_->spec;
}

}  // namespace weft::runner
