#include "weft/es/system_definition.hpp"

#include <algorithm>
#include <set>

namespace weft::es {
namespace {

bool has(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

system_definition::system_definition(std::initializer_list<pipe> pipes)
    : system_definition(std::vector<pipe>(pipes)) {}

system_definition::system_definition(std::vector<pipe> pipes) {
  for (const auto& line : pipes) {
    if (line.names().empty())
      throw invalid_input("a system pipe must name at least one application");
    for (std::size_t i = 0; i < line.names().size(); ++i) {
      const std::string& name = line.names()[i];
      if (name.empty()) throw invalid_input("a system pipe has an empty application name");
      if (!has(apps_, name)) {
        apps_.push_back(name);
        specs_.emplace(name, app_spec{std::nullopt, name, {}});
      }
      if (i > 0) {
        edge link{line.names()[i - 1], name};
        if (std::find(edges_.begin(), edges_.end(), link) == edges_.end())
          edges_.push_back(std::move(link));
      }
    }
  }
}

void system_definition::unknown(std::string_view app) const {
  std::string known;
  for (const auto& name : apps_) known += (known.empty() ? "" : ", ") + name;
  throw invalid_input("application '" + std::string(app) + "' is not in the system (" + known +
                      ")");
}

system_definition::app_spec& system_definition::spec(std::string_view app) {
  auto found = specs_.find(app);
  if (found == specs_.end()) unknown(app);
  return found->second;
}

const system_definition::app_spec& system_definition::spec(std::string_view app) const {
  auto found = specs_.find(app);
  if (found == specs_.end()) unknown(app);
  return found->second;
}

system_definition& system_definition::use_type(std::string_view app, std::string type_name) {
  auto& target = spec(app);
  target.bound.reset();
  target.type_name = std::move(type_name);
  return *this;
}

system_definition& system_definition::configure(std::string_view app, es::options options) {
  spec(app).options = std::move(options);
  return *this;
}

bool system_definition::contains(std::string_view app) const {
  return specs_.count(app) != 0;
}

std::vector<std::string> system_definition::leaders() const {
  std::vector<std::string> out;
  for (const auto& name : apps_)
    if (std::any_of(edges_.begin(), edges_.end(), [&](const edge& e) { return e.leader == name; }))
      out.push_back(name);
  return out;
}

std::vector<std::string> system_definition::followers() const {
  std::vector<std::string> out;
  for (const auto& name : apps_)
    if (std::any_of(edges_.begin(), edges_.end(),
                    [&](const edge& e) { return e.follower == name; }))
      out.push_back(name);
  return out;
}

std::vector<std::string> system_definition::singles() const {
  std::vector<std::string> out;
  for (const auto& name : apps_)
    if (std::none_of(edges_.begin(), edges_.end(),
                     [&](const edge& e) { return e.leader == name || e.follower == name; }))
      out.push_back(name);
  return out;
}

std::vector<std::string> system_definition::leaders_of(std::string_view app) const {
  (void)spec(app);
  std::vector<std::string> out;
  for (const auto& e : edges_)
    if (e.follower == app) out.push_back(e.leader);
  return out;
}

std::vector<std::string> system_definition::followers_of(std::string_view app) const {
  (void)spec(app);
  std::vector<std::string> out;
  for (const auto& e : edges_)
    if (e.leader == app) out.push_back(e.follower);
  return out;
}

std::vector<std::string> system_definition::topological_order() const {
  // Kahn's algorithm over edges between distinct applications, taking the
  // first ready application in declaration order; when only cycles remain,
  // the first remaining application in declaration order goes next.
  std::vector<std::string> out;
  std::set<std::string, std::less<>> placed;
  while (out.size() < apps_.size()) {
    const std::string* next = nullptr;
    for (const auto& name : apps_) {
      if (placed.count(name)) continue;
      const bool ready = std::none_of(edges_.begin(), edges_.end(), [&](const edge& e) {
        return e.follower == name && e.leader != name && !placed.count(e.leader);
      });
      if (ready) {
        next = &name;
        break;
      }
    }
    if (next == nullptr)
      for (const auto& name : apps_)
        if (!placed.count(name)) {
          next = &name;
          break;
        }
    placed.insert(*next);
    out.push_back(*next);
  }
  return out;
}

bool system_definition::has_cycles() const {
  // A cycle exists iff some edge goes from an application to one placed no later in topological
  // order.
  const auto order = topological_order();
  auto rank = [&](const std::string& name) { return std::find(order.begin(), order.end(), name); };
  return std::any_of(edges_.begin(), edges_.end(),
                     [&](const edge& e) { return rank(e.leader) >= rank(e.follower); });
}

const es::options& system_definition::options_of(std::string_view app) const {
  return spec(app).options;
}

const application_type& system_definition::type_of(std::string_view app,
                                                   const application_registry& registry) const {
  const auto& target = spec(app);
  if (target.bound) return *target.bound;
  if (const auto* type = registry.find(target.type_name)) return *type;
  throw invalid_input("application '" + std::string(app) +
                      "' has no type: bind it, or register type '" + target.type_name +
                      "' (registered: " +
                      [&] {
                        std::string known;
                        for (const auto& name : registry.names())
                          known += (known.empty() ? "" : ", ") + name;
                        return known.empty() ? std::string("none") : known;
                      }() +
                      ")");
}

void system_definition::validate(const application_registry& registry) const {
  for (const auto& name : apps_) {
    const auto& type = type_of(name, registry);
    const auto leaders = leaders_of(name);
    if (!leaders.empty() && !type.is_process)
      throw invalid_input("application '" + name + "' follows '" + leaders.front() +
                          "' but its type '" + type.name + "' is not a process application");
  }
}

}  // namespace weft::es
