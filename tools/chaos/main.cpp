// weft-chaos: runs a system under `weft run` while killing its workers and its
// supervisor, then checks from the recorders alone that nothing was lost or
// done twice. Exit status: 0 no violation, 1 violations, 2 bad arguments,
// 3 the run itself could not be carried out.
#include <CLI/CLI.hpp>
#include <charconv>
#include <iostream>
#include <random>

#include <unistd.h>

#include "chaos_run.hpp"
#include "weft/core/log.hpp"

namespace {

using std::chrono::milliseconds;

// "250ms", "2s", "300" (ms).
milliseconds parse_duration(std::string text, const std::string& flag) {
  double scale = 1;
  if (text.ends_with("ms")) {
    text.resize(text.size() - 2);
  } else if (text.ends_with("s")) {
    text.resize(text.size() - 1);
    scale = 1000;
  }
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
    throw CLI::ValidationError(flag, "'" + text + "' is not a duration like 250ms or 2s");
  return milliseconds(static_cast<std::int64_t>(value * scale));
}

// "50-500ms", "1-2s", "100ms" (a fixed interval).
std::pair<milliseconds, milliseconds> parse_range(const std::string& text,
                                                  const std::string& flag) {
  const auto dash = text.find('-');
  if (dash == std::string::npos) {
    const auto d = parse_duration(text, flag);
    return {d, d};
  }
  std::string unit;
  for (auto c = text.rbegin(); c != text.rend() && std::isalpha(static_cast<unsigned char>(*c));
       ++c)
    unit.insert(unit.begin(), *c);
  auto lo = text.substr(0, dash);
  if (!lo.empty() && !std::isalpha(static_cast<unsigned char>(lo.back()))) lo += unit;
  const auto range =
      std::make_pair(parse_duration(lo, flag), parse_duration(text.substr(dash + 1), flag));
  if (range.first > range.second)
    throw CLI::ValidationError(flag, "'" + text + "': low above high");
  return range;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"weft-chaos: a system under load while its workers and supervisor are killed"};
  chaos::chaos_options options;
  options.weft = WEFT_CHAOS_WEFT;
  std::string system = "shop", kill_every = "50-500ms", stop_for = "0ms", reply_timeout = "15s";
  std::string plugin;
  std::uint32_t accounts = 50;
  bool json = false, quiet = false;
  app.add_option("--system", system, "shop or bank")->check(CLI::IsMember({"shop", "bank"}));
  app.add_option("--weft", options.weft, "the weft executable")->check(CLI::ExistingFile);
  app.add_option("--plugin", plugin, "the system's plugin (default: the one built with this tool)");
  app.add_option("--work-dir", options.work_dir, "system file, data/ (wiped first), supervisor.log")
      ->required();
  app.add_option("-n,--commands", options.commands, "commands to submit (orders, transfers)")
      ->check(CLI::PositiveNumber);
  app.add_option("--window", options.window, "commands in flight at most")
      ->check(CLI::PositiveNumber);
  app.add_option("--kills", options.kills, "worker SIGKILLs");
  app.add_option("--kill-every", kill_every, "interval between worker kills, e.g. 50-500ms");
  app.add_option("--supervisor-kills", options.supervisor_kills,
                 "supervisor SIGKILLs (then restarts)");
  app.add_option("--stop-for", stop_for, "SIGSTOP one worker this long, then SIGCONT (0: never)");
  app.add_option("--seed", options.seed, "random seed (0: pick one; it is printed)");
  app.add_option("--reply-timeout", reply_timeout,
                 "an unanswered command counts as lost after this");
  std::uint64_t give_up = 0;
  app.add_option("--give-up-after", give_up, "seconds of load and chaos before it is a violation");
  app.add_option("--accounts", accounts, "bank: number of accounts")
      ->check(CLI::Range(2u, 1000000u));
  app.add_flag("--json", json, "the summary as JSON on stdout");
  app.add_flag("-q,--quiet", quiet, "no progress lines on stderr");
  try {
    app.parse(argc, argv);
    std::tie(options.kill_min, options.kill_max) = parse_range(kill_every, "--kill-every");
    options.stop_for = parse_duration(stop_for, "--stop-for");
    options.reply_timeout = parse_duration(reply_timeout, "--reply-timeout");
    if (give_up > 0) options.give_up_after = std::chrono::seconds(give_up);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (options.seed == 0)
    options.seed = (std::uint64_t{std::random_device{}()} << 32) | std::random_device{}();
  options.progress = !quiet;
  options.work_dir = std::filesystem::absolute(options.work_dir);
  weft::log::set_level(weft::log::parse_level("warn"));
  try {
    // Named for this process: runs that share the machine (ctest -j) must not meet.
    const std::string name = "chaos-" + system + "-" + std::to_string(::getpid());
    const auto chosen =
        system == "shop"
            ? chaos::shop_system(plugin.empty() ? WEFT_CHAOS_SHOP_PLUGIN : plugin, name)
            : chaos::bank_system(plugin.empty() ? WEFT_CHAOS_BANK_PLUGIN : plugin, name, accounts);
    if (!quiet) std::cerr << "weft-chaos " << system << ": seed " << options.seed << "\n";
    const auto summary = chaos::run_chaos(options, chosen);
    if (json)
      chaos::print_json(summary, std::cout);
    else
      chaos::print_text(summary, std::cout);
    return summary.violations == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "weft-chaos: " << e.what() << "\n";
    return 3;
  }
}
