#pragma once
// The runner's side of the es application registry: plugins register into it,
// system specs are checked against it and become es system definitions.
#include <vector>

#include "weft/es/application_registry.hpp"
#include "weft/es/system_definition.hpp"
#include "weft/runner/plugin.hpp"
#include "weft/runner/system_spec.hpp"
#include "weft/runner/type_check.hpp"

namespace weft::runner {

/// What validate_types() asks, answered by `registry` (which must outlive the catalog).
type_catalog catalog_of(const es::application_registry& registry);

/// Loads the system's plugins and calls each one's entry point with `registry`.
/// Throws plugin_error naming the system file line, the plugin's path and the
/// problem: missing file, dlopen failure, no entry point, a type registered
/// twice, or "registers no application types".
std::vector<plugin> register_plugins(const system_spec& spec, es::application_registry& registry);

/// Registers plugins, then validate_types(): the whole check of a system file.
/// Throws system_file_error or plugin_error.
std::vector<plugin> prepare_system(const system_spec& spec, es::application_registry& registry);

/// An application's options from the file; batch_size (notifications per
/// follower transaction) defaults to [batching] section_events, so that a
/// follower records each section it is sent in one transaction.
es::options options_of(const system_spec& spec, const application_spec& app);

/// The es definition of the system: every application (file order) with its
/// registered type and options (options_of), and the pipes. Options must be flat (the
/// parser guarantees it).
es::system_definition to_definition(const system_spec& spec);

}  // namespace weft::runner
