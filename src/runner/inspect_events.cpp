// weft events: notifications straight from an application's SQLite recorder.
#include "weft/runner/inspect_events.hpp"

#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <thread>

#include <fmt/format.h>
#include <msgpack.hpp>
#include <nlohmann/json.hpp>

#include "suggest.hpp"
#include "weft/es/msgpack_json.hpp"
#include "weft/runner/hosting.hpp"
#include "weft/runner/inspect.hpp"
#include "weft/runner/inspect_snapshot.hpp"
#include "weft/runner/plugin.hpp"
#include "weft/runner/system_file.hpp"
#include "weft/store/sqlite_recorder.hpp"

namespace weft::runner {
namespace {

namespace fs = std::filesystem;

// ---- where the events are ---------------------------------------------------------

std::vector<std::string> arguments_of(std::int32_t pid) {
  std::ifstream in(fmt::format("/proc/{}/cmdline", pid), std::ios::binary);
  std::vector<std::string> args;
  for (std::string arg; std::getline(in, arg, '\0');) args.push_back(arg);
  return args;
}

fs::path cwd_of(std::int32_t pid) {
  std::error_code ec;
  auto cwd = fs::read_symlink(fmt::format("/proc/{}/cwd", pid), ec);
  return ec ? fs::path() : cwd;
}

std::optional<std::string> option_value(const std::vector<std::string>& args,
                                        std::string_view name) {
  for (std::size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == name) return args[i + 1];
  const std::string prefix = std::string(name) + "=";
  for (const auto& a : args)
    if (a.starts_with(prefix)) return a.substr(prefix.size());
  return std::nullopt;
}

struct system_location {
  fs::path data_dir;
  fs::path system_file;  // empty when unknown
};

// A running system's data directory, read from how its processes were
// started: a worker's `--data` (and `--system`), else the supervisor's
// `run FILE [--data DIR]`. Read-only, like every inspection.
std::optional<system_location> running_location(const std::string& name) {
  const auto segment = shm::segment_reader::attach(find_running_segment(name));
  for (const auto& p : take_snapshot(segment).processes) {
    if (p.pid <= 0) continue;
    const auto args = arguments_of(p.pid);
    const auto data = option_value(args, "--data");
    if (std::find(args.begin(), args.end(), "worker") == args.end() || !data) continue;
    const auto cwd = cwd_of(p.pid);
    system_location where{cwd / *data, {}};
    if (const auto file = option_value(args, "--system")) where.system_file = cwd / *file;
    return where;
  }
  const std::int32_t supervisor = segment.header().creator_pid;
  const auto args = arguments_of(supervisor);
  const auto run = std::find(args.begin(), args.end(), "run");
  if (run == args.end() || run + 1 == args.end()) return std::nullopt;
  const auto cwd = cwd_of(supervisor);
  system_location where;
  for (auto a = run + 1; a != args.end(); ++a) {
    if (a->starts_with("--")) {
      if (a->find('=') == std::string::npos) ++a;  // every `run` option takes a value
      if (a == args.end()) break;
      continue;
    }
    where.system_file = cwd / *a;
    break;
  }
  if (const auto data = option_value(args, "--data")) {
    where.data_dir = cwd / *data;
  } else if (!where.system_file.empty()) {
    where.data_dir = load_system_file(where.system_file).data_dir;
  } else {
    return std::nullopt;
  }
  return where;
}

// Field names come from the event types a plugin registers as it is loaded
// (its application types are not needed here, so its entry point is not
// called). Without them the state prints as an array, so a plugin that fails
// to load only warns.
void learn_topics(const system_spec& spec) {
  for (const auto& path : spec.plugins) {
    try {
      (void)plugin::load(path);  // never unloaded: the registered decoders live in it
    } catch (const std::exception& e) {
      std::cerr << "weft: warning: event fields print as arrays: " << e.what() << '\n';
    }
  }
}

fs::path checked_events_file(const fs::path& data_dir, const std::string& app,
                             const std::string& target) {
  const fs::path file = events_file(data_dir, app);  // where the workers write it
  if (fs::is_regular_file(file)) return file;
  std::vector<std::string> apps;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(data_dir, ec))
    if (entry.path().extension() == ".sqlite" &&
        !entry.path().stem().string().ends_with(".snapshots"))
      apps.push_back(entry.path().stem().string());
  std::sort(apps.begin(), apps.end());
  std::string found;
  for (const auto& a : apps) found += (found.empty() ? "" : ", ") + a;
  throw invalid_input(fmt::format(
      "{}: no events of application '{}' ({} not found{}){}", target, app, file.string(),
      found.empty() ? "" : "; applications there: " + found, detail::did_you_mean(app, apps)));
}

// SIGINT ends --follow cleanly (the last line printed is complete).
std::atomic<bool> interrupted{false};
void on_interrupt(int) {
  interrupted.store(true, std::memory_order_relaxed);
}

}  // namespace

