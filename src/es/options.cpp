#include "weft/es/options.hpp"

#include <charconv>

#include <nlohmann/json.hpp>

#include "weft/core/error.hpp"

namespace weft::es {

options options::from_json(const nlohmann::json& object) {
  if (!object.is_object())
    throw invalid_input(std::string("application options must be a JSON object, got ") +
                        object.type_name());
  options out;
  for (const auto& [key, value] : object.items()) {
    if (value.is_string())
      out.set(key, value.get<std::string>());
    else if (value.is_number() || value.is_boolean())
      out.set(key, value.dump());
    else
      throw invalid_input("application option '" + key +
                          "' must be a string, number or boolean, got " + value.type_name());
  }
  return out;
}

options& options::set(std::string key, std::string value) {
  values_.insert_or_assign(std::move(key), std::move(value));
  return *this;
}

bool options::contains(std::string_view key) const {
  return values_.find(key) != values_.end();
}

std::string options::get(std::string_view key, std::string_view fallback) const {
  auto found = values_.find(key);
  return found == values_.end() ? std::string(fallback) : found->second;
}

std::uint64_t options::get_uint(std::string_view key, std::uint64_t fallback) const {
  auto found = values_.find(key);
  if (found == values_.end()) return fallback;
  const std::string& text = found->second;
  std::uint64_t value = 0;
  const auto [end, problem] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (problem != std::errc{} || end != text.data() + text.size() || text.empty())
    throw invalid_input("option '" + std::string(key) + "' must be a non-negative integer, not '" +
                        text + "'");
  return value;
}

bool options::get_bool(std::string_view key, bool fallback) const {
  auto found = values_.find(key);
  if (found == values_.end()) return fallback;
  const std::string& text = found->second;
  if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "0" || text == "no" || text == "off") return false;
  throw invalid_input("option '" + std::string(key) + "' must be true or false, not '" + text +
                      "'");
}

}  // namespace weft::es
