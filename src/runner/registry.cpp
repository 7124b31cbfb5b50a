#include "weft/runner/registry.hpp"

#include <fmt/format.h>

#include "weft/core/log.hpp"
#include "weft/es/options.hpp"

namespace weft::runner {

type_catalog catalog_of(const es::application_registry& registry) {
  return {[&registry](std::string_view type) { return registry.find(type) != nullptr; },
          [&registry](std::string_view type) {
            const auto* found = registry.find(type);
            return found != nullptr && found->is_process;
          },
          [&registry] { return registry.names(); }};
}

std::vector<plugin> register_plugins(const system_spec& spec, es::application_registry& registry) {
  std::vector<plugin> plugins = load_plugins(spec);
  for (std::size_t i = 0; i < plugins.size(); ++i) {
    std::string where = spec.source.string();
    if (i < spec.plugin_where.size() && spec.plugin_where[i].line > 0)
      where += fmt::format(":{}:{}", spec.plugin_where[i].line, spec.plugin_where[i].column);
    where += fmt::format(": plugins[{}]: ", i);
    // Which file runs as this user, symlinks resolved: worth a line in every log.
    log::get("runner.plugins")
        ->info("plugin {} loaded (system file: {})", plugins[i].path().string(),
               spec.plugins[i].string());
    try {
      plugins[i].register_types(registry,
                                [](const es::application_registry& r) { return r.names().size(); });
    } catch (const plugin_error& e) {
      throw plugin_error(where + e.what());
    } catch (const error& e) {  // e.g. a type name registered twice
      throw plugin_error(where + "plugin " + plugins[i].path().string() + ": " + e.what());
    }
  }
  return plugins;
}

std::vector<plugin> prepare_system(const system_spec& spec, es::application_registry& registry) {
  auto plugins = register_plugins(spec, registry);
  validate_types(spec, catalog_of(registry));
  return plugins;
}

es::options options_of(const system_spec& spec, const application_spec& app) {
  auto options = es::options::from_json(app.options);
  if (!options.contains("batch_size"))
    options.set("batch_size", std::to_string(spec.batching.section_events));
  return options;
}

es::system_definition to_definition(const system_spec& spec) {
  std::vector<es::pipe> pipes;
  // One-name pipes first: every application, isolated ones too, in file order.
  for (const auto& app : spec.applications) pipes.emplace_back(app.name);
  for (const auto& line : spec.pipes) {
    es::pipe chain(line.names.front());
    for (std::size_t i = 1; i < line.names.size(); ++i) chain = std::move(chain) | line.names[i];
    pipes.push_back(std::move(chain));
  }
  es::system_definition definition(std::move(pipes));
  for (const auto& app : spec.applications) {
    definition.use_type(app.name, app.type);
    definition.configure(app.name, options_of(spec, app));
  }
  return definition;
}

}  // namespace weft::runner
