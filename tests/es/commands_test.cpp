#include "weft/es/commands.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "weft/es/command_payload.hpp"

namespace weft::es {
namespace {

// A table of `count` commands named c0, c1, ...; each answers its own name.
command_table table_of(int count) {
  command_table table;
  for (int i = count; i-- > 0;) {
    const std::string name = "c" + std::to_string(i);
    table.add(name, [name](const command_args&) { return nlohmann::json(name); });
  }
  return table;
}

// Small tables are scanned, large ones searched: both must find the same.
TEST(CommandTable, FindsEveryCommandAndNothingElseWhateverItsSize) {
  for (const int count : {1, 3, 16, 17, 40}) {
    const auto table = table_of(count);
    const command_payload none;
    for (int i = 0; i < count; ++i) {
      const std::string name = "c" + std::to_string(i);
      const auto* run = table.find(name);
      ASSERT_NE(run, nullptr) << name << " of " << count;
      EXPECT_EQ((*run)(command_args(name, none)), name);
      EXPECT_TRUE(table.contains(name));
    }
    for (const std::string& missing :
         std::vector<std::string>{"", "c", "c" + std::to_string(count), "d0", "c00"}) {
      EXPECT_EQ(table.find(missing), nullptr) << missing << " of " << count;
      EXPECT_THROW((void)table.at(missing), command_error);
    }
    auto names = table.names();
    EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
    EXPECT_EQ(names.size(), static_cast<std::size_t>(count));
  }
}

TEST(CommandTable, ACommandAddedTwiceIsAnErrorNamingIt) {
  auto table = table_of(20);
  try {
    table.add("c7", [](const command_args&) { return nlohmann::json(); });
    FAIL() << "added twice";
  } catch (const error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("'c7' is added already"));
  }
}

// A payload parsed again in place reads as a fresh one of the same text.
TEST(CommandPayload, AssignedTextReadsAsAFreshPayload) {
  command_payload reused(R"({"a":[1,2],"b":{"c":true}})");  // starts as a tree
  for (const std::string text :
       {R"({"n":123456789012345678})", R"({"n":-42,"s":"x"})", "  ", "[1]", R"({"s":"\u00e9"})",
        "not json", R"({"n":7})", R"({"n":1.5})", "{}"}) {
    reused.assign(text);
    const command_payload fresh(text);
    ASSERT_EQ(reused.valid(), fresh.valid()) << text;
    EXPECT_EQ(reused.is_flat(), fresh.is_flat()) << text;
    EXPECT_EQ(reused.is_object(), fresh.is_object()) << text;
    EXPECT_EQ(reused.text(), text);
    if (fresh.valid()) {
      EXPECT_EQ(reused.json(), fresh.json()) << text;
    }
  }
}

TEST(CommandPayload, FlatIntegersReadAsTheirValues) {
  const command_payload payload(R"({"big":123456789012345678,"neg":-9,"zero":0})");
  ASSERT_TRUE(payload.is_flat());
  const command_args args("cmd", payload);
  EXPECT_EQ(args.get<std::uint64_t>("big"), 123456789012345678u);
  EXPECT_EQ(args.get<std::int64_t>("neg"), -9);
  EXPECT_EQ(args.get<int>("zero"), 0);
  EXPECT_EQ(payload.json()["big"], nlohmann::json(123456789012345678u));
  EXPECT_THROW((void)args.get<std::uint8_t>("big"), command_error);
}

}  // namespace
}  // namespace weft::es
