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
  return plugin(canonical, reinterpret_cast<entry_fn>(symbol));
}

}  // namespace weft::runner
