#include "weft/core/detail/chacha20.hpp"

#include <array>
#include <cstdint>
#include <cstdio>
#include <string>

#include <gtest/gtest.h>

namespace weft::detail {
namespace {

std::string hex(const std::uint8_t* bytes, std::size_t size) {
  std::string out;
  char two[3];
  for (std::size_t i = 0; i < size; ++i) {
    std::snprintf(two, sizeof(two), "%02x", bytes[i]);
    out += two;
  }
  return out;
}

// RFC 8439, 2.3.2: key 00 01 .. 1f, nonce 00 00 00 09 00 00 00 4a 00 00 00 00, block 1.
chacha20_key rfc_key() {
  chacha20_key key{};
  for (std::uint32_t i = 0; i < 8; ++i)
    key.key[i] = (4 * i) | (4 * i + 1) << 8 | (4 * i + 2) << 16 | (4 * i + 3) << 24;
  key.nonce = {0x09000000, 0x4a000000, 0};
  return key;
}

TEST(ChaCha20, BlockMatchesRfc8439) {
  std::array<std::uint8_t, chacha20_output> out;
  chacha20_blocks(rfc_key(), 1, out);
  EXPECT_EQ(hex(out.data(), 64),
            "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
            "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e");
}

TEST(ChaCha20, FourBlocksAreFourConsecutiveCounters) {
  std::array<std::uint8_t, chacha20_output> from_one, from_three;
  chacha20_blocks(rfc_key(), 1, from_one);
  chacha20_blocks(rfc_key(), 3, from_three);
  EXPECT_EQ(hex(from_one.data() + 128, 128), hex(from_three.data(), 128));
  EXPECT_NE(hex(from_one.data(), 64), hex(from_one.data() + 64, 64));
}

TEST(ChaCha20, KeystreamOfRfc8439EncryptionExample) {
  // RFC 8439, 2.4.2: key as above, nonce 00 00 00 00 00 00 00 4a 00 00 00 00,
  // counter 1; ciphertext XOR plaintext ("Ladies and Gentlemen of the class of '99...").
  chacha20_key key = rfc_key();
  key.nonce = {0, 0x4a000000, 0};
  std::array<std::uint8_t, chacha20_output> out;
  chacha20_blocks(key, 1, out);
  const std::string plain = "Ladies and Gentlemen of the class of '99: If I could offer you o";
  std::uint8_t cipher[64];
  for (std::size_t i = 0; i < 64; ++i)
    cipher[i] = static_cast<std::uint8_t>(out[i] ^ static_cast<std::uint8_t>(plain[i]));
  EXPECT_EQ(hex(cipher, 64),
            "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b"
            "f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8");
}

}  // namespace
}  // namespace weft::detail
