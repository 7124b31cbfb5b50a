// The doorbell between two threads (the futex does not care whether waiter
// and waker share a process; the multi-process tests cover that case too).
#include "weft/shm/doorbell.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "ring_fixture.hpp"

namespace weft::shm {
namespace {

using namespace std::chrono_literals;

TEST(Doorbell, ASleepingConsumerIsWokenByACommit) {
  test::local_ring ring(1024);
  doorbell bell{};
  spsc_consumer consumer(ring.region);
  spsc_producer producer(ring.region, &bell);
  // No spin and a timeout far beyond the watchdog: only a wake can end the wait in time.
  const wait_policy parked{0ns, 3600s};
  for (int round = 0; round < 200; ++round) {
    bell.sleeping.store(0);  // an announcement left from the round before would hide this one
    auto waiter = std::async(std::launch::async, [&] {
      return wait(
          bell, [&] { return consumer.has_data(); }, parked);
    });
    while (round % 2 == 0 && bell.sleeping.load() == 0) std::this_thread::yield();
    const std::byte b{1};
    ASSERT_EQ(producer.try_push(1, {&b, 1}), push_result::ok);
    ASSERT_EQ(waiter.wait_for(30s), std::future_status::ready) << "lost wake-up in round " << round;
    EXPECT_TRUE(waiter.get());
    record_view view;
    ASSERT_EQ(consumer.try_read(view), read_status::record);
    consumer.release();
  }
  EXPECT_GT(bell.wakes.load(), 0u);
}

TEST(Doorbell, ABusyConsumerCostsTheProducerNoWake) {
  test::local_ring ring(1024);
  doorbell bell{};
  spsc_producer producer(ring.region, &bell);
  const std::byte b{1};
  for (int i = 0; i < 10; ++i) ASSERT_EQ(producer.try_push(1, {&b, 1}), push_result::ok);
  EXPECT_EQ(bell.wakes.load(), 0u);
}

TEST(Doorbell, CommitsToASleepingConsumerMakeOneWake) {
  test::local_ring ring(1024);
  doorbell bell{};
  spsc_producer producer(ring.region, &bell);
  bell.sleeping.store(1);  // as if the consumer had announced that it sleeps
  const std::byte b{1};
  // Until the consumer runs again, every commit would otherwise be a system call.
  for (int i = 0; i < 10; ++i) ASSERT_EQ(producer.try_push(1, {&b, 1}), push_result::ok);
  EXPECT_EQ(bell.wakes.load(), 1u);
  EXPECT_EQ(bell.sleeping.load(), 0u);
}

TEST(Doorbell, WaitReturnsFalseWhenNothingArrives) {
  doorbell bell{};
  EXPECT_FALSE(wait(
      bell, [] { return false; }, wait_policy{1us, 1ms}));
  EXPECT_EQ(bell.wakes.load(), 0u);
}

}  // namespace
}  // namespace weft::shm
