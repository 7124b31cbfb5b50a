// The bad-input catalogue, part one: what a user types or writes before a
// system runs. Every row is one bad input given to the real `weft`
// executable and the exact error it must print, with its exit code
// (cli.hpp: 2 = bad arguments or input, 4 = system not running).
//   - system files: syntax, types, keys, values, names, pipes, types of
//     applications (`weft check`, a few also `weft run`);
//   - plugins: missing, not loadable, without registrations, without entry
//     point, registering a type name twice;
//   - command lines: commands, flags, values, files, directories.
// Commands sent to a running system, shared memory and storage are in
// bad_input_running_test.cpp and bad_input_storage_test.cpp.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "run_weft.hpp"

namespace weft::test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string shop_plugin = WEFT_SHOP_PLUGIN;
const std::string plugin_dir = WEFT_TEST_PLUGIN_DIR;
std::string test_plugin(const std::string& kind) {
  return plugin_dir + "/libweft_test_" + kind + "_plugin.so";
}

// Replaces every "{file}" in `text` with `file`.
std::string with_file(std::string text, const std::string& file) {
  for (auto at = text.find("{file}"); at != std::string::npos; at = text.find("{file}", at))
    text.replace(at, 6, file);
  return text;
}

// ---- system files ----------------------------------------------------------

enum class match { exact, prefix, contains };

struct bad_file {
  std::string name;     // the row's test name
  std::string text;     // the system file
  std::string message;  // stderr's last line; "{file}" is the file's path
  match how = match::exact;
  const char* command = "check";
};

void PrintTo(const bad_file& row, std::ostream* out) {
  *out << row.name;
}

const std::string one_app = "[[applications]]\nname = \"A\"\ntype = \"t.A\"\n";
const std::string head = "name = \"s\"\n" + one_app;  // a valid start; rows add one fault
const std::string two_apps = one_app + "[[applications]]\nname = \"Orders\"\ntype = \"t.O\"\n";

std::vector<bad_file> syntax_and_key_rows() {
  return {
      {"SyntaxError", "name = \"s\"\n[[applications]]\nname = \"A\"\ntype = \n",
       "{file}:4:8: syntax error: ", match::prefix},
      {"UnterminatedString", "name = \"s\n" + one_app, "{file}:1:", match::prefix},
      {"UnknownTopLevelKey", "name = \"s\"\ncolour = 1\n" + one_app,
       "{file}:2:1: colour: unknown key"},
      {"MisspelledTopLevelKey", "name = \"s\"\nplugin = []\n" + one_app,
       "{file}:2:1: plugin: unknown key (did you mean 'plugins'?)"},
      {"MisspelledApplicationKey", "name = \"s\"\n[[applications]]\nname = \"A\"\ntpye = \"t\"\n",
       "{file}:4:1: applications[0].tpye: unknown key (did you mean 'type'?)"},
      {"MisspelledSupervisionKey", head + "[supervision]\nmax_restart = 3\n",
       "{file}:6:1: supervision.max_restart: unknown key (did you mean 'max_restarts'?)"},
      {"UnknownPersistenceKey", head + "[persistence]\nkind = \"sqlite\"\npath = \"x\"\n",
       "{file}:7:1: persistence.path: unknown key"},
      {"MissingName", one_app, "{file}:1:1: name: missing required key 'name'"},
      {"NoApplications", "name = \"s\"\n",
       "{file}: applications: a system needs at least one application: add [[applications]] "
       "with name and type"},
      {"ApplicationWithoutType", "name = \"s\"\n[[applications]]\nname = \"A\"\n",
       "{file}:2:1: applications[0] ('A'): missing required key 'type'"},
      {"EmptyType", "name = \"s\"\n[[applications]]\nname = \"A\"\ntype = \"\"\n",
       "{file}:4:8: applications[0].type: is empty"},
  };
}

