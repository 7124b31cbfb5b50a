#include "flat_json.hpp"

#include <cstdint>

namespace weft::es::detail {
namespace {

class flat_reader {
 public:
  explicit flat_reader(std::string_view text) : text_(text) {}

  std::optional<nlohmann::json> object() {
    skip_space();
    if (!take('{')) return std::nullopt;
    nlohmann::json out = nlohmann::json::object();
    skip_space();
    if (take('}')) return finish(std::move(out));
    for (;;) {
      skip_space();
      const auto key = plain_string();
      skip_space();
      if (!key || !take(':')) return std::nullopt;
      skip_space();
      auto value = scalar();
      if (!value) return std::nullopt;
      out[std::string(*key)] = std::move(*value);  // a repeated key: the last wins, as in nlohmann
      skip_space();
      if (take('}')) return finish(std::move(out));
      if (!take(',')) return std::nullopt;
    }
  }

 private:
  std::optional<nlohmann::json> finish(nlohmann::json out) {
    skip_space();
    if (at_ != text_.size()) return std::nullopt;
    return out;
  }

  void skip_space() {
    while (at_ < text_.size() &&
           (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r'))
      ++at_;
  }

  bool take(char c) {
    if (at_ < text_.size() && text_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }

  bool take_word(std::string_view word) {
    if (text_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }

  // Printable ASCII without escapes: its bytes are its value.
  std::optional<std::string_view> plain_string() {
    if (!take('"')) return std::nullopt;
    const std::size_t begin = at_;
    for (; at_ < text_.size(); ++at_) {
      const char c = text_[at_];
      if (c == '"') return text_.substr(begin, at_++ - begin);
      if (c == '\\' || c < 0x20 || c > 0x7e) return std::nullopt;
    }
    return std::nullopt;
  }

  // At most 18 digits: no overflow, and nlohmann's types (unsigned when not
  // negative, signed when negative). No leading zeros, fractions or exponents.
  std::optional<nlohmann::json> integer() {
    const bool negative = take('-');
    const std::size_t begin = at_;
    std::uint64_t value = 0;
    while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9')
      value = value * 10 + static_cast<std::uint64_t>(text_[at_++] - '0');
    const std::size_t digits = at_ - begin;
    if (digits == 0 || digits > 18 || (digits > 1 && text_[begin] == '0')) return std::nullopt;
    if (at_ < text_.size() && (text_[at_] == '.' || text_[at_] == 'e' || text_[at_] == 'E'))
      return std::nullopt;
    if (negative) return nlohmann::json(-static_cast<std::int64_t>(value));
    return nlohmann::json(value);
  }

  std::optional<nlohmann::json> scalar() {
    if (at_ >= text_.size()) return std::nullopt;
    const char c = text_[at_];
    if (c == '"') {
      const auto text = plain_string();
      if (!text) return std::nullopt;
      return nlohmann::json(std::string(*text));
    }
    if (c == '-' || (c >= '0' && c <= '9')) return integer();
    if (take_word("true")) return nlohmann::json(true);
    if (take_word("false")) return nlohmann::json(false);
    if (take_word("null")) return nlohmann::json(nullptr);
    return std::nullopt;
  }

  std::string_view text_;
  std::size_t at_ = 0;
};

}  // namespace

std::optional<nlohmann::json> parse_flat_json_object(std::string_view text) {
  return flat_reader(text).object();
}

}  // namespace weft::es::detail
