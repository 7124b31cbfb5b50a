#include "weft/runner/hosting.hpp"

#include <system_error>

#include "weft/core/error.hpp"
#include "weft/es/options.hpp"
#include "weft/node/recent_notifications.hpp"
#include "weft/runner/registry.hpp"
#include "weft/store/memory_recorder.hpp"
#include "weft/store/sqlite_recorder.hpp"

namespace weft::runner {

namespace fs = std::filesystem;

void prepare_data_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw invalid_input("data directory " + dir.string() + ": " + ec.message());
  if (!fs::is_directory(dir))
    throw invalid_input("data directory " + dir.string() + " is not a directory");
  // Events are the users' data: only the owner may read them.
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec)
    throw invalid_input("data directory " + dir.string() +
                        ": cannot set mode 0700: " + ec.message());
}

fs::path events_file(const fs::path& data_dir, const std::string& app) {
  return data_dir / (app + ".sqlite");
}

std::shared_ptr<es::recorder> open_recorder(const system_spec& spec, const application_spec& app,
                                            const fs::path& data_dir, const std::string& suffix) {
  const auto& persistence = spec.persistence_of(app);
  switch (persistence.backend) {
    case persistence_spec::kind::memory:
      return store::make_memory_recorder();
    case persistence_spec::kind::sqlite: {
      store::sqlite_options options;
      options.sync = persistence.sync == persistence_spec::durability::full
                         ? store::durability::full
                         : store::durability::normal;
      // Shared, not exclusive: `weft events` and other tools read the file
      // while the system runs.
      options.exclusive = false;
      return store::make_sqlite_recorder(data_dir / (app.name + suffix + ".sqlite"), options);
    }
    case persistence_spec::kind::postgres:
      break;
  }
  throw invalid_input(spec.source.string() + ": application '" + app.name +
                      "': postgres persistence is not available in this build");
}

std::unique_ptr<es::application> make_application(const system_spec& spec, const std::string& name,
                                                  const fs::path& data_dir,
                                                  const es::application_registry& registry) {
  const application_spec* app = spec.find(name);
  if (app == nullptr)
    throw invalid_input(spec.source.string() + ": no application named '" + name + "'");
  const auto& type = registry.at(app->type);
  es::app_context context;
  context.name = app->name;
  context.options = options_of(spec, *app);
  // Hosted applications push sections from what they just recorded (no read-back).
  context.events =
      std::make_shared<node::recent_notifications>(open_recorder(spec, *app, data_dir));
  if (context.options.get_uint("snapshot_every", 0) > 0)
    context.snapshots = open_recorder(spec, *app, data_dir, ".snapshots");
  return type.create(std::move(context));
}

node::ring_sizes ring_sizes_of(const system_spec& spec) {
  node::ring_sizes sizes;
  sizes.edge_bytes = spec.rings.edge_bytes;
  sizes.ingress_bytes = spec.rings.ingress_bytes;
  return sizes;
}

node::worker_config worker_config_of(const system_spec& spec) {
  node::worker_config config;
  config.group_commit = spec.batching.group_commit;
  config.turn_limit = spec.supervision.turn_timeout;
  config.host.section_items = spec.batching.section_events;
  config.host.pull_limit = std::max<std::uint32_t>(spec.batching.section_events * 4, 1);
  return config;
}

}  // namespace weft::runner
