// The behaviour every recorder shares, run against each backend.
#include <gtest/gtest.h>

#include <vector>

#include "recorder_backends.hpp"
#include "weft/core/error.hpp"

namespace weft::test {
namespace {

using es::event_query;
using es::notification_query;
using es::stored_event;
using es::tracking;
using ids = std::vector<std::uint64_t>;

template <class Backend>
class RecorderConformance : public recorder_test<Backend> {};
TYPED_TEST_SUITE(RecorderConformance, recorder_backends, backend_names);

// An event query; positional because g++ 12 warns on partial designated initializers.
event_query versions(std::optional<std::uint64_t> after, std::optional<std::uint64_t> up_to,
                     bool descending, std::optional<std::size_t> limit) {
  event_query query;
  query.after_version = after;
  query.up_to_version = up_to;
  query.descending = descending;
  query.limit = limit;
  return query;
}

// A notification query; positional because g++ 12 warns on partial designated initializers.
notification_query notes(std::uint64_t start = 1, std::size_t limit = 100,
                         std::optional<std::uint64_t> stop = std::nullopt,
                         std::vector<std::string> topics = {}) {
  notification_query query;
  query.start = start;
  query.limit = limit;
  query.stop = stop;
  query.topics = std::move(topics);
  return query;
}

std::vector<std::uint64_t> versions_of(const std::vector<stored_event>& events) {
  std::vector<std::uint64_t> out;
  for (const auto& e : events) out.push_back(e.originator_version);
  return out;
}

std::vector<std::uint64_t> ids_of(const std::vector<es::notification>& notes) {
  std::vector<std::uint64_t> out;
  for (const auto& n : notes) out.push_back(n.id);
  return out;
}

TYPED_TEST(RecorderConformance, EmptyRecorderHasNothing) {
  auto& r = this->recorder();
  EXPECT_EQ(r.max_notification_id(), 0u);
  EXPECT_TRUE(r.select_notifications({}).empty());
  EXPECT_TRUE(r.select_events(uuid::random()).empty());
  EXPECT_EQ(r.max_tracking_id("Upstream"), 0u);
  EXPECT_FALSE(r.has_tracking_id("Upstream", 1));
}

TYPED_TEST(RecorderConformance, IdsStartAtOneAndFollowOnAcrossCalls) {
  auto& r = this->recorder();
  const auto a = uuid::random(), b = uuid::random();
  const std::vector first{event(a, 1), event(b, 1), event(a, 2)};
  EXPECT_EQ(r.insert_events(first), (ids{1, 2, 3}));
  const std::vector second{event(b, 2), event(b, 3)};
  EXPECT_EQ(r.insert_events(second), (ids{4, 5}));
  EXPECT_EQ(r.insert_events({}), ids{});
  EXPECT_EQ(r.max_notification_id(), 5u);
}

TYPED_TEST(RecorderConformance, SelectEventsAppliesEveryFilter) {
  auto& r = this->recorder();
  const auto a = uuid::random(), b = uuid::random();
  const std::vector first{event(a, 1), event(a, 2), event(b, 1)};
  const std::vector second{event(a, 3), event(a, 4), event(a, 5), event(b, 2)};
  r.insert_events(first);
  r.insert_events(second);

  const auto all = r.select_events(a);
  ASSERT_EQ(versions_of(all), (ids{1, 2, 3, 4, 5}));
  EXPECT_EQ(all[0], first[0]);
  EXPECT_EQ(all[4], second[2]);
  EXPECT_EQ(versions_of(r.select_events(a, versions(2, std::nullopt, false, std::nullopt))),
            (ids{3, 4, 5}));
  EXPECT_EQ(versions_of(r.select_events(a, versions(std::nullopt, 3, false, std::nullopt))),
            (ids{1, 2, 3}));
  EXPECT_EQ(versions_of(r.select_events(a, versions(1, 4, false, std::nullopt))), (ids{2, 3, 4}));
  EXPECT_EQ(
      versions_of(r.select_events(a, versions(std::nullopt, std::nullopt, true, std::nullopt))),
      (ids{5, 4, 3, 2, 1}));
  EXPECT_EQ(versions_of(r.select_events(a, versions(std::nullopt, std::nullopt, false, 2))),
            (ids{1, 2}));
  EXPECT_EQ(versions_of(r.select_events(a, versions(std::nullopt, std::nullopt, true, 2))),
            (ids{5, 4}));
  EXPECT_EQ(versions_of(r.select_events(a, versions(std::nullopt, 3, true, 2))), (ids{3, 2}));
  EXPECT_EQ(versions_of(r.select_events(a, versions(5, std::nullopt, false, std::nullopt))), ids{});
  EXPECT_EQ(versions_of(r.select_events(b)), (ids{1, 2}));
  EXPECT_TRUE(r.select_events(uuid::random()).empty());
}

TYPED_TEST(RecorderConformance, VersionsRecordedOutOfOrderAreSelectedInOrder) {
  auto& r = this->recorder();
  const auto a = uuid::random();
  r.insert_events(std::vector{event(a, 3)});
  r.insert_events(std::vector{event(a, 1), event(a, 5)});
  r.insert_events(std::vector{event(a, 2)});
  EXPECT_EQ(versions_of(r.select_events(a)), (ids{1, 2, 3, 5}));
  EXPECT_EQ(versions_of(r.select_events(a, versions(1, std::nullopt, false, std::nullopt))),
            (ids{2, 3, 5}));
  EXPECT_EQ(versions_of(r.select_events(a, versions(std::nullopt, 3, true, 2))), (ids{3, 2}));
  EXPECT_EQ(versions_of(r.select_events(a, versions(std::nullopt, std::nullopt, true, 1))),
            (ids{5}));
  EXPECT_THROW(r.insert_events(std::vector{event(a, 2)}), integrity_error);
  EXPECT_THROW(r.insert_events(std::vector{event(a, 3)}), integrity_error);
  EXPECT_EQ(r.insert_events(std::vector{event(a, 4)}), ids{5});
}

TYPED_TEST(RecorderConformance, SelectNotificationsHonoursStartLimitStop) {
  auto& r = this->recorder();
  std::vector<stored_event> events;
  const auto a = uuid::random();
  for (std::uint64_t v = 1; v <= 10; ++v) events.push_back(event(a, v));
  r.insert_events(events);

  const auto all = r.select_notifications(notes(1, 100, std::nullopt, {}));
  ASSERT_EQ(ids_of(all), (ids{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].event, events[i]);
  EXPECT_EQ(ids_of(r.select_notifications(notes(4, 3, std::nullopt, {}))), (ids{4, 5, 6}));
  EXPECT_EQ(ids_of(r.select_notifications(notes(8, 100, std::nullopt, {}))), (ids{8, 9, 10}));
  EXPECT_EQ(ids_of(r.select_notifications(notes(1, 100, 5, {}))), (ids{1, 2, 3, 4, 5}));
  EXPECT_EQ(ids_of(r.select_notifications(notes(3, 100, 3, {}))), (ids{3}));
  EXPECT_EQ(ids_of(r.select_notifications(notes(6, 2, 9, {}))), (ids{6, 7}));
  EXPECT_EQ(ids_of(r.select_notifications(notes(5, 100, 4, {}))), ids{});
  EXPECT_EQ(ids_of(r.select_notifications(notes(11, 100, std::nullopt, {}))), ids{});
  EXPECT_EQ(ids_of(r.select_notifications(notes(1, 0, std::nullopt, {}))), ids{});
}

TYPED_TEST(RecorderConformance, SelectNotificationsFiltersTopicsBeforeLimit) {
  auto& r = this->recorder();
  const auto o = uuid::random();
  const char* topics[] = {"a", "b", "c"};
  std::vector<stored_event> events;
  for (std::uint64_t v = 1; v <= 9; ++v) events.push_back(event(o, v, topics[(v - 1) % 3]));
  r.insert_events(events);  // ids 1..9: a b c a b c a b c

  EXPECT_EQ(ids_of(r.select_notifications(notes(1, 100, std::nullopt, {"b"}))), (ids{2, 5, 8}));
  EXPECT_EQ(ids_of(r.select_notifications(notes(1, 100, std::nullopt, {"a", "c"}))),
            (ids{1, 3, 4, 6, 7, 9}));
  EXPECT_EQ(ids_of(r.select_notifications(notes(1, 2, std::nullopt, {"c"}))), (ids{3, 6}));
  EXPECT_EQ(ids_of(r.select_notifications(notes(3, 100, 7, {"a"}))), (ids{4, 7}));
  EXPECT_EQ(ids_of(r.select_notifications(notes(1, 100, std::nullopt, {"nope"}))), ids{});
  const auto b = r.select_notifications(notes(1, 100, std::nullopt, {"b"}));
  EXPECT_EQ(b[1].event, events[4]);
}

// Consecutive events mostly share a topic and a recorder may compare each
// with the one before: topics of one length, one byte apart at the start, the
// middle or the end, and of lengths around 8, 16 and 32, each come back as given.
TYPED_TEST(RecorderConformance, TopicsOneByteApartStayApart) {
  auto& r = this->recorder();
  const auto o = uuid::random();
  std::vector<std::string> topics;
  for (const std::size_t size : {1, 7, 8, 9, 16, 17, 24, 31, 32, 33, 40})
    for (const std::size_t at : {std::size_t{0}, size / 2, size - 1}) {
      std::string same(size, 't');
      std::string other = same;
      other[at] = 'u';
      topics.insert(topics.end(), {same, same, other, same, other, other});
    }
  std::vector<stored_event> events;
  for (std::uint64_t v = 1; v <= topics.size(); ++v) events.push_back(event(o, v, topics[v - 1]));
  r.insert_events(events);
  const auto back = r.select_notifications(notes(1, topics.size()));
  ASSERT_EQ(back.size(), topics.size());
  for (std::size_t i = 0; i < back.size(); ++i)
    EXPECT_EQ(back[i].event.topic, topics[i]) << "notification " << i + 1;
  EXPECT_EQ(r.select_notifications(notes(1, 1000, std::nullopt, {std::string(17, 't')})).size(),
            3u * 3);
}

TYPED_TEST(RecorderConformance, BytesAndTopicsRoundTripExactly) {
  auto& r = this->recorder();
  const auto o = uuid::random();
  const std::vector events{
      stored_event{o, 1, "shop.Order\xc3\xa9\x65", es::bytes{}},
      stored_event{o, 2, "x", es::bytes{0, 0, 0, 0xff, 0x00, 0x7f}},
  };
  r.insert_events(events);
  EXPECT_EQ(r.select_events(o), events);
  EXPECT_EQ(r.select_notifications({})[0].event, events[0]);
}

TYPED_TEST(RecorderConformance, LargeTransactionsRoundTrip) {
  auto& r = this->recorder();
  const auto o = uuid::random();
  std::vector<stored_event> events;
  for (std::uint64_t v = 1; v <= 300; ++v) {
    events.push_back(event(o, v));
    events.back().state.resize(3000 + v, static_cast<std::uint8_t>(v));
  }
  const auto recorded = r.insert_events(events, std::vector{tracking{"Up", 300}});
  ASSERT_EQ(recorded.size(), 300u);
  EXPECT_EQ(recorded.back(), 300u);
  r.insert_events(std::vector{event(uuid::random(), 1)});
  EXPECT_EQ(r.select_events(o), events);
  EXPECT_EQ(r.max_notification_id(), 301u);
}

TYPED_TEST(RecorderConformance, StatesOfEverySizeRoundTripAcrossFailedCalls) {
  auto& r = this->recorder();
  const auto o = uuid::random(), p = uuid::random();
  constexpr std::size_t mib = std::size_t{1} << 20;
  auto sized = [](const uuid& id, std::uint64_t v, std::size_t size) {
    stored_event e = event(id, v, v % 2 ? "test.Odd" : "test.Even");
    e.state.resize(size);
    for (std::size_t i = 0; i < size; ++i) e.state[i] = static_cast<std::uint8_t>(i * 7 + v);
    return e;
  };
  const std::vector kept{sized(o, 1, 0), sized(o, 2, 1), sized(o, 3, mib - 1), sized(o, 4, 5),
                         sized(o, 5, mib + 3)};
  r.insert_events(kept);
  // A failed call with big states; what it copied must not survive it.
  std::vector failed{sized(p, 1, 2 * mib), sized(p, 2, 70), sized(o, 5, 9)};
  EXPECT_THROW(r.append_events(failed), integrity_error);
  const std::vector later{sized(p, 1, 33), sized(p, 2, mib), sized(o, 6, 2)};
  r.insert_events(later);
  EXPECT_EQ(r.select_events(o),
            (std::vector{kept[0], kept[1], kept[2], kept[3], kept[4], later[2]}));
  EXPECT_EQ(r.select_events(p), (std::vector{later[0], later[1]}));
  const auto all = r.select_notifications(notes(1, 100));
  ASSERT_EQ(all.size(), 8u);
  EXPECT_EQ(all[5].event, later[0]);
  EXPECT_EQ(all[6].event, later[1]);
  EXPECT_EQ(ids_of(r.select_notifications(notes(1, 100, std::nullopt, {"test.Even"}))),
            (ids{2, 4, 7, 8}));
}

TYPED_TEST(RecorderConformance, ManyOriginatorsKeepTheirEventsAsTheIndexGrows) {
  auto& r = this->recorder();
  std::vector<stored_event> events;
  for (int i = 0; i < 50'000; ++i) events.push_back(event(uuid::random(), 1));
  for (std::size_t from = 0; from < events.size(); from += 5'000)
    r.insert_events(std::span(events).subspan(from, 5'000));
  for (std::size_t i = 0; i < events.size(); i += 997)
    EXPECT_EQ(r.select_events(events[i].originator_id), (std::vector{events[i]}));
  EXPECT_THROW(r.insert_events(std::vector{events[31'337]}), integrity_error);
  EXPECT_EQ(r.insert_events(std::vector{event(events[31'337].originator_id, 2)}), (ids{50'001}));
  EXPECT_TRUE(r.select_events(uuid::random()).empty());
}

TYPED_TEST(RecorderConformance, DuplicateVersionRejectedAndNothingOfTheCallRecorded) {
  auto& r = this->recorder();
  const auto a = uuid::random(), b = uuid::random();
  r.insert_events(std::vector{event(a, 1)});

  const std::vector clash{event(b, 1), event(a, 1)};
  const std::vector up{tracking{"Upstream", 5}};
  EXPECT_THROW(r.insert_events(clash, up), integrity_error);
  const std::vector twice{event(b, 1), event(b, 1)};
  EXPECT_THROW(r.insert_events(twice), integrity_error);

  EXPECT_EQ(r.max_notification_id(), 1u);
  EXPECT_TRUE(r.select_events(b).empty());
  EXPECT_EQ(r.max_tracking_id("Upstream"), 0u);
  EXPECT_EQ(r.select_notifications({}).size(), 1u);
  // The failed calls left no gap: the next id follows on.
  EXPECT_EQ(r.insert_events(std::vector{event(b, 1)}, up), (ids{2}));
  EXPECT_EQ(r.max_tracking_id("Upstream"), 5u);
}

TYPED_TEST(RecorderConformance, DuplicateWithinALargeCallRejected) {
  auto& r = this->recorder();
  std::vector<stored_event> events;
  for (int i = 0; i < 60; ++i) events.push_back(event(uuid::random(), 1));
  events.push_back(event(events[17].originator_id, 1));  // far apart: not a neighbour check
  EXPECT_THROW(r.insert_events(events), integrity_error);
  EXPECT_EQ(r.max_notification_id(), 0u);
  events.back().originator_version = 2;
  EXPECT_EQ(r.insert_events(events).size(), 61u);
}

TYPED_TEST(RecorderConformance, FailedCallLeavesEveryOriginatorAsItWas) {
  auto& r = this->recorder();
  const auto a = uuid::random(), b = uuid::random(), c = uuid::random();
  r.insert_events(std::vector{event(a, 1), event(a, 3)});
  // New originators, a version above a's newest, one below it, one between
  // versions recorded before, then a clash.
  std::vector<stored_event> call{event(b, 1), event(a, 5), event(b, 2), event(a, 4),
                                 event(a, 2), event(c, 1), event(a, 3)};
  const std::vector before = call;
  EXPECT_THROW(r.append_events(call), integrity_error);
  EXPECT_EQ(call, before);
  EXPECT_EQ(versions_of(r.select_events(a)), (ids{1, 3}));
  EXPECT_EQ(versions_of(r.select_events(a, versions(1, std::nullopt, false, std::nullopt))),
            (ids{3}));
  EXPECT_TRUE(r.select_events(b).empty());
  EXPECT_TRUE(r.select_events(c).empty());
  EXPECT_EQ(r.max_notification_id(), 2u);
  // The same originators and versions record afterwards, ids following on.
  call.back().originator_version = 6;
  EXPECT_EQ(r.insert_events(call), (ids{3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(versions_of(r.select_events(a)), (ids{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(versions_of(r.select_events(b)), (ids{1, 2}));
  EXPECT_EQ(r.select_notifications(notes(3, 1)).front().event, call.front());
}

TYPED_TEST(RecorderConformance, AppendEventsGivesAnIdRangeAndLeavesEventsAloneOnFailure) {
  auto& r = this->recorder();
  const auto a = uuid::random(), b = uuid::random();
  std::vector first{event(a, 1), event(b, 1)};
  const std::vector expected = first;
  const es::id_range range = r.append_events(first, std::vector{tracking{"Up", 3}});
  EXPECT_EQ(range.first, 1u);
  EXPECT_EQ(range.count, 2u);
  EXPECT_EQ(range.last(), 2u);
  EXPECT_EQ(r.select_events(a), (std::vector{expected[0]}));
  EXPECT_EQ(r.max_tracking_id("Up"), 3u);

  std::vector clash{event(b, 2, "kept"), event(a, 1, "kept")};
  const std::vector before = clash;
  EXPECT_THROW(r.append_events(clash), integrity_error);
  EXPECT_EQ(clash, before);  // untouched: the caller can retry or hand them back
  EXPECT_TRUE(r.append_events({}).empty());
  EXPECT_EQ(r.append_events({}).last(), 0u);
  std::vector next{event(b, 2)};
  EXPECT_EQ(r.append_events(next).first, 3u);
  EXPECT_EQ(r.insert_events(std::vector{event(b, 3)}), (ids{4}));
}

TYPED_TEST(RecorderConformance, SelectNotificationsIntoReplacesTheBuffer) {
  auto& r = this->recorder();
  const auto o = uuid::random();
  std::vector<stored_event> events;
  for (std::uint64_t v = 1; v <= 6; ++v) {
    events.push_back(event(o, v, v % 2 == 0 ? "even" : "odd"));
    events.back().state.resize(v * 10, static_cast<std::uint8_t>(v));
  }
  r.insert_events(events);
  std::vector<es::notification> buffer;
  r.select_notifications_into(notes(1, 4, std::nullopt, {}), buffer);
  EXPECT_EQ(buffer, r.select_notifications(notes(1, 4, std::nullopt, {})));
  ASSERT_EQ(ids_of(buffer), (ids{1, 2, 3, 4}));
  // Fewer, then more, then filtered: always exactly the query's result.
  r.select_notifications_into(notes(5, 4, std::nullopt, {}), buffer);
  ASSERT_EQ(ids_of(buffer), (ids{5, 6}));
  EXPECT_EQ(buffer[0].event, events[4]);
  EXPECT_EQ(buffer[1].event, events[5]);
  r.select_notifications_into(notes(1, 100, std::nullopt, {"even"}), buffer);
  ASSERT_EQ(ids_of(buffer), (ids{2, 4, 6}));
  for (std::size_t i = 0; i < buffer.size(); ++i) EXPECT_EQ(buffer[i].event, events[2 * i + 1]);
  r.select_notifications_into(notes(7, 100, std::nullopt, {}), buffer);
  EXPECT_TRUE(buffer.empty());
}

TYPED_TEST(RecorderConformance, TrackingOnlyEverMovesForward) {
  auto& r = this->recorder();
  const std::vector<stored_event> none;
  EXPECT_EQ(r.insert_events(none, std::vector{tracking{"Up", 5}}), ids{});
  EXPECT_EQ(r.max_tracking_id("Up"), 5u);
  EXPECT_TRUE(r.has_tracking_id("Up", 5));
  EXPECT_TRUE(r.has_tracking_id("Up", 3));
  EXPECT_FALSE(r.has_tracking_id("Up", 6));

  // At or below the position: already done.
  EXPECT_THROW(r.insert_events(none, std::vector{tracking{"Up", 5}}), integrity_error);
  EXPECT_THROW(r.insert_events(none, std::vector{tracking{"Up", 4}}), integrity_error);
  const auto o = uuid::random();
  EXPECT_THROW(r.insert_events(std::vector{event(o, 1)}, std::vector{tracking{"Up", 5}}),
               integrity_error);
  EXPECT_TRUE(r.select_events(o).empty());
  EXPECT_EQ(r.max_notification_id(), 0u);

  EXPECT_EQ(r.insert_events(std::vector{event(o, 1)}, std::vector{tracking{"Up", 9}}), ids{1});
  EXPECT_EQ(r.max_tracking_id("Up"), 9u);
}

TYPED_TEST(RecorderConformance, TracksSeveralUpstreamsIndependently) {
  auto& r = this->recorder();
  const std::vector<stored_event> none;
  r.insert_events(std::vector{event(uuid::random(), 1)},
                  std::vector{tracking{"X", 3}, tracking{"Y", 7}});
  EXPECT_EQ(r.max_tracking_id("X"), 3u);
  EXPECT_EQ(r.max_tracking_id("Y"), 7u);
  EXPECT_EQ(r.max_tracking_id("Z"), 0u);

  r.insert_events(none, std::vector{tracking{"X", 4}});
  EXPECT_EQ(r.max_tracking_id("X"), 4u);
  EXPECT_EQ(r.max_tracking_id("Y"), 7u);

  // One stale record spoils the whole call, including the fresh one.
  EXPECT_THROW(r.insert_events(none, std::vector{tracking{"X", 10}, tracking{"Y", 7}}),
               integrity_error);
  EXPECT_EQ(r.max_tracking_id("X"), 4u);
  // At most one record per upstream in a call.
  EXPECT_THROW(r.insert_events(none, std::vector{tracking{"Z", 1}, tracking{"Z", 2}}),
               integrity_error);
  EXPECT_EQ(r.max_tracking_id("Z"), 0u);
}

TYPED_TEST(RecorderConformance, EverythingSurvivesReopening) {
  if constexpr (!TypeParam::persistent) {
    GTEST_SKIP() << "this backend keeps nothing beyond the recorder's life";
  } else {
    const auto o = uuid::random();
    const std::vector events{event(o, 1), event(o, 2, "other")};
    this->recorder().insert_events(events, std::vector{tracking{"Up", 42}});
    this->reopen();
    auto& r = this->recorder();
    EXPECT_EQ(r.max_notification_id(), 2u);
    EXPECT_EQ(r.select_events(o), events);
    EXPECT_EQ(r.select_notifications(notes(1, 100, std::nullopt, {"other"}))[0].event, events[1]);
    EXPECT_EQ(r.max_tracking_id("Up"), 42u);
    EXPECT_THROW(r.insert_events(std::vector{event(o, 2)}), integrity_error);
    EXPECT_THROW(r.insert_events({}, std::vector{tracking{"Up", 42}}), integrity_error);
    EXPECT_EQ(r.insert_events(std::vector{event(o, 3)}), ids{3});
  }
}

}  // namespace
}  // namespace weft::test
