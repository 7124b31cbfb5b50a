#include "weft/node/upstream_cursor.hpp"

#include <algorithm>

namespace weft::node {

upstream_cursor::upstream_cursor(std::uint64_t tracked, std::uint32_t pull_limit,
                                 std::int64_t pull_timeout_ns)
    : tracked_(tracked),
      leader_max_(tracked),
      pull_limit_(std::max<std::uint32_t>(pull_limit, 1)),
      pull_timeout_ns_(pull_timeout_ns) {}

std::optional<std::uint64_t> upstream_cursor::on_section(std::uint64_t first, std::uint64_t last) {
  leader_max_ = std::max(leader_max_, last);
  if (last <= tracked_) return std::nullopt;      // all processed already
  if (first > tracked_ + 1) return std::nullopt;  // a gap: pull_due() asks for it
  return tracked_ + 1 - first;
}

void upstream_cursor::on_prompt(std::uint64_t max_id) {
  leader_max_ = std::max(leader_max_, max_id);
}

void upstream_cursor::processed(std::uint64_t id) {
  tracked_ = std::max(tracked_, id);
  leader_max_ = std::max(leader_max_, tracked_);
  // Answered, or the leader had less than asked for: a later gap pulls at once.
  if (pull_until_ && (tracked_ >= *pull_until_ || tracked_ >= leader_max_)) pull_until_.reset();
}

std::optional<pull_order> upstream_cursor::pull_due(std::int64_t now_ns) const {
  if (!must_pull_ && leader_max_ <= tracked_) return std::nullopt;
  if (pull_until_ && now_ns < pull_deadline_ns_) return std::nullopt;  // still in flight
  return pull_order{tracked_ + 1, pull_limit_};
}

void upstream_cursor::pull_sent(const pull_order& order, std::int64_t now_ns) {
  must_pull_ = false;
  pull_until_ = order.from_id + order.limit - 1;
  pull_deadline_ns_ = now_ns + pull_timeout_ns_;
}

}  // namespace weft::node
