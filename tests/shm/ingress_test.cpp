#include "weft/shm/ingress.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "ring_fixture.hpp"
#include "weft/shm/protocol.hpp"

namespace weft::shm {
namespace {

using test::bytes_of;
using test::text_of;

layout_spec two_lanes() {
  layout_spec spec;
  spec.system_name = "ingress";
  spec.processes = {"App"};
  spec.lanes_per_process = 2;
  spec.request_ring_bytes = 1024;
  spec.reply_ring_bytes = 1024;
  return spec;
}

TEST(Ingress, ClientsGetTheirOwnLanesUntilNoneIsLeft) {
  auto s = segment::create(two_lanes());
  auto a = ingress_client::claim(s, 0);
  auto b = ingress_client::claim(s, 0);
  EXPECT_NE(a.lane(), b.lane());
  try {
    (void)ingress_client::claim(s, 0);
    FAIL() << "a third client got a lane";
  } catch (const segment_error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("all 2 ingress lanes of 'App' are taken"));
  }
}

TEST(Ingress, ALaneIsFreedWhenItsClientGoesAway) {
  auto s = segment::create(two_lanes());
  std::uint32_t lane = 0;
  {
    auto a = ingress_client::claim(s, 0);
    lane = a.lane();
    auto b = ingress_client::claim(s, 0);
  }
  auto again = ingress_client::claim(s, 0);
  EXPECT_EQ(again.lane(), lane);
  EXPECT_EQ(again.epoch(), 2u) << "each claim is a new incarnation of the lane";
}

TEST(Ingress, ServerReadsLanesRoundRobinInPerClientOrder) {
  auto s = segment::create(two_lanes());
  ingress_server server(s, 0);
  auto a = ingress_client::claim(s, 0);
  auto b = ingress_client::claim(s, 0);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(a.requests().try_push(4, bytes_of("a" + std::to_string(i))), push_result::ok);
    ASSERT_EQ(b.requests().try_push(4, bytes_of("b" + std::to_string(i))), push_result::ok);
  }
  EXPECT_TRUE(server.has_data());
  std::vector<std::string> got;
  std::uint32_t lane = 0;
  record_view view;
  while (server.try_read(lane, view) == read_status::record) {
    got.push_back(text_of(view.payload));
    EXPECT_EQ(lane, got.back()[0] == 'a' ? a.lane() : b.lane());
  }
  server.release_all();
  EXPECT_THAT(got, ::testing::ElementsAre("a0", "b0", "a1", "b1", "a2", "b2"));
}

TEST(Ingress, RecordsPublishedAfterASweepAreReadByTheNextOne) {
  auto s = segment::create(two_lanes());
  ingress_server server(s, 0);
  auto a = ingress_client::claim(s, 0);
  std::uint32_t lane = 99;
  record_view view;
  EXPECT_EQ(server.try_read(lane, view), read_status::empty);
  for (const std::string text : {"a0", "a1"}) {
    ASSERT_EQ(a.requests().try_push(4, bytes_of(text)), push_result::ok);
    ASSERT_EQ(server.try_read(lane, view), read_status::record) << text;
    EXPECT_EQ(text_of(view.payload), text);
    EXPECT_EQ(lane, a.lane());
    EXPECT_EQ(server.try_read(lane, view), read_status::empty);
  }
}

TEST(Ingress, ACorruptLaneIsReportedOnceAndTheOtherLanesAreStillRead) {
  auto s = segment::create(two_lanes());
  ingress_server server(s, 0);
  auto good = ingress_client::claim(s, 0);
  auto bad = ingress_client::claim(s, 0);
  ASSERT_EQ(good.requests().try_push(4, bytes_of("g0")), push_result::ok);
  // A hostile or broken client publishes a misaligned tail.
  s.ring(s.lane(0, bad.lane()).request).control->tail.store(3, std::memory_order_relaxed);
  std::vector<std::string> got;
  int corrupt = 0;
  std::uint32_t lane = 99;
  record_view view;
  for (int i = 0; i < 6; ++i) {
    const read_status status = server.try_read(lane, view);
    if (status == read_status::record) got.push_back(text_of(view.payload));
    if (status != read_status::corrupt) continue;
    ++corrupt;
    EXPECT_EQ(lane, bad.lane());
    EXPECT_THAT(server.error(lane), ::testing::HasSubstr("published tail 3"));
  }
  EXPECT_EQ(corrupt, 1) << "a corrupt lane is reported once, then skipped";
  ASSERT_EQ(good.requests().try_push(4, bytes_of("g1")), push_result::ok);
  ASSERT_EQ(server.try_read(lane, view), read_status::record);
  got.push_back(text_of(view.payload));
  EXPECT_THAT(got, ::testing::ElementsAre("g0", "g1"));
  EXPECT_EQ(server.try_read(lane, view), read_status::empty);
}

