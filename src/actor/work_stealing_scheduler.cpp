// The production scheduler: N workers, each with a LIFO slot and a local run
// queue, a global queue for schedules from outside the workers, stealing, and
// spin-then-park idling.
#include <algorithm>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "run_queue.hpp"
#include "weft/actor/scheduler.hpp"
#include "weft/core/cache_line.hpp"

namespace weft::actor {
namespace {

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// How often a worker looks at the global queue first, so that messages
// injected from outside are not starved by local work (as in Go's runtime).
constexpr unsigned global_check_interval = 61;
// How many times in a row the LIFO slot may win over the local queue.
constexpr unsigned lifo_streak_limit = 16;

class WorkStealingScheduler;

struct Worker {
  detail::RunQueue queue;
  Schedulable* next = nullptr;  // LIFO slot: owner only, never stolen
  alignas(cache_line) std::atomic<std::uint32_t> wake_epoch{0};
  std::size_t index = 0;
  std::thread thread;
};

// initial-exec: read on every schedule(); avoids a __tls_get_addr call per message.
[[gnu::tls_model("initial-exec")]] thread_local Worker* tl_worker = nullptr;
[[gnu::tls_model("initial-exec")]] thread_local const void* tl_scheduler = nullptr;

class WorkStealingScheduler final : public Scheduler {
 public:
  explicit WorkStealingScheduler(WorkStealingConfig config) : config_(config) {
    if (config_.workers == 0) config_.workers = std::max(1u, std::thread::hardware_concurrency());
    if (config_.throughput == 0) config_.throughput = 1;
    for (std::size_t i = 0; i < config_.workers; ++i) {
      workers_.push_back(std::make_unique<Worker>());
      workers_.back()->index = i;
    }
  }

  ~WorkStealingScheduler() override {
    if (started_ && !stopped_) stop();
  }

  void start() override {
    started_ = true;
    for (auto& worker : workers_) {
      Worker* w = worker.get();
      w->thread = std::thread([this, w] { run(*w); });
    }
  }

  void stop() override {
    if (stopped_) return;
    stopped_ = true;
    // release: pairs with the acquire load in park(); the epoch bump below
    // wakes workers already asleep.
    stopping_.store(true, std::memory_order_release);
    for (auto& worker : workers_) {
      worker->wake_epoch.fetch_add(1, std::memory_order_release);
      worker->wake_epoch.notify_one();
    }
    for (auto& worker : workers_) {
      if (worker->thread.joinable()) worker->thread.join();
    }
  }

  [[nodiscard]] std::size_t workers() const noexcept override { return workers_.size(); }

  void schedule(Schedulable* actor) noexcept override {
    if (tl_scheduler == this) {
      // From one of our workers: the LIFO slot, so a reply runs next while
      // its data is hot. The displaced actor goes where others may steal it.
      Worker& w = *tl_worker;
      Schedulable* displaced = std::exchange(w.next, actor);
      if (displaced != nullptr) push_local(w, displaced);
      return;
    }
    push_global(actor);
  }

 private:
  void run(Worker& w) {
    tl_worker = &w;
    tl_scheduler = this;
    unsigned tick = 0;
    unsigned streak = 0;
    while (!stopping_.load(std::memory_order_relaxed)) {
      Schedulable* actor = find_work(w, tick, streak);
      if (actor == nullptr) actor = spin(w, tick, streak);
      if (actor == nullptr) {
        park(w);
        continue;
      }
      if (actor->run_turn(config_.throughput) == Schedulable::Turn::more) push_local(w, actor);
    }
    tl_worker = nullptr;
    tl_scheduler = nullptr;
  }

  Schedulable* find_work(Worker& w, unsigned& tick, unsigned& streak) {
    if (++tick % global_check_interval == 0) {
      if (Schedulable* actor = pop_global()) return actor;
    }
    if (w.next != nullptr) {
      Schedulable* actor = std::exchange(w.next, nullptr);
      if (streak++ < lifo_streak_limit) return actor;
      push_local(w, actor);  // fairness: the ping-pong pair yields to the queue
    }
    streak = 0;
    if (Schedulable* actor = w.queue.pop()) return actor;
    if (Schedulable* actor = pop_global()) return actor;
    return steal(w);
  }

  Schedulable* spin(Worker& w, unsigned& tick, unsigned& streak) {
    // acq_rel RMW: pairs with the RMW in wake_if_needed(); a pusher that sees
    // us spinning may skip the wake-up because we will see its push.
    spinning_.fetch_add(1, std::memory_order_acq_rel);
    Schedulable* actor = nullptr;
    for (std::size_t i = 0; i < config_.spin_rounds && actor == nullptr; ++i) {
      if (stopping_.load(std::memory_order_relaxed)) break;
      cpu_relax();
      actor = find_work(w, tick, streak);
    }
    spinning_.fetch_sub(1, std::memory_order_acq_rel);  // pairs as above
    return actor;
  }

