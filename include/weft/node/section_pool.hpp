#pragma once
// Notifications on their way from a worker's poller to its hosting actor,
// recycled. The poller decodes each section of a leader into notifications
// and posts them; once the actor has processed them it gives them back, and
// the poller decodes later sections over them in place, reusing their topic
// and state buffers. A steady stream of sections then allocates nothing per
// notification. Nor is a notification moved between vectors on the way: a
// message carries the recycled ones its batch did not use behind its own,
// back and forth. Poller and actor run on the worker's one thread, so the
// pool has no lock.
#include <cstddef>
#include <vector>

#include "weft/es/stored_event.hpp"

namespace weft::node {

/// Notifications being decoded for one message: [0, used) are decoded, the
/// rest are recycled ones waiting to be written over.
struct note_batch {
  std::vector<es::notification> notes;
  std::size_t used = 0;
};

class section_pool {
 public:
  /// Vectors kept for the poller at most; more are freed. Messages in flight
  /// are few (a worker runs the actor after each poll), so this is rarely reached.
  static constexpr std::size_t max_kept = 4;
  /// Unused notifications a message carries at most, and that the poller
  /// keeps aside at most (see finish()).
  static constexpr std::size_t max_spare = 8192;

  /// A batch to decode a message into, made of the longest vector given back
  /// if there is one. The poller only.
  note_batch start();
  /// The notification to decode next: batch.notes[batch.used], made first
  /// if the batch has run out. Does not advance `used`. The poller only.
  es::notification& next(note_batch& batch) {
    // Inline: once the pool is warm, every notification of a section is here.
    if (batch.used < batch.notes.size()) return batch.notes[batch.used];
    return grow(batch);
  }
  /// The message's notifications: its first `used` are the batch's, up to
  /// max_spare recycled ones may follow (the consumer ignores them and gives
  /// them back with the rest); more are kept aside for next(). The poller only.
  std::vector<es::notification> finish(note_batch&& batch);
  /// Processed notifications, for start() to hand out again. The hosting
  /// actor, on the poller's thread.
  void give_back(std::vector<es::notification>&& notes);

 private:
  es::notification& grow(note_batch& batch);

  std::vector<es::notification> spare_;  // batches grow from its back
  std::vector<std::vector<es::notification>> returned_;
};

}  // namespace weft::node
