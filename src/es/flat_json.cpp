#include "flat_json.hpp"

#include <array>
#include <cstdint>
#include <limits>

namespace weft::es::detail {
namespace {

// Walks the text with a pointer: the payload of every command passes here.
// The NUL byte std::string keeps after its text stops every scan (it is no
// space, digit, quote or printable character), so scans do not compare with
// the end; finish() tells an embedded NUL from the end.
class flat_reader {
 public:
  explicit flat_reader(const std::string& text)
      : begin_(text.c_str()), at_(text.c_str()), end_(text.c_str() + text.size()) {}

  std::optional<std::size_t> object(std::span<flat_field> fields) {
    if (end_ - begin_ > std::numeric_limits<std::uint16_t>::max()) return std::nullopt;
    skip_space();
    if (!take('{')) return std::nullopt;
    skip_space();
    std::size_t count = 0;
    if (take('}')) return finish(count);
    for (;;) {
      if (count == fields.size()) return std::nullopt;
      flat_field& field = fields[count++];
      if (!plain_string(field.key_at, field.key_size)) return std::nullopt;
      skip_space();
      if (!take(':')) return std::nullopt;
      skip_space();
      if (!scalar(field)) return std::nullopt;
      skip_space();
      if (take('}')) return finish(count);
      if (!take(',')) return std::nullopt;
      skip_space();
    }
  }

 private:
  std::optional<std::size_t> finish(std::size_t count) {
    skip_space();
    if (at_ != end_) return std::nullopt;
    return count;
  }

  // Most payloads have no white space: one comparison rejects every other byte.
  static bool space(char c) {
    return static_cast<unsigned char>(c) <= ' ' &&
           (c == ' ' || c == '\t' || c == '\n' || c == '\r');
  }

  void skip_space() {
    while (space(*at_)) ++at_;
  }

  // Never called with NUL: at the end it is false.
  bool take(char c) {
    if (*at_ == c) {
      ++at_;
      return true;
    }
    return false;
  }

  std::uint16_t offset(const char* p) const { return static_cast<std::uint16_t>(p - begin_); }

  bool take_word(std::string_view word) {
    if (static_cast<std::size_t>(end_ - at_) < word.size() ||
        std::string_view(at_, word.size()) != word)
      return false;
    at_ += word.size();
    return true;
  }

  // Printable ASCII without escapes: its bytes are its value.
  bool plain_string(std::uint16_t& begin, std::uint16_t& size) {
    if (!take('"')) return false;
    const char* first = at_;
    for (;; ++at_) {
      const char c = *at_;
      if (c == '"') {
        begin = offset(first);
        size = static_cast<std::uint16_t>(at_++ - first);
        return true;
      }
      // Outside ' '..'~' (the final NUL too) in one unsigned comparison.
      if (c == '\\' || static_cast<unsigned char>(c - 0x20) > 0x7e - 0x20) return false;
    }
  }

  // At most 18 digits: no overflow, and nlohmann's types (unsigned when not
  // negative, signed when negative). No leading zeros, fractions or exponents.
  bool integer(flat_field& field) {
    const bool negative = take('-');
    const char* first = at_;
    std::uint64_t number = 0;
    // Unsigned: a digit below '0' wraps to a large value. The count is
    // checked below, before the number is trusted.
    const char* p = first;  // a local: stores through `field` could alias a member
    for (unsigned digit = 0; (digit = static_cast<unsigned char>(*p) - '0') <= 9; ++p)
      number = number * 10 + digit;
    at_ = p;
    const auto digits = at_ - first;
    if (digits == 0 || digits > 18 || (digits > 1 && *first == '0')) return false;
    if (*at_ == '.' || *at_ == 'e' || *at_ == 'E') return false;
    field.type = negative ? flat_field::kind::negative_integer : flat_field::kind::unsigned_integer;
    field.number = number;
    field.value_at = offset(first);
    field.value_size = static_cast<std::uint16_t>(digits);
    return true;
  }

  bool word(flat_field& field, std::string_view text, flat_field::kind type, bool truth) {
    const char* first = at_;
    if (!take_word(text)) return false;
    field.type = type;
    field.truth = truth;
    field.value_at = offset(first);
    field.value_size = static_cast<std::uint16_t>(text.size());
    return true;
  }

  bool scalar(flat_field& field) {
    const char c = *at_;
    if (c == '"') {
      field.type = flat_field::kind::string;
      return plain_string(field.value_at, field.value_size);
    }
    if (c == '-' || (c >= '0' && c <= '9')) return integer(field);
    return word(field, "true", flat_field::kind::boolean, true) ||
           word(field, "false", flat_field::kind::boolean, false) ||
           word(field, "null", flat_field::kind::null, false);
  }

  const char* begin_;
  const char* at_;
  const char* end_;
};

}  // namespace

std::optional<std::size_t> read_flat_object(const std::string& text, std::span<flat_field> fields) {
  return flat_reader(text).object(fields);
}

nlohmann::json flat_value_json(std::string_view text, const flat_field& field) {
  switch (field.type) {
    case flat_field::kind::unsigned_integer:
      return nlohmann::json(field.number);
    case flat_field::kind::negative_integer:
      return nlohmann::json(-static_cast<std::int64_t>(field.number));
    case flat_field::kind::string:
      return nlohmann::json(std::string(text.substr(field.value_at, field.value_size)));
    case flat_field::kind::boolean:
      return nlohmann::json(field.truth);
    case flat_field::kind::null:
      break;
  }
  return nlohmann::json(nullptr);
}

}  // namespace weft::es::detail