std::vector<bad_file> type_and_value_rows() {
  return {
      {"NameIsNotAString", "name = 5\n" + one_app,
       "{file}:1:8: name: expected a string, got an integer"},
      {"SystemNameWithASpace", "name = \"my shop\"\n" + one_app,
       "{file}:1:8: name: 'my shop' is not a valid name (1 to 64 of A-Z a-z 0-9 _ - .)"},
      {"ApplicationNameWithASlash",
       "name = \"s\"\n[[applications]]\nname = \"a/b\"\ntype = \"t\"\n",
       "{file}:3:8: applications[0].name: 'a/b' is not a valid name (1 to 64 of A-Z a-z 0-9 _ - "
       ".)"},
      {"DataDirIsNotAString", "name = \"s\"\ndata_dir = 7\n" + one_app,
       "{file}:2:12: data_dir: expected a string, got an integer"},
      {"PluginsIsNotAnArray", "name = \"s\"\nplugins = \"x.so\"\n" + one_app,
       "{file}:2:11: plugins: expected an array, got a string"},
      {"PluginPathIsNotAString", "name = \"s\"\nplugins = [3]\n" + one_app,
       "{file}:2:12: plugins[0]: expected a path to a shared library, got an integer"},
      {"ApplicationsIsNotATableArray", "name = \"s\"\napplications = [1]\n",
       "{file}:2:17: applications[0]: expected a table ([[applications]]), got an integer"},
      {"PersistenceIsNotATable", "name = \"s\"\npersistence = \"sqlite\"\n" + one_app,
       "{file}:2:15: persistence: expected a table, got a string"},
      {"RingSizeIsAString", head + "[rings]\nedge_bytes = \"big\"\n",
       "{file}:6:14: rings.edge_bytes: expected an integer, got a string"},
      {"RingSizeNotAPowerOfTwo", head + "[rings]\nedge_bytes = 5000\n",
       "{file}:6:14: rings.edge_bytes: must be a power of two, not 5000"},
      {"RingSizeTooSmall", head + "[rings]\ningress_bytes = 1024\n",
       "{file}:6:17: rings.ingress_bytes: must be between 4096 and 1073741824, not 1024"},
      {"RingSizeNegative", head + "[rings]\nedge_bytes = -4096\n",
       "{file}:6:14: rings.edge_bytes: must be between 4096 and 1073741824, not -4096"},
      {"ZeroGroupCommit", head + "[batching]\ngroup_commit = 0\n",
       "{file}:6:16: batching.group_commit: must be between 1 and 1048576, not 0"},
      {"NegativeSectionBatch", head + "[batching]\nsection_events = -5\n",
       "{file}:6:18: batching.section_events: must be between 1 and 1048576, not -5"},
      {"BatchIsAFloat", head + "[batching]\nsection_events = 2.5\n",
       "{file}:6:18: batching.section_events: expected an integer, got a float"},
      {"UnknownPersistenceKind", head + "[persistence]\nkind = \"sqlit\"\n",
       "{file}:6:8: persistence.kind: unknown persistence 'sqlit' (expected memory, sqlite or "
       "postgres) (did you mean 'sqlite'?)"},
      {"UnknownDurability", head + "[persistence]\ndurability = \"paranoid\"\n",
       "{file}:6:14: persistence.durability: unknown durability 'paranoid' (expected full or "
       "normal)"},
      {"DurabilityOnMemory", head + "[persistence]\nkind = \"memory\"\ndurability = \"full\"\n",
       "{file}:7:14: persistence.durability: applies to kind = \"sqlite\" only"},
      {"PostgresWithoutDsn", head + "[persistence]\nkind = \"postgres\"\n",
       "{file}:5:1: persistence: kind = \"postgres\" needs a dsn"},
      {"DsnOnSqlite", head + "[persistence]\ndsn = \"host=db\"\n",
       "{file}:6:7: persistence.dsn: applies to kind = \"postgres\" only"},
      {"BackoffMaxBelowInitial",
       head + "[supervision]\nbackoff_initial_ms = 500\nbackoff_max_ms = 100\n",
       "{file}:7:18: supervision.backoff_max_ms: must not be less than backoff_initial_ms (500)"},
      {"HeartbeatTimeoutTooShort", head + "[supervision]\nheartbeat_timeout_ms = 10\n",
       "{file}:6:24: supervision.heartbeat_timeout_ms: must be between 100 and 3600000, not 10"},
      {"TurnTimeoutTooShort", head + "[supervision]\nturn_timeout_ms = 0\n",
       "{file}:6:19: supervision.turn_timeout_ms: must be between 100 and 3600000, not 0"},
      {"TurnTimeoutBelowSqlitesBusyTimeout", head + "[supervision]\nturn_timeout_ms = 1000\n",
       "{file}:6:19: supervision.turn_timeout_ms: 1000 ms is less than SQLite's busy timeout "
       "(5000 ms), and 'A' records on SQLite: a turn waiting for a locked database would be "
       "taken for a hang"},
      {"NestedOption", head + "options = { sizes = [1, 2] }\n",
       "{file}:5:21: applications[0].options.sizes: expected a string, number or boolean "
       "(options are flat key/value pairs), got an array"},
  };
}

