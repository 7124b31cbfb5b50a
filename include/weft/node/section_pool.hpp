#pragma once
// Notifications on their way from a worker's poller to its hosting actor,
// recycled. The poller decodes each section of a leader into notifications
// and posts them; once the actor has processed them it gives them back, and
// the poller decodes later sections over them, reusing their topic and state
// buffers. A steady stream of sections then allocates nothing per
// notification, and no buffer is allocated on one thread and freed on the
// other (which defeats malloc's per-thread caches).
#include <cstddef>
#include <mutex>
#include <vector>

#include "weft/es/stored_event.hpp"

namespace weft::node {

class section_pool {
 public:
  /// Vectors kept for the poller at most; more are freed. Messages in flight
  /// are few (node::worker_config::mailbox_limit), so this is rarely reached.
  static constexpr std::size_t max_kept = 4;

  /// A recycled notification to decode over (its buffers keep their
  /// capacity), or a new one. The poller only.
  es::notification take();
  /// Processed notifications, for take() to hand out again. @threadsafe
  /// (the hosting actor calls it).
  void give_back(std::vector<es::notification>&& notes);

 private:
  std::vector<es::notification> spare_;  // the poller's: take() pops from its back
  std::mutex mutex_;
  std::vector<std::vector<es::notification>> returned_;  // guarded by mutex_
};

}  // namespace weft::node
