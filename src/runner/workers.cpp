#include "weft/runner/workers.hpp"

#include <algorithm>

#include "suggest.hpp"
#include "weft/runner/cli.hpp"

namespace weft::runner {

std::vector<child_spec> worker_children(const system_spec& spec, const worker_plan& plan) {
  std::vector<std::string> names;
  for (const auto& app : spec.applications) names.push_back(app.name);
  for (const auto& wanted : plan.apps)
    if (spec.find(wanted) == nullptr)
      throw invalid_input("--apps: no application '" + wanted + "' in system '" + spec.name +
                          "' (" + spec.source.string() + ")" + detail::did_you_mean(wanted, names));

  std::vector<child_spec> children;
  for (const auto& app : spec.applications) {
    if (!plan.apps.empty() &&
        std::find(plan.apps.begin(), plan.apps.end(), app.name) == plan.apps.end())
      continue;
    const worker_options worker{spec.source, app.name, plan.segment, plan.data_dir, plan.log_level};
    children.push_back({app.name, {plan.executable, worker_arguments(worker)}});
  }
  return children;
}

supervisor_options supervisor_options_for(const system_spec& spec) {
  supervisor_options options;
  options.limits = restart_limits::from(spec.supervision);
  options.stop_timeout = spec.supervision.stop_timeout;
  return options;
}

std::filesystem::path worker_log_file(const std::filesystem::path& data_dir,
                                      const std::string& app) {
  return data_dir / (app + ".log");
}

}  // namespace weft::runner
