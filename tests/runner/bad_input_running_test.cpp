// The bad-input catalogue, part two: a running system (the shop under the
// real `weft run`) given bad commands, a follower stopped while its leader's
// ring fills, and its segment scribbled over through /dev/shm. Each asserts
// the clear error or report, that the system goes on, and that nothing
// recorded is lost or done twice.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstddef>
#include <iostream>
#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "run_weft.hpp"
#include "shop_under_run.hpp"

namespace weft::test {
namespace {

using ::testing::HasSubstr;

// Small client lanes (4096-byte rings, payloads up to 1016 bytes) make an
// oversized command easy to write; memory recorders keep the start quick.
shop_config commands_config() {
  shop_config config;
  config.persistence = "kind = \"memory\"\n";
  config.rings = "ingress_bytes = 4096\n";
  return config;
}

std::string oversized_args() {
  return R"({"amount":7,"note":")" + std::string(2000, 'x') + "\"}";
}

// Sends its bad input; returns what the caller saw (a reply payload or an error text).
using bad_command = std::function<std::string(shop_under_run&)>;

struct command_row {
  std::string name;
  bad_command send;
  std::string expected;  // must appear in what the caller saw
};

void PrintTo(const command_row& row, std::ostream* out) {
  *out << row.name;
}

// Through weft::Client: the reply must be an error reply.
bad_command client_call(std::string app, std::string command, std::string args) {
  return [=](shop_under_run& shop) {
    const auto reply = shop.client().call(app, command, args, 30s);
    EXPECT_FALSE(reply.ok) << reply.payload;
    return reply.payload;
  };
}

// Through weft::Client, refused before anything is sent: the exception's text.
bad_command client_refused(std::string app, std::string command, std::string args) {
  return [=](shop_under_run& shop) -> std::string {
    try {
      shop.client().submit(app, command, args, 30s);
    } catch (const invalid_input& e) {
      return e.what();
    }
    ADD_FAILURE() << "submit accepted the command";
    return {};
  };
}

// Through `weft call`: its exit code must be `code`; stdout and stderr together.
bad_command weft_call(std::string app, std::string command, std::string args, int code) {
  return [=](shop_under_run& shop) {
    const auto r = run_weft({"call", shop.name(), app, command, args});
    EXPECT_EQ(r.code, code) << r.out << r.err;
    return r.out + r.err;
  };
}

std::vector<command_row> command_rows() {
  const std::string unknown =
      "command 'refund_everything' of application 'Orders': unknown command (known: "
      "create_order, get_order)";
  return {
      {"UnknownCommand", client_call("Orders", "refund_everything", "{}"), unknown},
      {"UnknownCommandByWeftCall", weft_call("Orders", "refund_everything", "{}", 1), unknown},
      {"MalformedJson", client_call("Orders", "create_order", R"({"amount":)"),
       "command 'create_order': payload is not valid JSON"},
      {"JsonThatIsNotAnObject", client_call("Orders", "create_order", "[7]"),
       "command 'create_order' of application 'Orders': payload must be a JSON object, got "
       "array"},
      {"MissingField", client_call("Orders", "create_order", "{}"),
       "command 'create_order': field 'amount' is missing"},
      {"WrongFieldType", client_call("Orders", "create_order", R"({"amount":"seven"})"),
       "command 'create_order': field 'amount' must be an integer, got "},
      {"WrongFieldTypeByWeftCall", weft_call("Orders", "create_order", R"({"amount":"seven"})", 1),
       "command 'create_order': field 'amount' must be an integer, got "},
      {"FractionalAmount", client_call("Orders", "create_order", R"({"amount":2.5})"),
       "command 'create_order': field 'amount' must be an integer, got 2.5 (number)"},
      {"BadFieldValue", client_call("Orders", "create_order", R"({"amount":-3})"),
       "command 'create_order': field 'amount' must be positive"},
      {"MalformedUuid", client_call("Orders", "get_order", R"({"id":"not-a-uuid"})"),
       "command 'get_order': field 'id' "},
      {"UuidOfTheWrongType", client_call("Orders", "get_order", R"({"id":42})"),
       "command 'get_order': field 'id' must be a uuid string, got number"},
      {"UnknownApplication", client_refused("Nobody", "create_order", "{}"),
       "has no application named 'Nobody' (it has: Orders, Reservations, Payments)"},
      {"UnknownApplicationByWeftCall", weft_call("Nobody", "create_order", "{}", 2),
       "has no application named 'Nobody' (it has: Orders, Reservations, Payments)"},
      {"PayloadLargerThanTheLane", client_refused("Orders", "create_order", oversized_args()),
       "exceeds the largest payload, 1016"},
      {"PayloadLargerThanTheLaneByWeftCall",
       weft_call("Orders", "create_order", oversized_args(), 2),
       "exceeds the largest payload, 1016"},
  };
}

class BadCommand : public ::testing::TestWithParam<command_row> {};

TEST_P(BadCommand, GetsAClearErrorAndTheSystemGoesOn) {
  const auto& row = GetParam();
  shop_under_run shop("badcmd", commands_config());
  const auto orders_pid = shop.process("Orders").pid.load();

  EXPECT_THAT(row.send(shop), HasSubstr(row.expected));

  // The same application, the same process, still serving.
  const auto good = shop.client().call("Orders", "create_order", R"({"amount":5})", 30s);
  EXPECT_TRUE(good.ok) << good.payload;
  const auto after = run_weft({"call", shop.name(), "Orders", "create_order", R"({"amount":6})"});
  EXPECT_EQ(after.code, 0) << after.out << after.err;
  EXPECT_EQ(shop.process("Orders").pid.load(), orders_pid);
  for (const char* app : {"Orders", "Reservations", "Payments"})
    EXPECT_EQ(shop.process(app).restarts.load(), 0u) << app;
  EXPECT_EQ(shop.stop(), 0) << shop.log();
}

INSTANTIATE_TEST_SUITE_P(Commands, BadCommand, ::testing::ValuesIn(command_rows()),
                         [](const auto& info) { return info.param.name; });

// ---- a full ring -------------------------------------------------------------

// The Orders -> Reservations ring as its two positions.
struct ring_positions {
  std::uint64_t head, tail, capacity;
};

ring_positions downstream_ring(shop_under_run& shop, const std::string& follower) {
  auto& seg = shop.segment();
  const auto leader = *seg.find_process("Orders");
  const auto to = *seg.find_process(follower);
  for (std::uint32_t c = 0; c < seg.channel_count(); ++c) {
    const auto& channel = seg.channel(c);
    if (channel.leader != leader || channel.follower != to) continue;
    const auto ring = seg.ring(channel.downstream);
    return {ring.control->head.load(), ring.control->tail.load(), ring.capacity};
  }
  ADD_FAILURE() << "no channel Orders -> " << follower;
  return {};
}

TEST(FullRing, AStoppedFollowerHoldsItsLeaderBackAndLosesNothing) {
  shop_config config;
  // The smallest edge ring, and no heartbeat kill while the follower is stopped.
  config.rings = "edge_bytes = 4096\n";
  config.supervision =
      "max_restarts = 10\nbackoff_initial_ms = 50\nheartbeat_timeout_ms = 600000\n";
  shop_under_run shop("fullring", config);
  shop.order(50);
  ASSERT_TRUE(shop.wait_settled(50));

  const auto reservations = shop.process("Reservations").pid.load();
  ASSERT_EQ(::kill(reservations, SIGSTOP), 0);
  const std::size_t orders = 3000;
  shop.order(orders - 50);  // Orders goes on accepting: the ring is an accelerator

  // The ring to the stopped follower is full (what is left is less than a section).
  const auto full = downstream_ring(shop, "Reservations");
  EXPECT_GT(full.tail - full.head, full.capacity / 2)
      << "head " << full.head << " tail " << full.tail;
  EXPECT_EQ(shop.orders_tracking("Reservations"), 50u);

  ASSERT_EQ(::kill(reservations, SIGCONT), 0);
  ASSERT_TRUE(shop.wait_settled(orders)) << "reserved " << shop.orders_tracking("Reservations")
                                         << ", paid " << shop.orders_tracking("Payments");
  for (const char* app : {"Orders", "Reservations", "Payments"})
    EXPECT_EQ(shop.process(app).restarts.load(), 0u) << app;
  EXPECT_EQ(shop.process("Reservations").pid.load(), reservations);
  EXPECT_EQ(shop.stop(), 0) << shop.log();
  expect_exactly_once(shop.data(), orders);
}

// ---- a scribbled segment -----------------------------------------------------

// Writes `size` random bytes at `offset` of the segment's file, as a stray
// process of the same user could.
void scribble(const std::string& segment, std::uint64_t offset, std::size_t size,
              std::mt19937_64& random) {
  std::vector<unsigned char> bytes(size);
  for (auto& b : bytes) b = static_cast<unsigned char>(random());
  const int fd = ::open(("/dev/shm/" + segment).c_str(), O_RDWR);
  ASSERT_GE(fd, 0) << segment;
  EXPECT_EQ(::pwrite(fd, bytes.data(), size, static_cast<off_t>(offset)),
            static_cast<ssize_t>(size));
  ::close(fd);
}

std::mt19937_64 seeded_random() {
  const auto seed = std::random_device{}();
  ::testing::Test::RecordProperty("scribble_seed", std::to_string(seed));
  std::cerr << "scribble seed " << seed << "\n";
  return std::mt19937_64(seed);
}

shop_config stoppable_config() {
  shop_config config;
  config.supervision =
      "max_restarts = 10\nbackoff_initial_ms = 50\nheartbeat_timeout_ms = 600000\n";
  return config;
}

TEST(ScribbledSegment, AnOverwrittenHeaderIsNamedAndRestoredByTheSupervisor) {
  shop_under_run shop("scribblehead", stoppable_config());
  shop.order(100);
  ASSERT_TRUE(shop.wait_settled(100));
  auto random = seeded_random();
  scribble(shop.segment().name(), 0, sizeof(shm::segment_header), random);

  ASSERT_TRUE(eventually([&] {
    return shop.log().find("overwritten while running; restored") != std::string::npos;
  })) << shop.log();
  EXPECT_THAT(shop.log(), HasSubstr("segment " + shop.segment().name() + ": header: magic, "));
  // Restored: tools and clients attach (they validate the header), work goes on.
  const auto ps = run_weft({"ps", shop.name()});
  EXPECT_EQ(ps.code, 0) << ps.err;
  shop.order(100);
  ASSERT_TRUE(shop.wait_settled(200));
  for (const char* app : {"Orders", "Reservations", "Payments"})
    EXPECT_EQ(shop.process(app).restarts.load(), 0u) << app;
  EXPECT_EQ(shop.stop(), 0) << shop.log();
  expect_exactly_once(shop.data(), 200);
}

TEST(ScribbledSegment, ImpossibleRingPositionsRestartBothEndsOnFreshRings) {
  shop_under_run shop("scribblering", stoppable_config());
  shop.order(100);
  ASSERT_TRUE(shop.wait_settled(100));
  auto& seg = shop.segment();
  const auto orders = *seg.find_process("Orders");
  const auto reservations = *seg.find_process("Reservations");
  std::uint32_t channel = 0;
  while (seg.channel(channel).leader != orders || seg.channel(channel).follower != reservations)
    ++channel;
  const auto refs = {seg.channel(channel).downstream, seg.channel(channel).upstream};

  // Both ends stopped, so neither writes a good position over the scribble
  // before the supervisor looks: what it finds is what this test wrote.
  const pid_t ends[] = {shop.process("Orders").pid.load(), shop.process("Reservations").pid.load()};
  for (const pid_t pid : ends) ASSERT_EQ(::kill(pid, SIGSTOP), 0);
  auto random = seeded_random();
  for (const auto& ref : refs) {
    scribble(seg.name(), ref.offset + offsetof(shm::ring_control, tail), 8, random);
    scribble(seg.name(), ref.offset + offsetof(shm::ring_control, head), 8, random);
  }

  ASSERT_TRUE(eventually([&] { return shop.log().find("rings formatted") != std::string::npos; }))
      << shop.log();
  const std::string named = "channel " + std::to_string(channel) + " (Orders -> Reservations): ";
  EXPECT_THAT(shop.log(), HasSubstr(named + "downstream ring: "));
  EXPECT_THAT(shop.log(), HasSubstr("restarting both ends on fresh rings"));
  for (const char* app : {"Orders", "Reservations"}) {
    EXPECT_THAT(shm::last_error(shop.process(app)), HasSubstr(named)) << app;
    EXPECT_TRUE(eventually([&] { return shop.process(app).restarts.load() >= 1; })) << app;
  }
  const auto ps = run_weft({"ps", shop.name()});
  EXPECT_THAT(ps.out, HasSubstr("Orders -> Reservations")) << ps.out << ps.err;

  // Fresh rings: the restarted ends pull what they missed, and go on.
  shop.order(200);
  ASSERT_TRUE(shop.wait_settled(300)) << shop.log();
  EXPECT_EQ(shop.process("Payments").restarts.load(), 0u);
  EXPECT_EQ(shop.stop(), 0) << shop.log();
  expect_exactly_once(shop.data(), 300);
}

}  // namespace
}  // namespace weft::test
