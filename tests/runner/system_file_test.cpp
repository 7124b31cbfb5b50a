// System files read right. Bad ones, each with its exact error, are rows of
// bad_input_catalogue_test.cpp (run through the real executable).
#include "weft/runner/system_file.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace weft::runner {
namespace {

namespace fs = std::filesystem;

const fs::path data = WEFT_TEST_DATA;

const std::string one_app = "[[applications]]\nname = \"A\"\ntype = \"t.A\"\n";

TEST(SystemFile, ReadsEverySectionOfTheShop) {
  const auto spec = load_system_file(data / "shop.toml");
  EXPECT_EQ(spec.name, "shop");
  EXPECT_EQ(spec.source, data / "shop.toml");
  EXPECT_EQ(spec.data_dir, data / "shop-data");
  EXPECT_TRUE(spec.plugins.empty());

  ASSERT_EQ(spec.applications.size(), 3u);
  EXPECT_EQ(spec.applications[0].name, "Orders");
  EXPECT_EQ(spec.applications[0].type, "shop.Orders");
  EXPECT_EQ(spec.applications[0].where.line, 32);
  EXPECT_EQ(spec.applications[1].options["stock_per_item"], 1000000);
  EXPECT_EQ(spec.applications[1].options["item"], "pear");
  EXPECT_EQ(spec.applications[1].options["strict"], true);
  const auto& payments = spec.applications[2];
  EXPECT_EQ(payments.options["currency"], "EUR");
  EXPECT_DOUBLE_EQ(payments.options["limit_per_order"].get<double>(), 250.5);

  ASSERT_EQ(spec.pipes.size(), 2u);
  EXPECT_EQ(spec.pipes[0].names, (std::vector<std::string>{"Orders", "Reservations", "Orders"}));
  EXPECT_EQ(spec.pipes[1].names, (std::vector<std::string>{"Orders", "Payments", "Orders"}));

  EXPECT_EQ(spec.persistence.backend, persistence_spec::kind::sqlite);
  EXPECT_EQ(spec.persistence.sync, persistence_spec::durability::full);
  // An override starts from the system's persistence and changes what it names.
  const auto& own = spec.persistence_of(payments);
  EXPECT_EQ(own.backend, persistence_spec::kind::sqlite);
  EXPECT_EQ(own.sync, persistence_spec::durability::normal);
  EXPECT_EQ(spec.persistence_of(spec.applications[0]).sync, persistence_spec::durability::full);

  EXPECT_EQ(spec.rings.edge_bytes, 1u << 20);
  EXPECT_EQ(spec.rings.ingress_bytes, 1u << 18);
  EXPECT_EQ(spec.batching.section_events, 500u);
  EXPECT_EQ(spec.batching.group_commit, 128u);
  EXPECT_EQ(spec.supervision.max_restarts, 5u);
  EXPECT_EQ(spec.supervision.window, std::chrono::seconds(60));
  EXPECT_EQ(spec.supervision.heartbeat_timeout, std::chrono::milliseconds(3000));
  EXPECT_EQ(spec.supervision.turn_timeout, std::chrono::seconds(30));
}

TEST(SystemFile, DefaultsWhenSectionsAreAbsent) {
  const auto spec = load_system_file(data / "minimal.toml");
  EXPECT_EQ(spec.name, "tiny");
  EXPECT_EQ(spec.data_dir, data / "tiny-data");
  EXPECT_TRUE(spec.pipes.empty());
  EXPECT_TRUE(spec.plugins.empty());
  EXPECT_EQ(spec.persistence.backend, persistence_spec::kind::sqlite);
  EXPECT_EQ(spec.rings.edge_bytes, ring_spec{}.edge_bytes);
  EXPECT_FALSE(spec.applications[0].persistence.has_value());
  EXPECT_TRUE(spec.applications[0].options.is_object());
}

TEST(SystemFile, PostgresTakesADsn) {
  const auto spec = parse_system_file(
      "name = \"s\"\n[persistence]\nkind = \"postgres\"\ndsn = \"host=db\"\n" + one_app, "s.toml");
  EXPECT_EQ(spec.persistence.backend, persistence_spec::kind::postgres);
  EXPECT_EQ(spec.persistence.dsn, "host=db");
}

TEST(SystemFile, SelfFollowIsAllowed) {
  const auto spec = parse_system_file("name = \"s\"\npipes = [\"A | A\"]\n" + one_app, "s.toml");
  EXPECT_EQ(spec.pipes[0].names, (std::vector<std::string>{"A", "A"}));
}

TEST(SystemFile, RelativePathsResolveAgainstTheFilesDirectory) {
  const auto spec = parse_system_file(
      "name = \"s\"\ndata_dir = \"../d\"\nplugins = [\"p/x.so\", \"/abs/y.so\"]\n" + one_app,
      "/etc/weft/sys.toml");
  EXPECT_EQ(spec.data_dir, fs::path("/etc/d"));
  EXPECT_EQ(spec.plugins[0], fs::path("/etc/weft/p/x.so"));
  EXPECT_EQ(spec.plugins[1], fs::path("/abs/y.so"));
  EXPECT_EQ(spec.plugin_where[1].line, 3);
  EXPECT_EQ(spec.plugin_where[1].column, 22);
}

}  // namespace
}  // namespace weft::runner