std::vector<bad_file> graph_rows() {
  return {
      {"DuplicateApplication", "name = \"s\"\n" + one_app + one_app,
       "{file}:6:8: applications[1].name: duplicate application name 'A' (first defined at "
       "line 2)"},
      {"MisspelledNameInAPipe", "name = \"s\"\npipes = [[\"Orders\", \"Ordres\"]]\n" + two_apps,
       "{file}:2:21: pipes[0]: unknown application 'Ordres' (did you mean 'Orders'?)"},
      {"UnknownNameInAStringPipe",
       "name = \"s\"\npipes = [\"A | Orders\", \"Orders | Zed\"]\n" + two_apps,
       "{file}:2:24: pipes[1]: unknown application 'Zed'"},
      {"EmptyNameInAPipe", "name = \"s\"\npipes = [\"A | | Orders\"]\n" + two_apps,
       "{file}:2:10: pipes[0]: empty application name in \"A | | Orders\""},
      {"PipeOfOne", "name = \"s\"\npipes = [[\"A\"]]\n" + two_apps,
       "{file}:2:10: pipes[0]: a pipe needs at least two applications (a leader and a follower)"},
      {"PipeItemNotAString", "name = \"s\"\npipes = [[\"A\", 3]]\n" + one_app,
       "{file}:2:16: pipes[0][1]: expected an application name (string), got an integer"},
      {"PipeIsATable", "name = \"s\"\npipes = [{ a = 1 }]\n" + one_app,
       "{file}:2:10: pipes[0]: expected an array of application names or a string \"A | B | C\", "
       "got a table"},
  };
}

// Rows that need the registry: the shop's types come from its plugin.
std::vector<bad_file> application_type_rows() {
  const std::string shop = "name = \"s\"\nplugins = [\"" + shop_plugin + "\"]\n";
  return {
      {"UnknownTypeWithoutPlugins",
       "name = \"s\"\n[[applications]]\nname = \"Orders\"\ntype = \"shop.Orders\"\n",
       "{file}:4:8: applications[0].type: unknown application type 'shop.Orders' for 'Orders' "
       "(no types are registered: is a plugin missing?)"},
      {"MisspelledType", shop + "[[applications]]\nname = \"Orders\"\ntype = \"shop.Order\"\n",
       "{file}:5:8: applications[0].type: unknown application type 'shop.Order' for 'Orders' "
       "(did you mean 'shop.Orders'?)"},
      {"UnknownTypeRefusedByRun",
       "name = \"s\"\n[[applications]]\nname = \"Orders\"\ntype = \"shop.Orders\"\n",
       "{file}:4:8: applications[0].type: unknown application type 'shop.Orders' for 'Orders' "
       "(no types are registered: is a plugin missing?)",
       match::exact, "run"},
      {"FollowerIsNotAProcessApplication",
       "name = \"s\"\nplugins = [\"" + shop_plugin + "\", \"" + test_plugin("registering") +
           "\"]\npipes = [\"Orders | C\"]\n[[applications]]\nname = \"Orders\"\ntype = "
           "\"shop.Orders\"\n[[applications]]\nname = \"C\"\ntype = \"test.Counter\"\n",
       "{file}:3:10: pipes[0]: 'C' follows 'Orders' but its type 'test.Counter' is not a process "
       "application (only process applications can follow)"},
      {"FollowerIsNotAProcessApplicationRefusedByRun",
       "name = \"s\"\nplugins = [\"" + shop_plugin + "\", \"" + test_plugin("registering") +
           "\"]\npipes = [\"Orders | C\"]\n[[applications]]\nname = \"Orders\"\ntype = "
           "\"shop.Orders\"\n[[applications]]\nname = \"C\"\ntype = \"test.Counter\"\n",
       "{file}:3:10: pipes[0]: 'C' follows 'Orders' but its type 'test.Counter' is not a process "
       "application (only process applications can follow)",
       match::exact, "run"},
  };
}

