#include "weft/es/codec.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "weft/es/msgpack_json.hpp"

namespace codec_test {

struct Created {
  weft::uuid id;
  std::string name;
  std::int64_t amount = 0;
  std::vector<std::string> tags;
  std::optional<double> rate;
};
WEFT_EVENT(Created, "test.Created", id, name, amount, tags, rate);

struct Ping {};
WEFT_EVENT(Ping, "test.Ping");

// Version 1 and version 2 of one event: v2 gained a field at the end.
struct RenamedV1 {
  std::string name;
};
WEFT_EVENT(RenamedV1, "test.Renamed.v1", name);
struct RenamedV2 {
  std::string name;
  std::string reason = "unknown";
};
WEFT_EVENT(RenamedV2, "test.Renamed.v2", name, reason);

struct Amount {
  std::int64_t amount = 0;
};
WEFT_EVENT(Amount, "test.Amount", amount);

struct Numbers {
  std::int64_t small = 0;
  std::int64_t big = 0;
  std::uint64_t huge = 0;
  std::int32_t mid = 0;
  std::int8_t tiny = 0;
  bool flag = false;
  double real = 0;
  float single = 0;
};
WEFT_EVENT(Numbers, "test.Numbers", small, big, huge, mid, tiny, flag, real, single);

struct Narrow {
  std::int8_t small = 0;
  std::uint8_t unsigned_small = 0;
};
WEFT_EVENT(Narrow, "test.Narrow", small, unsigned_small);

// Every type the encoder writes itself rather than through msgpack-cxx.
struct Integers {
  std::int64_t s64 = 0;
  std::uint64_t u64 = 0;
  std::int32_t s32 = 0;
  std::uint32_t u32 = 0;
  std::int16_t s16 = 0;
  std::uint16_t u16 = 0;
  std::int8_t s8 = 0;
  std::uint8_t u8 = 0;
  bool flag = false;
  weft::uuid id;
};
WEFT_EVENT(Integers, "test.Integers", s64, u64, s32, u32, s16, u16, s8, u8, flag, id);

}  // namespace codec_test

