#include "weft/es/application.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bank.hpp"
#include "spy_recorder.hpp"
#include "weft/store/memory_recorder.hpp"

namespace weft::es {
namespace {

using bank::Account;
using bank::BankAccounts;
using testing::spy_recorder;

struct Applications : ::testing::Test {
  std::shared_ptr<recorder> memory = store::make_memory_recorder();
  std::shared_ptr<spy_recorder> spy = std::make_shared<spy_recorder>(memory);

  app_context context(options opts = {}) { return {"BankAccounts", spy, nullptr, std::move(opts)}; }
};

TEST(Aggregate, TriggerAppliesAndKeepsPendingEvents) {
  auto account = Account::open("Alice", "alice@example.com");
  EXPECT_EQ(account.version(), 1u);
  account.deposit(10);
  EXPECT_EQ(account.version(), 2u);
  EXPECT_EQ(account.balance, 10);
  ASSERT_EQ(account.pending_events().size(), 2u);
  EXPECT_EQ(account.pending_events()[0].topic, "bank.AccountOpened");
  EXPECT_EQ(account.pending_events()[1].originator_version, 2u);
  EXPECT_EQ(account.pending_events()[1].originator_id, account.id());
}

TEST(Aggregate, ReplayRefusesAVersionOutOfSequence) {
  auto account = Account::open("Alice", "a@x");
  account.deposit(1);
  Account replayed;
  EXPECT_THROW(replayed.replay(account.pending_events()[1]), weft::error);
}

TEST(Aggregate, ReplayOfAnEventItCannotApplyNamesTheTopic) {
  Account replayed;
  stored_event foreign{uuid::random(), 1, "other.Thing", {0x90}};
  try {
    replayed.replay(foreign);
    FAIL();
  } catch (const decode_error& e) {
    EXPECT_NE(std::string(e.what()).find("other.Thing"), std::string::npos) << e.what();
  }
}

TEST_F(Applications, SavesAndGetsAnAggregateByReplayingItsEvents) {
  BankAccounts app(context());
  const auto id = app.open_account("Alice", "alice@example.com");
  app.deposit(id, 30);
  app.deposit(id, 12);
  const auto account = app.get<Account>(id);
  EXPECT_EQ(account.version(), 3u);
  EXPECT_EQ(account.balance, 42);
  EXPECT_EQ(account.full_name, "Alice");
  EXPECT_TRUE(account.pending_events().empty());
  EXPECT_EQ(memory->max_notification_id(), 3u);
}

TEST_F(Applications, GettingAnUnknownIdIsNotFound) {
  BankAccounts app(context());
  EXPECT_THROW((void)app.get<Account>(uuid::random()), aggregate_not_found);
  EXPECT_FALSE(app.find<Account>(uuid::random()).has_value());
}

TEST_F(Applications, SavingAStaleAggregateIsAConcurrencyErrorAndRecordsNothing) {
  BankAccounts app(context());
  const auto id = app.open_account("Alice", "a@x");
  auto first = app.get<Account>(id);
  auto second = app.get<Account>(id);
  first.deposit(1);
  second.deposit(2);
  app.save(first);
  try {
    app.save(second);
    FAIL() << "expected concurrency_error";
  } catch (const concurrency_error& e) {
    EXPECT_NE(std::string(e.what()).find(id.str()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("stale"), std::string::npos) << e.what();
  }
  EXPECT_EQ(app.balance(id), 1);
  EXPECT_EQ(memory->max_notification_id(), 2u);
  // The refused events are still pending on the stale aggregate.
  EXPECT_EQ(second.pending_events().size(), 1u);
}

TEST_F(Applications, SavingSeveralAggregatesIsOneTransaction) {
  BankAccounts app(context());
  auto a = Account::open("A", "a@x");
  auto b = Account::open("B", "b@x");
  b.deposit(5);
  app.save(a, b);
  EXPECT_EQ(spy->inserts, 1);
  EXPECT_EQ(memory->max_notification_id(), 3u);
  EXPECT_EQ(app.balance(b.id()), 5);
}

TEST_F(Applications, AFailedSaveOfSeveralAggregatesLeavesTheirEventsPending) {
  BankAccounts app(context());
  auto a = Account::open("A", "a@x");
  app.save(a);
  auto stale = Account(a);  // same version 1, no pending
  auto b = Account::open("B", "b@x");
  stale.deposit(1);
  a.deposit(2);
  app.save(a);
  EXPECT_THROW(app.save(b, stale), concurrency_error);
  EXPECT_EQ(b.pending_events().size(), 1u);
  EXPECT_EQ(stale.pending_events().size(), 1u);
  EXPECT_EQ(b.pending_events()[0].topic, "bank.AccountOpened");
  app.save(b);  // b alone can still be saved
  EXPECT_EQ(app.get<Account>(b.id()).full_name, "B");
}

TEST_F(Applications, WithoutACacheEveryGetReadsTheRecorder) {
  BankAccounts app(context());
  const auto id = app.open_account("Alice", "a@x");
  (void)app.balance(id);
  (void)app.balance(id);
  EXPECT_EQ(spy->selects, 2);
}

TEST_F(Applications, AnUnboundedCacheServesGetsAfterSaves) {
  BankAccounts app(context({{"cache", "unbounded"}}));
  const auto id = app.open_account("Alice", "a@x");
  app.deposit(id, 5);
  EXPECT_EQ(app.balance(id), 5);
  EXPECT_EQ(spy->selects, 0);
}

TEST_F(Applications, ABoundedCacheEvictsTheLeastRecentlyUsed) {
  BankAccounts writer(context());
  const auto a = writer.open_account("A", "a@x");
  const auto b = writer.open_account("B", "b@x");
  BankAccounts app(context({{"cache", "1"}}));
  spy->selects = 0;
  (void)app.balance(a);  // read, cached
  (void)app.balance(a);  // cached
  (void)app.balance(b);  // read, evicts a
  (void)app.balance(a);  // read again
  EXPECT_EQ(spy->selects, 3);
}

TEST_F(Applications, AStaleCacheEntryIsCaughtByTheRecorderAndEvicted) {
  BankAccounts app(context({{"cache", "unbounded"}}));
  BankAccounts other(context());
  const auto id = app.open_account("Alice", "a@x");
  other.deposit(id, 1);  // app's cache does not know
  EXPECT_THROW(app.deposit(id, 2), concurrency_error);
  app.deposit(id, 2);  // evicted, so read afresh
  EXPECT_EQ(app.balance(id), 3);
}

TEST_F(Applications, BadOptionsAreNamed) {
  try {
    BankAccounts app(context({{"cache", "lots"}}));
    FAIL();
  } catch (const invalid_input& e) {
    EXPECT_NE(std::string(e.what()).find("'cache'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("lots"), std::string::npos) << e.what();
  }
  EXPECT_THROW(BankAccounts(context({{"snapshot_every", "2"}})), invalid_input);
}

TEST(Snapshots, AreTakenEveryNEventsAndUsedToGet) {
  std::shared_ptr<recorder> events = store::make_memory_recorder();
  auto spy = std::make_shared<spy_recorder>(events);
  std::shared_ptr<recorder> snapshots = store::make_memory_recorder();
  options opts{{"snapshot_every", "2"}};
  BankAccounts app({"BankAccounts", spy, snapshots, opts});
  const auto id = app.open_account("Alice", "a@x");  // v1
  for (int i = 0; i < 4; ++i) app.deposit(id, 10);   // v2..v5
  event_query all;
  const auto taken = snapshots->select_events(id, all);
  ASSERT_EQ(taken.size(), 2u);
  EXPECT_EQ(taken[0].originator_version, 2u);
  EXPECT_EQ(taken[1].originator_version, 4u);

  BankAccounts fresh({"BankAccounts", spy, snapshots, opts});
  const auto account = fresh.get<Account>(id);
  EXPECT_EQ(account.version(), 5u);
  EXPECT_EQ(account.balance, 40);
  EXPECT_EQ(account.full_name, "Alice");
  ASSERT_TRUE(spy->last_query.after_version.has_value());
  EXPECT_EQ(*spy->last_query.after_version, 4u);
}

TEST_F(Applications, ABatchRecordsEverySaveInOneTransaction) {
  BankAccounts app(context());
  std::uint64_t prompted_at = 0;
  int prompts = 0;
  app.on_recorded([&](application&, std::uint64_t max_id) {
    prompted_at = max_id;
    ++prompts;
  });
  auto batch = app.begin_batch();
  const auto a = app.open_account("A", "a@x");
  const auto b = app.open_account("B", "b@x");
  app.deposit(a, 1);
  app.deposit(a, 2);  // sees the staged deposit of 1: version 3
  EXPECT_EQ(app.balance(a), 3);
  EXPECT_EQ(spy->inserts, 0);
  EXPECT_EQ(memory->max_notification_id(), 0u);
  EXPECT_EQ(batch.commit(), 4u);
  EXPECT_EQ(spy->inserts, 1);
  EXPECT_EQ(prompts, 1);
  EXPECT_EQ(prompted_at, 4u);
  EXPECT_EQ(app.balance(a), 3);
  EXPECT_EQ(app.get<Account>(a).version(), 3u);
  EXPECT_EQ(app.get<Account>(b).version(), 1u);
  EXPECT_FALSE(app.in_batch());
}

TEST_F(Applications, ALargeBatchFindsEveryStagedAggregateAndRollsBackFailedCommands) {
  // More aggregates than the linear search covers: the staged index is used.
  BankAccounts app(context());
  app.commands().add("deposit_then_fail", [&app](const command_args& args) -> nlohmann::json {
    app.deposit(args.get<uuid>("id"), 100);
    app.open_account("Ghost", "g@x");
    throw weft::invalid_input("refused");
  });
  auto batch = app.begin_batch();
  std::vector<uuid> ids;
  for (int i = 0; i < 40; ++i) ids.push_back(app.open_account("A" + std::to_string(i), "a@x"));
  for (const auto& id : ids) app.deposit(id, 1);
  EXPECT_FALSE(app.run_command("deposit_then_fail", {{"id", ids[3].str()}}).ok);
  for (const auto& id : ids) app.deposit(id, 2);
  EXPECT_EQ(batch.commit(), 120u);
  EXPECT_EQ(spy->inserts, 1);
  for (const auto& id : ids) {
    const auto account = app.get<Account>(id);
    EXPECT_EQ(account.balance, 3);
    EXPECT_EQ(account.version(), 3u);
  }
}

TEST_F(Applications, ABatchSeesTheLatestOfTwoNewAggregatesOfOneIdAndRecordsNeither) {
  // A new aggregate is staged without looking for an earlier one of its id;
  // a get() still sees the later one, and the recorder refuses the batch.
  for (const char* cache : {"off", "unbounded"}) {
    for (const int others : {0, 30}) {  // linear search, then the staged index
      SCOPED_TRACE(std::string("cache ") + cache + ", " + std::to_string(others) + " others");
      memory = store::make_memory_recorder();
      spy = std::make_shared<spy_recorder>(memory);
      BankAccounts app(context({{"cache", cache}}));
      const auto id = uuid::random();
      auto batch = app.begin_batch();
      for (int i = 0; i < others; ++i) app.open_account("O", "o@x");
      auto first = Account::create(id, bank::AccountOpened{id, "First", "f@x"});
      app.save(first);
      auto second = Account::create(id, bank::AccountOpened{id, "Second", "s@x"});
      second.deposit(5);
      app.save(second);
      if (cache == std::string("off")) {
        // Rebuilt from the staged events: two first versions do not replay.
        EXPECT_THROW((void)app.get<Account>(id), weft::error);
      } else {
        EXPECT_EQ(app.get<Account>(id).full_name, "Second");
        EXPECT_EQ(app.get<Account>(id).version(), 2u);
      }
      EXPECT_THROW(batch.commit(), concurrency_error);
      EXPECT_EQ(memory->max_notification_id(), 0u);
      EXPECT_FALSE(app.find<Account>(id).has_value());
    }
  }
}

TEST_F(Applications, ARolledBackCommandRestoresWhatItReplacedAndDropsWhatItAdded) {
  // Past the linear search: the index is rebuilt after the rollback.
  BankAccounts app(context({{"cache", "unbounded"}}));
  std::vector<uuid> ids;
  app.commands().add("churn_then_fail", [&](const command_args&) -> nlohmann::json {
    app.deposit(ids[0], 10);                          // replaces a staged entry
    app.deposit(ids[0], 20);                          // replaces it again
    ids.push_back(app.open_account("Ghost", "g@x"));  // appends one
    app.deposit(ids.back(), 1);                       // and replaces that
    throw weft::invalid_input("refused");
  });
  auto batch = app.begin_batch();
  for (int i = 0; i < 20; ++i) ids.push_back(app.open_account("A", "a@x"));
  app.deposit(ids[0], 1);
  EXPECT_FALSE(app.run_command("churn_then_fail", nlohmann::json::object()).ok);
  const auto ghost = ids.back();
  EXPECT_FALSE(app.find<Account>(ghost).has_value());
  EXPECT_EQ(app.balance(ids[0]), 1);
  app.deposit(ids[0], 2);
  EXPECT_EQ(batch.commit(), 22u);
  EXPECT_EQ(app.balance(ids[0]), 3);
  EXPECT_EQ(app.get<Account>(ids[0]).version(), 3u);
  EXPECT_FALSE(app.find<Account>(ghost).has_value());
}

TEST_F(Applications, ABatchNotCommittedRecordsNothing) {
  BankAccounts app(context());
  uuid id;
  {
    auto batch = app.begin_batch();
    id = app.open_account("A", "a@x");
  }
  EXPECT_EQ(memory->max_notification_id(), 0u);
  EXPECT_FALSE(app.find<Account>(id).has_value());
  EXPECT_FALSE(app.in_batch());
}

TEST_F(Applications, BatchesDoNotNest) {
  BankAccounts app(context());
  auto batch = app.begin_batch();
  EXPECT_THROW((void)app.begin_batch(), weft::error);
}

TEST_F(Applications, AFailedCommandInABatchRollsBackOnlyItsOwnSaves) {
  BankAccounts app(context());
  app.commands().add("open_then_fail", [&app](const command_args& args) -> nlohmann::json {
    app.open_account(args.get<std::string>("full_name"), "x@x");
    throw weft::invalid_input("refused after saving");
  });
  auto batch = app.begin_batch();
  const auto first = app.handle_command("open_account", R"({"full_name":"A","email":"a@x"})");
  ASSERT_TRUE(first.ok) << first.error;
  const auto id = uuid::parse(first.result.get<std::string>());
  const auto deposited =
      app.run_command("deposit", nlohmann::json{{"id", id.str()}, {"amount", 5}});
  ASSERT_TRUE(deposited.ok) << deposited.error;
  const auto failed = app.handle_command("open_then_fail", R"({"full_name":"B"})");
  EXPECT_FALSE(failed.ok);
  EXPECT_NE(failed.error.find("refused after saving"), std::string::npos) << failed.error;
  const auto bad_deposit =
      app.run_command("deposit", nlohmann::json{{"id", id.str()}, {"amount", -1}});
  EXPECT_FALSE(bad_deposit.ok);
  EXPECT_EQ(batch.commit(), 2u);
  EXPECT_EQ(memory->max_notification_id(), 2u);
  EXPECT_EQ(app.balance(id), 5);
}

TEST_F(Applications, AStaleBatchRecordsNothing) {
  BankAccounts app(context());
  BankAccounts other(context());
  const auto id = app.open_account("A", "a@x");
  auto batch = app.begin_batch();
  app.open_account("B", "b@x");
  app.deposit(id, 1);
  other.deposit(id, 7);
  EXPECT_THROW(batch.commit(), concurrency_error);
  EXPECT_EQ(memory->max_notification_id(), 2u);
  EXPECT_EQ(app.balance(id), 7);
}

TEST_F(Applications, CommandsReplyWithResults) {
  BankAccounts app(context());
  const auto reply = app.handle_command("open_account", R"({"full_name":"A","email":"a@x"})");
  ASSERT_TRUE(reply.ok) << reply.error;
  const auto id = uuid::parse(reply.result.get<std::string>());
  EXPECT_EQ(app.get<Account>(id).email, "a@x");
  const auto text = nlohmann::json::parse(reply.to_json_text());
  EXPECT_EQ(text["ok"], true);
  EXPECT_EQ(text["result"], id.str());
}

std::string error_of(BankAccounts& app, std::string_view name, std::string_view payload) {
  const auto reply = app.handle_command(name, payload);
  EXPECT_FALSE(reply.ok);
  return reply.error;
}

TEST_F(Applications, BadCommandsGetErrorRepliesNamingCommandAndField) {
  BankAccounts app(context());
  auto has = [](const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
  };
  auto unknown = error_of(app, "close_account", "{}");
  EXPECT_TRUE(has(unknown, "close_account") && has(unknown, "open_account")) << unknown;
  auto missing = error_of(app, "open_account", R"({"full_name":"A"})");
  EXPECT_TRUE(has(missing, "open_account") && has(missing, "'email'") && has(missing, "missing"))
      << missing;
  auto mistyped = error_of(app, "open_account", R"({"full_name":"A","email":3})");
  EXPECT_TRUE(has(mistyped, "'email'") && has(mistyped, "number")) << mistyped;
  auto bad_uuid = error_of(app, "deposit", R"({"id":"nope","amount":1})");
  EXPECT_TRUE(has(bad_uuid, "'id'") && has(bad_uuid, "nope")) << bad_uuid;
  auto malformed = error_of(app, "deposit", R"({"id":)");
  EXPECT_TRUE(has(malformed, "deposit") && has(malformed, "JSON")) << malformed;
  auto not_object = error_of(app, "deposit", "[1,2]");
  EXPECT_TRUE(has(not_object, "object")) << not_object;
  const std::string some_id = uuid::random().str();
  auto deposit_of = [&](std::string_view amount) {
    return error_of(app, "deposit",
                    R"({"id":")" + some_id + R"(","amount":)" + std::string(amount) + "}");
  };
  auto fractional = deposit_of("2.5");
  EXPECT_TRUE(has(fractional, "'amount'") && has(fractional, "integer") && has(fractional, "2.5"))
      << fractional;
  auto boolean = deposit_of("true");
  EXPECT_TRUE(has(boolean, "'amount'") && has(boolean, "integer")) << boolean;
  auto too_large = deposit_of("18446744073709551615");
  EXPECT_TRUE(has(too_large, "'amount'") && has(too_large, "out of range")) << too_large;
  auto not_found =
      error_of(app, "deposit", nlohmann::json{{"id", uuid::random().str()}, {"amount", 1}}.dump());
  EXPECT_TRUE(has(not_found, "not found")) << not_found;
  EXPECT_EQ(memory->max_notification_id(), 0u);
}

// Found by fuzz_command_payload: a command name that is not UTF-8 is echoed
// in the error, and turning that reply into JSON text threw (nlohmann's
// type_error 316) where the host sends replies, outside any handler.
TEST_F(Applications, RepliesToCallsThatAreNotUtf8AreValidJsonText) {
  BankAccounts app(context());
  const auto reply = app.handle_command("open\xff\xfe", R"({"full_name":"A","email":"a@x"})");
  ASSERT_FALSE(reply.ok);
  std::string text;
  ASSERT_NO_THROW(text = reply.to_json_text());
  const auto parsed = nlohmann::json::parse(text);
  EXPECT_EQ(parsed["ok"], false);
  EXPECT_NE(parsed["error"].get<std::string>().find("open\ufffd"), std::string::npos) << text;
}

// Flat objects take a fast path; whatever the path, the value (and its
// number types) is the one nlohmann::json's parser gives, and text it
// refuses is refused.
TEST(CommandPayloads, ParseAsNlohmannJsonDoes) {
  const std::vector<std::string> payloads = {
      R"({"n":42})",
      R"( { "n" : -7 , "name" : "ann", "ok": true, "no": false, "x": null } )",
      R"({})",
      R"({"n":0,"m":-0})",
      R"({"big":123456789012345678})",
      R"({"bigger":1234567890123456789012})",
      R"({"huge":18446744073709551615})",
      R"({"lowest":-9223372036854775808})",
      R"({"f":2.5})",
      R"({"e":1e3})",
      R"({"lead":012})",
      R"({"esc":"a\"b"})",
      R"({"u":"\u00e9t\u00e9"})",
      "{\"raw\":\"\xc3\xa9t\xc3\xa9\"}",
      "{\"bad\":\"\xff\"}",
      R"({"nested":{"a":1}})",
      R"({"list":[1,2]})",
      R"({"dup":1,"dup":2})",
      R"({"n":1,})",
      R"({"n" 1})",
      R"({"n":1} trailing)",
      R"({"n":tru})",
      R"({"n":-})",
      R"([1,2])",
      R"("text")",
      "null",
      "{\"tab\":\"a\tb\"}",
      R"({"n":1)",
      "{not json"};
  for (const auto& text : payloads) {
    const auto expected = nlohmann::json::parse(text, nullptr, false);
    const auto got = application::parse_command_payload(text);
    ASSERT_EQ(got.is_discarded(), expected.is_discarded()) << text;
    if (expected.is_discarded()) continue;
    EXPECT_EQ(got, expected) << text;
    if (!expected.is_object()) continue;
    for (const auto& [key, value] : expected.items())
      EXPECT_EQ(got.at(key).type(), value.type()) << text << " field " << key;
  }
  EXPECT_EQ(application::parse_command_payload(" \n"), nlohmann::json::object());
}

// What a field read gives (its value, or the error it throws), as text.
template <class T>
std::string read_field(const command_args& args, std::string_view field) {
  try {
    if constexpr (std::is_same_v<T, uuid>)
      return args.get<T>(field).str();
    else
      return nlohmann::json(args.get<T>(field)).dump();
  } catch (const command_error& e) {
    return std::string("error: ") + e.what();
  }
}

template <class T>
std::string read_optional(const command_args& args, std::string_view field, T fallback) {
  try {
    return nlohmann::json(args.get<T>(field, fallback)).dump();
  } catch (const command_error& e) {
    return std::string("error: ") + e.what();
  }
}

// A parsed payload (read from its text when flat, a tree otherwise) reads
// every field as the tree nlohmann::json parses does: same values, same errors.
TEST(CommandPayloads, FieldsReadAsFromTheTree) {
  const std::string id = uuid::random().str();
  const std::vector<std::string> payloads = {
      R"({"n":42,"s":"ann","b":true,"z":null,"neg":-7,"zero":0,"big":123456789012345678})",
      R"({"n":-1,"s":5,"b":"yes","z":1,"neg":300,"zero":false})",
      R"({"n":4294967296,"s":"","b":false,"neg":-2147483649})",
      R"({"id":")" + id + R"(","bad_id":"not-a-uuid","n":2.5})",
      R"({"n":1,"n":2,"s":"first","s":"second"})",
      R"({"1":1,"2":2,"3":3,"4":4,"5":5,"6":6,"7":7,"8":8,"n":9})",  // more than flat holds
      R"({"n":{"nested":1},"s":"a\"b"})",
      R"( {} )",
      "",
  };
  const std::vector<std::string> fields = {"n",  "s",      "b",       "z",    "neg",
                                           "id", "bad_id", "missing", "zero", "big"};
  for (const auto& text : payloads) {
    const auto payload = command_payload::parse(text);
    const auto tree = application::parse_command_payload(text);
    ASSERT_TRUE(payload.valid()) << text;
    EXPECT_EQ(payload.json(), tree) << text;
    const command_args fast("cmd", payload);
    const command_args slow("cmd", tree);
    for (const auto& field : fields) {
      const auto where = text + " field " + field;
      EXPECT_EQ(fast.has(field), slow.has(field)) << where;
      EXPECT_EQ(read_field<std::uint64_t>(fast, field), read_field<std::uint64_t>(slow, field))
          << where;
      EXPECT_EQ(read_field<std::int32_t>(fast, field), read_field<std::int32_t>(slow, field))
          << where;
      EXPECT_EQ(read_field<std::uint8_t>(fast, field), read_field<std::uint8_t>(slow, field))
          << where;
      EXPECT_EQ(read_field<double>(fast, field), read_field<double>(slow, field)) << where;
      EXPECT_EQ(read_field<bool>(fast, field), read_field<bool>(slow, field)) << where;
      EXPECT_EQ(read_field<std::string>(fast, field), read_field<std::string>(slow, field))
          << where;
      EXPECT_EQ(read_field<uuid>(fast, field), read_field<uuid>(slow, field)) << where;
      EXPECT_EQ(read_field<nlohmann::json>(fast, field), read_field<nlohmann::json>(slow, field))
          << where;
      EXPECT_EQ(read_optional<std::int64_t>(fast, field, 99),
                read_optional<std::int64_t>(slow, field, 99))
          << where;
    }
    EXPECT_EQ(fast.json(), slow.json()) << text;
  }
  // Both paths were taken.
  EXPECT_TRUE(command_payload::parse(payloads[0]).is_flat());
  EXPECT_FALSE(command_payload::parse(payloads[5]).is_flat());
}

TEST(CommandPayloads, InvalidOrNonObjectPayloadsAreAnsweredAsBefore) {
  BankAccounts app({"BankAccounts", store::make_memory_recorder(), nullptr, {}});
  for (const std::string text : {"{not json", "[1,2]", "\"text\"", R"({"n":1,})"}) {
    const auto payload = command_payload::parse(text);
    EXPECT_EQ(payload.is_object(), false) << text;
    const auto parsed = app.run_command("deposit", payload);
    const auto from_tree = app.run_command("deposit", application::parse_command_payload(text));
    EXPECT_FALSE(parsed.ok) << text;
    EXPECT_EQ(parsed.error, from_tree.error) << text;
  }
  EXPECT_FALSE(command_payload::parse("{not json").valid());
  EXPECT_TRUE(command_payload::parse(" ").is_object());
}

TEST_F(Applications, AddingACommandTwiceIsAnError) {
  BankAccounts app(context());
  EXPECT_THROW(app.commands().add("deposit", [](const command_args&) { return nlohmann::json(); }),
               weft::error);
}

}  // namespace
}  // namespace weft::es
