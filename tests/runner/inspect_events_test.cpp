// weft events on real SQLite files: generic decoding, field names from a
// system file's plugin, paging, --follow; and the decoding in-process.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "inspect_weft.hpp"
#include "shop/domain.hpp"
#include "weft/es/codec.hpp"
#include "weft/runner/cli.hpp"
#include "weft/runner/inspect_events.hpp"
#include "weft/store/sqlite_recorder.hpp"

namespace inspect_test {
// A topic no plugin and no part of weft registers: the executable must decode it blind.
struct ParcelSent {
  weft::uuid parcel_id;
  std::string to;
  std::int64_t grams = 0;
  bool fragile = false;
  std::vector<std::string> labels;
};
WEFT_EVENT(ParcelSent, "inspect.ParcelSent", parcel_id, to, grams, fragile, labels);
}  // namespace inspect_test

namespace weft::runner {
namespace {

using test::scratch_dir;
using test::weft;
using test::weft_process;
using ::testing::HasSubstr;
using json = nlohmann::json;

std::vector<json> json_lines(const std::string& text) {
  std::vector<json> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  return lines;
}

std::unique_ptr<es::recorder> writer(const std::filesystem::path& file) {
  store::sqlite_options options;
  options.exclusive = false;  // weft events reads it meanwhile
  return store::make_sqlite_recorder(file, options);
}

const uuid parcel = uuid::parse("0b8f2c3e-51a4-4d2e-9a77-3f1c2b5d6e70");

TEST(WeftEvents, DecodesUnknownTopicsGenericallyFromADataDirectory) {
  scratch_dir data("inspect-events");
  auto recorder = writer(data.path() / "Parcels.sqlite");
  std::vector<es::stored_event> events;
  for (std::uint64_t v = 1; v <= 3; ++v)
    events.push_back(es::to_stored(
        inspect_test::ParcelSent{
            parcel, "Lyon", static_cast<std::int64_t>(v * 100), v == 2, {"a", "b"}},
        parcel, v));
  recorder->insert_events(events);

  auto r = weft({"events", data.path().string(), "Parcels"});
  ASSERT_EQ(r.code, exit_ok) << r.err;
  const auto lines = json_lines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_EQ(lines[1],
            json::parse(R"({"id": 2, "originator_id": "0b8f2c3e-51a4-4d2e-9a77-3f1c2b5d6e70",
      "originator_version": 2, "topic": "inspect.ParcelSent",
      "state": ["0b8f2c3e-51a4-4d2e-9a77-3f1c2b5d6e70", "Lyon", 200, true, ["a", "b"]]})"));

  r = weft({"events", data.path().string(), "Parcels", "--from", "2", "--limit", "1", "--json"});
  ASSERT_EQ(r.code, exit_ok) << r.err;
  const auto one = json_lines(r.out);
  ASSERT_EQ(one.size(), 1u) << r.out;
  EXPECT_EQ(one[0].at("id"), 2);
}

TEST(WeftEvents, NamesFieldsWhenTheSystemFileLoadsThePlugin) {
  scratch_dir data("inspect-events-file");
  const uuid order = uuid::random();
  writer(data.path() / "Orders.sqlite")
      ->insert_events(std::vector{es::to_stored(shop::OrderCreated{order, "ada", 42}, order, 1)});
  const auto file = data.path() / "shop.toml";
  std::ofstream(file)
      << "name = \"inspect-shop\"\n"
      << "plugins = [\"" << WEFT_SHOP_PLUGIN << "\"]\n"
      << "data_dir = \"" << data.path().string() << "\"\n"
      << "pipes = [\"Orders | Reservations | Orders\"]\n"
      << "[[applications]]\nname = \"Orders\"\ntype = \"shop.Orders\"\n"
      << "[[applications]]\nname = \"Reservations\"\ntype = \"shop.Reservations\"\n";

  auto r = weft({"events", file.string(), "Orders"});
  ASSERT_EQ(r.code, exit_ok) << r.err;
  const auto lines = json_lines(r.out);
  ASSERT_EQ(lines.size(), 1u) << r.out;
  EXPECT_EQ(lines[0].at("topic"), "shop.OrderCreated");
  EXPECT_EQ(lines[0].at("state"),
            (json{{"order_id", order.str()}, {"customer", "ada"}, {"amount", 42}}));

  // An application of the system that has recorded nothing yet.
  r = weft({"events", file.string(), "Reservations"});
  EXPECT_EQ(r.code, exit_usage);
  EXPECT_THAT(r.err, HasSubstr("Reservations.sqlite not found; applications there: Orders"));

  r = weft({"events", file.string(), "Ordres"});
  EXPECT_EQ(r.code, exit_usage);
  EXPECT_THAT(r.err, HasSubstr("no application 'Ordres' (did you mean 'Orders'?)"));
}

TEST(WeftEvents, AnUnknownSystemNameExitsNotRunningAMissingPathIsBadInput) {
  auto r = weft({"events", "no-such-system-" + std::to_string(::getpid()), "Orders"});
  EXPECT_EQ(r.code, exit_not_running);
  EXPECT_THAT(r.err, HasSubstr("no system named"));
  r = weft({"events", "/no/such/dir", "Orders"});
  EXPECT_EQ(r.code, exit_usage);
  EXPECT_THAT(r.err, HasSubstr("/no/such/dir: no such data directory or system file"));
}

TEST(WeftEvents, FollowPrintsNewNotificationsUntilInterrupted) {
  scratch_dir data("inspect-events-follow");
  auto recorder = writer(data.path() / "Parcels.sqlite");
  auto record = [&](std::uint64_t version) {
    recorder->insert_events(std::vector{
        es::to_stored(inspect_test::ParcelSent{parcel, "Oslo", 1, false, {}}, parcel, version)});
  };
  record(1);
  weft_process follow({"events", data.path().string(), "Parcels", "--follow"});
  ASSERT_TRUE(follow.wait_for_output("\"id\":1,")) << follow.err();
  record(2);
  record(3);
  ASSERT_TRUE(follow.wait_for_output("\"id\":3,")) << follow.out();
  follow.signal(SIGINT);
  EXPECT_EQ(follow.wait_exit(), exit_ok) << follow.err();
  EXPECT_EQ(json_lines(follow.out()).size(), 3u);
}

TEST(EventsJson, UuidsBinaryAndBadBytes) {
  const uuid id = uuid::random();
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> packer(buffer);
  packer.pack_array(3);
  packer.pack(id);
  packer.pack_bin(2);
  packer.pack_bin_body("\x01\xff", 2);
  packer.pack(-5);
  const es::bytes state(buffer.data(), buffer.data() + buffer.size());
  EXPECT_EQ(msgpack_json(state).dump(), json({id.str(), {{"bin", "01ff"}}, -5}).dump());

  es::notification n{7, {id, 1, "nobody.Knows", es::bytes{0xc1}}};  // 0xc1: never used
  const auto out = notification_json(n, es::topic_registry::global());
  EXPECT_EQ(out.at("id"), 7);
  EXPECT_TRUE(out.at("state").is_null());
  EXPECT_THAT(out.at("error").get<std::string>(), HasSubstr("not msgpack"));
}

// Found by fuzz_events_render: a state string that is not UTF-8 (event
// strings may hold any bytes) made the line's dump throw and ended `weft
// events`; a header claiming 2^31 map entries made the parse allocate ~100 GB.
TEST(EventsJson, LinesOfOddBytesAreStillJson) {
  const es::bytes not_utf8{0x92, 0xa2, 0x61, 0xff, 0x81,
                           0x91, 0xa1, 0xfe, 0x01};  // ["a\xff", {["\xfe"]: 1}]
  const es::notification odd{3, {uuid::random(), 1, "nobody.Knows", not_utf8}};
  std::string line;
  ASSERT_NO_THROW(line = notification_line(odd, es::topic_registry::global()));
  const auto parsed = json::parse(line);
  EXPECT_EQ(parsed.at("state").at(0), "a\ufffd");
  EXPECT_FALSE(parsed.contains("error")) << line;

  const es::notification huge{4,
                              {uuid::random(), 1, "nobody.Knows", {0xdf, 0x7f, 0xff, 0xff, 0xff}}};
  const auto out = json::parse(notification_line(huge, es::topic_registry::global()));
  EXPECT_TRUE(out.at("state").is_null());
  EXPECT_THAT(out.at("error").get<std::string>(), HasSubstr("not msgpack")) << out;
}

TEST(EventsJson, KnownTopicsGetFieldNames) {
  const uuid order = uuid::random(), payment = uuid::random();
  es::notification n{1, es::to_stored(shop::PaymentMade{payment, order, 12}, payment, 1)};
  // Fields in wire order, the keys of the line in a fixed order.
  EXPECT_EQ(notification_json(n, es::topic_registry::global()).dump(),
            R"({"id":1,"originator_id":")" + payment.str() +
                R"(","originator_version":1,"topic":"shop.PaymentMade","state":{"payment_id":")" +
                payment.str() + R"(","order_id":")" + order.str() + R"(","amount":12}})");
}

}  // namespace
}  // namespace weft::runner
