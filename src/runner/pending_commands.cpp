// Commands whose machinery (node layer, client, process runner) is not in
// this build yet. Each checks what it can already check, so bad input fails
// the same way it will later, then says it is not available.
#include <ostream>

#include <nlohmann/json.hpp>

#include "suggest.hpp"
#include "weft/runner/commands.hpp"
#include "weft/runner/system_file.hpp"
#include "weft/runner/workers.hpp"

namespace weft::runner {
namespace {

[[noreturn]] void not_yet(const std::string& what) {
  throw unavailable_error(what + ": not available in this build yet");
}

void require_application(const system_spec& spec, const std::string& name,
                         const std::string& where) {
  if (spec.find(name) != nullptr) return;
  std::vector<std::string> known;
  for (const auto& app : spec.applications) known.push_back(app.name);
  throw invalid_input(where + ": no application '" + name + "' in system '" + spec.name + "' (" +
                      spec.source.string() + ")" + detail::did_you_mean(name, known));
}

}  // namespace

int run_command(const run_options& options, std::ostream& /*out*/) {
  const system_spec spec = load_system_file(options.system);
  worker_plan plan;
  plan.data_dir = options.data_dir.value_or(spec.data_dir);
  plan.log_level = options.log_level;
  plan.apps = options.apps;
  worker_children(spec, plan);  // checks --apps
  not_yet("weft run");
}

int call_command(const call_options& options, std::ostream& /*out*/) {
  nlohmann::json arguments;
  try {
    arguments = nlohmann::json::parse(options.arguments);
  } catch (const nlohmann::json::parse_error& e) {
    throw invalid_input("command arguments are not valid JSON: " + std::string(e.what()));
  }
  if (!arguments.is_object())
    throw invalid_input("command arguments must be a JSON object, not " +
                        std::string(arguments.type_name()) + ": " + options.arguments);
  not_yet("weft call");
}

int demo_command(const demo_options& /*options*/, std::ostream& /*out*/) {
  not_yet("weft demo");
}

int worker_command(const worker_options& options) {
  const system_spec spec = load_system_file(options.system);
  require_application(spec, options.app, "--app");
  not_yet("weft worker");
}

}  // namespace weft::runner
