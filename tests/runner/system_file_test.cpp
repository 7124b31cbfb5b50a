#include "weft/runner/system_file.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace weft::runner {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const fs::path data = WEFT_TEST_DATA;

// The message of the system_file_error that parsing `text` (as "sys.toml") throws.
std::string error_of(const std::string& text) {
  try {
    parse_system_file(text, "sys.toml");
  } catch (const system_file_error& e) {
    return e.what();
  }
  return "(no error)";
}

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
  EXPECT_EQ(spec.applications[0].where.line, 31);
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

TEST(SystemFile, SyntaxErrorNamesFileAndLine) {
  try {
    load_system_file(data / "syntax_error.toml");
    FAIL();
  } catch (const system_file_error& e) {
    EXPECT_THAT(e.what(), StartsWith((data / "syntax_error.toml").string() + ":5:"));
    EXPECT_THAT(e.what(), HasSubstr("syntax error"));
  }
}

TEST(SystemFile, MissingFileIsNamed) {
  EXPECT_THAT(
      [] {
        try {
          load_system_file("/nonexistent/dir/sys.toml");
        } catch (const system_file_error& e) {
          return std::string(e.what());
        }
        return std::string();
      }(),
      HasSubstr("/nonexistent/dir/sys.toml: cannot read system file (no such file)"));
}

TEST(SystemFile, UnknownKeysAreRejectedWithASuggestion) {
  EXPECT_EQ(error_of("name = \"s\"\n[[applications]]\nname = \"A\"\ntpye = \"t\"\n"),
            "sys.toml:4:1: applications[0].tpye: unknown key (did you mean 'type'?)");
  EXPECT_EQ(error_of("name = \"s\"\nplugin = []\n" + one_app),
            "sys.toml:2:1: plugin: unknown key (did you mean 'plugins'?)");
  EXPECT_EQ(error_of("name = \"s\"\n" + one_app + "[supervision]\nmax_restart = 3\n"),
            "sys.toml:6:1: supervision.max_restart: unknown key (did you mean 'max_restarts'?)");
  EXPECT_EQ(error_of("name = \"s\"\ncolour = 1\n" + one_app), "sys.toml:2:1: colour: unknown key");
}

TEST(SystemFile, WrongTypesNameTheKeyAndBothTypes) {
  EXPECT_EQ(error_of("name = 5\n" + one_app),
            "sys.toml:1:8: name: expected a string, got an integer");
  EXPECT_EQ(error_of("name = \"s\"\n" + one_app + "[rings]\nedge_bytes = \"big\"\n"),
            "sys.toml:6:14: rings.edge_bytes: expected an integer, got a string");
  EXPECT_EQ(error_of("name = \"s\"\npipes = [[\"A\", 3]]\n" + one_app),
            "sys.toml:2:16: pipes[0][1]: expected an application name (string), got an integer");
  EXPECT_EQ(error_of("name = \"s\"\npersistence = \"sqlite\"\n" + one_app),
            "sys.toml:2:15: persistence: expected a table, got a string");
}

TEST(SystemFile, MissingRequiredKeysAreNamed) {
  EXPECT_THAT(error_of(one_app), HasSubstr("name: missing required key 'name'"));
  EXPECT_THAT(error_of("name = \"s\"\n"),
              HasSubstr("applications: a system needs at least one application"));
  EXPECT_EQ(error_of("name = \"s\"\n[[applications]]\nname = \"A\"\n"),
            "sys.toml:2:1: applications[0] ('A'): missing required key 'type'");
}

TEST(SystemFile, BadValuesAreExplained) {
  const std::string head = "name = \"s\"\n" + one_app;
  EXPECT_EQ(error_of(head + "[rings]\nedge_bytes = 5000\n"),
            "sys.toml:6:14: rings.edge_bytes: must be a power of two, not 5000");
  EXPECT_EQ(error_of(head + "[rings]\ningress_bytes = 1024\n"),
            "sys.toml:6:17: rings.ingress_bytes: must be between 4096 and 1073741824, not 1024");
  EXPECT_EQ(error_of(head + "[batching]\ngroup_commit = 0\n"),
            "sys.toml:6:16: batching.group_commit: must be between 1 and 1048576, not 0");
  EXPECT_EQ(error_of(head + "[persistence]\nkind = \"sqlit\"\n"),
            "sys.toml:6:8: persistence.kind: unknown persistence 'sqlit' (expected memory, "
            "sqlite or postgres) (did you mean 'sqlite'?)");
  EXPECT_EQ(error_of(head + "[persistence]\ndurability = \"paranoid\"\n"),
            "sys.toml:6:14: persistence.durability: unknown durability 'paranoid' (expected "
            "full or normal)");
  EXPECT_EQ(error_of(head + "[persistence]\nkind = \"memory\"\ndurability = \"full\"\n"),
            "sys.toml:7:14: persistence.durability: applies to kind = \"sqlite\" only");
  EXPECT_THAT(error_of(head + "[persistence]\nkind = \"postgres\"\n"),
              HasSubstr("persistence: kind = \"postgres\" needs a dsn"));
  EXPECT_EQ(error_of(head + "[supervision]\nbackoff_initial_ms = 500\nbackoff_max_ms = 100\n"),
            "sys.toml:7:18: supervision.backoff_max_ms: must not be less than "
            "backoff_initial_ms (500)");
  EXPECT_EQ(error_of("name = \"my shop\"\n" + one_app),
            "sys.toml:1:8: name: 'my shop' is not a valid name (1 to 64 of A-Z a-z 0-9 _ - .)");
}

TEST(SystemFile, OptionsAreFlat) {
  EXPECT_EQ(error_of("name = \"s\"\n" + one_app + "options = { sizes = [1, 2] }\n"),
            "sys.toml:5:21: applications[0].options.sizes: expected a string, number or "
            "boolean (options are flat key/value pairs), got an array");
}

TEST(SystemFile, PostgresTakesADsn) {
  const auto spec = parse_system_file(
      "name = \"s\"\n[persistence]\nkind = \"postgres\"\ndsn = \"host=db\"\n" + one_app, "s.toml");
  EXPECT_EQ(spec.persistence.backend, persistence_spec::kind::postgres);
  EXPECT_EQ(spec.persistence.dsn, "host=db");
}

TEST(SystemFile, PipesMustNameKnownApplications) {
  const std::string apps = one_app + "[[applications]]\nname = \"Orders\"\ntype = \"t.O\"\n";
  EXPECT_EQ(error_of("name = \"s\"\npipes = [[\"Orders\", \"Ordres\"]]\n" + apps),
            "sys.toml:2:21: pipes[0]: unknown application 'Ordres' (did you mean 'Orders'?)");
  EXPECT_EQ(error_of("name = \"s\"\npipes = [\"A | Orders\", \"Orders | Zed\"]\n" + apps),
            "sys.toml:2:24: pipes[1]: unknown application 'Zed'");
  EXPECT_EQ(error_of("name = \"s\"\npipes = [\"A | | Orders\"]\n" + apps),
            "sys.toml:2:10: pipes[0]: empty application name in \"A | | Orders\"");
  EXPECT_EQ(error_of("name = \"s\"\npipes = [[\"A\"]]\n" + apps),
            "sys.toml:2:10: pipes[0]: a pipe needs at least two applications (a leader and a "
            "follower)");
}

TEST(SystemFile, DuplicateApplicationNamesAreRejected) {
  EXPECT_EQ(error_of("name = \"s\"\n" + one_app + one_app),
            "sys.toml:6:8: applications[1].name: duplicate application name 'A' (first defined "
            "at line 2)");
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
