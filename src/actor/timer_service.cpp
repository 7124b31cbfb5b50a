// Both timer services share one deadline table; they differ in who advances time.
#include "weft/actor/timer_service.hpp"

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace weft::actor {
namespace {

using std::chrono::nanoseconds;

// Deadlines ordered by (time, id); callbacks by id. Not thread-safe by itself.
class DeadlineTable {
 public:
  struct Entry {
    nanoseconds deadline;  // current key in deadlines_, so cancel() is O(log n)
    nanoseconds period;
    std::function<void()> callback;
  };

  TimerId add(nanoseconds deadline, nanoseconds period, std::function<void()> callback) {
    TimerId id = ++last_id_;
    entries_.emplace(id, Entry{deadline, period, std::move(callback)});
    deadlines_.emplace(std::make_pair(deadline, id), id);
    return id;
  }

  void cancel(TimerId id) {
    auto it = entries_.find(id);
    if (it == entries_.end()) return;
    deadlines_.erase(std::make_pair(it->second.deadline, id));
    entries_.erase(it);
  }

  [[nodiscard]] bool empty() const { return deadlines_.empty(); }
  [[nodiscard]] nanoseconds next_deadline() const { return deadlines_.begin()->first.first; }
  [[nodiscard]] std::size_t size() const { return entries_.size(); }

  /// Takes the earliest timer if due at `now`; re-arms periodic ones.
  std::function<void()> take_due(nanoseconds now) {
    if (deadlines_.empty() || deadlines_.begin()->first.first > now) return {};
    auto [key, id] = *deadlines_.begin();
    deadlines_.erase(deadlines_.begin());
    auto it = entries_.find(id);
    if (it == entries_.end()) return {};
    if (it->second.period.count() > 0) {
      it->second.deadline = key.first + it->second.period;
      deadlines_.emplace(std::make_pair(it->second.deadline, id), id);
      return it->second.callback;
    }
    auto callback = std::move(it->second.callback);
    entries_.erase(it);
    return callback;
  }

 private:
  TimerId last_id_ = 0;
  std::map<std::pair<nanoseconds, TimerId>, TimerId> deadlines_;
  std::unordered_map<TimerId, Entry> entries_;
};

class ThreadTimerService final : public TimerService {
 public:
  ThreadTimerService() : thread_([this] { run(); }) {}
  ~ThreadTimerService() override { ThreadTimerService::stop(); }

  TimerId schedule(nanoseconds delay, nanoseconds period, std::function<void()> callback) override {
    std::lock_guard lock(mutex_);
    if (stopped_) return 0;
    TimerId id = table_.add(now() + delay, period, std::move(callback));
    wake_.notify_one();
    return id;
  }

  void cancel(TimerId id) override {
    std::lock_guard lock(mutex_);
    table_.cancel(id);
  }

  void stop() override {
    {
      std::lock_guard lock(mutex_);
      if (stopped_) return;
      stopped_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

 private:
  static nanoseconds now() { return std::chrono::steady_clock::now().time_since_epoch(); }

  void run() {
    std::unique_lock lock(mutex_);
    while (!stopped_) {
      if (table_.empty()) {
        wake_.wait(lock);
        continue;
      }
      if (auto callback = table_.take_due(now())) {
        lock.unlock();
        callback();  // outside the lock: it may schedule or cancel timers
        lock.lock();
        continue;
      }
      wake_.wait_until(lock, std::chrono::steady_clock::time_point(table_.next_deadline()));
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  DeadlineTable table_;
  bool stopped_ = false;
  std::thread thread_;  // last: starts after the members it uses
};

}  // namespace

std::unique_ptr<TimerService> make_thread_timer_service() {
  return std::make_unique<ThreadTimerService>();
}

struct ManualTimerService::State {
  mutable std::mutex mutex;
  DeadlineTable table;
  nanoseconds now{0};
  bool stopped = false;
};

ManualTimerService::ManualTimerService() : state_(std::make_unique<State>()) {}
ManualTimerService::~ManualTimerService() = default;

TimerId ManualTimerService::schedule(nanoseconds delay, nanoseconds period,
                                     std::function<void()> callback) {
  std::lock_guard lock(state_->mutex);
  if (state_->stopped) return 0;
  return state_->table.add(state_->now + delay, period, std::move(callback));
}

void ManualTimerService::cancel(TimerId id) {
  std::lock_guard lock(state_->mutex);
  state_->table.cancel(id);
}

void ManualTimerService::stop() {
  std::lock_guard lock(state_->mutex);
  state_->stopped = true;
}

void ManualTimerService::advance(nanoseconds by) {
  std::unique_lock lock(state_->mutex);
  const nanoseconds target = state_->now + by;
  for (;;) {
    if (state_->table.empty() || state_->table.next_deadline() > target) break;
    state_->now = std::max(state_->now, state_->table.next_deadline());
    auto callback = state_->table.take_due(state_->now);
    if (!callback) continue;
    lock.unlock();
    callback();
    lock.lock();
  }
  state_->now = target;
}

nanoseconds ManualTimerService::now() const {
  std::lock_guard lock(state_->mutex);
  return state_->now;
}

std::size_t ManualTimerService::pending() const {
  std::lock_guard lock(state_->mutex);
  return state_->table.size();
}

}  // namespace weft::actor
