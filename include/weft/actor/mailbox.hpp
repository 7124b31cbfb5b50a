#pragma once
// The actor mailbox: an intrusive, lock-free multi-producer single-consumer
// queue whose push tells the sender whether it must schedule the actor.
//
// Producers push onto a LIFO stack (`head_`) with one CAS. The consumer takes
// the whole stack with one exchange and reverses it into a private FIFO cache,
// so per-producer order is kept. Two sentinel values of `head_` carry the
// scheduling state, so there is no second flag:
//
//   head_ == &blocked_  empty, and no worker runs the actor: the push that
//                       replaces it returns must_schedule (exactly one sender)
//   head_ == nullptr    empty, the consumer is active
//   head_ == &closed_   the actor is dead: pushes fail, the caller dead-letters
//   otherwise           newest node of the pending stack
//
// An actor asked to stop refuses user messages (refuse_user()) while wake
// nodes still pass: until it and its children have stopped, nothing it would
// never handle piles up, however fast the senders.
//
// Nodes are intrusive (MailboxNode is the first base of every envelope) and
// come from node_pool.hpp, so a message costs no allocation on the hot path.
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "weft/core/cache_line.hpp"

namespace weft::actor {

/// What a node carries; the consumer dispatches on it.
enum class NodeKind : std::uint8_t { user, timer, wake };

/// Intrusive link of every mailbox entry.
struct MailboxNode {
  MailboxNode* next = nullptr;
  NodeKind kind = NodeKind::user;
};

/// What happens when a bounded mailbox is full.
enum class OverflowPolicy : std::uint8_t {
  drop_new,     ///< the new message is dropped (published as MessageDropped)
  drop_oldest,  ///< the oldest queued message is dropped when the consumer reaches it
  reject        ///< the sender's tell returns TellStatus::rejected
};

/// Mailbox settings of one actor; capacity 0 means unbounded (the default).
struct MailboxConfig {
  std::size_t capacity = 0;
  OverflowPolicy overflow = OverflowPolicy::drop_new;

  static MailboxConfig bounded(std::size_t capacity, OverflowPolicy policy) {
    return {capacity, policy};
  }
};

enum class PushResult : std::uint8_t {
  queued,         ///< the actor is already scheduled or running
  must_schedule,  ///< the caller unblocked the reader and must schedule the actor
  closed,         ///< the actor is dead or stopping; the caller owns the node again
  dropped,        ///< bounded, drop_new: full; the caller owns the node again
  rejected        ///< bounded, reject: full; the caller owns the node again
};

class Mailbox {
 public:
  explicit Mailbox(MailboxConfig config = {}) noexcept : config_(config) {}
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;

  /// Enqueues a node. @threadsafe (any number of producers)
  PushResult push(MailboxNode* node) noexcept {
    if (node->kind != NodeKind::wake) {
      // relaxed, pairs with the store in refuse_user(): the flag publishes no
      // data. A sender that misses it raced with the stop and queues its node
      // as before; the flag only keeps the pile from growing.
      if (refusing_user_.load(std::memory_order_relaxed)) return PushResult::closed;
      if (config_.capacity != 0) {
        if (auto full = admit(); full != PushResult::queued) return full;
      }
    }
    MailboxNode* old = head_.load(std::memory_order_relaxed);
    for (;;) {
      if (old == closed_node()) {
        if (config_.capacity != 0 && node->kind != NodeKind::wake)
          size_.fetch_sub(1, std::memory_order_relaxed);
        return PushResult::closed;
      }
      node->next = old == blocked_node() ? nullptr : old;
      // release: publishes the node to the exchange in take_pending();
      // acquire: pairs with the release in try_block(), so the actor's last turn
      // happens-before the turn this push may schedule.
      if (head_.compare_exchange_weak(old, node, std::memory_order_acq_rel,
                                      std::memory_order_relaxed)) {
        return old == blocked_node() ? PushResult::must_schedule : PushResult::queued;
      }
    }
  }

  /// Oldest pending node, or nullptr when empty. Consumer only.
  MailboxNode* pop() noexcept {
    if (cache_ == nullptr) take_pending();
    MailboxNode* node = cache_;
    if (node == nullptr) return nullptr;
    cache_ = node->next;
    if (cache_ == nullptr) cache_tail_ = nullptr;
    if (config_.capacity != 0 && node->kind != NodeKind::wake)
      size_.fetch_sub(1, std::memory_order_relaxed);
    return node;
  }

