#pragma once
// What every runner does for one application of a system file: open its
// recorders (memory, or SQLite files in the data directory) and construct it
// from its registered type with its options.
#include <filesystem>
#include <memory>

#include "weft/es/application.hpp"
#include "weft/es/application_registry.hpp"
#include "weft/node/system_layout.hpp"
#include "weft/node/worker.hpp"
#include "weft/runner/system_spec.hpp"

namespace weft::runner {

/// Creates the data directory (mode 0700) if needed; throws weft::invalid_input
/// naming it if it cannot, or if it is not a directory.
void prepare_data_dir(const std::filesystem::path& dir);

/// The SQLite file of an application's events: <data_dir>/<app>.sqlite.
std::filesystem::path events_file(const std::filesystem::path& data_dir, const std::string& app);

/// The recorder an application's persistence asks for; `suffix` "" for its
/// events, ".snapshots" for its snapshots.
std::shared_ptr<es::recorder> open_recorder(const system_spec& spec, const application_spec& app,
                                            const std::filesystem::path& data_dir,
                                            const std::string& suffix = "");

/// Constructs application `name` of `spec` from its registered type, on its recorders.
std::unique_ptr<es::application> make_application(
    const system_spec& spec, const std::string& name, const std::filesystem::path& data_dir,
    const es::application_registry& registry = es::application_registry::global());

/// Ring sizes from the system file's [rings].
node::ring_sizes ring_sizes_of(const system_spec& spec);
/// Node settings from the system file's [batching].
node::worker_config worker_config_of(const system_spec& spec);

}  // namespace weft::runner
