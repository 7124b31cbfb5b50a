// The weft command line: parsing in-process, and the real executable's exit
// codes and messages. Bad arguments, each with its exit code and message, are
// rows of bad_input_catalogue_test.cpp.
#include "weft/runner/cli.hpp"
#include "weft/runner/system_file.hpp"
#include "weft/runner/workers.hpp"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/io.hpp>

namespace weft::runner {
namespace {

namespace fs = std::filesystem;
namespace bp = boost::process;
using ::testing::HasSubstr;

const std::string data = WEFT_TEST_DATA;

std::variant<command, int> parse(std::vector<std::string> args, std::string* err_text = nullptr) {
  args.insert(args.begin(), "weft");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  auto result = parse_command_line(static_cast<int>(argv.size()), argv.data(), out, err);
  if (err_text) *err_text = err.str();
  return result;
}

TEST(CommandLine, RunTakesEveryOption) {
  const auto parsed = parse({"run", "sys.toml", "--data", "/d", "--runner", "threads", "--apps",
                             "Orders,Payments", "--log-level", "debug"});
  const auto& run = std::get<run_options>(std::get<command>(parsed));
  EXPECT_EQ(run.system, "sys.toml");
  EXPECT_EQ(run.data_dir, fs::path("/d"));
  EXPECT_EQ(run.runner, runner_kind::threads);
  EXPECT_EQ(run.apps, (std::vector<std::string>{"Orders", "Payments"}));
  EXPECT_EQ(run.log_level, "debug");
}

TEST(CommandLine, RunDefaultsToTheProcessRunner) {
  const auto run = std::get<run_options>(std::get<command>(parse({"run", "sys.toml"})));
  EXPECT_EQ(run.runner, runner_kind::process);
  EXPECT_FALSE(run.data_dir.has_value());
  EXPECT_TRUE(run.apps.empty());
}

TEST(CommandLine, WorkerArgumentsRoundTrip) {
  worker_options worker{"/etc/shop.toml", "Payments", "weft-1000-shop-42", "/var/shop", "warn"};
  auto args = worker_arguments(worker);
  const auto back = std::get<worker_options>(std::get<command>(parse(args)));
  EXPECT_EQ(back.system, worker.system);
  EXPECT_EQ(back.app, worker.app);
  EXPECT_EQ(back.segment, worker.segment);
  EXPECT_EQ(back.data_dir, worker.data_dir);
  EXPECT_EQ(back.log_level, worker.log_level);
}

TEST(Workers, OneChildPerApplicationRunningTheWorkerCommand) {
  const auto spec = load_system_file(data + "/shop.toml");
  worker_plan plan;
  plan.segment = "weft-shop";
  plan.data_dir = "/var/shop";
  auto children = worker_children(spec, plan);
  ASSERT_EQ(children.size(), 3u);
  EXPECT_EQ(children[2].name, "Payments");
  const auto worker = std::get<worker_options>(std::get<command>(parse(children[2].launch.args)));
  EXPECT_EQ(worker.system, spec.source);
  EXPECT_EQ(worker.app, "Payments");
  EXPECT_EQ(worker.segment, "weft-shop");
  EXPECT_EQ(worker.data_dir, fs::path("/var/shop"));

  plan.apps = {"Reservations"};
  children = worker_children(spec, plan);
  ASSERT_EQ(children.size(), 1u);
  EXPECT_EQ(children[0].name, "Reservations");
  plan.apps = {"Reservatons"};
  EXPECT_THROW(worker_children(spec, plan), invalid_input);
  EXPECT_EQ(supervisor_options_for(spec).limits.max_restarts, 5u);
  EXPECT_EQ(worker_log_file("/var/shop", "Orders"), fs::path("/var/shop/Orders.log"));
}

TEST(CommandLine, CallTakesOptionalJson) {
  auto call = std::get<call_options>(std::get<command>(parse({"call", "shop", "Orders", "place"})));
  EXPECT_EQ(call.arguments, "{}");
  call = std::get<call_options>(
      std::get<command>(parse({"call", "shop", "Orders", "place", R"({"item":"pear"})"})));
  EXPECT_EQ(call.arguments, R"({"item":"pear"})");
}

TEST(CommandLine, HelpExitsZero) {
  EXPECT_EQ(std::get<int>(parse({"--help"})), exit_ok);
  EXPECT_EQ(std::get<int>(parse({"run", "--help"})), exit_ok);
}

// The real executable, with a time limit.
struct outcome {
  int code = -1;
  std::string out, err;
};

outcome weft(std::vector<std::string> args) {
  const auto dir = fs::temp_directory_path() / ("weft-cli-test-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const auto out_file = dir / "out", err_file = dir / "err";
  bp::child child(bp::exe = WEFT_EXECUTABLE, bp::args = args,
                  bp::std_in<bp::null, bp::std_out> out_file.string(),
                  bp::std_err > err_file.string());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (child.running() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  if (child.running()) child.terminate();  // watchdog: fail, do not hang
  child.wait();
  auto slurp = [](const fs::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  outcome result{child.exit_code(), slurp(out_file), slurp(err_file)};
  fs::remove_all(dir);
  return result;
}

TEST(WeftExecutable, CheckPrintsApplicationsAndTheGraph) {
  const auto r = weft({"check", WEFT_TEST_GENERATED_DATA "/shop_plugin.toml"});
  EXPECT_EQ(r.code, exit_ok) << r.err;
  EXPECT_THAT(r.out, HasSubstr("system shop"));
  EXPECT_THAT(r.out, HasSubstr("  plugin       /"));
  EXPECT_THAT(r.out, HasSubstr("Payments      shop.Payments (process application)  "
                               "[sqlite, durability normal]"));
  EXPECT_THAT(r.out, HasSubstr("leaders    Orders, Reservations, Payments"));
  EXPECT_THAT(r.out, HasSubstr("  Orders -> Reservations\n  Reservations -> Orders\n"
                               "  Orders -> Payments\n  Payments -> Orders\n"));
}

TEST(WeftExecutable, HelpDocumentsTheExitCodesAndHidesWorker) {
  const auto r = weft({"--help"});
  EXPECT_EQ(r.code, exit_ok);
  EXPECT_THAT(r.out, HasSubstr("Exit codes: 0 ok"));
  EXPECT_THAT(r.out, HasSubstr("check"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("worker")));
}

}  // namespace
}  // namespace weft::runner
