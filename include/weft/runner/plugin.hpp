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

#include "weft/core/error.hpp"

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
  using entry_fn = void (*)(void*);

  /// Opens `path` (RTLD_NOW | RTLD_LOCAL, so every symbol resolves at once and a
  /// missing one fails here) and finds weft_plugin_register. Throws plugin_error
  /// for a missing file, a dlopen failure or a missing entry, naming the path.
  static plugin load(const std::filesystem::path& path);

  /// The canonical absolute path that was opened.
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

  /// The entry point typed for the registry it takes by reference.
  template <class Registry>
  [[nodiscard]] auto entry_as() const noexcept {
    // The symbol's real signature is void(Registry&); a reference is passed as a pointer.
    return reinterpret_cast<void (*)(Registry&)>(entry_);
  }

 private:
  plugin(std::filesystem::path path, entry_fn entry) : path_(std::move(path)), entry_(entry) {}

  std::filesystem::path path_;
  entry_fn entry_;
};

}  // namespace weft::runner
