// The test scheduler: a FIFO of runnable actors driven by the test thread.
#include <deque>
#include <mutex>

#include "weft/actor/scheduler.hpp"

namespace weft::actor {

struct DeterministicScheduler::State {
  mutable std::mutex mutex;  // schedule() may come from a timer or helper thread
  std::deque<Schedulable*> runnable;
};

DeterministicScheduler::DeterministicScheduler(std::size_t throughput)
    : state_(std::make_unique<State>()), throughput_(throughput) {}

DeterministicScheduler::~DeterministicScheduler() = default;

void DeterministicScheduler::schedule(Schedulable* actor) noexcept {
  std::lock_guard lock(state_->mutex);
  state_->runnable.push_back(actor);
}

bool DeterministicScheduler::run_one() {
  Schedulable* actor = nullptr;
  {
    std::lock_guard lock(state_->mutex);
    if (state_->runnable.empty()) return false;
    actor = state_->runnable.front();
    state_->runnable.pop_front();
  }
  if (actor->run_turn(throughput_) == Schedulable::Turn::more) schedule(actor);
  return true;
}

std::size_t DeterministicScheduler::run_until_idle() {
  std::size_t turns = 0;
  while (run_one()) ++turns;
  return turns;
}

std::size_t DeterministicScheduler::runnable() const {
  std::lock_guard lock(state_->mutex);
  return state_->runnable.size();
}

}  // namespace weft::actor
