#include "chaos_run.hpp"

#include <fmt/format.h>
#include <signal.h>

#include <algorithm>
#include <deque>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <thread>

#include "audit.hpp"
#include "weft/core/error.hpp"
#include "weft/node/client.hpp"
#include "weft/runner/system_file.hpp"
#include "weft/shm/process_table.hpp"
#include "weft/shm/segment.hpp"
#include "weft_run.hpp"

namespace chaos {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using steady = std::chrono::steady_clock;

struct in_flight {
  std::uint64_t index;
  steady::time_point sent;
};

class chaos_runner {
 public:
  chaos_runner(const chaos_options& options, const chaos_system& system)
      : options_(options),
        system_(system),
        rng_(options.seed),
        fates_(options.commands, fate::unsent) {
    const fs::path system_file = prepare();
    run_ = std::make_unique<weft_run>(options.weft, system_file, data_dir_,
                                      options.work_dir / "supervisor.log");
    summary_.system = system.name;
    summary_.seed = options.seed;
    summary_.commands = options.commands;
  }

  chaos_summary run() {
    const auto started = steady::now();
    become_subreaper();
    start_system();
    schedule_next_kill();
    const std::uint64_t n = options_.commands;
    for (std::uint32_t k = 0; k < options_.supervisor_kills; ++k)
      supervisor_kill_at_.push_back(n * (k + 1) / (options_.supervisor_kills + 1));
    stop_at_ = options_.stop_for.count() > 0 ? std::optional<std::uint64_t>(n / 3) : std::nullopt;

    while (!load_done() || summary_.worker_kills < options_.kills ||
           summary_.supervisor_kills < options_.supervisor_kills || stopped_pid_ > 0) {
      if (!run_->running()) supervisor_died_unexpectedly();
      submit_some();
      collect_replies();
      expire_old();
      make_chaos();
      note_restarts();
      show_progress(started);
      if (steady::now() - started > options_.give_up_after) {
        violation(
            fmt::format("the load and chaos did not finish within {} s (sent {}, in flight {}, "
                        "kills {})",
                        options_.give_up_after.count() / 1000, next_index_, pending_.size(),
                        summary_.worker_kills));
        break;
      }
    }
    summary_.load_seconds = seconds_since(started);
    const auto drain_started = steady::now();
    summary_.drained = wait_drained();
    summary_.drain_seconds = seconds_since(drain_started);
    stop_system();
    finish_counts();
    const auto verdict = audit_recorders(spec_, data_dir_, system_, fates_);
    summary_.events_per_app = verdict.events_per_app;
    summary_.facts = verdict.facts;
    summary_.violations += verdict.violations.count();
    for (const auto& v : verdict.violations.examples()) example(v);
    summary_.seconds = seconds_since(started);
    return summary_;
  }

 private:
  // ---- setup and the supervisor's life ----------------------------------------------

  fs::path prepare() {
    fs::create_directories(options_.work_dir);
    const fs::path file = system_.write_system_file(options_.work_dir);
    spec_ = weft::runner::load_system_file(file);
    data_dir_ = spec_.data_dir;
    fs::remove_all(data_dir_);
    fs::remove(options_.work_dir / "supervisor.log");
    return file;
  }

  void violation(std::string what) {
    ++summary_.violations;
    example(std::move(what));
  }
  void example(std::string what) {
    if (summary_.violation_examples.size() < 30)
      summary_.violation_examples.push_back(std::move(what));
  }

  // Starts `weft run` and attaches a client to its segment. A supervisor that
  // exits before its segment appears is a finding; it is tried again.
  void start_system() {
    for (int attempt = 1;; ++attempt) {
      run_->start();
      ++summary_.supervisor_starts;
      const auto deadline = steady::now() + 30s;
      while (run_->running() && steady::now() < deadline) {
        for (const auto& found : weft::shm::list_systems()) {
          if (found.creator_pid != run_->pid() || !found.problem.empty() ||
              found.system_name != spec_.name)
            continue;
          client_.emplace(weft::shm::segment::attach(found.segment_name));
          return;
        }
        std::this_thread::sleep_for(5ms);
      }
      ++summary_.start_failures;
      const std::string why = run_->running() ? "showed no segment within 30 s"
                                              : "exited at once (" + run_->how_it_ended() + ")";
      violation(fmt::format("weft run (start {}) {}; its log ends:\n{}", run_->starts(), why,
                            run_->log_tail()));
      if (run_->running()) {
        run_->signal(SIGKILL);
        run_->wait(10s);
      }
      if (attempt == 3) throw weft::error("weft run did not start 3 times in a row: giving up");
      std::this_thread::sleep_for(200ms);
    }
  }

  // Every command whose reply can no longer come is lost (sent again if idempotent).
  void lose_all_pending() {
    for (const auto& [_, f] : pending_) lose(f.index);
    pending_.clear();
    lost_.clear();  // a new client numbers its commands from 1 again
    client_.reset();
  }

