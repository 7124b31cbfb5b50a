#include "weft/node/section_pool.hpp"

#include <iterator>
#include <utility>

namespace weft::node {

note_batch section_pool::start() {
  note_batch batch;
  std::lock_guard lock(mutex_);
  if (!returned_.empty()) {
    batch.notes = std::move(returned_.back());
    returned_.pop_back();
  }
  return batch;
}

es::notification& section_pool::next(note_batch& batch) {
  auto& notes = batch.notes;
  if (batch.used < notes.size()) return notes[batch.used];
  if (spare_.empty()) return notes.emplace_back();
  notes.push_back(std::move(spare_.back()));
  spare_.pop_back();
  return notes.back();
}

std::vector<es::notification> section_pool::finish(note_batch&& batch) {
  auto& notes = batch.notes;
  const auto cut = notes.begin() + static_cast<std::ptrdiff_t>(batch.used);
  const std::size_t room = max_spare - std::min(max_spare, spare_.size());
  const auto keep_end =
      cut + static_cast<std::ptrdiff_t>(std::min<std::size_t>(room, notes.size() - batch.used));
  spare_.insert(spare_.end(), std::make_move_iterator(cut), std::make_move_iterator(keep_end));
  notes.erase(cut, notes.end());
  return std::move(notes);
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
