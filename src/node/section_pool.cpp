#include "weft/node/section_pool.hpp"

#include <utility>

namespace weft::node {

es::notification section_pool::take() {
  if (spare_.empty()) {
    std::lock_guard lock(mutex_);
    if (returned_.empty()) return {};
    spare_.swap(returned_.back());  // spare_'s empty array goes out with the popped element
    returned_.pop_back();
  }
  es::notification note = std::move(spare_.back());
  spare_.pop_back();
  return note;
}

void section_pool::give_back(std::vector<es::notification>&& notes) {
  if (notes.empty()) return;
  std::vector<es::notification> dropped;  // freed outside the lock
  {
    std::lock_guard lock(mutex_);
    if (returned_.size() < max_kept)
      returned_.push_back(std::move(notes));
    else
      dropped = std::move(notes);
  }
}

}  // namespace weft::node
