#include "aggregate_cache.hpp"

namespace weft::es::detail {

const aggregate_base* aggregate_cache::find(const uuid& id) {
  auto found = slots_.find(id);
  if (found == slots_.end()) return nullptr;
  recency_.splice(recency_.begin(), recency_, found->second.recency);
  return found->second.aggregate.get();
}

void aggregate_cache::put(std::unique_ptr<aggregate_base> aggregate) {
  if (!enabled()) return;
  const uuid id = aggregate->id();
  auto found = slots_.find(id);
  if (found != slots_.end()) {
    found->second.aggregate = std::move(aggregate);
    recency_.splice(recency_.begin(), recency_, found->second.recency);
    return;
  }
  if (slots_.size() >= capacity_) {
    slots_.erase(recency_.back());
    recency_.pop_back();
  }
  recency_.push_front(id);
  slots_.emplace(id, slot{std::move(aggregate), recency_.begin()});
}

void aggregate_cache::evict(const uuid& id) {
  auto found = slots_.find(id);
  if (found == slots_.end()) return;
  recency_.erase(found->second.recency);
  slots_.erase(found);
}

void aggregate_cache::clear() {
  slots_.clear();
  recency_.clear();
}

}  // namespace weft::es::detail
