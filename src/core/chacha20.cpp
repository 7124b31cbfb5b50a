// Four blocks at once: each of the 16 state words is a vector of the four
// blocks' words, so every operation of the rounds works on four blocks, in
// SSE registers on any x86-64 (GCC/Clang vector extensions, no intrinsics).
#include "weft/core/detail/chacha20.hpp"

#include <bit>
#include <cstring>

namespace weft::detail {
namespace {

using lanes = std::uint32_t __attribute__((vector_size(16)));

inline lanes rotate_left(lanes v, int bits) noexcept {
  return (v << bits) | (v >> (32 - bits));
}

inline void quarter_round(lanes& a, lanes& b, lanes& c, lanes& d) noexcept {
  a += b;
  d = rotate_left(d ^ a, 16);
  c += d;
  b = rotate_left(b ^ c, 12);
  a += b;
  d = rotate_left(d ^ a, 8);
  c += d;
  b = rotate_left(b ^ c, 7);
}

lanes all(std::uint32_t word) noexcept {
  return lanes{word, word, word, word};
}

}  // namespace

void chacha20_blocks(const chacha20_key& key, std::uint32_t counter,
                     std::span<std::uint8_t, chacha20_output> out) noexcept {
  lanes input[16] = {all(0x61707865), all(0x3320646e), all(0x79622d32), all(0x6b206574)};
  for (int i = 0; i < 8; ++i) input[4 + i] = all(key.key[i]);
  input[12] = lanes{counter, counter + 1, counter + 2, counter + 3};
  for (int i = 0; i < 3; ++i) input[13 + i] = all(key.nonce[i]);
  lanes x[16];
  for (int i = 0; i < 16; ++i) x[i] = input[i];
  for (int round = 0; round < 10; ++round) {  // 20 rounds: a column and a diagonal round each
    quarter_round(x[0], x[4], x[8], x[12]);
    quarter_round(x[1], x[5], x[9], x[13]);
    quarter_round(x[2], x[6], x[10], x[14]);
    quarter_round(x[3], x[7], x[11], x[15]);
    quarter_round(x[0], x[5], x[10], x[15]);
    quarter_round(x[1], x[6], x[11], x[12]);
    quarter_round(x[2], x[7], x[8], x[13]);
    quarter_round(x[3], x[4], x[9], x[14]);
  }
  for (int word = 0; word < 16; ++word) {
    const lanes sum = x[word] + input[word];
    for (int block = 0; block < 4; ++block) {
      std::uint8_t* at = out.data() + block * 64 + word * 4;
      const std::uint32_t value = sum[block];
      if constexpr (std::endian::native == std::endian::little) {
        std::memcpy(at, &value, 4);
      } else {
        for (int byte = 0; byte < 4; ++byte)
          at[byte] = static_cast<std::uint8_t>(value >> (8 * byte));
      }
    }
  }
}

}  // namespace weft::detail
