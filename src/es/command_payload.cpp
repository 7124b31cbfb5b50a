#include "weft/es/command_payload.hpp"

#include <cstring>

#include "flat_json.hpp"

namespace weft::es {

command_payload::command_payload() : text_("{}") {}

command_payload::command_payload(std::string text) : text_(std::move(text)) {
  parse_text();
}

void command_payload::assign(std::string_view text) {
  // resize + copy: string::assign's general path costs more than the copy
  // of a short payload.
  text_.resize(text.size());
  if (!text.empty()) std::memcpy(text_.data(), text.data(), text.size());
  tree_.reset();
  parse_text();
}

void command_payload::parse_text() {
  if (const auto count = detail::read_flat_object(text_, fields_)) {
    shape_ = shape::flat;
    field_count_ = static_cast<std::uint8_t>(*count);
    return;
  }
  field_count_ = 0;
  if (text_.find_first_not_of(" \t\r\n") == std::string::npos) {  // blank: an empty object
    shape_ = shape::flat;
    return;
  }
  tree_ = nlohmann::json::parse(text_, nullptr, false);
  shape_ = tree_->is_discarded() ? shape::invalid : shape::tree;
}

bool command_payload::is_object() const noexcept {
  return shape_ == shape::flat || (shape_ == shape::tree && tree_->is_object());
}

const char* command_payload::type_name() const noexcept {
  return shape_ == shape::flat ? "object" : tree_->type_name();
}

const command_payload::flat_field* command_payload::find_flat(std::string_view key) const noexcept {
  if (shape_ != shape::flat) return nullptr;
  // From the back: of a repeated key the last one counts.
  for (std::size_t i = field_count_; i-- > 0;) {
    const auto& field = fields_[i];
    // Offsets set by the parser lie inside text_: no bounds check needed.
    if (same_text(std::string_view(text_.data() + field.key_at, field.key_size), key))
      return &field;
  }
  return nullptr;
}

nlohmann::json command_payload::value_json(const flat_field& field) const {
  return detail::flat_value_json(text_, field);
}

const nlohmann::json& command_payload::json() const {
  if (!tree_) {
    nlohmann::json tree = nlohmann::json::object();
    for (std::size_t i = 0; i < field_count_; ++i) {
      const auto& field = fields_[i];
      tree[std::string(std::string_view(text_).substr(field.key_at, field.key_size))] =
          value_json(field);
    }
    tree_ = std::move(tree);
  }
  return *tree_;
}

}  // namespace weft::es