  void kill_supervisor() {
    note_restarts();
    restarts_total_ += session_restarts_;
    session_restarts_ = 0;
    run_->signal(SIGKILL);
    if (!run_->wait(10s)) throw weft::error("the SIGKILLed supervisor did not exit within 10 s");
    ++summary_.supervisor_kills;
    stopped_pid_ = 0;  // it died with its supervisor
    lose_all_pending();
    start_system();
  }

  void supervisor_died_unexpectedly() {
    ++summary_.unexpected_exits;
    violation(fmt::format("weft run exited by itself ({}); its log ends:\n{}", run_->how_it_ended(),
                          run_->log_tail()));
    if (summary_.unexpected_exits > 3) throw weft::error("weft run keeps exiting: giving up");
    restarts_total_ += session_restarts_;
    session_restarts_ = 0;
    stopped_pid_ = 0;
    lose_all_pending();
    start_system();
  }

  // ---- load ---------------------------------------------------------------------------

  [[nodiscard]] bool load_done() const {
    return next_index_ >= options_.commands && retry_.empty() && pending_.empty();
  }

  void submit_some() {
    while (pending_.size() < options_.window &&
           (!retry_.empty() || next_index_ < options_.commands)) {
      const bool again = !retry_.empty();
      const std::uint64_t index = again ? retry_.front() : next_index_;
      const auto cmd = system_.command_of(index, options_.seed);
      std::uint64_t id = 0;
      try {
        id = client_->submit(cmd.app, cmd.name, cmd.args_json, 0ms);
      } catch (const weft::error&) {
        return;  // the lane is full: the application is down or busy
      }
      app_ = cmd.app;
      pending_[id] = {index, steady::now()};
      fates_[index] = fate::pending;
      ++summary_.submitted;
      if (again) {
        retry_.pop_front();
        ++summary_.retried;
      } else {
        ++next_index_;
      }
    }
  }

  void lose(std::uint64_t index) {
    fates_[index] = fate::lost;
    ++summary_.lost;
    if (system_.idempotent) retry_.push_back(index);
  }

  void collect_replies() {
    if (app_.empty()) return;
    for (const auto& reply : client_->take_replies(app_, 2ms)) {
      const auto found = pending_.find(reply.correlation_id);
      if (found == pending_.end()) {
        if (auto late = lost_.find(reply.correlation_id); late != lost_.end()) {
          ++summary_.late_replies;
          --summary_.lost;
          if (fates_[late->second] == fate::lost)
            fates_[late->second] = reply.ok ? fate::acknowledged : fate::refused;
          lost_.erase(late);
        }
        continue;
      }
      // A lane answers in order: what was sent before this and is still
      // unanswered was read by a worker that died before answering.
      for (auto it = pending_.begin(); it != found;) {
        lost_[it->first] = it->second.index;
        lose(it->second.index);
        it = pending_.erase(it);
      }
      if (reply.lost) {  // taken by a worker that died: no late reply will follow
        lose(found->second.index);
        pending_.erase(found);
        continue;
      }
      fates_[found->second.index] = reply.ok ? fate::acknowledged : fate::refused;
      if (!reply.ok)
        violation(fmt::format("command {} refused: {}", found->second.index, reply.payload));
      pending_.erase(found);
    }
  }

  void expire_old() {
    const auto limit = steady::now() - options_.reply_timeout;
    while (!pending_.empty() && pending_.begin()->second.sent < limit) {
      lost_[pending_.begin()->first] = pending_.begin()->second.index;
      lose(pending_.begin()->second.index);
      pending_.erase(pending_.begin());
    }
  }

  // ---- chaos --------------------------------------------------------------------------

  template <class Rep, class Period>
  steady::duration uniform(std::chrono::duration<Rep, Period> lo,
                           std::chrono::duration<Rep, Period> hi) {
    std::uniform_int_distribution<std::int64_t> pick(lo.count(), std::max(lo.count(), hi.count()));
    return std::chrono::duration<Rep, Period>(pick(rng_));
  }

  void schedule_next_kill() {
    next_kill_ = steady::now() + uniform(options_.kill_min, options_.kill_max);
  }

  // A worker of the running supervisor, picked at random; -1 if none runs.
  pid_t random_worker() {
    auto& segment = client_->segment();
    std::vector<pid_t> workers;
    for (std::uint32_t p = 0; p < segment.process_count(); ++p) {
      const auto& e = segment.process(p);
      const pid_t pid = e.pid.load(std::memory_order_relaxed);
      // Only a child of our supervisor: a recycled pid must never be shot.
      if (pid > 0 && pid != stopped_pid_ &&
          e.state.load(std::memory_order_relaxed) == weft::shm::process_state::running &&
          parent_of(pid) == run_->pid())
        workers.push_back(pid);
    }
    if (workers.empty()) return -1;
    return workers[std::uniform_int_distribution<std::size_t>(0, workers.size() - 1)(rng_)];
  }

