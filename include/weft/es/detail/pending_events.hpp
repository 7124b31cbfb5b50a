#pragma once
// An aggregate's pending events: contiguous (they are recorded as a span),
// and the usual single event is kept inline, so triggering one event and
// saving it allocates nothing here.
#include <cstddef>
#include <span>
#include <utility>
#include <vector>

#include "weft/es/stored_event.hpp"

namespace weft::es::detail {

class pending_events {
 public:
  void push_back(stored_event&& event) { emplace_back() = std::move(event); }

  /// Appends an event to be written in place and returns it: no temporary to
  /// move in. It may hold an earlier event's buffers, for reuse: the caller
  /// sets every member.
  stored_event& emplace_back() {
    if (size_ == 0) {
      size_ = 1;
      return one_;
    }
    if (size_ == 1) {
      many_.reserve(4);
      many_.push_back(std::move(one_));
    }
    stored_event& out = many_.emplace_back();
    ++size_;
    return out;
  }

  /// Forgets the last event (one whose writing failed after emplace_back).
  void pop_back() noexcept {
    if (size_ >= 2) many_.pop_back();
    if (--size_ == 1) {
      one_ = std::move(many_.front());
      many_.clear();
    }
  }

  // Invariant: with at most one event it is one_, with more they are all in many_.
  [[nodiscard]] stored_event* begin() noexcept { return size_ <= 1 ? &one_ : many_.data(); }
  [[nodiscard]] stored_event* end() noexcept { return begin() + size_; }
  [[nodiscard]] const stored_event* begin() const noexcept {
    return size_ <= 1 ? &one_ : many_.data();
  }
  [[nodiscard]] const stored_event* end() const noexcept { return begin() + size_; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  operator std::span<const stored_event>() const noexcept {  // NOLINT(google-explicit-constructor)
    return {begin(), size_};
  }

  /// Forgets the events (their storage is kept for reuse).
  void clear() noexcept {
    size_ = 0;
    many_.clear();
  }

 private:
  stored_event one_;
  std::vector<stored_event> many_;
  std::size_t size_ = 0;
};

}  // namespace weft::es::detail
