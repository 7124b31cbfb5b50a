#include "weft/shm/protocol.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "ring_fixture.hpp"
#include "weft/core/error.hpp"

namespace weft::shm::protocol {
namespace {

using test::bytes_of;
using test::local_ring;
using test::text_of;
using ::testing::HasSubstr;

struct edge {
  local_ring ring{4096};
  spsc_producer producer{ring.region, nullptr, "edge"};
  spsc_consumer consumer{ring.region, "edge"};

  message next() {
    record_view view;
    EXPECT_EQ(consumer.try_read(view), read_status::record);
    auto decoded = decode(view);
    EXPECT_TRUE(decoded.ok()) << (decoded.ok() ? "" : decoded.error().message);
    return decoded.value();
  }
};

TEST(Protocol, SectionRoundTripsItsItems) {
  edge e;
  const auto a = bytes_of("first");
  const auto b = bytes_of("");
  const auto c = bytes_of("third item");
  const std::vector<std::span<const std::byte>> items{a, b, c};
  ASSERT_EQ(push_section(e.producer, 10, 12, items), push_result::ok);
  const auto section = std::get<section_view>(e.next());
  EXPECT_EQ(section.first_id(), 10u);
  EXPECT_EQ(section.last_id(), 12u);
  ASSERT_EQ(section.size(), 3u);
  std::vector<std::string> texts;
  for (auto item : section) texts.push_back(text_of(item));
  EXPECT_THAT(texts, ::testing::ElementsAre("first", "", "third item"));
}

TEST(Protocol, PromptPullCommandAndReplyRoundTrip) {
  edge e;
  ASSERT_EQ(push_prompt(e.producer, {42}), push_result::ok);
  ASSERT_EQ(push_pull_request(e.producer, {7, 100}), push_result::ok);
  ASSERT_EQ(push_command(e.producer, 99, bytes_of("do it")), push_result::ok);
  ASSERT_EQ(push_reply(e.producer, 99, reply_status::error, bytes_of("no")), push_result::ok);
  EXPECT_EQ(std::get<prompt>(e.next()).max_id, 42u);
  const auto pull = std::get<pull_request>(e.next());
  EXPECT_EQ(pull.from_id, 7u);
  EXPECT_EQ(pull.limit, 100u);
  const auto command = std::get<command_view>(e.next());
  EXPECT_EQ(command.correlation_id, 99u);
  EXPECT_EQ(text_of(command.payload), "do it");
  const auto reply = std::get<reply_view>(e.next());
  EXPECT_EQ(reply.correlation_id, 99u);
  EXPECT_EQ(reply.count, 1u);
  EXPECT_EQ(reply.status, reply_status::error);
  EXPECT_EQ(text_of(reply.payload), "no");
}

// A claimed reply, widened before its commit, answers the next ids alike:
// decode and the fast path read the same span.
TEST(Protocol, AWidenedReplyAnswersARunOfCorrelationIds) {
  edge e;
  auto claimed = claim_reply(e.producer, 40, reply_status::ok, 4);
  ASSERT_TRUE(claimed);
  std::memcpy(claimed.payload.data(), "done", 4);
  ASSERT_TRUE(extend_reply(claimed.payload));
  ASSERT_TRUE(extend_reply(claimed.payload));
  e.producer.commit();
  shm::record_view record;
  ASSERT_EQ(e.consumer.try_read(record), shm::read_status::record);
  reply_view fast{};
  ASSERT_TRUE(read_reply(record, fast));
  EXPECT_EQ(fast.correlation_id, 40u);
  EXPECT_EQ(fast.count, 3u);
  EXPECT_EQ(text_of(fast.payload), "done");
  const auto decoded = std::get<reply_view>(decode(record).value());
  EXPECT_EQ(decoded.correlation_id, 40u);
  EXPECT_EQ(decoded.count, 3u);
}

TEST(Protocol, FullRingIsBackPressure) {
  edge e;
  int pushed = 0;
  while (push_prompt(e.producer, {static_cast<std::uint64_t>(pushed + 1)}) == push_result::ok)
    ++pushed;
  EXPECT_GT(pushed, 0);
  EXPECT_EQ(push_prompt(e.producer, {0}), push_result::full);
  for (int i = 0; i < pushed; ++i) EXPECT_EQ(std::get<prompt>(e.next()).max_id, i + 1u);
}

TEST(Protocol, OversizedSectionIsRefusedNotTruncated) {
  edge e;
  const std::vector<std::byte> huge(e.producer.max_payload());
  const std::vector<std::span<const std::byte>> items{huge};
  EXPECT_THROW(push_section(e.producer, 1, 1, items), invalid_input);
}

// Builds a raw payload: fixed header, then body.
std::vector<std::byte> raw(std::uint16_t version_, std::uint16_t word, std::uint32_t count,
                           std::uint64_t id, const std::vector<std::byte>& body = {}) {
  std::vector<std::byte> out(fixed_size + body.size());
  std::memcpy(out.data(), &version_, 2);
  std::memcpy(out.data() + 2, &word, 2);
  std::memcpy(out.data() + 4, &count, 4);
  std::memcpy(out.data() + 8, &id, 8);
  if (!body.empty()) std::memcpy(out.data() + fixed_size, body.data(), body.size());
  return out;
}

std::vector<std::byte> u64(std::uint64_t v) {
  std::vector<std::byte> out(8);
  std::memcpy(out.data(), &v, 8);
  return out;
}

std::vector<std::byte> item(std::uint32_t length, std::size_t actual) {
  std::vector<std::byte> out(4 + actual);
  std::memcpy(out.data(), &length, 4);
  return out;
}

std::vector<std::byte> cat(const std::vector<std::byte>& a, const std::vector<std::byte>& b) {
  std::vector<std::byte> out(a.size() + b.size());
  if (!a.empty()) std::memcpy(out.data(), a.data(), a.size());
  if (!b.empty()) std::memcpy(out.data() + a.size(), b.data(), b.size());
  return out;
}

struct bad_record {
  const char* name;
  std::uint16_t type;
  std::vector<std::byte> payload;
  const char* expected;
};

class ProtocolValidation : public ::testing::TestWithParam<bad_record> {};

TEST_P(ProtocolValidation, NamesTheFieldAtFault) {
  const auto& bad = GetParam();
  const auto decoded = decode(record_view{bad.type, 0, bad.payload});
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().what, failure::code::invalid);
  EXPECT_THAT(decoded.error().message, HasSubstr(bad.expected));
  command_view command{};
  EXPECT_FALSE(read_command(record_view{bad.type, 0, bad.payload}, command))
      << "the command fast path accepts what decode refuses";
  reply_view reply{};
  EXPECT_FALSE(read_reply(record_view{bad.type, 0, bad.payload}, reply))
      << "the reply fast path accepts what decode refuses";
}

constexpr std::uint16_t section_t = 1, prompt_t = 2, pull_t = 3, command_t = 4, reply_t = 5;

INSTANTIATE_TEST_SUITE_P(
    EveryCheck, ProtocolValidation,
    ::testing::Values(
        bad_record{"unknown_type", 9, raw(1, 0, 0, 1), "record.type: 9"},
        bad_record{"short", prompt_t, std::vector<std::byte>(10), "prompt: 10 bytes, shorter"},
        bad_record{"version", prompt_t, raw(2, 0, 0, 1), "prompt.version: 2"},
        bad_record{"reserved", prompt_t, raw(1, 3, 0, 1), "prompt.reserved: 3"},
        bad_record{"prompt_body", prompt_t, raw(1, 0, 0, 1, u64(5)), "prompt: 8 unexpected bytes"},
        bad_record{"prompt_count", prompt_t, raw(1, 0, 4, 1), "prompt.count: 4"},
        bad_record{"section_short", section_t, raw(1, 0, 0, 1), "section: 16 bytes, shorter"},
        bad_record{"section_first", section_t, raw(1, 0, 0, 0, u64(3)), "section.first_id: 0"},
        bad_record{"section_order", section_t, raw(1, 0, 0, 5, u64(3)),
                   "section.last_id: 3 is before"},
        bad_record{"section_count", section_t, raw(1, 0, 4, 1, u64(3)), "section.count: 4 items"},
        bad_record{"item_prefix", section_t,
                   raw(1, 0, 1, 1, cat(u64(1), std::vector<std::byte>(2))),
                   "section.items[0]: length prefix missing"},
        bad_record{"item_length", section_t, raw(1, 0, 1, 1, cat(u64(1), item(900, 12))),
                   "section.items[0].length: 900 bytes, 12 remain"},
        bad_record{"section_trailing", section_t, raw(1, 0, 1, 1, cat(u64(1), item(2, 5))),
                   "section: 3 bytes after the last of 1 items"},
        bad_record{"pull_from", pull_t, raw(1, 0, 10, 0), "pull_request.from_id: 0"},
        bad_record{"pull_limit", pull_t, raw(1, 0, 0, 1), "pull_request.limit: 0"},
        bad_record{"pull_body", pull_t, raw(1, 0, 1, 1, u64(1)), "pull_request: 8 unexpected"},
        bad_record{"command_count", command_t, raw(1, 0, 1, 1), "command.count: 1"},
        bad_record{"command_reserved", command_t, raw(1, 3, 0, 1), "command.reserved: 3"},
        bad_record{"command_version", command_t, raw(2, 0, 0, 1), "command.version: 2"},
        bad_record{"reply_short", reply_t, std::vector<std::byte>(15), "reply: 15 bytes"},
        bad_record{"reply_status", reply_t, raw(1, 2, 1, 1), "reply.status: 2"},
        bad_record{"reply_count", reply_t, raw(1, 0, 0, 1), "reply.count: 0, a reply answers"},
        bad_record{"reply_past_the_largest_id", reply_t, raw(1, 0, 3, UINT64_MAX - 1),
                   "reply.count: 3 commands from correlation id 18446744073709551614 run past"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace weft::shm::protocol
