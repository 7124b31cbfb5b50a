#pragma once
// Named commands of an application, called with JSON arguments: how clients
// (`weft call`, the multi-process runner's ingress) reach an application
// without knowing its C++ type. A command's arguments are extracted with
// typed getters whose errors name the command and the field, and the caller
// always gets a reply, never a crash.
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "weft/core/error.hpp"
#include "weft/core/uuid.hpp"
#include "weft/es/command_payload.hpp"

namespace weft::es {

/// A command that cannot run as called: unknown name, bad or missing argument.
class command_error : public invalid_input {
 public:
  using invalid_input::invalid_input;
};

/// The arguments of one call of `command`: a JSON object, as a tree or as a
/// parsed command_payload (whose flat fields are read without a tree).
class command_args {
 public:
  command_args(std::string_view command, const nlohmann::json& payload);
  command_args(std::string_view command, const command_payload& payload);

  /// A required field; throws command_error naming the command and the field.
  /// weft::uuid fields are given as canonical strings.
  template <class T>
  [[nodiscard]] T get(std::string_view field) const {
    if (flat_ != nullptr) {
      const auto* value = flat_->find_flat(field);
      if (value == nullptr) fail(field, "is missing");
      return convert_flat<T>(field, *value);
    }
    const nlohmann::json* value = find(field);
    if (value == nullptr) fail(field, "is missing");
    return convert<T>(field, *value);
  }

  /// An optional field: `fallback` when missing or null.
  template <class T>
  [[nodiscard]] T get(std::string_view field, T fallback) const {
    if (flat_ != nullptr) {
      const auto* value = flat_->find_flat(field);
      if (value == nullptr || value->type == command_payload::flat_field::kind::null)
        return fallback;
      return convert_flat<T>(field, *value);
    }
    const nlohmann::json* value = find(field);
    if (value == nullptr || value->is_null()) return fallback;
    return convert<T>(field, *value);
  }

  [[nodiscard]] bool has(std::string_view field) const {
    return flat_ != nullptr ? flat_->find_flat(field) != nullptr : find(field) != nullptr;
  }
  /// The whole payload (for a flat payload, built on the first call).
  [[nodiscard]] const nlohmann::json& json() const;
  [[nodiscard]] std::string_view command() const noexcept { return command_; }

  [[noreturn]] void fail(std::string_view field, std::string_view problem) const;

 private:
  using flat_field = command_payload::flat_field;

  [[nodiscard]] const nlohmann::json* find(std::string_view field) const;

  // The usual types straight from the text; anything else (or a value of the
  // wrong type) through the value's JSON form, so results and errors are
  // those of the tree.
  template <class T>
  T convert_flat(std::string_view field, const flat_field& value) const {
    using kind = flat_field::kind;
    if constexpr (std::is_same_v<T, bool>) {
      if (value.type == kind::boolean) return value.truth;
    } else if constexpr (std::is_integral_v<T>) {
      const std::uint64_t magnitude = flat_->magnitude(value);
      if (value.type == kind::unsigned_integer &&
          magnitude <= std::uint64_t{std::numeric_limits<T>::max()})
        return static_cast<T>(magnitude);
      // 18 digits at most: the magnitude fits an int64.
      if (value.type == kind::negative_integer &&
          std::in_range<T>(-static_cast<std::int64_t>(magnitude)))
        return static_cast<T>(-static_cast<std::int64_t>(magnitude));
    } else if constexpr (std::is_floating_point_v<T>) {
      if (value.type == kind::unsigned_integer) return static_cast<T>(flat_->magnitude(value));
      if (value.type == kind::negative_integer)
        return static_cast<T>(-static_cast<std::int64_t>(flat_->magnitude(value)));
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (value.type == kind::string) return std::string(flat_->value_text(value));
    } else if constexpr (std::is_same_v<T, uuid>) {
      if (value.type == kind::string) {
        try {
          return uuid::parse(flat_->value_text(value));
        } catch (const invalid_input& e) {
          fail(field, e.what());
        }
      }
    }
    return convert<T>(field, flat_->value_json(value));
  }

  template <class T>
  T convert(std::string_view field, const nlohmann::json& value) const {
    if constexpr (std::is_same_v<T, uuid>) {
      if (!value.is_string())
        fail(field, "must be a uuid string, got " + std::string(value.type_name()));
      try {
        return uuid::parse(value.get_ref<const std::string&>());
      } catch (const invalid_input& e) {
        fail(field, e.what());
      }
    } else if constexpr (std::is_same_v<T, bool>) {
      if (!value.is_boolean()) fail(field, "must be true or false, got " + describe(value));
      return value.get<bool>();
    } else if constexpr (std::is_integral_v<T>) {
      // nlohmann converts 2.5 and true to integers and wraps out-of-range
      // values: a count or an amount must be an integer that fits.
      if (!value.is_number_integer()) fail(field, "must be an integer, got " + describe(value));
      const bool fits =
          value.is_number_unsigned()
              ? value.get<std::uint64_t>() <= std::uint64_t{std::numeric_limits<T>::max()}
              : std::in_range<T>(value.get<std::int64_t>());
      if (!fits) fail(field, describe(value) + " is out of range");
      return value.get<T>();
    } else if constexpr (std::is_floating_point_v<T>) {
      if (!value.is_number()) fail(field, "must be a number, got " + describe(value));
      return value.get<T>();
    } else {
      try {
        return value.get<T>();
      } catch (const nlohmann::json::exception& e) {
        fail(field, "has the wrong type (" + std::string(value.type_name()) + "): " + e.what());
      }
    }
  }

  /// The value as JSON text, shortened, with its type: for error messages.
  [[nodiscard]] static std::string describe(const nlohmann::json& value);

  std::string_view command_;
  const nlohmann::json* tree_ = nullptr;   // null for a flat payload
  const command_payload* flat_ = nullptr;  // set for a flat payload
};

/// What a command call answers: a result, or an error for the caller.
struct command_reply {
  bool ok = false;
  nlohmann::json result;  ///< the handler's return value when ok
  std::string error;      ///< what went wrong, naming the command (and field) when not ok

  /// {"ok":true,"result":..} or {"ok":false,"error":".."}
  [[nodiscard]] std::string to_json_text() const;
};

/// An application's named commands. Handlers are added while the application
/// is constructed and only read afterwards.
class command_table {
 public:
  using handler = std::function<nlohmann::json(const command_args&)>;

  /// Adds a command; a name added already is a weft::error naming it.
  void add(std::string name, handler run);

  /// The handler of `name`; command_error naming an unknown command.
  [[nodiscard]] const handler& at(std::string_view name) const;
  /// The handler of `name`, or null.
  [[nodiscard]] const handler* find(std::string_view name) const;
  [[nodiscard]] bool contains(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> names() const;

 private:
  struct entry {
    std::string name;
    handler run;
  };
  // Sorted by name. A vector, not a map: an application has a few commands
  // and every call looks one up (see find()).
  std::vector<entry> handlers_;
};

}  // namespace weft::es