TEST(Ingress, ClaimedCommandsAndRepliesArePublishedTogetherByOneCommit) {
  auto s = segment::create(two_lanes());
  ingress_server server(s, 0);
  auto client = ingress_client::claim(s, 0);
  for (std::uint64_t id : {1, 2}) {
    auto claimed = protocol::claim_command(client.requests(), id, 3);
    ASSERT_TRUE(claimed);
    std::memcpy(claimed.payload.data(), "cmd", 3);
  }
  std::uint32_t lane = 99;
  record_view view;
  EXPECT_EQ(server.try_read(lane, view), read_status::empty) << "claimed, not committed";
  client.requests().commit();
  for (std::uint64_t id : {1, 2}) {
    ASSERT_EQ(server.try_read(lane, view), read_status::record);
    const auto command = std::get<protocol::command_view>(protocol::decode(view).value());
    EXPECT_EQ(command.correlation_id, id);
    EXPECT_EQ(text_of(command.payload), "cmd");
    protocol::command_view fast{};
    ASSERT_TRUE(protocol::read_command(view, fast));
    EXPECT_EQ(fast.correlation_id, id);
    EXPECT_EQ(text_of(fast.payload), "cmd");
    auto reply = protocol::claim_reply(server.replies(lane), id, protocol::reply_status::error, 2);
    ASSERT_TRUE(reply);
    std::memcpy(reply.payload.data(), "no", 2);
  }
  EXPECT_FALSE(client.replies().has_data());
  server.replies(lane).commit();
  for (std::uint64_t id : {1, 2}) {
    ASSERT_EQ(client.replies().try_read(view), read_status::record);
    const auto reply = std::get<protocol::reply_view>(protocol::decode(view).value());
    EXPECT_EQ(reply.correlation_id, id);
    EXPECT_EQ(reply.status, protocol::reply_status::error);
    EXPECT_EQ(text_of(reply.payload), "no");
    protocol::reply_view fast{};
    ASSERT_TRUE(protocol::read_reply(view, fast));
    EXPECT_EQ(fast.correlation_id, id);
    EXPECT_EQ(fast.status, protocol::reply_status::error);
    EXPECT_EQ(text_of(fast.payload), "no");
  }
}

TEST(Ingress, RepliesGoBackOnTheClientsLaneAndRingItsBell) {
  auto s = segment::create(two_lanes());
  ingress_server server(s, 0);
  auto client = ingress_client::claim(s, 0);
  ASSERT_EQ(protocol::push_command(client.requests(), 5, bytes_of("ping")), push_result::ok);
  EXPECT_EQ(s.process(0).bell.wakes.load(), 0u);
  std::uint32_t lane = 99;
  record_view view;
  ASSERT_EQ(server.try_read(lane, view), read_status::record);
  const auto command = std::get<protocol::command_view>(protocol::decode(view).value());
  client.bell().sleeping.store(1);
  ASSERT_EQ(protocol::push_reply(server.replies(lane), command.correlation_id,
                                 protocol::reply_status::ok, bytes_of("pong")),
            push_result::ok);
  server.release(lane);
  EXPECT_EQ(client.bell().wakes.load(), 1u);
  ASSERT_EQ(client.replies().try_read(view), read_status::record);
  const auto reply = std::get<protocol::reply_view>(protocol::decode(view).value());
  EXPECT_EQ(reply.correlation_id, 5u);
  EXPECT_EQ(text_of(reply.payload), "pong");
}

TEST(Ingress, ADeadClientsLaneIsTakenOverWithoutItsHalfWrittenRecord) {
  auto s = segment::create(two_lanes());
  ingress_server server(s, 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto c = ingress_client::claim(s, 0);
    c.requests().try_push(4, bytes_of("whole"));
    auto torn = c.requests().try_claim(4, 8);
    std::memcpy(torn.payload.data(), "TORNTORN", 8);
    ::_exit(0);  // dies holding the lane, mid-write
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  auto first = ingress_client::claim(s, 0);
  auto second = ingress_client::claim(s, 0);  // one of them takes over the dead lane
  auto& heir = first.epoch() == 2 ? first : second;
  ASSERT_EQ(heir.epoch(), 2u);
  ASSERT_EQ(heir.requests().try_push(4, bytes_of("heir")), push_result::ok);
  std::vector<std::string> got;
  std::uint32_t lane = 0;
  record_view view;
  while (server.try_read(lane, view) == read_status::record) got.push_back(text_of(view.payload));
  EXPECT_THAT(got, ::testing::ElementsAre("whole", "heir"));
}

TEST(Ingress, ALaneHeldByARecycledPidIsTakenOver) {
  auto s = segment::create(two_lanes());
  // Both lanes look held: one by a live pid that started at another time (a
  // dead client's pid, reused), one by a live pid whose start time is unknown.
  const std::int32_t live = ::getpid();
  const std::uint64_t started = process_start_ticks(live).value();
  s.lane(0, 0).owner.store(lane_owner{live, started + 1}.word(), std::memory_order_relaxed);
  s.lane(0, 1).owner.store(lane_owner{live, 0}.word(), std::memory_order_relaxed);
  auto heir = ingress_client::claim(s, 0);
  EXPECT_EQ(heir.lane(), 0u);
  EXPECT_EQ(lane_owner::of(s.lane(0, 0).owner.load(std::memory_order_relaxed)).start_ticks,
            started);
  EXPECT_THROW((void)ingress_client::claim(s, 0), segment_error)
      << "an owner of unknown start time is judged by its pid, which is alive";
}

TEST(Ingress, LaneOwnerWordsKeepPidAndStartTime) {
  constexpr lane_owner highest{(1 << lane_owner::pid_bits) - 1, (std::uint64_t{1} << 42) - 1};
  static_assert(lane_owner::of(highest.word()).pid == highest.pid);
  static_assert(lane_owner::of(highest.word()).start_ticks == highest.start_ticks);
  const lane_owner some{4'194'000, 123'456'789};
  EXPECT_EQ(lane_owner::of(some.word()).pid, some.pid);
  EXPECT_EQ(lane_owner::of(some.word()).start_ticks, some.start_ticks);
  EXPECT_NE(lane_owner{}.word(), some.word());
  EXPECT_EQ(lane_owner{}.word(), 0u) << "a free lane";
}

}  // namespace
}  // namespace weft::shm
