#include "weft/node/inbound.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "host_mesh.hpp"

namespace weft::node {
namespace {

// Runs `check` on the record of a command as a client pushes it.
template <class F>
void with_command_record(std::uint64_t correlation_id, std::string_view payload, F&& check) {
  testing::heap_ring ring(1 << 12);
  shm::spsc_producer producer(ring.region, nullptr, "lane");
  ASSERT_EQ(
      shm::protocol::push_command(producer, correlation_id, std::as_bytes(std::span(payload))),
      shm::push_result::ok);
  shm::spsc_consumer consumer(ring.region, "lane");
  EXPECT_EQ(consumer.drain(check, 1), 1u);
}

// The poller's way (into a reused request, arguments parsed) reads what
// decode_command reads, and refuses what it refuses.
TEST(Inbound, CommandsDecodeIntoAReusedRequestAsDecodeCommandDoes) {
  command_request reused{9, 99, "a longer name than the next one", "stale", {}};
  for (const std::string& payload :
       {std::string("emit\0{\"n\":42}", 13), std::string("x\0", 2), std::string("call\0[1]", 8),
        std::string("nonul"), std::string("\0{}", 3),
        // Names of one size that differ in one byte: the reused name must change.
        std::string("emiT\0{}", 7), std::string("emit\0{}", 7),
        std::string("sixteen_byte_cmd\0{}", 20), std::string("sixteen_byte_cmD\0{}", 20),
        std::string("a_name_longer_than_16\0{}", 25),
        std::string("a_name_longer_than_1X\0{}", 25)}) {
    with_command_record(7, payload, [&](const shm::record_view& record) {
      const auto expected = decode_command(3, record);
      const auto got = decode_command_into(3, record, reused);
      ASSERT_EQ(got.ok(), expected.ok()) << payload;
      if (!got.ok()) {
        EXPECT_EQ(got.error().message, expected.error().message);
        return;
      }
      EXPECT_EQ(reused.lane, 3u);
      EXPECT_EQ(reused.correlation_id, 7u);
      EXPECT_EQ(reused.name, expected->name);
      EXPECT_TRUE(reused.args_json.empty());
      ASSERT_TRUE(reused.args.has_value());
      EXPECT_EQ(reused.args->text(), expected->args_json);
      EXPECT_EQ(reused.args->json(), es::application::parse_command_payload(expected->args_json));
    });
  }
}

}  // namespace
}  // namespace weft::node
