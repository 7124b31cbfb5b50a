// The runner bound to the real es application registry: plugins, type checks,
// and the es system definition a system file becomes.
#include "weft/runner/registry.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "shop/shop.hpp"
#include "weft/runner/system_file.hpp"

namespace weft::runner {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using names = std::vector<std::string>;

const std::string plugin_dir = WEFT_TEST_PLUGIN_DIR;

std::string message_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Registry, TheShopPluginMakesTheShopSystemValid) {
  const auto spec = load_system_file(WEFT_TEST_GENERATED_DATA "/shop_plugin.toml");
  es::application_registry registry;
  const auto plugins = prepare_system(spec, registry);
  ASSERT_EQ(plugins.size(), 1u);
  EXPECT_EQ(registry.names(), (names{"shop.Orders", "shop.Payments", "shop.Reservations"}));

  const auto definition = to_definition(spec);
  EXPECT_EQ(definition.apps(), (names{"Orders", "Reservations", "Payments"}));
  EXPECT_EQ(definition.followers_of("Orders"), (names{"Reservations", "Payments"}));
  EXPECT_EQ(definition.type_of("Payments", registry).name, "shop.Payments");
  EXPECT_EQ(definition.options_of("Reservations").get("item", ""), "pear");
  EXPECT_EQ(definition.options_of("Reservations").get_uint("stock_per_item", 0), 1000000u);
  EXPECT_NO_THROW(definition.validate(registry));
}

TEST(Registry, IsolatedApplicationsAreInTheDefinition) {
  const auto spec = parse_system_file(
      "name = \"s\"\n[[applications]]\nname = \"Solo\"\ntype = \"shop.Orders\"\n", "/w/s.toml");
  EXPECT_EQ(to_definition(spec).apps(), (names{"Solo"}));
}

TEST(Registry, FollowersRecordASectionPerTransactionUnlessTheirOptionsSayOtherwise) {
  const auto spec = parse_system_file(
      "name = \"s\"\npipes = [\"Orders | Reservations | Payments\"]\n"
      "[batching]\nsection_events = 512\n"
      "[[applications]]\nname = \"Orders\"\ntype = \"shop.Orders\"\n"
      "[[applications]]\nname = \"Reservations\"\ntype = \"shop.Reservations\"\n"
      "[[applications]]\nname = \"Payments\"\ntype = \"shop.Payments\"\n"
      "options = { batch_size = 7 }\n",
      "/w/s.toml");
  const auto definition = to_definition(spec);
  EXPECT_EQ(definition.options_of("Reservations").get_uint("batch_size", 0), 512u);
  EXPECT_EQ(definition.options_of("Payments").get_uint("batch_size", 0), 7u);
  EXPECT_EQ(options_of(spec, *spec.find("Reservations")).get_uint("batch_size", 0), 512u);
}

TEST(Registry, AFollowerThatIsNotAProcessApplicationIsNamed) {
  const auto spec = parse_system_file("name = \"s\"\nplugins = [\"" + plugin_dir +
                                          "/libweft_test_registering_plugin.so\"]\n"
                                          "pipes = [\"Orders | Counter\"]\n"
                                          "[[applications]]\nname = \"Orders\"\n"
                                          "type = \"shop.Orders\"\n"
                                          "[[applications]]\nname = \"Counter\"\n"
                                          "type = \"test.Counter\"\n",
                                      "/w/s.toml");
  es::application_registry registry;
  shop::register_types(registry);
  EXPECT_EQ(message_of([&] { prepare_system(spec, registry); }),
            "/w/s.toml:3:10: pipes[0]: 'Counter' follows 'Orders' but its type 'test.Counter' is "
            "not a process application (only process applications can follow)");
}

TEST(Registry, APluginThatRegistersNothingIsNamedWithItsLine) {
  const auto spec = parse_system_file("name = \"s\"\nplugins = [\"" + plugin_dir +
                                          "/libweft_test_silent_plugin.so\"]\n"
                                          "[[applications]]\nname = \"A\"\ntype = \"x\"\n",
                                      "/w/s.toml");
  es::application_registry registry;
  const auto message = message_of([&] { register_plugins(spec, registry); });
  EXPECT_THAT(message, StartsWith("/w/s.toml:2:12: plugins[0]: plugin "));
  EXPECT_THAT(message, HasSubstr("libweft_test_silent_plugin.so: registers no application types"));
}

TEST(Registry, ATypeRegisteredTwiceIsAPluginError) {
  const auto spec = load_system_file(WEFT_TEST_GENERATED_DATA "/shop_plugin.toml");
  es::application_registry registry;
  shop::register_types(registry);  // as if the executable had the shop built in
  const auto message = message_of([&] { register_plugins(spec, registry); });
  EXPECT_THAT(message, HasSubstr("shop_plugin.toml:4:12: plugins[0]: plugin /"));
  EXPECT_THAT(message, HasSubstr("shop.Orders"));
}

}  // namespace
}  // namespace weft::runner