namespace weft::es {
namespace {

using namespace codec_test;

TEST(Codec, RoundTripsEveryField) {
  const Created in{uuid::random(), "alice", -42, {"a", "b"}, 0.5};
  const stored_event stored = to_stored(in, in.id, 1);
  EXPECT_EQ(stored.topic, "test.Created");
  const Created out = decode<Created>(stored);
  EXPECT_EQ(out.id, in.id);
  EXPECT_EQ(out.name, "alice");
  EXPECT_EQ(out.amount, -42);
  EXPECT_EQ(out.tags, in.tags);
  ASSERT_TRUE(out.rate.has_value());
  EXPECT_DOUBLE_EQ(*out.rate, 0.5);
}

TEST(Codec, NumbersRoundTripAtTheirLimits) {
  const Numbers in{-1,
                   std::numeric_limits<std::int64_t>::min(),
                   std::numeric_limits<std::uint64_t>::max(),
                   -70000,
                   -128,
                   true,
                   -2.5e300,
                   1.5f};
  Numbers out;
  decode_into(encode(in), out);
  EXPECT_EQ(out.small, in.small);
  EXPECT_EQ(out.big, in.big);
  EXPECT_EQ(out.huge, in.huge);
  EXPECT_EQ(out.mid, in.mid);
  EXPECT_EQ(out.tiny, in.tiny);
  EXPECT_EQ(out.flag, in.flag);
  EXPECT_EQ(out.real, in.real);
  EXPECT_EQ(out.single, in.single);
}

// The value as a T if a T holds it, else 0.
template <class T>
T if_it_fits(std::int64_t value, bool negative_side) {
  if (negative_side) {
    if constexpr (std::is_signed_v<T>)
      if (value >= std::numeric_limits<T>::min()) return static_cast<T>(value);
    return 0;
  }
  const auto magnitude = static_cast<std::uint64_t>(value);
  return magnitude <= static_cast<std::uint64_t>(std::numeric_limits<T>::max())
             ? static_cast<T>(value)
             : T{0};
}

TEST(Codec, EncodesIntegersBooleansAndUuidsByteForByteAsMsgpackCxx) {
  // Both encoders write the shortest form; stored states must not depend on which ran.
  std::vector<std::int64_t> values;
  for (int bits : {0, 4, 5, 7, 8, 15, 16, 31, 32, 62}) {
    const std::int64_t edge = std::int64_t{1} << bits;
    for (std::int64_t v : {edge - 1, edge, edge + 1, -edge, -edge - 1}) values.push_back(v);
  }
  values.push_back(std::numeric_limits<std::int64_t>::max());
  values.push_back(std::numeric_limits<std::int64_t>::min());
  for (const std::int64_t v : values) {
    const bool negative = v < 0;
    Integers in{if_it_fits<std::int64_t>(v, negative),
                if_it_fits<std::uint64_t>(v, negative),
                if_it_fits<std::int32_t>(v, negative),
                if_it_fits<std::uint32_t>(v, negative),
                if_it_fits<std::int16_t>(v, negative),
                if_it_fits<std::uint16_t>(v, negative),
                if_it_fits<std::int8_t>(v, negative),
                if_it_fits<std::uint8_t>(v, negative),
                negative,
                uuid::random()};
    if (!negative) in.u64 = static_cast<std::uint64_t>(v) * 2 + 1;  // above int64 too
    msgpack::sbuffer expected;
    msgpack::packer<msgpack::sbuffer> packer(expected);
    packer.pack_array(10);
    packer.pack(in.s64).pack(in.u64).pack(in.s32).pack(in.u32).pack(in.s16).pack(in.u16);
    packer.pack(in.s8).pack(in.u8).pack(in.flag).pack(in.id);
    const bytes encoded = encode(in);
    EXPECT_EQ(std::string(encoded.begin(), encoded.end()),
              std::string(expected.data(), expected.size()))
        << "value " << v;
    Integers out;
    decode_into(encoded, out);
    EXPECT_EQ(out.s64, in.s64);
    EXPECT_EQ(out.u64, in.u64);
    EXPECT_EQ(out.s8, in.s8);
    EXPECT_EQ(out.id, in.id);
  }
}

TEST(Codec, EncodeIntoAppendsToWhatTheBytesHold) {
  Integers in{};
  in.u64 = 300;
  in.id = uuid::random();
  const bytes alone = encode(in);
  bytes out{0x01, 0x02};
  encode_into(in, out);
  ASSERT_EQ(out.size(), alone.size() + 2);
  EXPECT_EQ(bytes(out.begin() + 2, out.end()), alone);
  EXPECT_EQ(out[0], 0x01);
}

TEST(Codec, IntegersOutOfRangeAreDecodeErrorsNamingTheField) {
  const bytes too_big = encode(Numbers{300, 0, 0, 0, 0, false, 0, 0});
  Narrow out;
  try {
    decode_into(too_big, out);
    FAIL();
  } catch (const decode_error& e) {
    EXPECT_NE(std::string(e.what()).find("'small'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("range"), std::string::npos) << e.what();
  }
  const bytes negative = encode(Numbers{1, -1, 0, 0, 0, false, 0, 0});
  try {
    decode_into(negative, out);
    FAIL();
  } catch (const decode_error& e) {
    EXPECT_NE(std::string(e.what()).find("'unsigned_small'"), std::string::npos) << e.what();
  }
}

TEST(Codec, EventWithoutFieldsRoundTrips) {
  const bytes state = encode(Ping{});
  EXPECT_EQ(state.size(), 1u);  // an empty msgpack array
  Ping out;
  decode_into(state, out);
}

TEST(Codec, OlderBytesDecodeWithDefaultsForNewFields) {
  const bytes old_bytes = encode(RenamedV1{"bob"});
  RenamedV2 out;
  decode_into(old_bytes, out);
  EXPECT_EQ(out.name, "bob");
  EXPECT_EQ(out.reason, "unknown");
}

TEST(Codec, NewerBytesDecodeIgnoringExtraFields) {
  const bytes new_bytes = encode(RenamedV2{"bob", "typo"});
  RenamedV1 out;
  decode_into(new_bytes, out);
  EXPECT_EQ(out.name, "bob");
}

TEST(Codec, WrongTopicIsADecodeErrorNamingBoth) {
  const stored_event stored = to_stored(Ping{}, uuid::random(), 1);
  try {
    (void)decode<Created>(stored);
    FAIL() << "expected decode_error";
  } catch (const decode_error& e) {
    EXPECT_NE(std::string(e.what()).find("test.Created"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("test.Ping"), std::string::npos) << e.what();
  }
}

TEST(Codec, TruncatedBytesAreADecodeErrorNamingTheTopic) {
  bytes state = encode(Created{uuid::random(), "alice", 1, {}, {}});
  state.resize(state.size() / 2);
  Created out;
  try {
    decode_into(state, out);
    FAIL() << "expected decode_error";
  } catch (const decode_error& e) {
    EXPECT_NE(std::string(e.what()).find("test.Created"), std::string::npos) << e.what();
  }
}

TEST(Codec, FieldOfWrongTypeIsADecodeErrorNamingTheField) {
  const bytes state = encode(RenamedV1{"not a number"});
  Amount out;
  try {
    decode_into(state, out);
    FAIL() << "expected decode_error";
  } catch (const decode_error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("'amount'"), std::string::npos) << message;
    EXPECT_NE(message.find("test.Amount"), std::string::npos) << message;
  }
}

TEST(Codec, NotAnArrayIsADecodeError) {
  const bytes state{0x2a};  // the integer 42
  Amount out;
  EXPECT_THROW(decode_into(state, out), decode_error);
}

// Found by fuzz_events_codec: msgpack-cxx allocates a container's elements
// before reading them, so five bytes claiming 4 G elements made it allocate
// ~100 GB (AddressSanitizer aborts on it; without it, memory is exhausted).
TEST(Codec, ElementCountsBeyondTheBytesPresentAreADecodeError) {
  bytes state = encode(Created{uuid::random(), "alice", 1, {}, {}});
  state.resize(state.size() - 2);  // drop tags (empty array) and rate (nil)
  state.front() = 0x94;            // four fields: tags is an array of 2^32 - 1 strings
  for (std::uint8_t b : {0xdd, 0xff, 0xff, 0xff, 0xff}) state.push_back(b);
  Created out;
  try {
    decode_into(state, out);
    FAIL() << "expected decode_error";
  } catch (const decode_error& e) {
    EXPECT_NE(std::string(e.what()).find("test.Created"), std::string::npos) << e.what();
  }
  const bytes map_of_billions{0x91, 0xdf, 0x7f, 0xff, 0xff, 0xff};
  EXPECT_THROW((void)topic_registry::global().to_json({uuid{}, 1, "test.Ping", map_of_billions}),
               decode_error);
}

// Also from fuzzing: the JSON view recurses once per level, so nesting is
// bounded rather than limited only by the stack.
TEST(Codec, NestingBeyondAHundredLevelsIsADecodeError) {
  auto nested = [](std::size_t depth) {
    bytes state{0x91};                       // the event's one field ...
    state.insert(state.end(), depth, 0x91);  // ... inside `depth` one-element arrays
    state.push_back(0x01);
    return stored_event{uuid{}, 1, "test.Ping", state};
  };
  EXPECT_NO_THROW((void)topic_registry::global().to_json(nested(50)));
  EXPECT_THROW((void)topic_registry::global().to_json(nested(100'000)), decode_error);
}

// Found by fuzz_events_codec: a map key that is not a string is shown as its
// JSON text, and that text threw for a string that is not UTF-8.
TEST(TopicRegistry, JsonOfAMapKeyThatIsNotUtf8DoesNotThrow) {
  const bytes state{0x91, 0x81, 0x91, 0xa1, 0xfe, 0x01};  // [{["\xfe"]: 1}]
  nlohmann::json out;
  ASSERT_NO_THROW(out = topic_registry::global().to_json({uuid{}, 1, "test.Ping", state}));
  EXPECT_EQ(out.at("fields").at("#0").size(), 1u)
      << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

TEST(TopicRegistry, KnowsEveryDeclaredEvent) {
  const auto* entry = topic_registry::global().find("test.Created");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->fields, (std::vector<std::string>{"id", "name", "amount", "tags", "rate"}));
  EXPECT_TRUE(entry->type == typeid(Created));
}

TEST(TopicRegistry, DecodesByTopic) {
  const auto id = uuid::random();
  const auto decoded = topic_registry::global().decode(to_stored(Amount{7}, id, 3));
  ASSERT_NE(decoded.as<Amount>(), nullptr);
  EXPECT_EQ(decoded.as<Amount>()->amount, 7);
  EXPECT_EQ(decoded.as<Ping>(), nullptr);
}

TEST(TopicRegistry, UnknownTopicIsADecodeErrorNamingIt) {
  stored_event stored{uuid::random(), 1, "no.such.Topic", encode(Ping{})};
  try {
    (void)topic_registry::global().decode(stored);
    FAIL() << "expected decode_error";
  } catch (const decode_error& e) {
    EXPECT_NE(std::string(e.what()).find("no.such.Topic"), std::string::npos) << e.what();
  }
}

TEST(TopicRegistry, SameTopicForAnotherTypeIsRejected) {
  topic_entry clash{"test.Amount", typeid(Ping), {}, nullptr};
  EXPECT_THROW(topic_registry::global().add(clash), weft::error);
}

TEST(TopicRegistry, ShowsEventsAsJson) {
  const auto id = uuid::random();
  const auto json =
      topic_registry::global().to_json(to_stored(Created{id, "carol", 5, {"x"}, {}}, id, 1));
  EXPECT_EQ(json["topic"], "test.Created");
  EXPECT_EQ(json["fields"]["id"], id.str());
  EXPECT_EQ(json["fields"]["name"], "carol");
  EXPECT_EQ(json["fields"]["amount"], 5);
  EXPECT_TRUE(json["fields"]["rate"].is_null());
}

TEST(MsgpackJson, RendersValuesForPeople) {
  const auto id = uuid::random();
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> packer(buffer);
  packer.pack_array(4);
  packer.pack(id);
  packer.pack_bin(2);
  packer.pack_bin_body("\x01\xff", 2);
  packer.pack(-5);
  packer.pack_map(1);
  packer.pack(7);
  packer.pack("seven");
  const std::span bytes(reinterpret_cast<const std::uint8_t*>(buffer.data()), buffer.size());
  EXPECT_EQ(msgpack_to_json(bytes).dump(),
            "[\"" + id.str() + R"(",{"bin":"01ff"},-5,{"7":"seven"}])");
}

TEST(MsgpackJson, CompoundKeysBecomeHexSoNestedKeysStayShort) {
  // Maps whose key is a map whose key is a map...: rendered as JSON, each level
  // would escape the one below again (found by the events_codec fuzzer).
  std::vector<std::uint8_t> nested;
  constexpr int depth = 60;
  for (int i = 0; i < depth; ++i) nested.push_back(0x81);  // a map of one pair: key first
  nested.push_back(0xc0);                                  // the innermost key: nil
  for (int i = 0; i < depth; ++i) nested.push_back(0x01);  // each map's value
  const auto json = msgpack_to_json(nested);
  EXPECT_LT(json.dump().size(), 1000u);
  EXPECT_TRUE(json.begin().key().starts_with("msgpack:81")) << json.dump();

  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> packer(buffer);
  packer.pack_map(1);
  packer.pack_array(2);
  packer.pack(1);
  packer.pack(2);
  packer.pack("pair");
  const std::span bytes(reinterpret_cast<const std::uint8_t*>(buffer.data()), buffer.size());
  EXPECT_EQ(msgpack_to_json(bytes).dump(), R"({"msgpack:920102":"pair"})");
}

TEST(MsgpackJson, RefusesTrailingBytesAndLyingHeaders) {
  const std::vector<std::uint8_t> trailing{0x01, 0x02};
  EXPECT_THROW(
      {
        try {
          (void)msgpack_to_json(trailing);
        } catch (const decode_error& e) {
          EXPECT_STREQ(e.what(), "1 bytes after the value");
          throw;
        }
      },
      decode_error);
  // An array header claiming 2^32 - 1 elements in five bytes.
  const std::vector<std::uint8_t> lying{0xdd, 0xff, 0xff, 0xff, 0xff};
  EXPECT_THROW((void)msgpack_to_json(lying), decode_error);
}

}  // namespace
}  // namespace weft::es
