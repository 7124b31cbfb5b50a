#include <algorithm>
#include <ostream>

#include <fmt/format.h>

#include "weft/runner/commands.hpp"
#include "weft/runner/plugin.hpp"
#include "weft/runner/registry.hpp"
#include "weft/runner/system_file.hpp"
#include "weft/runner/system_graph.hpp"

namespace weft::runner {
namespace {

std::string describe(const persistence_spec& p) {
  switch (p.backend) {
    case persistence_spec::kind::memory:
      return "memory";
    case persistence_spec::kind::sqlite:
      return fmt::format("sqlite, durability {}", to_string(p.sync));
    case persistence_spec::kind::postgres:
      return fmt::format("postgres ({})", p.dsn);
  }
  return "?";
}

std::string joined(const std::vector<std::string>& names) {
  if (names.empty()) return "-";
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

}  // namespace

int check_command(const check_options& options, std::ostream& out) {
  const system_spec spec = load_system_file(options.system);
  auto& registry = es::application_registry::global();
  const std::vector<plugin> plugins = prepare_system(spec, registry);
  const system_graph graph = graph_of(spec);

  std::size_t width = 0;
  for (const auto& app : spec.applications) width = std::max(width, app.name.size());

  out << fmt::format("system {} ({})\n", spec.name, spec.source.string());
  out << fmt::format("  data dir     {}\n", spec.data_dir.string());
  out << fmt::format("  persistence  {}\n", describe(spec.persistence));
  for (const auto& p : plugins) out << fmt::format("  plugin       {}\n", p.path().string());
  out << "applications\n";
  for (const auto& app : spec.applications) {
    const bool process = registry.at(app.type).is_process;
    out << fmt::format("  {:<{}}  {} ({})  [{}]\n", app.name, width, app.type,
                       process ? "process application" : "application",
                       describe(spec.persistence_of(app)));
  }
  out << fmt::format("leaders    {}\n", joined(graph.leaders));
  out << fmt::format("followers  {}\n", joined(graph.followers));
  if (!graph.isolated.empty()) out << fmt::format("isolated   {}\n", joined(graph.isolated));
  out << "edges\n";
  for (const auto& e : graph.edges) out << fmt::format("  {} -> {}\n", e.leader, e.follower);
  if (graph.edges.empty()) out << "  (none)\n";
  out << "ok: every type is registered and every follower is a process application\n";
  return exit_ok;
}

}  // namespace weft::runner
