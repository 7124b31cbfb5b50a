#pragma once
// Schedulers run actors' turns. A Schedulable is handed to schedule() once per
// activation (the mailbox decides who schedules, see mailbox.hpp); a turn
// processes at most `throughput` messages so busy actors cannot starve others.
#include <cstddef>
#include <cstdint>
#include <memory>

namespace weft::actor {

class Schedulable {
 public:
  enum class Turn : std::uint8_t {
    done,  ///< went idle (its mailbox is blocked) or died: do not run it again
    more   ///< still has work: put it back in a run queue
  };
  virtual ~Schedulable() = default;
  /// Runs one turn of at most `throughput` messages. Called by one scheduler thread at a time.
  virtual Turn run_turn(std::size_t throughput) noexcept = 0;
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  /// Makes `actor` runnable. The caller must own the activation (a
  /// PushResult::must_schedule). @threadsafe
  virtual void schedule(Schedulable* actor) noexcept = 0;
  /// Starts the worker threads (no-op for the deterministic scheduler). Call once.
  virtual void start() = 0;
  /// Stops and joins the workers; runnable actors left are not run. Call once, not from a worker.
  virtual void stop() = 0;
  [[nodiscard]] virtual std::size_t workers() const noexcept = 0;
};

struct WorkStealingConfig {
  std::size_t workers = 0;         ///< 0 = std::thread::hardware_concurrency()
  std::size_t throughput = 64;     ///< messages per actor turn
  std::size_t spin_rounds = 2000;  ///< idle polls before a worker parks (a wake-up costs ~28 us)
};

/// N workers with local run queues, a LIFO slot for the actor just woken by a
/// worker, stealing between workers, and parking after a short spin.
std::unique_ptr<Scheduler> make_work_stealing(WorkStealingConfig config);

/// One queue, no threads: the test thread runs turns explicitly.
class DeterministicScheduler final : public Scheduler {
 public:
  explicit DeterministicScheduler(std::size_t throughput = 64);
  ~DeterministicScheduler() override;

  void schedule(Schedulable* actor) noexcept override;  ///< @threadsafe
  void start() override {}
  void stop() override {}
  [[nodiscard]] std::size_t workers() const noexcept override { return 1; }

  /// Runs one turn of the oldest runnable actor; false when none. One thread only.
  bool run_one();
  /// Runs turns until no actor is runnable; returns the number of turns. One thread only.
  std::size_t run_until_idle();
  /// Number of runnable actors. @threadsafe
  [[nodiscard]] std::size_t runnable() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::size_t throughput_;
};

}  // namespace weft::actor