nlohmann::ordered_json msgpack_json(const es::bytes& bytes) {
  // es renders events for every tool; its parse is bounded by the bytes given.
  return es::msgpack_to_json(bytes);
}

nlohmann::ordered_json notification_json(const es::notification& n,
                                         const es::topic_registry& topics) {
  nlohmann::ordered_json out{{"id", n.id},
                             {"originator_id", n.event.originator_id.str()},
                             {"originator_version", n.event.originator_version},
                             {"topic", n.event.topic}};
  try {
    auto state = msgpack_json(n.event.state);
    const es::topic_entry* entry = topics.find(n.event.topic);
    if (entry != nullptr && state.is_array()) {
      // Names for the fields this build knows; extra ones (a newer writer) by position.
      auto fields = nlohmann::ordered_json::object();
      for (std::size_t i = 0; i < state.size(); ++i)
        fields[i < entry->fields.size() ? entry->fields[i] : fmt::format("#{}", i)] =
            std::move(state[i]);
      state = std::move(fields);
    }
    out["state"] = std::move(state);
  } catch (const decode_error& e) {
    out["state"] = nullptr;
    out["error"] = e.what();
  }
  return out;
}

std::string notification_line(const es::notification& n, const es::topic_registry& topics) {
  // State strings hold whatever bytes the event had: what is not UTF-8 is
  // replaced, so one odd event does not end the listing.
  return notification_json(n, topics).dump(-1, ' ', false,
                                           nlohmann::ordered_json::error_handler_t::replace);
}

fs::path locate_events_file(const std::string& target, const std::string& app) {
  if (fs::is_directory(target)) return checked_events_file(target, app, target);
  if (fs::is_regular_file(target)) {
    const system_spec spec = load_system_file(target);
    if (spec.find(app) == nullptr) {
      std::vector<std::string> names;
      for (const auto& a : spec.applications) names.push_back(a.name);
      throw invalid_input(
          fmt::format("{}: no application '{}'{}", target, app, detail::did_you_mean(app, names)));
    }
    if (spec.persistence_of(*spec.find(app)).backend != persistence_spec::kind::sqlite)
      throw invalid_input(
          fmt::format("{}: application '{}' does not keep its events in SQLite", target, app));
    learn_topics(spec);
    return checked_events_file(spec.data_dir, app, target);
  }
  // System names never hold a '/' (system_file.hpp): this was meant as a path.
  if (target.find('/') != std::string::npos || target.ends_with(".toml"))
    throw invalid_input(fmt::format("{}: no such data directory or system file", target));
  const auto where = running_location(target);
  if (!where)
    throw invalid_input(
        fmt::format("cannot tell where system '{}' keeps its data; give its data "
                    "directory or system file instead",
                    target));
  if (!where->system_file.empty()) {
    try {
      learn_topics(load_system_file(where->system_file));
    } catch (const std::exception& e) {
      std::cerr << "weft: warning: event fields print as arrays: " << e.what() << '\n';
    }
  }
  return checked_events_file(where->data_dir, app, target);
}

int events_command(const inspect_options& options, std::ostream& out) {
  const fs::path file = locate_events_file(options.system, options.app);
  store::sqlite_options read_only;
  read_only.read_only = true;
  read_only.exclusive = false;  // the running worker keeps writing it
  const auto recorder = store::make_sqlite_recorder(file, read_only);
  const auto& topics = es::topic_registry::global();

  struct sigaction action {
  }, previous{};
  if (options.follow) {
    interrupted.store(false, std::memory_order_relaxed);
    action.sa_handler = on_interrupt;  // no SA_RESTART: the poll's sleep ends early
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, &previous);
  }
  constexpr std::uint64_t page = 500;
  std::uint64_t next = options.from;
  std::uint64_t left = options.limit.value_or(UINT64_MAX);
  while (left > 0 && !interrupted.load(std::memory_order_relaxed)) {
    es::notification_query query;
    query.start = next;
    query.limit = static_cast<std::size_t>(std::min(left, page));
    const auto batch = recorder->select_notifications(query);
    for (const auto& n : batch) out << notification_line(n, topics) << '\n';
    left -= batch.size();
    if (!batch.empty()) next = batch.back().id + 1;
    if (batch.size() == query.limit) continue;
    if (!options.follow) break;
    out.flush();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (options.follow) ::sigaction(SIGINT, &previous, nullptr);
  out.flush();
  return exit_ok;
}

}  // namespace weft::runner