  void make_chaos() {
    const auto now = steady::now();
    if (summary_.supervisor_kills < supervisor_kill_at_.size() &&
        next_index_ >= supervisor_kill_at_[summary_.supervisor_kills]) {
      kill_supervisor();
      return;
    }
    if (summary_.worker_kills < options_.kills && now >= next_kill_) {
      if (const pid_t victim = random_worker(); victim > 0 && ::kill(victim, SIGKILL) == 0) {
        ++summary_.worker_kills;
        schedule_next_kill();
      } else {
        next_kill_ = now + 20ms;  // none running right now
      }
    }
    if (stop_at_ && next_index_ >= *stop_at_) {
      if (const pid_t victim = random_worker(); victim > 0 && ::kill(victim, SIGSTOP) == 0) {
        stopped_pid_ = victim;
        resume_at_ = now + options_.stop_for;
        ++summary_.stops;
        stop_at_.reset();
      }
    }
    if (stopped_pid_ > 0 && now >= resume_at_) {
      if (parent_of(stopped_pid_) == run_->pid()) ::kill(stopped_pid_, SIGCONT);
      stopped_pid_ = 0;
    }
  }

  void note_restarts() {
    if (!client_) return;
    auto& segment = client_->segment();
    std::uint64_t sum = 0;
    for (std::uint32_t p = 0; p < segment.process_count(); ++p)
      sum += segment.process(p).restarts.load(std::memory_order_relaxed);
    session_restarts_ = std::max(session_restarts_, sum);
  }

  // ---- the end ------------------------------------------------------------------------

  // Followers have processed everything their leaders recorded (the process table's gauges).
  bool drained() {
    auto& segment = client_->segment();
    for (std::uint32_t p = 0; p < segment.process_count(); ++p) {
      const auto& follower = segment.process(p);
      for (std::uint32_t k = 0; k < follower.upstream_count && k < weft::shm::max_upstreams; ++k) {
        const auto& leader = segment.process(segment.channel(follower.upstreams[k].channel).leader);
        if (follower.upstreams[k].tracking.load(std::memory_order_relaxed) <
            leader.notification_position.load(std::memory_order_relaxed))
          return false;
      }
    }
    return true;
  }

  bool wait_drained() {
    const auto deadline = steady::now() + options_.drain_timeout;
    int calm = 0;  // several looks in a row: a restarting worker reads 0 for a moment
    while (steady::now() < deadline) {
      if (!run_->running()) {
        supervisor_died_unexpectedly();
        calm = 0;
      }
      calm = drained() ? calm + 1 : 0;
      if (calm >= 5) return true;
      note_restarts();
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  void stop_system() {
    note_restarts();
    restarts_total_ += session_restarts_;
    client_.reset();
    run_->signal(SIGINT);
    if (!run_->wait(60s)) {
      violation("weft run did not stop within 60 s of SIGINT; its log ends:\n" + run_->log_tail());
      run_->signal(SIGKILL);
      run_->wait(10s);
    } else if (run_->how_it_ended() != "exit 0") {
      violation(fmt::format("weft run ended with {} after SIGINT; its log ends:\n{}",
                            run_->how_it_ended(), run_->log_tail()));
    }
  }

  void finish_counts() {
    summary_.restarts_seen = restarts_total_;
    for (const fate f : fates_) {
      if (f == fate::acknowledged) ++summary_.acknowledged;
      if (f == fate::refused) ++summary_.refused;
    }
  }

  void show_progress(steady::time_point started) {
    if (!options_.progress || steady::now() < next_progress_) return;
    next_progress_ = steady::now() + 1s;
    std::cerr << fmt::format(
        "[{:6.1f}s] {}: sent {}/{} in flight {} retry {} | kills {} supervisor {} stops {} "
        "restarts {}\n",
        seconds_since(started), system_.name, next_index_, options_.commands, pending_.size(),
        retry_.size(), summary_.worker_kills, summary_.supervisor_kills, summary_.stops,
        restarts_total_ + session_restarts_);
  }

  static double seconds_since(steady::time_point t) {
    return std::chrono::duration<double>(steady::now() - t).count();
  }

  const chaos_options& options_;
  const chaos_system& system_;
  std::mt19937_64 rng_;
  weft::runner::system_spec spec_;
  fs::path data_dir_;
  std::vector<fate> fates_;
  std::unique_ptr<weft_run> run_;
  std::optional<weft::node::client> client_;
  std::string app_;
  std::map<std::uint64_t, in_flight> pending_;   // by correlation id: the order sent
  std::map<std::uint64_t, std::uint64_t> lost_;  // correlation id -> index, for late replies
  std::deque<std::uint64_t> retry_;
  std::uint64_t next_index_ = 0;
  std::vector<std::uint64_t> supervisor_kill_at_;
  std::optional<std::uint64_t> stop_at_;
  steady::time_point next_kill_{}, resume_at_{}, next_progress_{};
  pid_t stopped_pid_ = 0;
  std::uint64_t session_restarts_ = 0, restarts_total_ = 0;
  chaos_summary summary_;
};

}  // namespace

chaos_summary run_chaos(const chaos_options& options, const chaos_system& system) {
  return chaos_runner(options, system).run();
}

}  // namespace chaos
