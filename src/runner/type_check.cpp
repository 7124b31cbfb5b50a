#include "weft/runner/type_check.hpp"

#include <fmt/core.h>

#include "suggest.hpp"
#include "weft/runner/system_file.hpp"

namespace weft::runner {
namespace {

std::string position(const system_spec& spec, source_line at) {
  // fmt, not operator+: g++ 12 -O3 warns (-Wrestrict) on a literal + string.
  if (at.line == 0) return spec.source.string();
  return fmt::format("{}:{}:{}", spec.source.string(), at.line, at.column);
}

}  // namespace

void validate_types(const system_spec& spec, const type_catalog& catalog) {
  for (std::size_t i = 0; i < spec.applications.size(); ++i) {
    const auto& app = spec.applications[i];
    if (catalog.is_registered(app.type)) continue;
    const auto known = catalog.registered();
    std::string message =
        fmt::format("{}: applications[{}].type: unknown application type '{}' for '{}'{}",
                    position(spec, app.type_where), i, app.type, app.name,
                    detail::did_you_mean(app.type, known));
    message += known.empty() ? " (no types are registered: is a plugin missing?)" : "";
    throw system_file_error(message);
  }
  for (std::size_t p = 0; p < spec.pipes.size(); ++p) {
    const auto& pipe = spec.pipes[p];
    for (std::size_t i = 1; i < pipe.names.size(); ++i) {
      const auto* follower = spec.find(pipe.names[i]);
      if (follower == nullptr || catalog.is_process_application(follower->type)) continue;
      throw system_file_error(fmt::format(
          "{}: pipes[{}]: '{}' follows '{}' but its type '{}' is not a process application (only "
          "process applications can follow)",
          position(spec, pipe.name_where[i]), p, follower->name, pipe.names[i - 1],
          follower->type));
    }
  }
}

}  // namespace weft::runner
