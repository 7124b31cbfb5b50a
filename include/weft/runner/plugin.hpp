#pragma once
// Plugins: shared libraries that register user application types, so a user's
// own applications run under the stock `weft` executable. A plugin exports
//
//   extern "C" void weft_plugin_register(weft::es::application_registry& registry);
//
// The runner layer only finds and opens it; calling the entry with the
// registry is the caller's business (plugin::entry_as<Registry>()).
#include <filesystem>
#include <string>

#include <vector>

#include "weft/core/error.hpp"
#include "weft/runner/system_spec.hpp"

namespace weft::runner {

/// A plugin that cannot be used; what() names the path and the reason.
class plugin_error : public error {
 public:
  using error::error;
};

inline constexpr const char* plugin_entry_symbol = "weft_plugin_register";

/// An opened plugin. The library is never closed: registered factories point
/// into its code, and unmapping it would leave them dangling.
class plugin {
 public:
  /// Opens `path` (RTLD_NOW | RTLD_LOCAL, so every symbol resolves at once and a
  /// missing one fails here) and finds weft_plugin_register. Throws plugin_error
  /// for a missing file, one writable by every user, a dlopen failure or a
  /// missing entry, naming the path.
  static plugin load(const std::filesystem::path& path);

  /// The canonical absolute path that was opened.
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

  /// The entry point typed for the registry it takes by reference.
  template <class Registry>
  [[nodiscard]] auto entry_as() const noexcept {
    // dlsym() gives an object pointer; POSIX guarantees it converts to the function's type.
    return reinterpret_cast<void (*)(Registry&)>(entry_);
  }

  /// Calls the entry point with `registry`; throws plugin_error when it added
  /// no type, as counted by `count_types(registry)` before and after.
  template <class Registry, class CountTypes>
  void register_types(Registry& registry, CountTypes count_types) const {
    const auto before = count_types(registry);
    entry_as<Registry>()(registry);
    if (count_types(registry) == before)
      throw plugin_error("plugin " + path_.string() + ": registers no application types (" +
                         plugin_entry_symbol + " added none)");
  }

 private:
  plugin(std::filesystem::path path, void* entry) : path_(std::move(path)), entry_(entry) {}

  std::filesystem::path path_;
  void* entry_;  // weft_plugin_register, as dlsym() found it
};

/// Loads a system's plugins in file order; a failure's message also names the
/// system file, line and key ("shop.toml:4:12: plugins[0]: plugin ...: no such file").
std::vector<plugin> load_plugins(const system_spec& spec);

}  // namespace weft::runner
