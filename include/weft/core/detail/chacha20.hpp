#pragma once
// The ChaCha20 block function (RFC 8439), the generator behind uuid's random
// bits. Internal to weft; declared here so its test can check it against the
// RFC's vectors.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace weft::detail {

struct chacha20_key {
  std::array<std::uint32_t, 8> key;    ///< 256 bits, as little-endian words
  std::array<std::uint32_t, 3> nonce;  ///< 96 bits, as little-endian words
};

/// Keystream blocks `counter` to `counter + 3` (256 bytes) into `out`.
inline constexpr std::size_t chacha20_output = 256;
void chacha20_blocks(const chacha20_key& key, std::uint32_t counter,
                     std::span<std::uint8_t, chacha20_output> out) noexcept;

}  // namespace weft::detail
