#include "weft/runner/plugin.hpp"

#include <dlfcn.h>

namespace weft::runner {

plugin plugin::load(const std::filesystem::path& path) {
  std::error_code ec;
  // dlopen() searches the library path for names without a slash; a plugin
  // named in a system file is a file, so make that explicit.
  const auto canonical = std::filesystem::canonical(path, ec);
  if (ec) throw plugin_error("plugin " + path.string() + ": " + ec.message());
  if (!std::filesystem::is_regular_file(canonical))
    throw plugin_error("plugin " + canonical.string() + ": not a regular file");
  // Loading a plugin runs its code as this user: one that every user may
  // rewrite would hand them that power.
  const auto perms = std::filesystem::status(canonical, ec).permissions();
  if (!ec && (perms & std::filesystem::perms::others_write) != std::filesystem::perms::none)
    throw plugin_error("plugin " + canonical.string() +
                       ": writable by every user, so anyone could run code as you "
                       "(chmod o-w it)");

  void* handle = ::dlopen(canonical.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    throw plugin_error("plugin " + canonical.string() +
                       ": cannot load: " + (why ? why : "unknown dlopen error"));
  }
  ::dlerror();  // clear, so a null symbol can be told from an error
  void* symbol = ::dlsym(handle, plugin_entry_symbol);
  if (symbol == nullptr) {
    ::dlclose(handle);  // nothing registered from it yet: safe to unload
    throw plugin_error("plugin " + canonical.string() + ": has no entry point " +
                       plugin_entry_symbol + " (declare it extern \"C\" and export it)");
  }
  return plugin(canonical, symbol);
}

std::vector<plugin> load_plugins(const system_spec& spec) {
  std::vector<plugin> plugins;
  for (std::size_t i = 0; i < spec.plugins.size(); ++i) {
    try {
      plugins.push_back(plugin::load(spec.plugins[i]));
    } catch (const plugin_error& e) {
      std::string where = spec.source.string();
      if (i < spec.plugin_where.size() && spec.plugin_where[i].line > 0)
        where += ":" + std::to_string(spec.plugin_where[i].line) + ":" +
                 std::to_string(spec.plugin_where[i].column);
      throw plugin_error(where + ": plugins[" + std::to_string(i) + "]: " + e.what());
    }
  }
  return plugins;
}

}  // namespace weft::runner