// Plugins: every failure names the system file's line, the index and the library.
std::vector<bad_file> plugin_rows() {
  const auto with_plugins = [](const std::vector<std::string>& paths) {
    std::string list;
    for (const auto& p : paths) list += (list.empty() ? "\"" : ", \"") + p + "\"";
    return "name = \"s\"\nplugins = [" + list + "]\n" + one_app;
  };
  const std::string missing = plugin_dir + "/libmissing.so";
  return {
      {"PluginFileMissing", with_plugins({missing}),
       "weft: {file}:2:12: plugins[0]: plugin " + missing + ": No such file or directory"},
      {"PluginWithUnresolvedSymbols", with_plugins({test_plugin("unresolved")}),
       "weft: {file}:2:12: plugins[0]: plugin " + test_plugin("unresolved") + ": cannot load: " +
           test_plugin("unresolved") + ": undefined symbol: weft_test_symbol_nobody_defines",
       match::prefix},
      {"PluginThatIsNotALibrary", with_plugins({WEFT_TEST_DATA "/minimal.toml"}),
       "weft: {file}:2:12: plugins[0]: plugin " WEFT_TEST_DATA "/minimal.toml: cannot load: ",
       match::prefix},
      {"PluginThatIsADirectory", with_plugins({plugin_dir}),
       "weft: {file}:2:12: plugins[0]: plugin " + plugin_dir + ": not a regular file"},
      {"PluginWithoutEntryPoint", with_plugins({test_plugin("entryless")}),
       "weft: {file}:2:12: plugins[0]: plugin " + test_plugin("entryless") +
           ": has no entry point weft_plugin_register (declare it extern \"C\" and export it)"},
      {"PluginWithoutRegistrations", with_plugins({test_plugin("silent")}),
       "weft: {file}:2:12: plugins[0]: plugin " + test_plugin("silent") +
           ": registers no application types (weft_plugin_register added none)"},
      {"PluginRegisteringADuplicateType",
       with_plugins({test_plugin("registering"), test_plugin("duplicate")}),
       "weft: {file}:2:" + std::to_string(12 + test_plugin("registering").size() + 4) +
           ": plugins[1]: plugin " + test_plugin("duplicate") +
           ": application type 'test.Counter' is registered already"},
      {"PluginRegisteringADuplicateTypeRefusedByRun",
       with_plugins({test_plugin("registering"), test_plugin("duplicate")}),
       "weft: {file}:2:" + std::to_string(12 + test_plugin("registering").size() + 4) +
           ": plugins[1]: plugin " + test_plugin("duplicate") +
           ": application type 'test.Counter' is registered already",
       match::exact, "run"},
  };
}

class BadSystemFile : public ::testing::TestWithParam<bad_file> {};

TEST_P(BadSystemFile, ExitsTwoNamingFileLineAndKey) {
  const auto& row = GetParam();
  scratch_dir dir("bad-file");
  const auto file = (dir.path() / "sys.toml").string();
  std::ofstream(file) << row.text;
  const auto r = run_weft({row.command, file});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_EQ(r.out, "");
  const auto expected = with_file(row.message, file);
  // The error is the last line: info logs (plugins loaded...) may come before it.
  std::string err = r.err;
  if (!err.empty() && err.back() == '\n') err.pop_back();
  if (const auto newline = err.rfind('\n'); newline != std::string::npos) err.erase(0, newline + 1);
  switch (row.how) {
    case match::exact:
      EXPECT_EQ(err, expected);
      break;
    case match::prefix:
      EXPECT_THAT(err, StartsWith(expected));
      break;
    case match::contains:
      EXPECT_THAT(err, HasSubstr(expected));
      break;
  }
  // Nothing was started: a run refused before any child or segment existed.
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "s-data")) << "data directory created";
}

