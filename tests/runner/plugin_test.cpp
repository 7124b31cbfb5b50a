// The plugin loader against real shared libraries built for the test.
#include "weft/runner/plugin.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "weft/es/application_registry.hpp"
#include "weft/runner/system_file.hpp"

namespace weft::runner {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const fs::path plugin_dir = WEFT_TEST_PLUGIN_DIR;

std::string error_loading(const fs::path& path) {
  try {
    plugin::load(path);
  } catch (const plugin_error& e) {
    return e.what();
  }
  return "(no error)";
}

using es::application_registry;
auto count = [](const application_registry& r) { return r.names().size(); };

TEST(Plugin, LoadsAndRegistersThroughTheEntryPoint) {
  const auto p = plugin::load(plugin_dir / "libweft_test_registering_plugin.so");
  EXPECT_EQ(p.path(), fs::canonical(plugin_dir / "libweft_test_registering_plugin.so"));
  application_registry registry;
  p.register_types(registry, count);
  EXPECT_EQ(registry.names(), std::vector<std::string>{"test.Counter"});
}

TEST(Plugin, ReportsTheCanonicalPathOfARelativeOne) {
  const auto cwd = fs::current_path();
  fs::current_path(plugin_dir);
  const auto p = plugin::load("./../plugins/libweft_test_registering_plugin.so");
  fs::current_path(cwd);
  EXPECT_EQ(p.path(), fs::canonical(plugin_dir / "libweft_test_registering_plugin.so"));
  EXPECT_TRUE(p.path().is_absolute());
}

TEST(Plugin, APluginThatRegistersNothingIsAnError) {
  const auto p = plugin::load(plugin_dir / "libweft_test_silent_plugin.so");
  application_registry registry;
  try {
    p.register_types(registry, count);
    FAIL() << "expected plugin_error";
  } catch (const plugin_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("libweft_test_silent_plugin.so"));
    EXPECT_THAT(e.what(), HasSubstr("registers no application types"));
  }
}

TEST(Plugin, MissingFileIsNamed) {
  EXPECT_THAT(error_loading(plugin_dir / "libnothing.so"),
              HasSubstr((plugin_dir / "libnothing.so").string()));
  EXPECT_THAT(error_loading(plugin_dir / "libnothing.so"), HasSubstr("No such file"));
}

TEST(Plugin, MissingEntryPointIsNamed) {
  const auto message = error_loading(plugin_dir / "libweft_test_entryless_plugin.so");
  EXPECT_THAT(message, HasSubstr("libweft_test_entryless_plugin.so"));
  EXPECT_THAT(message, HasSubstr("has no entry point weft_plugin_register"));
}

TEST(Plugin, UnresolvedSymbolsFailAtLoadNotLater) {
  const auto message = error_loading(plugin_dir / "libweft_test_unresolved_plugin.so");
  EXPECT_THAT(message, HasSubstr("libweft_test_unresolved_plugin.so: cannot load"));
  EXPECT_THAT(message, HasSubstr("weft_test_symbol_nobody_defines"));
}

TEST(Plugin, APluginEveryUserMayRewriteIsRefused) {
  const fs::path dir =
      fs::temp_directory_path() / ("weft-plugin-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path copy = dir / "libshared_writable.so";
  fs::copy_file(plugin_dir / "libweft_test_registering_plugin.so", copy,
                fs::copy_options::overwrite_existing);
  fs::permissions(copy, fs::perms::others_write, fs::perm_options::add);
  const auto message = error_loading(copy);
  fs::remove_all(dir);
  EXPECT_THAT(message, HasSubstr(copy.string() + ": writable by every user"));
}

TEST(Plugin, NotASharedLibraryIsAnError) {
  EXPECT_THAT(error_loading(WEFT_TEST_DATA "/shop.toml"), HasSubstr("cannot load"));
  EXPECT_THAT(error_loading(plugin_dir), HasSubstr("not a regular file"));
}

TEST(Plugin, LoadPluginsNamesTheSystemFileLine) {
  const auto spec = load_system_file(WEFT_TEST_DATA "/plugin_missing.toml");
  try {
    load_plugins(spec);
    FAIL() << "expected plugin_error";
  } catch (const plugin_error& e) {
    EXPECT_THAT(e.what(), StartsWith(std::string(WEFT_TEST_DATA) +
                                     "/plugin_missing.toml:2:12: plugins[0]: plugin "));
    EXPECT_THAT(e.what(), HasSubstr("libmissing.so"));
  }
}

}  // namespace
}  // namespace weft::runner
