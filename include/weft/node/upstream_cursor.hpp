#pragma once
// The follower's side of one edge: how far it has processed the leader's log,
// what the leader is known to have, and when to ask for what is missing.
//
// Sections pushed by the leader are the fast path. A follower pulls (from
// its position + 1) when it starts, when a section leaves a gap (the ring was
// full, or it restarted), when a prompt says the leader has more, and again
// when a pull went unanswered for `pull_timeout` (the leader restarted). The
// recorder's tracking position is the truth; this only decides when to ask.
//
// Pure logic, no I/O: the node feeds it events and does what it says.
// Not thread-safe: the application's actor only.
#include <cstdint>
#include <optional>

namespace weft::node {

struct pull_order {
  std::uint64_t from_id;
  std::uint32_t limit;
};

class upstream_cursor {
 public:
  /// `tracked`: the recorder's max_tracking_id for this upstream.
  upstream_cursor(std::uint64_t tracked, std::uint32_t pull_limit, std::int64_t pull_timeout_ns);

  /// A section [first, last] arrived. Returns how many of its leading
  /// notifications are already processed and must be skipped, or nullopt
  /// when none of it can be processed now (all old, or it starts past a gap).
  std::optional<std::uint64_t> on_section(std::uint64_t first, std::uint64_t last);
  /// The leader says its log reaches `max_id`.
  void on_prompt(std::uint64_t max_id);
  /// Everything up to `id` is processed and tracked.
  void processed(std::uint64_t id);

  /// The pull to send now, if one is due at monotonic time `now_ns`.
  std::optional<pull_order> pull_due(std::int64_t now_ns) const;
  /// The pull returned by pull_due was sent at `now_ns`.
  void pull_sent(const pull_order& order, std::int64_t now_ns);

  [[nodiscard]] std::uint64_t tracked() const noexcept { return tracked_; }
  [[nodiscard]] std::uint64_t leader_max() const noexcept { return leader_max_; }
  [[nodiscard]] std::uint64_t lag() const noexcept {
    return leader_max_ > tracked_ ? leader_max_ - tracked_ : 0;
  }

 private:
  std::uint64_t tracked_;
  std::uint64_t leader_max_;
  std::uint32_t pull_limit_;
  std::int64_t pull_timeout_ns_;
  // The outstanding pull: answered once tracked_ reaches pull_until_.
  std::optional<std::uint64_t> pull_until_;
  std::int64_t pull_deadline_ns_ = 0;
  // Set when the position is unknown to the leader: at start.
  bool must_pull_ = true;
};

}  // namespace weft::node
