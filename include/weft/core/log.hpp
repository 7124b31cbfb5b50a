#pragma once
// Logging facade over spdlog: one place decides levels and sinks, so a worker
// process can send everything to its own file with one call.
#include <memory>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

namespace weft::log {

using level = spdlog::level::level_enum;

/// Parses "trace|debug|info|warn|error|critical|off"; throws weft::invalid_input naming the text.
level parse_level(std::string_view text);

/// Sets the level of every weft logger, present and future. @threadsafe
void set_level(level lvl);

/// Sends every weft logger, present and future, to a file (append), instead of stderr. @threadsafe
void to_file(const std::string& path);

/// The logger for a component ("es", "store", "node.Orders"); created on first use. @threadsafe
std::shared_ptr<spdlog::logger> get(const std::string& name);

}  // namespace weft::log
