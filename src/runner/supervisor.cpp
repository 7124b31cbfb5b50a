#include "weft/runner/supervisor.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <random>

#include "wakeup.hpp"
#include "weft/core/error.hpp"
#include "weft/core/log.hpp"

namespace weft::runner {
namespace {

using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct child {
  enum class phase { running, waiting_restart, finished };
  child_spec spec;
  restart_policy policy;
  phase now = phase::finished;
  pid_t pid = -1;
  steady::time_point restart_due{};
  exit_status last{};
};

// waitpid() without blocking; nullopt while the child runs.
std::optional<exit_status> poll_exit(pid_t pid) {
  int wstatus = 0;
  pid_t got;
  do {
    got = ::waitpid(pid, &wstatus, WNOHANG);
  } while (got < 0 && errno == EINTR);
  if (got == 0) return std::nullopt;
  if (got < 0) return exit_status{exit_status::kind::vanished, 0, {}};
  return exit_status::from_wait_status(wstatus);
}

exit_status wait_exit(pid_t pid) {
  int wstatus = 0;
  pid_t got;
  do {
    got = ::waitpid(pid, &wstatus, 0);
  } while (got < 0 && errno == EINTR);
  if (got < 0) return exit_status{exit_status::kind::vanished, 0, {}};
  return exit_status::from_wait_status(wstatus);
}

}  // namespace

struct supervisor::state {
  std::vector<child> children;
  supervisor_options options;
  supervisor_hooks hooks;
  detail::wakeup_pipe wakeup;
  std::atomic<bool> stop_requested{false};
  bool ran = false;
  std::optional<supervision_outcome> verdict;  // set when giving up
  std::shared_ptr<spdlog::logger> log = weft::log::get("runner.supervisor");

