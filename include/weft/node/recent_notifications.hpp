#pragma once
// A recorder that remembers what it just recorded, encoded for the wire, so
// a leader pushes sections built from the events of its last transactions
// instead of reading them back from its own recorder (a SELECT per push on
// SQLite, copies on memory).
//
// It wraps the application's real recorder and forwards every call; after a
// successful insert_events it appends the new notifications (ids as the
// recorder gave them) to a window of contiguous ids [first_kept, last_kept].
// The host forgets what every follower has received. The window is bounded
// (`max_bytes`): a follower far behind is served by select_notifications, as
// before, so the window is an accelerator only; the recorder stays the truth.
//
// The window's accessors and the spans they return belong to the thread that
// records (the hosting actor: a hosted application has one writer). Spans
// stay valid until that thread's next insert_events or forget_before().
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <utility>
#include <vector>

#include "weft/es/recorder.hpp"

namespace weft::node {

class recent_notifications final : public es::recorder {
 public:
  /// A few edge rings' worth: what is released is dropped at a quarter of
  /// it, so the window cycles through memory that stays in the cache.
  static constexpr std::size_t default_max_bytes = std::size_t{4} << 20;

  explicit recent_notifications(std::shared_ptr<es::recorder> inner,
                                std::size_t max_bytes = default_max_bytes);

  /// Records through the wrapped recorder, then keeps the new notifications. @threadsafe
  std::vector<std::uint64_t> insert_events(std::span<const es::stored_event> events,
                                           std::span<const es::tracking> tracked = {}) override;
  /// The same for the hot path; encodes the events before the recorder may take their bytes.
  es::id_range append_events(std::span<es::stored_event> events,
                             std::span<const es::tracking> tracked = {}) override;
  void select_notifications_into(const es::notification_query& query,
                                 std::vector<es::notification>& out) override;
  std::vector<es::stored_event> select_events(const uuid& originator_id,
                                              const es::event_query& query = {}) override;
  std::vector<es::notification> select_notifications(const es::notification_query& query) override;
  std::uint64_t max_notification_id() override;
  std::uint64_t max_tracking_id(std::string_view upstream) override;
  bool has_tracking_id(std::string_view upstream, std::uint64_t id) override;

  // Inline: a leader calls these once per notification it pushes.

  /// Whether notification `id` is in the window. The recording thread only.
  [[nodiscard]] bool holds(std::uint64_t id) const noexcept {
    return id >= base_id_ && id - base_id_ < starts_.size();
  }
  /// Last id in the window (0 when empty). The recording thread only.
  [[nodiscard]] std::uint64_t last_kept() const noexcept {
    return starts_.empty() ? 0 : base_id_ + starts_.size() - 1;
  }
  /// Notification `id` as encode_notification() writes it; holds(id) must be true.
  /// The recording thread only.
  [[nodiscard]] std::span<const std::byte> encoded(std::uint64_t id) const noexcept {
    const std::size_t k = id - base_id_;
    return {bytes_.data() + starts_[k], offset_of(k + 1) - starts_[k]};
  }
  /// Bytes of the encodings of notifications [first, last], back to back;
  /// holds(first) and holds(last) must be true. The recording thread only.
  [[nodiscard]] std::size_t encoded_bytes(std::uint64_t first, std::uint64_t last) const noexcept {
    return offset_of(last - base_id_ + 1) - starts_[first - base_id_];
  }
  /// Appends encoded(id) for each id of [first, last] to `out`; holds(first)
  /// and holds(last) must be true. The recording thread only.
  void encoded_range(std::uint64_t first, std::uint64_t last,
                     std::vector<std::span<const std::byte>>& out) const;
  /// Every follower has the notifications below `id`: they may go (they do
  /// once they take a quarter of the bound). The recording thread only.
  void forget_before(std::uint64_t id) noexcept;

 private:
  struct mark {
    std::size_t bytes;    // bytes_.size() before the staged events
    std::size_t entries;  // starts_.size() before them
    bool staged;          // false: encoding failed and the window was cleared
  };
  mark stage(std::span<const es::stored_event> events);
  void unstage(const mark& before) noexcept;
  void keep(const mark& before, std::uint64_t first_id) noexcept;
  // Where entry `entry` starts in bytes_, or its end for the entry past the last.
  [[nodiscard]] std::size_t offset_of(std::size_t entry) const noexcept {
    return entry < starts_.size() ? starts_[entry] : bytes_.size();
  }
  void erase_front(std::size_t entries) noexcept;
  void clear() noexcept;

  std::shared_ptr<es::recorder> inner_;
  std::size_t max_bytes_;
  std::mutex mutex_;  // insert_events may come from any thread
  // Bytes that grow without being initialised: stage() writes every one. (A
  // vector's resize() would visit each new byte, even to construct nothing.)
  class byte_buffer {
   public:
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] std::byte* data() noexcept { return data_.get(); }
    [[nodiscard]] const std::byte* data() const noexcept { return data_.get(); }
    void reserve(std::size_t capacity);
    /// Grows (new bytes uninitialised, kept ones copied when it moves) or shrinks.
    void resize(std::size_t size) {
      if (size > capacity_) reserve(std::max(size, 2 * capacity_));
      size_ = size;
    }
    /// Drops the first `count` bytes, moving the rest to the front.
    void erase_front(std::size_t count) noexcept;
    void clear() noexcept { size_ = 0; }

   private:
    std::unique_ptr<std::byte[]> data_;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
  };

  byte_buffer bytes_;                // encoded, back to back
  std::vector<std::size_t> starts_;  // starts_[k]: offset in bytes_ of id base_id_ + k
  std::size_t released_ = 0;         // leading entries every follower has
  std::uint64_t base_id_ = 0;        // id of starts_[0]
};

}  // namespace weft::node
