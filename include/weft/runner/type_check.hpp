#pragma once
// The second validation step: what a system file alone cannot tell, because it
// needs the application type registry (filled by the executable and by plugins).
// The runner layer does not know the registry's type; the caller binds it:
//
//   validate_types(spec, type_catalog{
//       .is_registered = [&](auto t) { return registry.contains(t); },
//       .is_process_application = [&](auto t) { return registry.is_process(t); },
//       .registered = [&] { return registry.names(); }});
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "weft/runner/system_spec.hpp"

namespace weft::runner {

/// What the application type registry can answer, as plain functions.
struct type_catalog {
  std::function<bool(std::string_view type)> is_registered;
  /// Only process applications can follow (they record tracking positions).
  std::function<bool(std::string_view type)> is_process_application;
  /// Every registered type name, for "did you mean" and for listing.
  std::function<std::vector<std::string>()> registered;
};

/// Throws system_file_error naming file, line and key for the first
/// application whose type is not registered, and for the first follower (in a
/// pipe) whose type is not a process application.
void validate_types(const system_spec& spec, const type_catalog& catalog);

}  // namespace weft::runner
