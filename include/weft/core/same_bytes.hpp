#pragma once
// Equality of short byte strings without a call. Hot paths compare a name
// (command, field, application) per command and a topic per event, nearly
// always equal to the one before; operator== calls memcmp for each. Up to 32
// bytes are compared inline here, in loads that overlap when the size is no
// multiple of the word.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace weft {

/// Whether the `size` bytes at `a` and at `b` are equal.
[[nodiscard]] inline bool same_bytes(const char* a, const char* b, std::size_t size) noexcept {
  const auto load = [](const char* at, auto word) {
    std::memcpy(&word, at, sizeof word);
    return word;
  };
  if (size > 32) return std::memcmp(a, b, size) == 0;
  if (size >= 8) {
    // The first 8, up to two more, and the last 8.
    if (load(a, std::uint64_t{}) != load(b, std::uint64_t{}) ||
        load(a + size - 8, std::uint64_t{}) != load(b + size - 8, std::uint64_t{}))
      return false;
    for (std::size_t at = 8; at + 8 < size; at += 8)
      if (load(a + at, std::uint64_t{}) != load(b + at, std::uint64_t{})) return false;
    return true;
  }
  if (size >= 4)
    return load(a, std::uint32_t{}) == load(b, std::uint32_t{}) &&
           load(a + size - 4, std::uint32_t{}) == load(b + size - 4, std::uint32_t{});
  for (std::size_t i = 0; i < size; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

/// Whether `a` and `b` hold the same bytes.
[[nodiscard]] inline bool same_text(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && same_bytes(a.data(), b.data(), a.size());
}

}  // namespace weft
