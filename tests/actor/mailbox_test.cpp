// The mailbox alone: scheduling handoff, FIFO per producer, close; and the node pool.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "weft/actor/mailbox.hpp"
#include "weft/actor/node_pool.hpp"

using namespace weft::actor;

namespace {

struct Item : MailboxNode {
  int producer = 0;
  int seq = 0;
};

}  // namespace

TEST(ActorMailbox, OnlyThePushThatUnblocksTheReaderMustSchedule) {
  Mailbox box;
  Item a, b, c;
  EXPECT_EQ(box.push(&a), PushResult::must_schedule);
  EXPECT_EQ(box.push(&b), PushResult::queued);
  EXPECT_EQ(box.pop(), &a);
  EXPECT_EQ(box.push(&c), PushResult::queued);  // the reader is active
  EXPECT_EQ(box.pop(), &b);
  EXPECT_EQ(box.pop(), &c);
  EXPECT_EQ(box.pop(), nullptr);
  EXPECT_TRUE(box.try_block());
  EXPECT_EQ(box.push(&a), PushResult::must_schedule);
}

TEST(ActorMailbox, TryBlockFailsWhenSomethingArrived) {
  Mailbox box;
  Item a, b;
  box.push(&a);
  EXPECT_EQ(box.pop(), &a);
  box.push(&b);
  EXPECT_FALSE(box.try_block());
  EXPECT_EQ(box.pop(), &b);
  EXPECT_TRUE(box.try_block());
}

TEST(ActorMailbox, CloseReturnsTheRestInOrderAndRefusesLaterPushes) {
  Mailbox box;
  Item items[4];
  for (auto& item : items) box.push(&item);
  EXPECT_EQ(box.pop(), &items[0]);
  MailboxNode* rest = box.close();
  std::vector<MailboxNode*> order;
  for (MailboxNode* n = rest; n != nullptr; n = n->next) order.push_back(n);
  EXPECT_EQ(order, (std::vector<MailboxNode*>{&items[1], &items[2], &items[3]}));
  Item late;
  EXPECT_EQ(box.push(&late), PushResult::closed);
  EXPECT_EQ(box.close(), nullptr);  // closing twice is harmless
}

TEST(ActorMailbox, RefusingUserMessagesStillLetsWakeNodesSchedule) {
  Mailbox box(MailboxConfig::bounded(1, OverflowPolicy::reject));
  Item queued, late, timer;
  timer.kind = NodeKind::timer;
  EXPECT_EQ(box.push(&queued), PushResult::must_schedule);
  box.refuse_user();
  EXPECT_EQ(box.push(&late), PushResult::closed);  // not rejected: the actor is stopping
  EXPECT_EQ(box.push(&timer), PushResult::closed);
  EXPECT_EQ(box.pop(), &queued);  // what came before stays
  EXPECT_EQ(box.pop(), nullptr);
  EXPECT_TRUE(box.try_block());
  Item wake;
  wake.kind = NodeKind::wake;
  EXPECT_EQ(box.push(&wake), PushResult::must_schedule);
  EXPECT_EQ(box.pop(), &wake);
}

TEST(ActorMailbox, BoundedPoliciesReportFullness) {
  Item items[3];
  Mailbox drop(MailboxConfig::bounded(2, OverflowPolicy::drop_new));
  EXPECT_EQ(drop.push(&items[0]), PushResult::must_schedule);
  EXPECT_EQ(drop.push(&items[1]), PushResult::queued);
  EXPECT_EQ(drop.push(&items[2]), PushResult::dropped);
  Mailbox reject(MailboxConfig::bounded(1, OverflowPolicy::reject));
  EXPECT_EQ(reject.push(&items[0]), PushResult::must_schedule);
  EXPECT_EQ(reject.push(&items[1]), PushResult::rejected);
  EXPECT_EQ(reject.pop(), &items[0]);
  EXPECT_EQ(reject.push(&items[1]), PushResult::queued);
}

// Producers hand the reader role to a consumer thread exactly as actors do:
// whoever gets must_schedule passes a token; the consumer drains until it
// blocks the mailbox again. Two active readers at once would be a bug.
TEST(ActorMailbox, ConcurrentProducersKeepOrderAndScheduleExactlyOnce) {
  constexpr int producers = 4;
  constexpr int per_producer = 100000;
  Mailbox box;
  std::vector<std::vector<Item>> items(producers, std::vector<Item>(per_producer));
  std::atomic<int> tokens{0};
  std::atomic<bool> done{false};
  std::vector<int> next_seq(producers, 0);
  int received = 0;
  int order_violations = 0;
  int double_activations = 0;

  std::thread consumer([&] {
    while (received < producers * per_producer) {
      if (tokens.load(std::memory_order_acquire) == 0) {
        std::this_thread::yield();
        continue;
      }
      if (tokens.fetch_sub(1, std::memory_order_acq_rel) != 1) ++double_activations;
      for (;;) {
        MailboxNode* node = box.pop();
        if (node == nullptr) {
          if (box.try_block()) break;
          continue;
        }
        auto* item = static_cast<Item*>(node);
        if (item->seq != next_seq[item->producer]) ++order_violations;
        next_seq[item->producer] = item->seq + 1;
        ++received;
      }
    }
    done.store(true, std::memory_order_release);
  });
  std::vector<std::thread> threads;
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      for (int i = 0; i < per_producer; ++i) {
        Item& item = items[p][i];
        item.producer = p;
        item.seq = i;
        if (box.push(&item) == PushResult::must_schedule)
          tokens.fetch_add(1, std::memory_order_acq_rel);
      }
    });
  }
  for (auto& t : threads) t.join();
  consumer.join();
  EXPECT_EQ(received, producers * per_producer);
  EXPECT_EQ(order_violations, 0);
  EXPECT_EQ(double_activations, 0);
  EXPECT_EQ(tokens.load(), 0);
}

TEST(ActorNodePool, ReusesFreedBlocks) {
  constexpr std::size_t cls = detail::pool_class_of(sizeof(Item));
  std::set<void*> first;
  std::vector<void*> blocks;
  for (int i = 0; i < 64; ++i) blocks.push_back(detail::pool_allocate(cls));
  for (void* b : blocks) first.insert(b);
  for (void* b : blocks) detail::pool_free(b, cls);
  blocks.clear();
  for (int i = 0; i < 64; ++i) blocks.push_back(detail::pool_allocate(cls));
  for (void* b : blocks) EXPECT_TRUE(first.count(b)) << "a fresh block instead of a pooled one";
  for (void* b : blocks) detail::pool_free(b, cls);
}

TEST(ActorNodePool, BlocksFreedOnAnotherThreadComeBackThroughTheDepot) {
  constexpr std::size_t cls = detail::pool_class_of(64);
  constexpr int count = 4 * static_cast<int>(detail::pool_batch);
  std::vector<void*> blocks;
  for (int i = 0; i < count; ++i) blocks.push_back(detail::pool_allocate(cls));
  std::thread([&] {
    for (void* b : blocks) detail::pool_free(b, cls);  // the receiver of a fan-in
  }).join();                                           // its cache goes to the depot at thread exit
  std::set<void*> freed(blocks.begin(), blocks.end());
  int reused = 0;
  std::vector<void*> again;
  for (int i = 0; i < count; ++i) {
    again.push_back(detail::pool_allocate(cls));
    reused += freed.count(again.back()) ? 1 : 0;
  }
  EXPECT_GE(reused, static_cast<int>(detail::pool_batch));
  for (void* b : again) detail::pool_free(b, cls);
}
