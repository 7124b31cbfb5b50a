#pragma once
// 128-bit identifiers: random (v4) for new aggregates, name-based (v5, SHA-1)
// for ids derived from other ids, so a replayed policy derives the same id.
#include <array>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

namespace weft {

class uuid {
 public:
  std::array<std::uint8_t, 16> bytes{};

  /// A random (version 4) uuid. @threadsafe
  static uuid random();
  /// A name-based (version 5) uuid within a namespace. Same inputs, same uuid.
  static uuid name_based(const uuid& name_space, std::string_view name);
  /// Parses the canonical 8-4-4-4-12 hex form; throws weft::invalid_input naming the text.
  static uuid parse(std::string_view text);
  /// The nil uuid (all zeros).
  static constexpr uuid nil() { return uuid{}; }

  [[nodiscard]] std::string str() const;
  [[nodiscard]] bool is_nil() const noexcept;

  friend bool operator==(const uuid&, const uuid&) = default;
  friend auto operator<=>(const uuid&, const uuid&) = default;
};

std::ostream& operator<<(std::ostream& out, const uuid& id);

}  // namespace weft

template <>
struct std::hash<weft::uuid> {
  std::size_t operator()(const weft::uuid& id) const noexcept;
};
