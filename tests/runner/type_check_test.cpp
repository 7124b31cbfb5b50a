#include "weft/runner/type_check.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "weft/runner/system_file.hpp"

namespace weft::runner {
namespace {

using ::testing::HasSubstr;

// A registry as the es layer would answer: "shop.Orders" is a process
// application, "shop.Catalog" a plain application.
type_catalog shop_catalog() {
  const std::vector<std::string> processes{"shop.Orders", "shop.Payments"};
  const std::vector<std::string> all{"shop.Orders", "shop.Payments", "shop.Catalog"};
  return {[all](std::string_view t) { return std::find(all.begin(), all.end(), t) != all.end(); },
          [processes](std::string_view t) {
            return std::find(processes.begin(), processes.end(), t) != processes.end();
          },
          [all] { return all; }};
}

std::string error_of(const std::string& text, const type_catalog& catalog) {
  const auto spec = parse_system_file(text, "/w/sys.toml");
  try {
    validate_types(spec, catalog);
  } catch (const system_file_error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(TypeCheck, AcceptsRegisteredTypesAndProcessFollowers) {
  EXPECT_EQ(error_of(R"(name = "s"
pipes = ["Catalog | Orders | Payments | Orders"]
[[applications]]
name = "Catalog"
type = "shop.Catalog"
[[applications]]
name = "Orders"
type = "shop.Orders"
[[applications]]
name = "Payments"
type = "shop.Payments"
)",
                     shop_catalog()),
            "(no error)");
}

TEST(TypeCheck, UnknownTypeNamesLineAndSuggests) {
  EXPECT_EQ(error_of("name = \"s\"\n[[applications]]\nname = \"O\"\ntype = \"shop.Order\"\n",
                     shop_catalog()),
            "/w/sys.toml:4:8: applications[0].type: unknown application type 'shop.Order' for "
            "'O' (did you mean 'shop.Orders'?)");
}

TEST(TypeCheck, AnEmptyRegistryHintsAtAMissingPlugin) {
  const type_catalog empty{[](std::string_view) { return false; },
                           [](std::string_view) { return false; },
                           [] { return std::vector<std::string>{}; }};
  EXPECT_THAT(error_of("name = \"s\"\n[[applications]]\nname = \"O\"\ntype = \"x\"\n", empty),
              HasSubstr("is a plugin missing?"));
}

TEST(TypeCheck, AFollowerMustBeAProcessApplication) {
  EXPECT_EQ(error_of(R"(name = "s"
pipes = ["Orders | Catalog"]
[[applications]]
name = "Catalog"
type = "shop.Catalog"
[[applications]]
name = "Orders"
type = "shop.Orders"
)",
                     shop_catalog()),
            "/w/sys.toml:2:10: pipes[0]: 'Catalog' follows 'Orders' but its type 'shop.Catalog' "
            "is not a process application (only process applications can follow)");
}

}  // namespace
}  // namespace weft::runner