  /// After pop(): true when a drop_oldest mailbox still holds at least
  /// `capacity` messages, so the node just popped is an excess oldest one. Consumer only.
  [[nodiscard]] bool over_capacity() const noexcept {
    return config_.capacity != 0 && config_.overflow == OverflowPolicy::drop_oldest &&
           size_.load(std::memory_order_relaxed) >= config_.capacity;
  }

  /// Moves everything pushed so far into the consumer's cache. Consumer only.
  void take_pending() noexcept {
    MailboxNode* head = head_.load(std::memory_order_relaxed);
    // nullptr: nothing new; blocked or closed: a reader that does not hold the
    // activation (a benchmark's polling consumer) must leave the state alone.
    if (head == nullptr || head == blocked_node() || head == closed_node()) return;
    // acquire: pairs with the release in push(); the nodes' contents are visible.
    MailboxNode* lifo = head_.exchange(nullptr, std::memory_order_acquire);
    append_reversed(lifo);
  }

  /// Marks the reader idle if nothing was pushed since the last take. The
  /// cache may still hold nodes (a suspended actor keeps them). Returns false
  /// when new nodes arrived: the consumer keeps its turn. Consumer only.
  bool try_block() noexcept {
    MailboxNode* expected = nullptr;
    // release: pairs with the acquire of the push() that sees blocked_node.
    return head_.compare_exchange_strong(expected, blocked_node(), std::memory_order_release,
                                         std::memory_order_relaxed);
  }

  /// True when the consumer's cache holds nodes. Consumer only.
  [[nodiscard]] bool has_cached() const noexcept { return cache_ != nullptr; }

  /// From now on push() returns closed for user and timer nodes; wake nodes
  /// still pass. Nodes already queued stay. @threadsafe
  void refuse_user() noexcept {
    refusing_user_.store(true, std::memory_order_relaxed);  // relaxed: see push()
  }

  /// Closes the mailbox for good and returns every remaining node, oldest
  /// first (linked by `next`). Later pushes return closed. Consumer only.
  MailboxNode* close() noexcept {
    // acquire: pairs with the release in push().
    MailboxNode* lifo = head_.exchange(closed_node(), std::memory_order_acquire);
    if (lifo != blocked_node() && lifo != closed_node()) append_reversed(lifo);
    MailboxNode* all = cache_;
    cache_ = cache_tail_ = nullptr;
    return all;
  }

  [[nodiscard]] const MailboxConfig& config() const noexcept { return config_; }

 private:
  static MailboxNode* blocked_node() noexcept {
    static MailboxNode node;
    return &node;
  }
  static MailboxNode* closed_node() noexcept {
    static MailboxNode node;
    return &node;
  }

  PushResult admit() noexcept {
    // relaxed: the count only bounds the queue; the nodes are published by head_.
    std::size_t before = size_.fetch_add(1, std::memory_order_relaxed);
    if (before < config_.capacity || config_.overflow == OverflowPolicy::drop_oldest)
      return PushResult::queued;
    size_.fetch_sub(1, std::memory_order_relaxed);
    return config_.overflow == OverflowPolicy::reject ? PushResult::rejected : PushResult::dropped;
  }

  void append_reversed(MailboxNode* lifo) noexcept {
    MailboxNode* fifo = nullptr;
    MailboxNode* last = lifo;
    while (lifo != nullptr) {
      MailboxNode* next = lifo->next;
      lifo->next = fifo;
      fifo = lifo;
      lifo = next;
    }
    if (fifo == nullptr) return;
    if (cache_tail_ != nullptr) {
      cache_tail_->next = fifo;
    } else {
      cache_ = fifo;
    }
    cache_tail_ = last;
  }

  // Producers write head_; the consumer's fields live on their own line.
  alignas(cache_line) std::atomic<MailboxNode*> head_{blocked_node()};
  std::atomic<bool> refusing_user_{false};  // on head_'s line: senders read it anyway
  alignas(cache_line) MailboxNode* cache_ = nullptr;
  MailboxNode* cache_tail_ = nullptr;
  MailboxConfig config_;
  alignas(cache_line) std::atomic<std::size_t> size_{0};  // bounded mailboxes only
};

}  // namespace weft::actor