  void start(child& c);
  void on_exit(child& c, exit_status status);
  void reap();
  void start_due();
  [[nodiscard]] bool all_finished() const;
  [[nodiscard]] bool stop_wanted() const;
  [[nodiscard]] steady::time_point next_wake(steady::time_point next_tick) const;
  void stop_all();
};

bool supervisor::state::stop_wanted() const {
  return stop_requested.load(std::memory_order_acquire) ||  // pairs with request_stop()
         (options.stop_on_signals && detail::signal_forwarding::stop_signal() != 0);
}

void supervisor::state::start(child& c) {
  try {
    c.pid = launch(c.spec.launch);
  } catch (const launch_error& e) {
    log->error("{}: {}", c.spec.name, e.what());
    c.pid = -1;
    c.now = child::phase::running;  // so on_exit() treats it as a failed run
    on_exit(c, exit_status{exit_status::kind::not_started, 0, e.what()});
    return;
  }
  c.now = child::phase::running;
  log->info("{}: started, pid {}", c.spec.name, c.pid);
  if (hooks.on_started) hooks.on_started(c.spec.name, c.pid);
}

void supervisor::state::on_exit(child& c, exit_status status) {
  c.pid = -1;
  c.last = status;
  c.now = child::phase::finished;
  if (hooks.on_exited) hooks.on_exited(c.spec.name, status);
  if (verdict || stop_wanted()) return;  // stopping anyway: no restarts
  if (status.clean() && !options.restart_clean_exits) {
    log->info("{}: {}", c.spec.name, status.describe());
    return;
  }
  const auto now = steady::now();
  const auto delay = c.policy.on_failure(now);
  if (!delay) {
    supervision_outcome outcome;
    outcome.how = supervision_outcome::kind::gave_up;
    outcome.name = c.spec.name;
    outcome.last_status = status;
    if (hooks.last_error) outcome.last_error = hooks.last_error(c.spec.name);
    const auto& limits = c.policy.limits();
    outcome.message = "application '" + c.spec.name + "' failed " +
                      std::to_string(c.policy.failures_in_window(now)) + " times within " +
                      std::to_string(limits.window.count() / 1000) +
                      " s (max_restarts = " + std::to_string(limits.max_restarts) +
                      "), giving up; last exit: " + status.describe();
    if (!outcome.last_error.empty()) outcome.message += "; last error: " + outcome.last_error;
    log->critical("{}", outcome.message);
    verdict = std::move(outcome);
    return;
  }
  log->warn("{}: {}; restarting in {} ms", c.spec.name, status.describe(), delay->count());
  c.now = child::phase::waiting_restart;
  c.restart_due = now + *delay;
}

void supervisor::state::reap() {
  for (auto& c : children) {
    if (c.now != child::phase::running || c.pid <= 0) continue;
    if (auto status = poll_exit(c.pid)) on_exit(c, std::move(*status));
  }
}

void supervisor::state::start_due() {
  const auto now = steady::now();
  for (auto& c : children) {
    if (verdict || stop_wanted()) return;
    if (c.now != child::phase::waiting_restart || c.restart_due > now) continue;
    if (hooks.before_restart) hooks.before_restart(c.spec.name);
    start(c);
  }
}

bool supervisor::state::all_finished() const {
  return std::all_of(children.begin(), children.end(),
                     [](const child& c) { return c.now == child::phase::finished; });
}

steady::time_point supervisor::state::next_wake(steady::time_point next_tick) const {
  auto wake = next_tick;
  for (const auto& c : children)
    if (c.now == child::phase::waiting_restart) wake = std::min(wake, c.restart_due);
  return wake;
}

void supervisor::state::stop_all() {
  if (hooks.before_stop) hooks.before_stop();
  for (auto& c : children) {
    if (c.now == child::phase::waiting_restart) c.now = child::phase::finished;
    if (c.now == child::phase::running && c.pid > 0) ::kill(c.pid, SIGTERM);
  }
  const int signals_at_start = detail::signal_forwarding::stop_signal_count();
  const auto deadline = steady::now() + options.stop_timeout;
  while (!all_finished()) {
    reap();
    const auto now = steady::now();
    // A second Ctrl-C means "now".
    const bool impatient = detail::signal_forwarding::stop_signal_count() > signals_at_start &&
                           options.stop_on_signals;
    if (all_finished() || now >= deadline || impatient) break;
    wakeup.wait(std::chrono::duration_cast<milliseconds>(deadline - now) + milliseconds(1));
  }
  for (auto& c : children) {
    if (c.now != child::phase::running || c.pid <= 0) continue;
    log->warn("{}: did not stop within {} ms; sending SIGKILL", c.spec.name,
              options.stop_timeout.count());
    ::kill(c.pid, SIGKILL);
    on_exit(c, wait_exit(c.pid));
  }
}

supervisor::supervisor(std::vector<child_spec> children, supervisor_options options,
                       supervisor_hooks hooks)
    : state_(std::make_unique<state>()) {
  std::random_device entropy;
  std::mt19937_64 seeds(options.seed ? *options.seed
                                     : (std::uint64_t{entropy()} << 32) | entropy());
  for (auto& spec : children) {
    if (spec.name.empty()) throw invalid_input("supervisor: a child needs a name");
    for (const auto& c : state_->children)
      if (c.spec.name == spec.name)
        throw invalid_input("supervisor: two children named '" + spec.name + "'");
    state_->children.push_back(child{std::move(spec), restart_policy(options.limits, seeds())});
  }
  state_->options = std::move(options);
  state_->hooks = std::move(hooks);
}

supervisor::~supervisor() {
  for (auto& c : state_->children) {
    if (c.now != child::phase::running || c.pid <= 0) continue;
    ::kill(c.pid, SIGKILL);
    wait_exit(c.pid);
  }
}

void supervisor::request_stop() noexcept {
  state_->stop_requested.store(true, std::memory_order_release);  // pairs with stop_wanted()
  state_->wakeup.notify();
}

bool supervisor::signal_child(const std::string& name, int sig) {
  for (auto& c : state_->children)
    if (c.spec.name == name && c.now == child::phase::running && c.pid > 0)
      return ::kill(c.pid, sig) == 0;
  return false;
}

supervision_outcome supervisor::run() {
  auto& s = *state_;
  if (s.ran) throw error("supervisor::run() called twice");
  s.ran = true;
  detail::signal_forwarding forwarding(s.wakeup, s.options.stop_on_signals);

  for (auto& c : s.children) {
    if (s.verdict || s.stop_wanted()) break;
    s.start(c);
  }
  auto next_tick = steady::now() + s.options.tick_interval;
  while (!s.verdict && !s.stop_wanted()) {
    s.reap();
    s.start_due();
    if (steady::now() >= next_tick) {
      if (s.hooks.on_tick) s.hooks.on_tick();
      next_tick = steady::now() + s.options.tick_interval;
    }
    if (s.verdict || s.stop_wanted()) break;
    if (s.all_finished()) {
      supervision_outcome done;
      done.how = supervision_outcome::kind::completed;
      done.message = "every application exited cleanly";
      return done;
    }
    const auto wake = s.next_wake(next_tick);
    s.wakeup.wait(std::chrono::ceil<milliseconds>(wake - steady::now()));
  }

  if (s.verdict) {
    s.stop_all();
    return *s.verdict;
  }
  supervision_outcome stopped;
  stopped.how = supervision_outcome::kind::stopped;
  stopped.signal = s.stop_requested.load(std::memory_order_acquire)
                       ? 0
                       : detail::signal_forwarding::stop_signal();
  stopped.message = stopped.signal == 0 ? std::string("stopped on request")
                                        : "stopped by signal " + std::to_string(stopped.signal);
  s.log->info("{}; stopping {} children", stopped.message, s.children.size());
  s.stop_all();
  return stopped;
}

}  // namespace weft::runner
