#pragma once
// Settings of one application, as text key/value pairs: what system files,
// command lines and plugin factories can all provide. Typed getters name the
// key and the value at fault.
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json_fwd.hpp>

namespace weft::es {

class options {
 public:
  options() = default;
  options(std::initializer_list<std::pair<const std::string, std::string>> values)
      : values_(values) {}

  /// From a JSON object of scalars (strings, numbers, booleans); anything else
  /// is a weft::invalid_input naming the key.
  static options from_json(const nlohmann::json& object);

  options& set(std::string key, std::string value);
  [[nodiscard]] bool contains(std::string_view key) const;
  [[nodiscard]] std::string get(std::string_view key, std::string_view fallback) const;
  /// A non-negative integer; throws weft::invalid_input naming key and value.
  [[nodiscard]] std::uint64_t get_uint(std::string_view key, std::uint64_t fallback) const;
  /// true/false/1/0/yes/no/on/off; throws weft::invalid_input naming key and value.
  [[nodiscard]] bool get_bool(std::string_view key, bool fallback) const;

  [[nodiscard]] const std::map<std::string, std::string, std::less<>>& values() const noexcept {
    return values_;
  }

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

}  // namespace weft::es
