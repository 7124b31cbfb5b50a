// `weft call SYSTEM APP COMMAND [JSON]`: one command to a running system, its reply on stdout.
#include <filesystem>
#include <iostream>
#include <ostream>

#include <nlohmann/json.hpp>

#include "weft/node/client.hpp"
#include "weft/runner/cli.hpp"
#include "weft/runner/commands.hpp"
#include "weft/runner/system_file.hpp"

namespace weft::runner {

int call_command(const call_options& options, std::ostream& out) {
  nlohmann::json arguments;
  try {
    arguments = nlohmann::json::parse(options.arguments);
  } catch (const nlohmann::json::parse_error& e) {
    throw invalid_input("command arguments are not valid JSON: " + std::string(e.what()));
  }
  if (!arguments.is_object())
    throw invalid_input("command arguments must be a JSON object, not " +
                        std::string(arguments.type_name()) + ": " + options.arguments);
  // SYSTEM is a running system's name, or the file that defines it.
  std::string name = options.system;
  if (std::filesystem::is_regular_file(options.system))
    name = load_system_file(options.system).name;
  std::optional<node::client> client;
  try {
    client.emplace(node::client::attach(name));
  } catch (const invalid_input& e) {
    // An error, not a reply: stderr, as every other error of weft.
    std::cerr << "weft: " << e.what() << "\n";
    return exit_not_running;
  }
  const auto reply = client->call(options.app, options.command, arguments.dump());
  out << reply.payload << "\n";
  return reply.ok ? exit_ok : exit_failure;
}

}  // namespace weft::runner
