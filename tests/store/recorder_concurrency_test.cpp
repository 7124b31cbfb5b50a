// Several threads recording and reading at once, against every backend.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>
#include <vector>

#include "recorder_backends.hpp"
#include "watchdog.hpp"
#include "weft/core/error.hpp"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

template <class Backend>
class RecorderConcurrency : public recorder_test<Backend> {};
TYPED_TEST_SUITE(RecorderConcurrency, recorder_backends, backend_names);

constexpr int writers = 4;

es::notification_query everything() {
  es::notification_query query;
  query.limit = 1'000'000;
  return query;
}
constexpr int calls_per_writer = 150;

TYPED_TEST(RecorderConcurrency, WritersGetGaplessNonInterleavedIdRanges) {
  watchdog dog("WritersGetGaplessNonInterleavedIdRanges", 60s);
  auto& r = this->recorder();
  struct call {
    uuid originator;
    std::vector<std::uint64_t> ids;
  };
  std::vector<std::vector<call>> calls(writers);
  std::atomic<bool> writing{true};
  std::atomic<int> reader_failures{0};

  // A reader meanwhile must only ever see a gapless prefix of the log.
  std::thread reader([&] {
    while (writing.load(std::memory_order_acquire)) {  // pairs with the release below
      const auto max = r.max_notification_id();
      const auto notes = r.select_notifications(everything());
      for (std::size_t i = 0; i < notes.size(); ++i)
        if (notes[i].id != i + 1) reader_failures.fetch_add(1, std::memory_order_relaxed);
      if (notes.size() < max) reader_failures.fetch_add(1, std::memory_order_relaxed);
    }
  });
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      for (int c = 0; c < calls_per_writer; ++c) {
        const auto originator = uuid::random();
        std::vector<es::stored_event> events;
        for (std::uint64_t v = 1; v <= static_cast<std::uint64_t>(1 + (c + w) % 4); ++v)
          events.push_back(event(originator, v));
        calls[w].push_back(call{originator, r.insert_events(events)});
      }
    });
  }
  for (auto& t : threads) t.join();
  writing.store(false, std::memory_order_release);  // pairs with the acquire in the reader
  reader.join();

  EXPECT_EQ(reader_failures.load(), 0);
  std::map<std::uint64_t, uuid> owner;
  for (const auto& per_writer : calls) {
    for (const auto& c : per_writer) {
      for (std::size_t i = 1; i < c.ids.size(); ++i) ASSERT_EQ(c.ids[i], c.ids[i - 1] + 1);
      for (auto id : c.ids) ASSERT_TRUE(owner.emplace(id, c.originator).second) << id;
    }
  }
  const auto notes = r.select_notifications(everything());
  ASSERT_EQ(notes.size(), owner.size());
  ASSERT_EQ(r.max_notification_id(), owner.size());
  for (std::size_t i = 0; i < notes.size(); ++i) {
    ASSERT_EQ(notes[i].id, i + 1);
    ASSERT_EQ(notes[i].event.originator_id, owner.at(notes[i].id));
  }
}

TYPED_TEST(RecorderConcurrency, RacingTrackersRecordEachPositionAtMostOnce) {
  watchdog dog("RacingTrackersRecordEachPositionAtMostOnce", 60s);
  auto& r = this->recorder();
  constexpr std::uint64_t positions = 200;
  std::vector<std::atomic<int>> accepted(positions + 1);
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&] {
      for (std::uint64_t id = 1; id <= positions; ++id) {
        // Each accepted position records one event: its effect must happen once.
        const std::vector effect{event(uuid::name_based(uuid::nil(), std::to_string(id)), 1)};
        try {
          r.insert_events(effect, std::vector{es::tracking{"Up", id}});
          accepted[id].fetch_add(1, std::memory_order_relaxed);
        } catch (const integrity_error&) {
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  std::uint64_t total = 0;
  for (std::uint64_t id = 1; id <= positions; ++id) {
    ASSERT_LE(accepted[id].load(), 1) << id;
    total += accepted[id].load();
  }
  EXPECT_EQ(accepted[positions].load(), 1);
  EXPECT_EQ(r.max_tracking_id("Up"), positions);
  EXPECT_EQ(r.max_notification_id(), total);
}

}  // namespace
}  // namespace weft::test
