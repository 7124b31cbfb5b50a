#include "audit.hpp"

#include <fmt/format.h>

#include <unordered_map>

#include "weft/es/process_application.hpp"
#include "weft/runner/hosting.hpp"
#include "weft/store/memory_recorder.hpp"
#include "weft/store/sqlite_recorder.hpp"

namespace chaos {
namespace {

namespace fs = std::filesystem;
using weft::es::notification;

std::unique_ptr<weft::es::recorder> open_read_only(const fs::path& file) {
  weft::store::sqlite_options options;
  options.read_only = true;
  options.exclusive = false;
  return weft::store::make_sqlite_recorder(file, options);
}

// What a follower follows, asked of the application itself (built on a
// memory recorder): empty means every topic.
std::vector<std::string> follow_topics_of(const weft::runner::system_spec& spec,
                                          const std::string& app, const chaos_system& system) {
  weft::es::application_registry registry;
  system.register_types(registry);
  weft::es::app_context context;
  context.name = app;
  context.events = weft::store::make_memory_recorder();
  const auto made = registry.at(spec.find(app)->type).create(std::move(context));
  const auto* process = dynamic_cast<const weft::es::process_application*>(made.get());
  return process != nullptr ? process->follow_topics() : std::vector<std::string>{};
}

struct log_summary {
  std::uint64_t last_id = 0;
  std::map<std::string, std::uint64_t> last_id_of_topic;
};

// One pass over an application's log: gaps, versions, last id per topic.
log_summary scan(weft::es::recorder& log, const std::string& app, domain_audit& domain,
                 findings& violations) {
  log_summary summary;
  std::unordered_map<weft::uuid, std::uint64_t> version_of;
  weft::es::notification_query query;
  query.limit = 20000;
  std::uint64_t expected = 1;
  for (;;) {
    query.start = expected;
    const auto page = log.select_notifications(query);
    if (page.empty()) break;
    for (const notification& note : page) {
      if (note.id != expected)
        violations.add(
            fmt::format("{}: notification id {} follows {} (gap)", app, note.id, expected - 1));
      expected = note.id + 1;
      auto& version = version_of[note.event.originator_id];
      if (note.event.originator_version != version + 1)
        violations.add(fmt::format("{}: {} version {} follows version {}", app,
                                   note.event.originator_id.str(), note.event.originator_version,
                                   version));
      version = note.event.originator_version;
      summary.last_id_of_topic[note.event.topic] = note.id;
      domain.visit(app, note);
    }
  }
  summary.last_id = expected - 1;
  const auto max = log.max_notification_id();
  if (max != summary.last_id)
    violations.add(fmt::format("{}: max notification id {} but the log ends at {}", app, max,
                               summary.last_id));
  return summary;
}

}  // namespace

audit_result audit_recorders(const weft::runner::system_spec& spec, const fs::path& data_dir,
                             const chaos_system& system, const std::vector<fate>& fates) {
  audit_result result;
  auto domain = system.make_audit();
  std::map<std::string, std::unique_ptr<weft::es::recorder>> recorders;
  std::map<std::string, log_summary> logs;
  for (const auto& app : spec.applications) {
    const fs::path file = weft::runner::events_file(data_dir, app.name);
    if (!fs::exists(file)) {
      result.violations.add(fmt::format("{}: no recorder file {}", app.name, file.string()));
      continue;
    }
    recorders[app.name] = open_read_only(file);
    logs[app.name] = scan(*recorders[app.name], app.name, *domain, result.violations);
    result.events_per_app[app.name] = logs[app.name].last_id;
  }
  // Every edge leader -> follower named by a pipe, once.
  std::map<std::string, std::vector<std::string>> upstreams_of;
  for (const auto& pipe : spec.pipes)
    for (std::size_t i = 1; i < pipe.names.size(); ++i) {
      auto& ups = upstreams_of[pipe.names[i]];
      if (std::find(ups.begin(), ups.end(), pipe.names[i - 1]) == ups.end())
        ups.push_back(pipe.names[i - 1]);
    }
  for (const auto& [follower, upstreams] : upstreams_of) {
    if (!recorders.count(follower)) continue;
    const auto topics = follow_topics_of(spec, follower, system);
    for (const auto& upstream : upstreams) {
      if (!logs.count(upstream)) continue;
      const auto& log = logs[upstream];
      std::uint64_t relevant = 0;
      if (topics.empty()) relevant = log.last_id;
      for (const auto& topic : topics)
        if (auto found = log.last_id_of_topic.find(topic); found != log.last_id_of_topic.end())
          relevant = std::max(relevant, found->second);
      const auto tracked = recorders[follower]->max_tracking_id(upstream);
      if (tracked < relevant)
        result.violations.add(fmt::format(
            "{} tracks {} at {}, but {}'s last notification it follows is {} (not drained)",
            follower, upstream, tracked, upstream, relevant));
      if (tracked > log.last_id)
        result.violations.add(fmt::format("{} tracks {} at {}, beyond its last notification {}",
                                          follower, upstream, tracked, log.last_id));
    }
  }
  domain->finish(fates, result.violations, result.facts);
  return result;
}

}  // namespace chaos
