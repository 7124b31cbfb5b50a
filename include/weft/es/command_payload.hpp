#pragma once
// A command's JSON arguments, parsed once (a host parses them off the
// application's thread) and read through command_args.
//
// Most payloads are one flat object of ASCII keys and scalars
// ({"n":42,"name":"ann"}): those are kept as the text plus where each field
// lies in it, so parsing builds no tree and allocates nothing beyond the
// text. Anything else (nesting, escapes, non-ASCII text, fractions, more than
// `max_flat_fields` fields) is parsed by nlohmann::json, and text that is not
// JSON is kept as invalid. Either way a field reads as nlohmann::json would
// read it: the flat shape is only a faster way to the same values.
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "weft/core/same_bytes.hpp"

namespace weft::es {

class command_payload {
 public:
  static constexpr std::size_t max_flat_fields = 8;

  /// One field of a flat payload: where its key and value lie in the text.
  struct flat_field {
    enum class kind : std::uint8_t { unsigned_integer, negative_integer, string, boolean, null };
    std::uint64_t number = 0;  ///< an integer's magnitude (its value without the sign)
    std::uint16_t key_at = 0;
    std::uint16_t key_size = 0;
    std::uint16_t value_at = 0;  ///< a string's first byte after the quote
    std::uint16_t value_size = 0;
    kind type = kind::null;
    bool truth = false;  ///< a boolean's value
  };

  /// An empty object.
  command_payload();
  /// Parses `text`: blank text is an empty object, text that is not JSON invalid.
  explicit command_payload(std::string text);
  [[nodiscard]] static command_payload parse(std::string text) {
    return command_payload(std::move(text));
  }
  /// Parses `text` in place of what this held (its text's capacity reused):
  /// a poller parses each command into the payload of a recycled request.
  void assign(std::string_view text);

  /// False when the text is not JSON.
  [[nodiscard]] bool valid() const noexcept { return shape_ != shape::invalid; }
  /// Whether it is a JSON object (what a command takes).
  [[nodiscard]] bool is_object() const noexcept;
  [[nodiscard]] std::string_view text() const noexcept { return text_; }
  /// nlohmann's name of its type ("object", "array", ...; "discarded" when invalid).
  [[nodiscard]] const char* type_name() const noexcept;

  /// Whether it has the flat shape (its fields are found by find_flat).
  [[nodiscard]] bool is_flat() const noexcept { return shape_ == shape::flat; }
  /// The field named `key` of a flat payload (the last one, if repeated, as
  /// in nlohmann::json), or null.
  [[nodiscard]] const flat_field* find_flat(std::string_view key) const noexcept;
  [[nodiscard]] std::string_view value_text(const flat_field& field) const noexcept {
    return std::string_view(text_).substr(field.value_at, field.value_size);
  }
  /// An integer field's magnitude (its value without the sign).
  [[nodiscard]] static std::uint64_t magnitude(const flat_field& field) noexcept {
    return field.number;
  }
  /// The field as nlohmann::json would hold it.
  [[nodiscard]] nlohmann::json value_json(const flat_field& field) const;

  /// The whole payload as a tree; built on the first call for the flat shape,
  /// so not thread-safe. Discarded when invalid.
  [[nodiscard]] const nlohmann::json& json() const;

 private:
  enum class shape : std::uint8_t { flat, tree, invalid };

  /// Sets shape, fields and tree from text_.
  void parse_text();

  std::string text_;
  shape shape_ = shape::flat;
  std::uint8_t field_count_ = 0;
  std::array<flat_field, max_flat_fields> fields_{};
  mutable std::optional<nlohmann::json> tree_;  // always set for shape::tree and invalid
};

}  // namespace weft::es
