#include "weft/node/client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "weft/node/command_reader.hpp"
#include "weft/shm/ingress.hpp"
#include "weft/shm/protocol.hpp"

namespace weft::node {
namespace {

using namespace std::chrono_literals;

shm::layout_spec one_app() {
  shm::layout_spec spec;
  spec.system_name = "client";
  spec.processes = {"App"};
  spec.lanes_per_process = 1;
  spec.request_ring_bytes = 4096;
  spec.reply_ring_bytes = 4096;
  return spec;
}

// The application's end of the lane, played by the test: it reads commands
// and answers them in the order it is told.
struct fake_app {
  shm::ingress_server server;

  explicit fake_app(shm::segment& segment) : server(segment, 0) {}

  // The names of the commands waiting, in order, with their correlation ids,
  // each marked taken as a worker does; released unless the test plays a
  // process that dies first.
  std::vector<std::pair<std::uint64_t, std::string>> read_commands(bool release = true) {
    std::vector<std::pair<std::uint64_t, std::string>> out;
    std::uint32_t lane = 0;
    shm::record_view record;
    while (server.try_read(lane, record) == shm::read_status::record) {
      shm::protocol::command_view command{};
      EXPECT_TRUE(shm::protocol::read_command(record, command));
      server.mark_taken(lane, command.correlation_id);
      out.emplace_back(command.correlation_id,
                       std::string(reinterpret_cast<const char*>(command.payload.data())));
    }
    if (release) server.release_all();
    return out;
  }

  // One record answering `count` commands from `first` on alike, as a worker
  // writes a turn's replies.
  void answer_run(std::uint64_t first, std::uint32_t count, std::string_view text) {
    auto& ring = server.replies(0);
    auto claimed =
        shm::protocol::claim_reply(ring, first, shm::protocol::reply_status::ok, text.size());
    ASSERT_TRUE(claimed);
    std::memcpy(claimed.payload.data(), text.data(), text.size());
    for (std::uint32_t k = 1; k < count; ++k)
      ASSERT_TRUE(shm::protocol::extend_reply(claimed.payload));
    ring.commit();
  }

  void answer(std::uint64_t id, std::string_view text) {
    ASSERT_EQ(shm::protocol::push_reply(server.replies(0), id, shm::protocol::reply_status::ok,
                                        std::as_bytes(std::span(text))),
              shm::push_result::ok);
  }
};

// A waiter gets its own reply whatever order replies arrive in; the ones it
// skipped stay for take_replies(), by correlation id.
TEST(Client, RepliesReachTheirWaitersInAnyOrderOfArrival) {
  auto segment = shm::segment::create(one_app());
  fake_app app(segment);
  client c(shm::segment::attach(segment.name()));
  std::vector<std::uint64_t> ids;
  for (const char* name : {"first", "second", "third", "fourth"})
    ids.push_back(c.submit("App", name, "{}"));
  const auto commands = app.read_commands();
  ASSERT_EQ(commands.size(), 4u);
  EXPECT_EQ(commands[2].second, "third");

  for (const std::size_t i : {2, 0, 3, 1}) app.answer(ids[i], "reply to " + commands[i].second);
  // Neither the first nor the last that arrived.
  EXPECT_EQ(c.wait("App", ids[0], 5s).payload, "reply to first");
  // The first that arrived.
  EXPECT_EQ(c.wait("App", ids[2], 5s).payload, "reply to third");
  const auto rest = c.take_replies("App", 0ms);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].correlation_id, ids[1]);
  EXPECT_EQ(rest[0].payload, "reply to second");
  EXPECT_EQ(rest[1].correlation_id, ids[3]);
  EXPECT_TRUE(rest[1].ok);
  EXPECT_TRUE(c.take_replies("App", 0ms).empty());
}

// Replies taken in bulk, then more: none is lost or given twice.
TEST(Client, TakeRepliesHandsOverEachReplyOnce) {
  auto segment = shm::segment::create(one_app());
  fake_app app(segment);
  client c(shm::segment::attach(segment.name()));
  std::uint64_t next = 0;
  for (int round = 0; round < 3; ++round) {
    std::vector<std::uint64_t> ids;
    for (int i = 0; i < 5; ++i) ids.push_back(c.submit("App", "emit", R"({"n":1})"));
    for (const auto& [id, name] : app.read_commands()) app.answer(id, name);
    // One waited for first: take_replies() hands over the rest.
    EXPECT_EQ(c.wait("App", ids[0], 5s).correlation_id, ids[0]);
    const auto got = c.take_replies("App", 0ms);
    ASSERT_EQ(got.size(), 4u) << "round " << round;
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].correlation_id, ids[i + 1]);
    EXPECT_GT(ids[0], next);
    next = ids.back();
  }
}

