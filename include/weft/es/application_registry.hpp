#pragma once
// The process-global registry of application types: type name -> factory.
// System files name these types; the executable's own types and those of
// plugins (shared libraries) register here. A plugin exports
//
//   WEFT_PLUGIN(registry) { shop::register_types(registry); }
//
// which defines `extern "C" void weft_plugin_register(weft::es::application_registry&)`;
// the runner dlopens the library, finds that symbol and calls it.
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "weft/es/application.hpp"
#include "weft/es/process_application.hpp"

namespace weft::es {

/// Makes an application from its context (name, recorders, options).
using application_factory = std::function<std::unique_ptr<application>(app_context)>;

struct application_type {
  std::string name;
  bool is_process = false;  ///< derives from process_application, so it may follow others
  application_factory create;
};

/// An application_type for the C++ class App, constructible from app_context.
template <class App>
application_type make_application_type(std::string type_name) {
  static_assert(std::is_base_of_v<application, App>, "App must derive from weft::es::application");
  static_assert(std::is_constructible_v<App, app_context>,
                "App needs a constructor from app_context");
  return {std::move(type_name), std::is_base_of_v<process_application, App>,
          [](app_context context) -> std::unique_ptr<application> {
            return std::make_unique<App>(std::move(context));
          }};
}

/// Every method is @threadsafe. Types are never removed.
class application_registry {
 public:
  /// The one registry of this process (weft_es is a shared library, so the
  /// executable and every plugin see the same one).
  static application_registry& global();

  /// Adds a type; a name registered already is a weft::error naming it.
  void add(application_type type);

  template <class App>
  void add(std::string type_name) {
    add(make_application_type<App>(std::move(type_name)));
  }

  /// The type named `type_name`, or nullptr.
  [[nodiscard]] const application_type* find(std::string_view type_name) const;
  /// The type named `type_name`; weft::invalid_input naming it (and the known types) if absent.
  [[nodiscard]] const application_type& at(std::string_view type_name) const;
  [[nodiscard]] std::vector<std::string> names() const;

 private:
  mutable std::shared_mutex mutex_;
  std::map<std::string, application_type, std::less<>> types_;
};

/// The symbol a plugin exports, and its signature.
inline constexpr const char* plugin_entry_point = "weft_plugin_register";
using plugin_register_function = void (*)(application_registry&);

}  // namespace weft::es

/// Defines a plugin's entry point; the body registers the plugin's types into `registry`.
#define WEFT_PLUGIN(registry)                                                  \
  extern "C" __attribute__((visibility("default"))) void weft_plugin_register( \
      ::weft::es::application_registry& registry)
