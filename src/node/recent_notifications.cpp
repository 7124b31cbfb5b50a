#include "weft/node/recent_notifications.hpp"

#include <algorithm>
#include <cstring>

#include "weft/core/error.hpp"
#include "weft/node/notification_codec.hpp"

namespace weft::node {

recent_notifications::recent_notifications(std::shared_ptr<es::recorder> inner,
                                           std::size_t max_bytes)
    : inner_(std::move(inner)), max_bytes_(max_bytes) {
  if (!inner_) throw error("recent_notifications: no recorder to wrap");
  // Room for what is usually kept: growing by copies while a follower waits
  // costs a copy of the window and fresh pages each time.
  bytes_.reserve(max_bytes_ / 2);
}

std::vector<std::uint64_t> recent_notifications::insert_events(
    std::span<const es::stored_event> events, std::span<const es::tracking> tracked) {
  std::lock_guard lock(mutex_);
  const mark before = stage(events);
  std::vector<std::uint64_t> ids;
  try {
    ids = inner_->insert_events(events, tracked);
  } catch (...) {
    unstage(before);
    throw;
  }
  const bool consecutive =
      ids.size() == events.size() && std::adjacent_find(ids.begin(), ids.end(), [](auto a, auto b) {
                                       return b != a + 1;
                                     }) == ids.end();
  if (consecutive && !ids.empty())
    keep(before, ids.front());
  else
    clear();
  return ids;
}

es::id_range recent_notifications::append_events(std::span<es::stored_event> events,
                                                 std::span<const es::tracking> tracked) {
  // Encoded before the call: the recorder may move the events' bytes out.
  std::lock_guard lock(mutex_);
  const mark before = stage(events);
  es::id_range ids;
  try {
    ids = inner_->append_events(events, tracked);
  } catch (...) {
    unstage(before);
    throw;
  }
  if (ids.count == events.size() && !ids.empty())
    keep(before, ids.first);
  else
    clear();
  return ids;
}

void recent_notifications::select_notifications_into(const es::notification_query& query,
                                                     std::vector<es::notification>& out) {
  inner_->select_notifications_into(query, out);
}

std::vector<es::stored_event> recent_notifications::select_events(const uuid& originator_id,
                                                                  const es::event_query& query) {
  return inner_->select_events(originator_id, query);
}

std::vector<es::notification> recent_notifications::select_notifications(
    const es::notification_query& query) {
  return inner_->select_notifications(query);
}

std::uint64_t recent_notifications::max_notification_id() {
  return inner_->max_notification_id();
}

std::uint64_t recent_notifications::max_tracking_id(std::string_view upstream) {
  return inner_->max_tracking_id(upstream);
}

bool recent_notifications::has_tracking_id(std::string_view upstream, std::uint64_t id) {
  return inner_->has_tracking_id(upstream, id);
}

void recent_notifications::byte_buffer::reserve(std::size_t capacity) {
  if (capacity <= capacity_) return;
  auto grown = std::make_unique_for_overwrite<std::byte[]>(capacity);
  if (size_ != 0) std::memcpy(grown.get(), data_.get(), size_);
  data_ = std::move(grown);
  capacity_ = capacity;
}

void recent_notifications::byte_buffer::erase_front(std::size_t count) noexcept {
  if (count >= size_) {
    size_ = 0;
    return;
  }
  std::memmove(data_.get(), data_.get() + count, size_ - count);
  size_ -= count;
}

void recent_notifications::encoded_range(std::uint64_t first, std::uint64_t last,
                                         std::vector<std::span<const std::byte>>& out) const {
  const std::size_t from = first - base_id_;
  const std::size_t to = last - base_id_;
  out.reserve(out.size() + (to - from + 1));
  const std::byte* const base = bytes_.data();
  std::size_t start = starts_[from];
  for (std::size_t k = from; k < to; ++k) {
    const std::size_t end = starts_[k + 1];
    out.emplace_back(base + start, end - start);
    start = end;
  }
  out.emplace_back(base + start, offset_of(to + 1) - start);
}

// Released entries stay until they take a quarter of the bound: a follower
// that pulls again what was pushed a moment ago (its sections were still in
// the ring) is served from here too. Then they go in one erase, which moves
// only what is not released yet (little, while followers keep up).
void recent_notifications::forget_before(std::uint64_t id) noexcept {
  if (id <= base_id_) return;
  released_ = std::max(released_, std::min<std::size_t>(id - base_id_, starts_.size()));
  if (offset_of(released_) > max_bytes_ / 4) erase_front(released_);
}

void recent_notifications::erase_front(std::size_t entries) noexcept {
  const std::size_t cut = offset_of(entries);
  bytes_.erase_front(cut);
  starts_.erase(starts_.begin(), starts_.begin() + static_cast<std::ptrdiff_t>(entries));
  for (auto& start : starts_) start -= cut;
  base_id_ += entries;
  released_ -= std::min(released_, entries);
}

void recent_notifications::clear() noexcept {
  bytes_.clear();
  starts_.clear();
  released_ = 0;
}

// Appends the events' encodings with id 0; keep() writes the ids once the
// recorder gave them. The batch is checked and sized first, then written in
// one pass into room made once. A failure to encode leaves the window empty
// (`staged` false).
recent_notifications::mark recent_notifications::stage(std::span<const es::stored_event> events) {
  const mark before{bytes_.size(), starts_.size(), true};
  try {
    std::size_t total = 0;
    for (const auto& event : events) {
      check_encodable(event);
      total += encoded_size(event);
    }
    bytes_.resize(before.bytes + total);
    starts_.resize(before.entries + events.size());
  } catch (const std::exception&) {
    clear();  // the window is only a copy: it starts afresh
    return {0, 0, false};
  }
  std::byte* const base = bytes_.data();
  std::byte* at = base + before.bytes;
  std::size_t* start = starts_.data() + before.entries;
  for (const auto& event : events) {
    *start++ = static_cast<std::size_t>(at - base);
    at = write_notification(at, 0, event);
  }
  return before;
}

void recent_notifications::unstage(const mark& before) noexcept {
  if (!before.staged) return;
  bytes_.resize(before.bytes);
  starts_.resize(before.entries);
}

void recent_notifications::keep(const mark& before, std::uint64_t first_id) noexcept {
  if (!before.staged) return;
  // The window holds contiguous ids only: after a jump (another writer
  // recorded in between) it starts again from these.
  if (before.entries == 0 || first_id != base_id_ + before.entries) {
    erase_front(before.entries);
    base_id_ = first_id;
  }
  const std::size_t first_entry = static_cast<std::size_t>(first_id - base_id_);
  for (std::size_t k = first_entry; k < starts_.size(); ++k) {
    const std::uint64_t id = base_id_ + k;
    std::memcpy(bytes_.data() + starts_[k], &id, sizeof id);  // the wire's first field
  }
  // Bounded: a follower that fell this far behind reads the recorder instead.
  if (bytes_.size() > max_bytes_) {
    std::size_t k = 0;
    while (k < starts_.size() && bytes_.size() - starts_[k] > max_bytes_ / 2) ++k;
    erase_front(k);
  }
}

}  // namespace weft::node
