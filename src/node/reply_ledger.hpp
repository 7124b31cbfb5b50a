#pragma once
// Which of one lane's commands have had their replies. The lane numbers its
// commands on from its earlier owners' (ingress_client::issue_correlation_id);
// replies come in command order, often one record for a run of commands, so
// usually only the count of answered ones moves. What the ledger adds: when
// the application's process died holding commands it had taken, those never
// get a reply, and the client hands out one that says so (see client.cpp).
#include <algorithm>
#include <cstdint>
#include <vector>

namespace weft::node {

class reply_ledger {
 public:
  /// `issued_before`: the last id the lane issued before this client had it.
  explicit reply_ledger(std::uint64_t issued_before) noexcept
      : first_(issued_before + 1), next_(first_), through_(issued_before) {}

  /// A command went out with `id`, the lane's next one.
  void issued(std::uint64_t id) noexcept { next_ = id + 1; }

  /// Ids from `from` through `to` (inclusive; from > to when none).
  struct id_span {
    std::uint64_t from, to;
  };
  /// Which of the `count` ids from `first` on this client issued: a reply
  /// names no others unless it was meant for a previous owner of the lane.
  [[nodiscard]] id_span own(std::uint64_t first, std::uint32_t count) const noexcept {
    return {std::max(first, first_), std::min(first + (count - 1), next_ - 1)};
  }

  /// A reply arrived for the ids of `ids`, all issued by this client.
  void answered(id_span ids) {
    if (ids.from > ids.to) return;
    if (ids.from == through_ + 1) {  // the usual case: next in line
      through_ = ids.to;
      absorb_ahead();
      return;
    }
    for (std::uint64_t id = ids.from; id <= ids.to; ++id) answered(id);
  }

  /// True when some command up to `lost_through` still waits for its reply.
  [[nodiscard]] bool owes_up_to(std::uint64_t lost_through) const noexcept {
    return std::min(lost_through, next_ - 1) > through_;
  }

  /// Calls `lost(id)` for each issued command up to `lost_through` without a
  /// reply, and counts them answered.
  template <class Lost>
  void settle(std::uint64_t lost_through, Lost&& lost) {
    const std::uint64_t last = std::min(lost_through, next_ - 1);
    for (std::uint64_t id = through_ + 1; id <= last; ++id)
      if (!std::binary_search(ahead_.begin(), ahead_.end(), id)) lost(id);
    if (last <= through_) return;
    through_ = last;
    ahead_.erase(ahead_.begin(), std::upper_bound(ahead_.begin(), ahead_.end(), last));
    absorb_ahead();
  }

 private:
  // A reply arrived for `id`.
  void answered(std::uint64_t id) {
    if (id <= through_ || id >= next_) return;
    if (id == through_ + 1) {
      through_ = id;
      absorb_ahead();
      return;
    }
    const auto at = std::lower_bound(ahead_.begin(), ahead_.end(), id);
    if (at == ahead_.end() || *at != id) ahead_.insert(at, id);
  }

  // Moves through_ past the answered ones that now follow it, and drops
  // those a span reached first.
  void absorb_ahead() {
    auto next = ahead_.begin();
    while (next != ahead_.end() && *next <= through_ + 1) {
      through_ = std::max(through_, *next);
      ++next;
    }
    ahead_.erase(ahead_.begin(), next);
  }

  std::uint64_t first_;               // the first id this client issued
  std::uint64_t next_;                // one past the last id issued
  std::uint64_t through_;             // every command up to here has its reply
  std::vector<std::uint64_t> ahead_;  // sorted: answered ones beyond through_
};

}  // namespace weft::node
