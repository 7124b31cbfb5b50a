#include "weft/es/application_registry.hpp"

#include <mutex>

namespace weft::es {

application_registry& application_registry::global() {
  static application_registry registry;
  return registry;
}

void application_registry::add(application_type type) {
  if (type.name.empty()) throw error("an application type needs a name");
  if (!type.create) throw error("application type '" + type.name + "' has no factory");
  std::unique_lock lock(mutex_);
  if (types_.find(type.name) != types_.end())
    throw error("application type '" + type.name + "' is registered already");
  auto name = type.name;
  types_.emplace(std::move(name), std::move(type));
}

const application_type* application_registry::find(std::string_view type_name) const {
  std::shared_lock lock(mutex_);
  auto found = types_.find(type_name);
  return found == types_.end() ? nullptr : &found->second;
}

const application_type& application_registry::at(std::string_view type_name) const {
  if (const auto* type = find(type_name)) return *type;
  std::string known;
  for (const auto& name : names()) known += (known.empty() ? "" : ", ") + name;
  throw invalid_input("unknown application type '" + std::string(type_name) +
                      "' (registered: " + (known.empty() ? "none" : known) + ")");
}

std::vector<std::string> application_registry::names() const {
  std::shared_lock lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [name, type] : types_) out.push_back(name);
  return out;
}

}  // namespace weft::es
