// A plugin whose application can be told to hold its turn: "stall" sleeps
// for `ms` inside the handler, as an endless loop or a deadlock would keep
// it; "ping" answers at once.
#include <chrono>
#include <cstdint>
#include <thread>

#include "weft/es/application_registry.hpp"
#include "weft/es/commands.hpp"

namespace {

class stalling : public weft::es::application {
 public:
  explicit stalling(weft::es::app_context context) : application(std::move(context)) {
    commands().add("stall", [](const weft::es::command_args& args) {
      std::this_thread::sleep_for(std::chrono::milliseconds(args.get<std::uint64_t>("ms")));
      return nlohmann::json();
    });
    commands().add("ping", [](const weft::es::command_args&) { return nlohmann::json("pong"); });
  }
};

}  // namespace

WEFT_PLUGIN(registry) {
  registry.add<stalling>("test.Stalling");
}
