#include "weft/actor/timers.hpp"

namespace weft::actor::detail {

void TimerTable::arm(const std::string& key, std::chrono::nanoseconds delay,
                     std::chrono::nanoseconds period, Fire fire) {
  cancel(key);
  const std::uint64_t generation = ++last_generation_;
  const TimerId id =
      service_->schedule(delay, period, [fire = std::move(fire), generation] { fire(generation); });
  entries_[key] = Entry{generation, id, period.count() > 0};
}

bool TimerTable::cancel(const std::string& key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  service_->cancel(it->second.id);
  entries_.erase(it);
  return true;
}

void TimerTable::cancel_all() {
  for (auto& [key, entry] : entries_) service_->cancel(entry.id);
  entries_.clear();
}

bool TimerTable::accept(const std::string& key, std::uint64_t generation) {
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.generation != generation) return false;
  if (!it->second.periodic) entries_.erase(it);
  return true;
}

}  // namespace weft::actor::detail
