#include "weft/es/commands.hpp"

#include <algorithm>

namespace weft::es {

command_args::command_args(std::string_view command, const nlohmann::json& payload)
    : command_(command), tree_(&payload) {}

command_args::command_args(std::string_view command, const command_payload& payload)
    : command_(command),
      tree_(payload.is_flat() ? nullptr : &payload.json()),
      flat_(payload.is_flat() ? &payload : nullptr) {}

const nlohmann::json* command_args::find(std::string_view field) const {
  if (!tree_->is_object()) return nullptr;
  auto found = tree_->find(field);
  return found == tree_->end() ? nullptr : &*found;
}

const nlohmann::json& command_args::json() const {
  return tree_ != nullptr ? *tree_ : flat_->json();
}

void command_args::fail(std::string_view field, std::string_view problem) const {
  throw command_error("command '" + std::string(command_) + "': field '" + std::string(field) +
                      "' " + std::string(problem));
}

std::string command_args::describe(const nlohmann::json& value) {
  std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > 40) {
    text.resize(37);
    text.append("...");
  }
  return text + " (" + value.type_name() + ")";
}

std::string command_reply::to_json_text() const {
  nlohmann::json out = ok ? nlohmann::json{{"ok", true}, {"result", result}}
                          : nlohmann::json{{"ok", false}, {"error", error}};
  // A caller's bytes (a command name, a string argument) may be any bytes: a
  // reply must still go out, with what is not UTF-8 replaced, not throw.
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void command_table::add(std::string name, handler run) {
  if (!run) throw error("command '" + name + "' has no handler");
  const auto at = std::lower_bound(handlers_.begin(), handlers_.end(), name,
                                   [](const entry& e, const std::string& n) { return e.name < n; });
  if (at != handlers_.end() && at->name == name)
    throw error("command '" + name + "' is added already");
  handlers_.insert(at, entry{std::move(name), std::move(run)});
}

const command_table::handler& command_table::at(std::string_view name) const {
  const handler* found = find(name);
  if (found == nullptr) throw command_error("unknown command '" + std::string(name) + "'");
  return *found;
}

const command_table::handler* command_table::find(std::string_view name) const {
  // A few commands: sizes first, bytes only where they match.
  constexpr std::size_t scanned = 16;
  if (handlers_.size() <= scanned) {
    for (const auto& e : handlers_)
      if (same_text(e.name, name)) return &e.run;
    return nullptr;
  }
  const auto at = std::lower_bound(
      handlers_.begin(), handlers_.end(), name,
      [](const entry& e, std::string_view n) { return std::string_view(e.name) < n; });
  return at != handlers_.end() && at->name == name ? &at->run : nullptr;
}

bool command_table::contains(std::string_view name) const {
  return find(name) != nullptr;
}

std::vector<std::string> command_table::names() const {
  std::vector<std::string> out;
  out.reserve(handlers_.size());
  for (const auto& e : handlers_) out.push_back(e.name);
  return out;
}

}  // namespace weft::es
