#pragma once
// Replies a client has read from its lane and not handed out yet. They are
// kept as runs, as a reply record carries them: consecutive correlation ids
// answered alike share one entry and one copy of the payload. So a client
// that collects while its lane is full (submit()) costs no allocation per
// command, and handing the replies out later costs none either.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "weft/node/client.hpp"

namespace weft::node {

class arrived_replies {
 public:
  [[nodiscard]] bool empty() const noexcept { return first_ == runs_.size(); }

  /// Replies to `count` (>= 1) consecutive commands from `first_id` on, alike.
  void add(std::uint64_t first_id, std::uint64_t count, bool ok, std::string_view payload,
           bool lost) {
    if (!empty()) {
      auto& last = runs_.back();
      if (last.first_id + last.count == first_id && last.ok == ok && last.lost == lost &&
          last.payload == payload) {
        last.count += count;
        return;
      }
    }
    runs_.push_back({first_id, count, ok, lost, std::string(payload)});
  }

  /// Takes out the reply to `correlation_id`, if it arrived.
  std::optional<reply> take(std::uint64_t correlation_id) {
    for (std::size_t at = first_; at < runs_.size(); ++at) {
      auto& run = runs_[at];
      if (correlation_id < run.first_id || correlation_id - run.first_id >= run.count) continue;
      reply out{correlation_id, run.ok, run.payload, run.lost};
      const std::uint64_t before = correlation_id - run.first_id;
      const std::uint64_t after = run.count - before - 1;
      if (before > 0 && after > 0) {  // from the middle: the run splits in two
        run_of tail = run;
        tail.first_id = correlation_id + 1;
        tail.count = after;
        run.count = before;
        runs_.insert(runs_.begin() + static_cast<std::ptrdiff_t>(at) + 1, std::move(tail));
      } else if (before > 0) {
        --run.count;
      } else if (after > 0) {
        ++run.first_id;
        --run.count;
      } else {
        remove(at);
      }
      return out;
    }
    return std::nullopt;
  }

  /// Calls `handle(reply_view)` for every reply, in arrival order, and
  /// forgets them; returns how many.
  template <class Handle>
  std::size_t hand_out(Handle&& handle) {
    std::size_t handed = 0;
    // first_ moves before each handle(): should it throw, what it saw is gone.
    while (first_ < runs_.size()) {
      auto& run = runs_[first_];
      const reply_view view{run.first_id, run.ok, run.payload, run.lost};
      if (run.count == 1) {
        ++first_;
      } else {
        ++run.first_id;
        --run.count;
      }
      ++handed;
      handle(view);
    }
    clear();
    return handed;
  }

  /// Every reply, by correlation id, forgotten here.
  std::vector<reply> take_all() {
    std::vector<reply> out;
    for (std::size_t at = first_; at < runs_.size(); ++at) {
      const auto& run = runs_[at];
      for (std::uint64_t k = 0; k < run.count; ++k)
        out.push_back({run.first_id + k, run.ok, run.payload, run.lost});
    }
    clear();
    // Should a peer have answered out of order.
    const auto by_id = [](const reply& a, const reply& b) {
      return a.correlation_id < b.correlation_id;
    };
    if (!std::is_sorted(out.begin(), out.end(), by_id))
      std::stable_sort(out.begin(), out.end(), by_id);
    return out;
  }

 private:
  struct run_of {
    std::uint64_t first_id;
    std::uint64_t count;
    bool ok;
    bool lost;
    std::string payload;
  };

  void remove(std::size_t at) {
    if (at == first_)
      ++first_;
    else
      runs_.erase(runs_.begin() + static_cast<std::ptrdiff_t>(at));
    if (empty()) clear();
  }
  void clear() noexcept {
    runs_.clear();
    first_ = 0;
  }

  std::vector<run_of> runs_;  // runs_[first_..] are waiting; capacity kept
  std::size_t first_ = 0;
};

}  // namespace weft::node
