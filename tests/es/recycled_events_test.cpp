#include "weft/es/detail/recycled_events.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "bank.hpp"
#include "weft/es/codec.hpp"
#include "weft/store/memory_recorder.hpp"

namespace weft::es {
namespace {

// Each test runs on a thread of its own: the list is per thread.
template <class F>
void on_fresh_thread(F&& f) {
  std::thread(std::forward<F>(f)).join();
}

stored_event event_of(std::size_t state_bytes) {
  return {uuid::random(), 1, "a.topic", bytes(state_bytes, 7)};
}

TEST(RecycledEvents, ANewEventIsEncodedIntoTheStateBufferOfARecycledOne) {
  on_fresh_thread([] {
    EXPECT_EQ(detail::take_recycled_state().capacity(), 0u);  // nothing recycled yet
    std::vector<stored_event> done = {event_of(100)};
    const auto* buffer = done[0].state.data();
    detail::recycle_events(done);
    EXPECT_EQ(done[0].state.capacity(), 0u);

    const bank::Deposited deposit{5};
    const auto made = to_stored(deposit, uuid::random(), 3);
    EXPECT_EQ(made.state.data(), buffer);
    EXPECT_EQ(made.topic, topic_of<bank::Deposited>);
    EXPECT_EQ(made.originator_version, 3u);
    EXPECT_EQ(decode<bank::Deposited>(made).amount, 5);  // nothing of the old state is left
    EXPECT_EQ(detail::take_recycled_state().capacity(), 0u);
  });
}

TEST(RecycledEvents, BigBuffersAndMoreThanTheLimitAreNotKept) {
  on_fresh_thread([] {
    std::vector<stored_event> big = {event_of(detail::max_recycled_bytes + 1)};
    detail::recycle_events(big);
    EXPECT_EQ(big[0].state.size(), detail::max_recycled_bytes + 1);  // left as it was
    EXPECT_EQ(detail::take_recycled_state().capacity(), 0u);

    std::vector<stored_event> many(detail::max_recycled_buffers + 10, event_of(8));
    detail::recycle_events(many);
    std::size_t kept = 0;
    while (detail::take_recycled_state().capacity() > 0) ++kept;
    EXPECT_EQ(kept, detail::max_recycled_buffers);
  });
}

// Batch after batch the recorder holds exactly what was saved, though each
// batch's events are encoded into the buffers of the batch before.
TEST(RecycledEvents, BatchesRecordWhatWasSavedWhileBuffersAreReused) {
  on_fresh_thread([] {
    std::shared_ptr<recorder> memory = store::make_memory_recorder();
    bank::BankAccounts app({"BankAccounts", memory, nullptr, {}});
    std::vector<uuid> ids;
    for (int round = 0; round < 3; ++round) {
      auto batch = app.begin_batch();
      for (int i = 0; i < 50; ++i) {
        auto account = bank::Account::open("owner " + std::to_string(round * 50 + i), "x@y");
        account.deposit(round * 50 + i);
        app.save(account);
        ids.push_back(account.id());
      }
      batch.commit();
    }
    for (std::size_t k = 0; k < ids.size(); ++k) {
      const auto account = app.get<bank::Account>(ids[k]);
      EXPECT_EQ(account.balance, static_cast<std::int64_t>(k)) << k;
      EXPECT_EQ(account.full_name, "owner " + std::to_string(k)) << k;
    }
  });
}

}  // namespace
}  // namespace weft::es
