#include "weft/node/section_pool.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace weft::node {

note_batch section_pool::start() {
  note_batch batch;
  if (returned_.empty()) return batch;
  // The longest: the fewer notifications next() must add to it.
  const auto longest =
      std::max_element(returned_.begin(), returned_.end(),
                       [](const auto& a, const auto& b) { return a.size() < b.size(); });
  batch.notes = std::move(*longest);
  returned_.erase(longest);
  return batch;
}

// next() when the batch has run out: a spare, or a new notification.
es::notification& section_pool::grow(note_batch& batch) {
  auto& notes = batch.notes;
  if (spare_.empty()) return notes.emplace_back();
  notes.push_back(std::move(spare_.back()));
  spare_.pop_back();
  return notes.back();
}

// The spares stay behind the batch's notifications: taking them off would
// move each of them, twice per message. Only a surplus of more than
// max_spare is cut, so a vector does not keep the size of a rare big burst.
std::vector<es::notification> section_pool::finish(note_batch&& batch) {
  auto& notes = batch.notes;
  if (notes.size() - batch.used > max_spare) {
    const auto cut = notes.begin() + static_cast<std::ptrdiff_t>(batch.used + max_spare);
    const std::size_t room = max_spare - std::min(max_spare, spare_.size());
    const auto keep_end = cut + static_cast<std::ptrdiff_t>(std::min<std::size_t>(
                                    room, static_cast<std::size_t>(notes.end() - cut)));
    spare_.insert(spare_.end(), std::make_move_iterator(cut), std::make_move_iterator(keep_end));
    notes.erase(cut, notes.end());
  }
  return std::move(notes);
}

void section_pool::give_back(std::vector<es::notification>&& notes) {
  if (!notes.empty() && returned_.size() < max_kept) returned_.push_back(std::move(notes));
}

}  // namespace weft::node