// Replies seen in place: those a wait() collected on its way come first,
// then the ring's, each once, in arrival order; one whose handler throws is
// handed over all the same.
TEST(Client, ForEachReplyHandsOverEveryReplyOnceInArrivalOrder) {
  auto segment = shm::segment::create(one_app());
  fake_app app(segment);
  client c(shm::segment::attach(segment.name()));
  std::vector<std::uint64_t> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(c.submit("App", "emit", R"({"n":1})"));
  ASSERT_EQ(app.read_commands().size(), 6u);
  for (const std::size_t i : {1, 2, 0}) app.answer(ids[i], "r" + std::to_string(i));
  EXPECT_EQ(c.wait("App", ids[0], 5s).payload, "r0");  // collects r1 and r2 on its way
  for (const std::size_t i : {3, 5, 4}) app.answer(ids[i], "r" + std::to_string(i));

  std::vector<std::pair<std::uint64_t, std::string>> seen;
  const auto keep = [&](const reply_view& r) {
    EXPECT_TRUE(r.ok);
    seen.emplace_back(r.correlation_id, std::string(r.payload));
  };
  EXPECT_EQ(c.for_each_reply("App", keep, 0ms), 5u);
  const std::vector<std::pair<std::uint64_t, std::string>> expected{
      {ids[1], "r1"}, {ids[2], "r2"}, {ids[3], "r3"}, {ids[5], "r5"}, {ids[4], "r4"}};
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(c.for_each_reply("App", keep, 0ms), 0u);
  EXPECT_TRUE(c.take_replies("App", 0ms).empty());

  const auto more = c.submit("App", "emit", R"({"n":1})");
  ASSERT_EQ(app.read_commands().size(), 1u);
  app.answer(more, "thrown on");
  EXPECT_THROW(c.for_each_reply(
                   "App", [](const reply_view&) { throw std::runtime_error("no"); }, 0ms),
               std::runtime_error);
  EXPECT_EQ(c.for_each_reply("App", keep, 0ms), 0u);
}

// One reply record for a run of commands answers each of them, whichever
// way replies are read; ids in it that another client of the lane issued
// before this one are not handed out.
TEST(Client, AReplyForARunOfCommandsAnswersEachOfThem) {
  auto segment = shm::segment::create(one_app());
  fake_app app(segment);
  std::uint64_t previous_owners_last = 0;
  {
    client before(shm::segment::attach(segment.name()));
    for (int i = 0; i < 2; ++i) previous_owners_last = before.submit("App", "emit", "{}");
  }
  client c(shm::segment::attach(segment.name()));
  std::vector<std::uint64_t> ids;
  for (int i = 0; i < 7; ++i) ids.push_back(c.submit("App", "emit", "{}"));
  ASSERT_EQ(app.read_commands().size(), 9u);

  app.answer_run(previous_owners_last, 4, "done");  // the previous owner's last, then ids[0..2]
  std::vector<std::uint64_t> seen;
  EXPECT_EQ(c.for_each_reply(
                "App",
                [&](const reply_view& r) {
                  EXPECT_TRUE(r.ok);
                  EXPECT_EQ(r.payload, "done");
                  seen.push_back(r.correlation_id);
                },
                0ms),
            3u);
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{ids[0], ids[1], ids[2]}));

  app.answer_run(ids[3], 4, "later");
  EXPECT_EQ(c.wait("App", ids[5], 5s).payload, "later");
  const auto rest = c.take_replies("App", 0ms);
  ASSERT_EQ(rest.size(), 3u);
  EXPECT_EQ(rest[0].correlation_id, ids[3]);
  EXPECT_EQ(rest[1].correlation_id, ids[4]);
  EXPECT_EQ(rest[2].correlation_id, ids[6]);
  for (const auto& r : rest) EXPECT_EQ(r.payload, "later");
}

// The application's process dies holding commands it took: once its
// successor runs, each of those is answered as lost (whichever way replies
// are read), those it answered keep their replies, and the successor runs
// only the commands nobody took.
TEST(Client, CommandsTakenByAProcessThatDiedAreAnsweredAsLost) {
  auto segment = shm::segment::create(one_app());
  client c(shm::segment::attach(segment.name()));
  std::vector<std::uint64_t> ids;
  std::optional<fake_app> app(std::in_place, segment);
  for (int i = 0; i < 3; ++i) ids.push_back(c.submit("App", "emit", "{}"));
  ASSERT_EQ(app->read_commands().size(), 3u);
  app->answer(ids[0], "done");
  ids.push_back(c.submit("App", "emit", "{}"));  // not taken
  app.reset();
  EXPECT_TRUE(c.take_replies("App", 0ms).size() == 1) << "nothing lost before a successor runs";

  app.emplace(segment);  // the successor
  std::vector<std::pair<std::uint64_t, bool>> seen;
  c.for_each_reply(
      "App",
      [&](const reply_view& r) {
        seen.emplace_back(r.correlation_id, r.ok);
        EXPECT_EQ(r.lost, !r.ok);
        if (!r.ok) {
          EXPECT_THAT(std::string(r.payload), ::testing::HasSubstr("may or may not"));
        }
      },
      0ms);
  EXPECT_EQ(seen, (std::vector<std::pair<std::uint64_t, bool>>{{ids[1], false}, {ids[2], false}}));
  const auto left = app->read_commands();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].first, ids[3]);
  app->answer(ids[3], "done");
  EXPECT_TRUE(c.wait("App", ids[3], 5s).ok);
}

