#include "weft/runner/cli.hpp"

#include <algorithm>
#include <iostream>

#include <CLI/CLI.hpp>

#include "suggest.hpp"
#include "weft/core/log.hpp"
#include "weft/runner/commands.hpp"
#include "weft/runner/plugin.hpp"
#include "weft/runner/system_file.hpp"

namespace weft::runner {
namespace {

constexpr const char* exit_code_help =
    "Exit codes: 0 ok, 1 runtime failure, 2 bad arguments or input, "
    "3 not available in this build, 4 system not running.";

runner_kind runner_named(const std::string& name) {
  if (name == "threads") return runner_kind::threads;
  if (name == "single") return runner_kind::single;
  return runner_kind::process;  // the only other value the option's check lets through
}

CLI::Validator log_level_validator() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        try {
          weft::log::parse_level(text);
          return {};
        } catch (const std::exception& e) {
          return e.what();
        }
      },
      "LEVEL");
}

void add_runner_option(CLI::App& sub, std::string& target) {
  sub.add_option("--runner", target, "process (one OS process per application), threads, single")
      ->check(CLI::IsMember({"process", "threads", "single"}))
      ->capture_default_str();
}

const std::vector<std::string> command_names{"run", "check", "call", "demo",  "worker",
                                             "ls",  "ps",    "top",  "events"};

// CLI11 reports an unknown command as "A subcommand is required"; name it instead.
bool unknown_command(int argc, const char* const* argv, std::ostream& err) {
  if (argc < 2 || argv[1][0] == '-') return false;
  const std::string given = argv[1];
  if (std::find(command_names.begin(), command_names.end(), given) != command_names.end())
    return false;
  err << "weft: unknown command '" << given << "'" << detail::did_you_mean(given, command_names)
      << "\nRun with --help for more information.\n";
  return true;
}

void add_log_level_option(CLI::App& sub, std::string& target) {
  sub.add_option("--log-level", target, "trace, debug, info, warn, error, critical or off")
      ->check(log_level_validator())
      ->capture_default_str();
}

}  // namespace

