#pragma once
// A fast path for the JSON most command payloads are: one flat object of
// ASCII keys and integers, plain ASCII strings, booleans or null
// ({"n":42,"name":"ann"}). Anything else - nesting, escapes, non-ASCII text,
// fractions, large numbers, malformed text - is left to nlohmann::json's full
// parser, so the result never differs from what it would give.
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace weft::es::detail {

/// The object `text` holds, or nothing when it is not of that simple shape.
std::optional<nlohmann::json> parse_flat_json_object(std::string_view text);

}  // namespace weft::es::detail