std::string row_name(const ::testing::TestParamInfo<bad_file>& info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(SyntaxAndKeys, BadSystemFile, ::testing::ValuesIn(syntax_and_key_rows()),
                         row_name);
INSTANTIATE_TEST_SUITE_P(TypesAndValues, BadSystemFile, ::testing::ValuesIn(type_and_value_rows()),
                         row_name);
INSTANTIATE_TEST_SUITE_P(Graph, BadSystemFile, ::testing::ValuesIn(graph_rows()), row_name);
INSTANTIATE_TEST_SUITE_P(ApplicationTypes, BadSystemFile,
                         ::testing::ValuesIn(application_type_rows()), row_name);
INSTANTIATE_TEST_SUITE_P(Plugins, BadSystemFile, ::testing::ValuesIn(plugin_rows()), row_name);

// ---- command lines -----------------------------------------------------------

struct bad_arguments {
  std::string name;
  std::vector<std::string> args;  // "{shop}": a valid shop system file; "{dir}": a scratch dir
  int code;
  std::vector<std::string> messages;  // each must appear on stderr
  bool as_nobody = false;
};

void PrintTo(const bad_arguments& row, std::ostream* out) {
  *out << row.name;
}

std::vector<bad_arguments> argument_rows() {
  const std::string shop = WEFT_TEST_GENERATED_DATA "/shop_plugin.toml";
  return {
      {"NoCommand", {}, 2, {"A subcommand is required"}},
      {"UnknownCommand", {"chek", shop}, 2, {"unknown command 'chek' (did you mean 'check'?)"}},
      {"UnknownFlag", {"check", shop, "--bogus"}, 2, {"--bogus"}},
      {"ExtraArgument", {"check", shop, "extra"}, 2, {"extra"}},
      {"RunWithoutSystemFile", {"run"}, 2, {"system is required"}},
      {"UnknownRunner", {"run", shop, "--runner", "fibers"}, 2, {"--runner", "fibers"}},
      {"UnknownLogLevel", {"run", shop, "--log-level", "loud"}, 2, {"unknown log level 'loud'"}},
      {"ZeroDemoOrders", {"demo", "--orders", "0"}, 2, {"--orders"}},
      {"UnknownApplicationInApps",
       {"run", shop, "--apps", "Orders,Paymnts"},
       2,
       {"weft: --apps: no application 'Paymnts' in system 'shop' (" + shop + ")"}},
      {"AppsWithThreadsRunner",
       {"run", shop, "--apps", "Orders", "--runner", "threads"},
       2,
       {"weft: --apps needs --runner process"}},
      {"MissingSystemFile",
       {"check", "{dir}/absent.toml"},
       2,
       {"{dir}/absent.toml: cannot read system file (no such file)"}},
      {"SystemFileIsADirectory", {"check", "{dir}"}, 2, {"{dir}: is a directory"}},
      {"UnreadableSystemFile",
       {"check", "{dir}/secret.toml"},
       2,
       {"{dir}/secret.toml: cannot read system file (permission denied or not a regular file)"},
       true},
      {"DataIsAFile",
       {"run", shop, "--data", "{dir}/plain-file"},
       2,
       {"weft: data directory {dir}/plain-file"}},
      {"CallWithMalformedJson",
       {"call", "shop", "Orders", "create_order", "{\"amount\":"},
       2,
       {"weft: command arguments are not valid JSON: "}},
      {"CallWithJsonThatIsNotAnObject",
       {"call", "shop", "Orders", "create_order", "[7]"},
       2,
       {"weft: command arguments must be a JSON object, not array: [7]"}},
      {"CallToASystemThatIsNotRunning",
       {"call", "no-such-system", "Orders", "create_order", "{}"},
       4,
       {}},
      {"PsOfASystemThatIsNotRunning", {"ps", "no-such-system"}, 4, {"no-such-system"}},
      {"EventsOfAMissingPath", {"events", "{dir}/nowhere", "Orders"}, 2, {"{dir}/nowhere"}},
      {"EventsFromZero", {"events", "shop", "Orders", "--from", "0"}, 2, {"--from"}},
  };
}

class BadArguments : public ::testing::TestWithParam<bad_arguments> {};

TEST_P(BadArguments, ExitWithTheDocumentedCodeNamingTheArgument) {
  const auto& row = GetParam();
  scratch_dir dir("bad-args");
  ::chmod(dir.path().c_str(), 0755);  // `nobody` must reach the files in it
  std::ofstream(dir.path() / "plain-file") << "not a directory\n";
  std::ofstream(dir.path() / "secret.toml") << "name = \"s\"\n" << one_app;
  ::chmod((dir.path() / "secret.toml").c_str(), 0);
  std::vector<std::string> args;
  for (auto arg : row.args) {
    for (auto at = arg.find("{dir}"); at != std::string::npos; at = arg.find("{dir}", at))
      arg.replace(at, 5, dir.path().string());
    args.push_back(arg);
  }
  const auto r = run_weft(args, {.as_nobody = row.as_nobody && ::geteuid() == 0});
  EXPECT_EQ(r.code, row.code) << r.err;
  for (auto message : row.messages) {
    for (auto at = message.find("{dir}"); at != std::string::npos; at = message.find("{dir}", at))
      message.replace(at, 5, dir.path().string());
    EXPECT_THAT(r.err, HasSubstr(message));
  }
}

std::string arguments_name(const ::testing::TestParamInfo<bad_arguments>& info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(CommandLine, BadArguments, ::testing::ValuesIn(argument_rows()),
                         arguments_name);

}  // namespace
}  // namespace weft::test
