#pragma once
// 128-bit identifiers: time-ordered (v7) or random (v4) for new aggregates,
// and ids derived from other ids (v8 with XXH3, or v5 with SHA-1), so a
// replayed policy derives the same id.
//
// Prefer time_ordered() and derived(): ids made later sort later, so a
// store's originator index grows at its end. With random ids every insert
// lands on a random index page, which a commit then rewrites whole; the
// pipeline benchmark on SQLite ran about 1.8x faster with ordered ids
// (tools/bench/pipeline/RESULTS.md).
#include <array>
#include <bit>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

namespace weft {

class uuid {
 public:
  std::array<std::uint8_t, 16> bytes{};

  /// A time-ordered (RFC 9562 version 7) uuid: Unix milliseconds (from the
  /// kernel's coarse clock, a few ms behind the precise one), a 12-bit
  /// sub-millisecond fraction, a 14-bit counter for ids of one clock tick, 48
  /// random bits. Strictly increasing within a thread, even if the clock steps back.
  /// Random bits come from a per-thread ChaCha20 stream keyed by getrandom(2)
  /// (re-keyed in a forked child). @threadsafe
  static uuid time_ordered();
  /// A random (version 4) uuid. @threadsafe
  static uuid random();
  /// An id derived from `source` that sorts next to it: the first 80 bits of
  /// `source` (a time-ordered id's time and counter), then 48 bits of XXH3-128
  /// of source and name (version 8). Same inputs, same uuid, on every machine.
  static uuid derived(const uuid& source, std::string_view name);
  /// A name-based (RFC 4122 version 5, SHA-1) uuid within a namespace. Same inputs, same uuid.
  static uuid name_based(const uuid& name_space, std::string_view name);
  /// Parses the canonical 8-4-4-4-12 hex form; throws weft::invalid_input naming the text.
  static uuid parse(std::string_view text);
  /// The nil uuid (all zeros).
  static constexpr uuid nil() { return uuid{}; }

  [[nodiscard]] std::string str() const;
  [[nodiscard]] bool is_nil() const noexcept;

  /// Two word compares: the defaulted == calls memcmp, ~20 instructions a
  /// call on the hot paths that look ids up.
  friend constexpr bool operator==(const uuid& a, const uuid& b) noexcept {
    const auto x = std::bit_cast<std::array<std::uint64_t, 2>>(a.bytes);
    const auto y = std::bit_cast<std::array<std::uint64_t, 2>>(b.bytes);
    return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
  }
  friend auto operator<=>(const uuid&, const uuid&) = default;
};

std::ostream& operator<<(std::ostream& out, const uuid& id);

}  // namespace weft

template <>
struct std::hash<weft::uuid> {
  std::size_t operator()(const weft::uuid& id) const noexcept;
};