  Schedulable* steal(Worker& self) {
    const std::size_t n = workers_.size();
    for (std::size_t i = 1; i < n; ++i) {
      Worker& victim = *workers_[(self.index + i) % n];
      if (victim.queue.seems_empty()) continue;
      if (Schedulable* actor = victim.queue.pop()) return actor;
    }
    return nullptr;
  }

  void push_local(Worker& w, Schedulable* actor) {
    if (!w.queue.push(actor)) {
      push_global(actor);
      return;
    }
    // Correctness does not need a wake-up (we run it ourselves); parallelism
    // does. relaxed hints: a missed wake-up only costs parallelism.
    if (idle_count_.load(std::memory_order_relaxed) != 0 &&
        spinning_.load(std::memory_order_relaxed) == 0) {
      wake_one();
    }
  }

  void push_global(Schedulable* actor) {
    {
      std::lock_guard lock(global_mutex_);
      global_.push_back(actor);
      // release: pairs with the acquire in has_visible_work(); pop_global()
      // reads it relaxed as a hint and then takes the lock.
      global_size_.store(global_.size(), std::memory_order_release);
    }
    wake_if_needed();
  }

  Schedulable* pop_global() {
    if (global_size_.load(std::memory_order_relaxed) == 0) return nullptr;  // hint; avoids the lock
    std::lock_guard lock(global_mutex_);
    if (global_.empty()) return nullptr;
    Schedulable* actor = global_.front();
    global_.pop_front();
    global_size_.store(global_.size(), std::memory_order_relaxed);
    return actor;
  }

  void wake_if_needed() {
    // Read-modify-writes rather than fences (TSan cannot check fences): each
    // reads the latest value, so either we see a worker that spins or parks,
    // or that worker's own RMW on the counter synchronizes with ours and its
    // re-check in park() sees our push. Pairs with the RMWs in spin()/park().
    if (spinning_.fetch_add(0, std::memory_order_acq_rel) != 0) return;
    if (idle_count_.fetch_add(0, std::memory_order_acq_rel) != 0) wake_one();
  }

  void wake_one() {
    Worker* w = nullptr;
    {
      std::lock_guard lock(idle_mutex_);
      if (idle_.empty()) return;
      w = idle_.back();
      idle_.pop_back();
      idle_count_.fetch_sub(1,
                            std::memory_order_acq_rel);  // under idle_mutex_; see wake_if_needed()
    }
    // release: pairs with the acquire wait in park().
    w->wake_epoch.fetch_add(1, std::memory_order_release);
    w->wake_epoch.notify_one();
  }

  bool has_visible_work() const {
    if (global_size_.load(std::memory_order_relaxed) != 0) return true;
    return std::any_of(workers_.begin(), workers_.end(),
                       [](const auto& w) { return !w->queue.seems_empty(); });
  }

  void park(Worker& w) {
    const std::uint32_t epoch = w.wake_epoch.load(std::memory_order_acquire);
    {
      std::lock_guard lock(idle_mutex_);
      idle_.push_back(&w);
      // acq_rel RMW: pairs with the RMW in wake_if_needed(); after it, our
      // re-check below sees any push whose wake_if_needed() missed us.
      idle_count_.fetch_add(1, std::memory_order_acq_rel);
    }
    if (has_visible_work() || w.next != nullptr || stopping_.load(std::memory_order_acquire)) {
      std::lock_guard lock(idle_mutex_);
      auto it = std::find(idle_.begin(), idle_.end(), &w);
      if (it != idle_.end()) {
        idle_.erase(it);
        idle_count_.fetch_sub(1, std::memory_order_acq_rel);
      }
      return;
    }
    // acquire: pairs with the release increment in wake_one() / stop().
    w.wake_epoch.wait(epoch, std::memory_order_acquire);
  }

  WorkStealingConfig config_;
  std::vector<std::unique_ptr<Worker>> workers_;
  bool started_ = false;
  bool stopped_ = false;
  alignas(cache_line) std::atomic<bool> stopping_{false};
  alignas(cache_line) std::atomic<std::size_t> spinning_{0};
  alignas(cache_line) std::atomic<std::size_t> idle_count_{0};
  std::mutex idle_mutex_;
  std::vector<Worker*> idle_;
  alignas(cache_line) std::atomic<std::size_t> global_size_{0};
  std::mutex global_mutex_;
  std::deque<Schedulable*> global_;
};

}  // namespace

std::unique_ptr<Scheduler> make_work_stealing(WorkStealingConfig config) {
  return std::make_unique<WorkStealingScheduler>(config);
}

}  // namespace weft::actor
