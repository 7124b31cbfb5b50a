#include "weft/node/lane_replies.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "weft/shm/ingress.hpp"
#include "weft/shm/protocol.hpp"
#include "weft/shm/segment.hpp"

namespace weft::node {
namespace {

shm::layout_spec one_app(std::size_t reply_ring_bytes) {
  shm::layout_spec spec;
  spec.system_name = "replies";
  spec.processes = {"App"};
  spec.lanes_per_process = 2;
  spec.request_ring_bytes = 1024;
  spec.reply_ring_bytes = reply_ring_bytes;
  return spec;
}

struct taken {
  std::uint64_t id;
  bool ok;
  std::string payload;
};

// Everything published on the client's reply ring, one entry per command
// answered, then released; `records` counts the ring's records.
std::vector<taken> take(shm::ingress_client& client, std::size_t* records = nullptr) {
  std::vector<taken> out;
  client.replies().drain(
      [&](const shm::record_view& record) {
        const auto reply =
            std::get<shm::protocol::reply_view>(shm::protocol::decode(record).value());
        if (records != nullptr) ++*records;
        for (std::uint64_t k = 0; k < reply.count; ++k)
          out.push_back({reply.correlation_id + k, reply.status == shm::protocol::reply_status::ok,
                         std::string(reinterpret_cast<const char*>(reply.payload.data()),
                                     reply.payload.size())});
      },
      1 << 20);
  return out;
}

TEST(LaneReplies, RepliesOfATurnArePublishedByFlushAndRingTheBellOnce) {
  auto segment = shm::segment::create(one_app(4096));
  lane_replies replies(segment, 0);
  auto client = shm::ingress_client::claim(segment, 0);
  client.bell().sleeping.store(1);  // the client announced it sleeps
  replies.reply(client.lane(), 1, true, "one");
  replies.reply(client.lane(), 2, false, "two");
  EXPECT_FALSE(client.replies().has_data()) << "written, not published before flush()";
  EXPECT_FALSE(replies.flush()) << "nothing is left queued";
  EXPECT_EQ(client.bell().wakes.load(), 1u) << "one publication for the turn's replies";
  const auto got = take(client);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].id, 1u);
  EXPECT_TRUE(got[0].ok);
  EXPECT_EQ(got[0].payload, "one");
  EXPECT_EQ(got[1].id, 2u);
  EXPECT_FALSE(got[1].ok);
  EXPECT_EQ(got[1].payload, "two");
}

// A turn's replies to consecutive commands with the same status and payload
// share a record; any difference, a gap in the ids or a publication between
// them starts a new one, and every command gets its own reply back.
TEST(LaneReplies, AlikeRepliesToConsecutiveCommandsShareARecordUntilPublished) {
  auto segment = shm::segment::create(one_app(4096));
  lane_replies replies(segment, 0);
  auto client = shm::ingress_client::claim(segment, 0);
  const std::vector<taken> sent{{1, true, "done"},  {2, true, "done"},  {3, true, "done"},
                                {4, false, "done"}, {5, true, "done"},  {6, true, "other"},
                                {8, true, "other"}, {9, true, "other"}, {10, true, ""},
                                {11, true, ""}};
  for (const auto& r : sent) replies.reply(client.lane(), r.id, r.ok, r.payload);
  EXPECT_FALSE(replies.flush());
  std::size_t records = 0;
  auto got = take(client, &records);
  ASSERT_EQ(got.size(), sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(got[i].id, sent[i].id);
    EXPECT_EQ(got[i].ok, sent[i].ok);
    EXPECT_EQ(got[i].payload, sent[i].payload);
  }
  // 1-3 | 4 (error) | 5 | 6 (payload) | 8-9 (gap) | 10-11 (empty payload)
  EXPECT_EQ(records, 6u);

  replies.reply(client.lane(), 12, true, "");  // alike, but 10-11 is published: a new record
  EXPECT_FALSE(replies.flush());
  records = 0;
  got = take(client, &records);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].id, 12u);
  EXPECT_EQ(records, 1u);
}

TEST(LaneReplies, RepliesToASlowClientWaitInOrderUntilItTakesThem) {
  auto segment = shm::segment::create(one_app(1024));  // room for about a dozen replies
  lane_replies replies(segment, 0);
  auto client = shm::ingress_client::claim(segment, 0);
  constexpr std::uint64_t count = 100;
  for (std::uint64_t id = 1; id <= count; ++id)
    replies.reply(client.lane(), id, id % 3 != 0, "reply " + std::to_string(id) + " payload");
  std::vector<taken> got;
  for (int round = 0; round < 100; ++round) {
    const bool left = replies.flush();
    for (auto& reply : take(client)) got.push_back(std::move(reply));
    if (!left) break;
  }
  ASSERT_EQ(got.size(), count);
  for (std::uint64_t id = 1; id <= count; ++id) {
    EXPECT_EQ(got[id - 1].id, id);
    EXPECT_EQ(got[id - 1].ok, id % 3 != 0);
    EXPECT_EQ(got[id - 1].payload, "reply " + std::to_string(id) + " payload");
  }
  EXPECT_FALSE(replies.flush());
}

TEST(LaneReplies, RepliesQueuedForADeadClientAreNotDeliveredToItsSuccessor) {
  auto segment = shm::segment::create(one_app(1024));
  lane_replies replies(segment, 0);
  std::uint32_t lane = 0;
  {
    auto gone = shm::ingress_client::claim(segment, 0);
    lane = gone.lane();
    // Each its own payload, so each takes a record and the ring fills.
    for (std::uint64_t id = 1; id <= 100; ++id)
      replies.reply(lane, id, true, "for the first, " + std::to_string(id));
  }
  auto next = shm::ingress_client::claim(segment, 0);
  ASSERT_EQ(next.lane(), lane);
  // Replies written into the ring before the claim are published still
  // (clients ignore unknown ids); the queued rest is dropped.
  EXPECT_FALSE(replies.flush()) << "the queue belonged to the previous client";
  auto got = take(next);
  ASSERT_FALSE(got.empty());
  const std::uint64_t in_ring = got.back().id;
  EXPECT_LT(in_ring, 100u);
  replies.reply(lane, 7, true, "for the second");
  EXPECT_FALSE(replies.flush());
  got = take(next);
  ASSERT_EQ(got.size(), 1u) << "nothing queued for the first client came after the ring's worth";
  EXPECT_EQ(got[0].id, 7u);
  EXPECT_EQ(got[0].payload, "for the second");
}

}  // namespace
}  // namespace weft::node