// A process that dies after taking commands and before releasing them
// leaves them in the ring: its successor must not run them again.
TEST(Client, ASuccessorSkipsCommandsTakenButNotReleased) {
  auto segment = shm::segment::create(one_app());
  client c(shm::segment::attach(segment.name()));
  const auto taken = c.submit("App", "emit", "{}");
  {
    fake_app dying(segment);
    ASSERT_EQ(dying.read_commands(/*release=*/false).size(), 1u);
  }
  const auto fresh = c.submit("App", "emit", "{}");
  shm::ingress_server successor(segment, 0);
  std::vector<command_request> read;
  std::vector<std::string> problems;
  ASSERT_EQ(node::read_commands(successor, read, 16,
                                [&](const std::string& p) { problems.push_back(p); }),
            1u);
  EXPECT_EQ(read[0].correlation_id, fresh);
  EXPECT_TRUE(problems.empty());
  const auto lost = c.wait("App", taken, 5s);
  EXPECT_FALSE(lost.ok);
  EXPECT_TRUE(lost.lost);
}

// A client leaves commands in its lane; the next client takes the lane over;
// the process takes only the first one's commands, then dies. Its successor
// must run the second client's commands, not take them for the ones it lost.
TEST(Client, ALanesNextClientIsNotAnsweredForWhatThePreviousOneLost) {
  auto segment = shm::segment::create(one_app());
  std::optional<fake_app> app(std::in_place, segment);
  std::vector<std::uint64_t> first_ids;
  {
    client first(shm::segment::attach(segment.name()));
    for (int i = 0; i < 3; ++i) first_ids.push_back(first.submit("App", "emit", "{}"));
  }
  client next(shm::segment::attach(segment.name()));
  const std::vector<std::uint64_t> next_ids{next.submit("App", "emit", "{}"),
                                            next.submit("App", "emit", "{}")};
  for (const auto id : next_ids) {
    EXPECT_GT(id, first_ids.back()) << "a lane's correlation ids never repeat";
  }
  std::uint32_t lane = 0;
  shm::record_view record;
  for (const auto id : first_ids) {  // the process takes the first client's commands only
    ASSERT_EQ(app->server.try_read(lane, record), shm::read_status::record);
    shm::protocol::command_view command{};
    ASSERT_TRUE(shm::protocol::read_command(record, command));
    ASSERT_EQ(command.correlation_id, id);
    app->server.mark_taken(lane, command.correlation_id);
  }
  app.reset();  // dies

  app.emplace(segment);
  std::vector<command_request> read;
  ASSERT_EQ(node::read_commands(app->server, read, 16, [](const std::string&) {}), 2u)
      << "the successor runs every command of the next client";
  EXPECT_EQ(read[0].correlation_id, next_ids[0]);
  EXPECT_EQ(read[1].correlation_id, next_ids[1]);
  EXPECT_TRUE(next.take_replies("App", 0ms).empty()) << "nothing of the next client was lost";
  app->answer(next_ids[0], "done");
  EXPECT_TRUE(next.wait("App", next_ids[0], 5s).ok);
}

// A client switching between applications finds each one's lane, and names
// an application the system does not have.
TEST(Client, AnUnknownApplicationIsNamedWithTheKnownOnes) {
  auto segment = shm::segment::create(one_app());
  fake_app app(segment);
  client c(shm::segment::attach(segment.name()));
  (void)c.submit("App", "emit", "{}");
  EXPECT_THAT([&] { (void)c.submit("Apq", "emit", "{}"); },
              ::testing::ThrowsMessage<invalid_input>(
                  ::testing::AllOf(::testing::HasSubstr("no application named 'Apq'"),
                                   ::testing::HasSubstr("it has: App"))));
  (void)c.submit("App", "emit", "{}");
  EXPECT_EQ(app.read_commands().size(), 2u);
}

}  // namespace
}  // namespace weft::node