std::variant<command, int> parse_command_line(int argc, const char* const* argv, std::ostream& out,
                                              std::ostream& err) {
  if (unknown_command(argc, argv, err)) return exit_usage;
  CLI::App app{"weft: systems of event-sourced process applications", "weft"};
  app.require_subcommand(1);
  app.footer(exit_code_help);

  run_options run;
  std::string run_data, run_runner = "process";
  auto* run_cmd = app.add_subcommand("run", "Run a system: one process per application");
  run_cmd->add_option("system", run.system, "System file (TOML)")->required();
  run_cmd->add_option("--data", run_data, "Data directory (overrides the file's data_dir)");
  add_runner_option(*run_cmd, run_runner);
  run_cmd->add_option("--apps", run.apps, "Run only these applications here (A,B)")->delimiter(',');
  add_log_level_option(*run_cmd, run.log_level);

  check_options check;
  auto* check_cmd =
      app.add_subcommand("check", "Validate a system file and print its applications and graph");
  check_cmd->add_option("system", check.system, "System file (TOML)")->required();

  call_options call;
  auto* call_cmd = app.add_subcommand("call", "Send a command to a running system");
  call_cmd->add_option("system", call.system, "Running system (name or system file)")->required();
  call_cmd->add_option("app", call.app, "Application")->required();
  call_cmd->add_option("command", call.command, "Command name")->required();
  call_cmd->add_option("json", call.arguments, "Arguments as a JSON object")->capture_default_str();

  demo_options demo;
  std::string demo_data = demo.data_dir.string();
  auto* demo_cmd = app.add_subcommand(
      "demo", "Run the shop (Orders, Reservations, Payments), submit orders, verify, report");
  demo_cmd->add_option("--data", demo_data, "Data directory; a second run resumes on it")
      ->capture_default_str();
  demo_cmd->add_option("--orders", demo.orders, "Orders to submit")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100'000'000}))
      ->capture_default_str();
  add_log_level_option(*demo_cmd, demo.log_level);

  worker_options worker;
  std::string worker_system, worker_data;
  auto* worker_cmd = app.add_subcommand("worker", "Host one application (started by `weft run`)");
  worker_cmd->group("");  // hidden: people never start workers by hand
  worker_cmd->add_option("--system", worker_system, "System file")->required();
  worker_cmd->add_option("--app", worker.app, "Application to host")->required();
  worker_cmd->add_option("--segment", worker.segment, "Shared-memory segment name")->required();
  worker_cmd->add_option("--data", worker_data, "Data directory")->required();
  add_log_level_option(*worker_cmd, worker.log_level);

  inspect_options inspect;
  std::uint64_t events_limit = 0;
  auto* ls_cmd = app.add_subcommand("ls", "List the systems running on this host");
  ls_cmd->add_flag("--json", inspect.json, "JSON for scripts");
  auto* ps_cmd = app.add_subcommand("ps", "Show a running system's processes");
  ps_cmd->add_option("system", inspect.system, "Running system")->required();
  ps_cmd->add_flag("--json", inspect.json, "JSON for scripts");
  auto* top_cmd = app.add_subcommand("top", "Watch a running system's processes live (q quits)");
  top_cmd->add_option("system", inspect.system, "Running system")->required();
  auto* events_cmd =
      app.add_subcommand("events", "Print an application's notifications as JSON lines");
  events_cmd
      ->add_option("system", inspect.system, "Running system, its system file or data directory")
      ->required();
  events_cmd->add_option("app", inspect.app, "Application")->required();
  events_cmd->add_option("--from", inspect.from, "First notification id")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  auto* limit_option = events_cmd->add_option("--limit", events_limit, "Print at most K")
                           ->check(CLI::PositiveNumber);
  events_cmd->add_flag("--follow", inspect.follow, "Keep printing new ones until interrupted");
  events_cmd->add_flag("--json", inspect.json, "JSON lines (the default and only format)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    return code == 0 ? exit_ok : exit_usage;
  }

  if (run_cmd->parsed()) {
    if (!run_data.empty()) run.data_dir = run_data;
    run.runner = runner_named(run_runner);
    return command{run};
  }
  if (check_cmd->parsed()) return command{check};
  if (call_cmd->parsed()) return command{call};
  if (demo_cmd->parsed()) {
    demo.data_dir = demo_data;
    return command{demo};
  }
  if (worker_cmd->parsed()) {
    worker.system = worker_system;
    worker.data_dir = worker_data;
    return command{worker};
  }
  if (ls_cmd->parsed()) inspect.what = inspect_options::view::ls;
  if (ps_cmd->parsed()) inspect.what = inspect_options::view::ps;
  if (top_cmd->parsed()) inspect.what = inspect_options::view::top;
  if (events_cmd->parsed()) inspect.what = inspect_options::view::events;
  if (limit_option->count() > 0) inspect.limit = events_limit;
  return command{inspect};
}

std::vector<std::string> worker_arguments(const worker_options& options) {
  return {"worker",        "--system",       options.system.string(),
          "--app",         options.app,      "--segment",
          options.segment, "--data",         options.data_dir.string(),
          "--log-level",   options.log_level};
}

int cli_main(int argc, const char* const* argv) {
  auto parsed = parse_command_line(argc, argv, std::cout, std::cerr);
  if (const int* code = std::get_if<int>(&parsed)) return *code;
  try {
    return std::visit(
        [](const auto& options) -> int {
          using T = std::decay_t<decltype(options)>;
          if constexpr (std::is_same_v<T, run_options>) return run_command(options, std::cout);
          if constexpr (std::is_same_v<T, check_options>) return check_command(options, std::cout);
          if constexpr (std::is_same_v<T, call_options>) return call_command(options, std::cout);
          if constexpr (std::is_same_v<T, demo_options>) return demo_command(options, std::cout);
          if constexpr (std::is_same_v<T, worker_options>) return worker_command(options);
          if constexpr (std::is_same_v<T, inspect_options>)
            return inspect_command(options, std::cout);
        },
        std::get<command>(parsed));
  } catch (const system_file_error& e) {
    std::cerr << e.what() << '\n';  // starts with file:line:col, as compilers do
    return exit_usage;
  } catch (const invalid_input& e) {
    std::cerr << "weft: " << e.what() << '\n';
    return exit_usage;
  } catch (const plugin_error& e) {
    std::cerr << "weft: " << e.what() << '\n';
    return exit_usage;
  } catch (const unavailable_error& e) {
    std::cerr << "weft: " << e.what() << '\n';
    return exit_unavailable;
  } catch (const std::exception& e) {
    std::cerr << "weft: " << e.what() << '\n';
    return exit_failure;
  }
}

}  // namespace weft::runner
