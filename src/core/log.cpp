#include "weft/core/log.hpp"

#include <mutex>
#include <unordered_map>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "weft/core/error.hpp"

namespace weft::log {
namespace {

// All weft loggers share one sink so that a worker's switch to its own file
// moves every component at once.
struct registry {
  std::mutex mutex;
  spdlog::sink_ptr sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  level current = level::info;
  std::unordered_map<std::string, std::shared_ptr<spdlog::logger>> loggers;
};

registry& the_registry() {
  static registry instance;
  return instance;
}

}  // namespace

level parse_level(std::string_view text) {
  static const std::pair<std::string_view, level> names[] = {
      {"trace", level::trace}, {"debug", level::debug}, {"info", level::info},
      {"warn", level::warn},   {"error", level::err},   {"critical", level::critical},
      {"off", level::off}};
  for (const auto& [name, lvl] : names)
    if (name == text) return lvl;
  throw invalid_input("unknown log level '" + std::string(text) +
                      "' (expected trace, debug, info, warn, error, critical or off)");
}

void set_level(level lvl) {
  auto& reg = the_registry();
  std::lock_guard lock(reg.mutex);
  reg.current = lvl;
  for (auto& [_, logger] : reg.loggers) logger->set_level(lvl);
}

void to_file(const std::string& path) {
  auto& reg = the_registry();
  auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, /*truncate=*/false);
  std::lock_guard lock(reg.mutex);
  reg.sink = sink;
  for (auto& [_, logger] : reg.loggers) logger->sinks() = {sink};
}

std::shared_ptr<spdlog::logger> get(const std::string& name) {
  auto& reg = the_registry();
  std::lock_guard lock(reg.mutex);
  auto& slot = reg.loggers[name];
  if (!slot) {
    slot = std::make_shared<spdlog::logger>(name, reg.sink);
    slot->set_level(reg.current);
    slot->set_pattern("%Y-%m-%dT%H:%M:%S.%f %^%l%$ [%n] %v");
    // Warnings and errors reach the file at once: a worker about to be
    // SIGKILLed, and an operator reading its log meanwhile, need them now.
    slot->flush_on(spdlog::level::warn);
  }
  return slot;
}

}  // namespace weft::log
