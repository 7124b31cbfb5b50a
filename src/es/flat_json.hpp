#pragma once
// A fast path for the JSON most command payloads are: one flat object of
// ASCII keys and integers, plain ASCII strings, booleans or null
// ({"n":42,"name":"ann"}). Anything else - nesting, escapes, non-ASCII text,
// fractions, large numbers, malformed text - is left to nlohmann::json's full
// parser, so the values read never differ from what it would give.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "weft/es/command_payload.hpp"

namespace weft::es::detail {

using flat_field = command_payload::flat_field;

/// Where the fields of `text` lie when it is one flat object of at most
/// fields.size() fields and at most 65535 bytes; nothing otherwise. A
/// std::string, for the NUL after its text (see flat_reader).
std::optional<std::size_t> read_flat_object(const std::string& text, std::span<flat_field> fields);

/// The field's value as nlohmann::json holds it.
nlohmann::json flat_value_json(std::string_view text, const flat_field& field);

}  // namespace weft::es::detail
