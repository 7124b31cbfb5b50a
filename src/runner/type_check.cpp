#include "weft/runner/type_check.hpp"

#include "suggest.hpp"
#include "weft/runner/system_file.hpp"

namespace weft::runner {
namespace {

std::string position(const system_spec& spec, source_line at) {
  std::string text = spec.source.string();
  if (at.line > 0) text += ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
  return text;
}

}  // namespace

void validate_types(const system_spec& spec, const type_catalog& catalog) {
  for (std::size_t i = 0; i < spec.applications.size(); ++i) {
    const auto& app = spec.applications[i];
    if (catalog.is_registered(app.type)) continue;
    const auto known = catalog.registered();
    std::string message = position(spec, app.type_where) + ": applications[" + std::to_string(i) +
                          "].type: unknown application type '" + app.type + "' for '" + app.name +
                          "'" + detail::did_you_mean(app.type, known);
    message += known.empty() ? " (no types are registered: is a plugin missing?)" : "";
    throw system_file_error(message);
  }
  for (std::size_t p = 0; p < spec.pipes.size(); ++p) {
    const auto& pipe = spec.pipes[p];
    for (std::size_t i = 1; i < pipe.names.size(); ++i) {
      const auto* follower = spec.find(pipe.names[i]);
      if (follower == nullptr || catalog.is_process_application(follower->type)) continue;
      throw system_file_error(position(spec, pipe.name_where[i]) + ": pipes[" + std::to_string(p) +
                              "]: '" + follower->name + "' follows '" + pipe.names[i - 1] +
                              "' but its type '" + follower->type +
                              "' is not a process application (only process applications can "
                              "follow)");
    }
  }
}

}  // namespace weft::runner
