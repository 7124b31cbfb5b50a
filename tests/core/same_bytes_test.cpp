#include "weft/core/same_bytes.hpp"

#include <gtest/gtest.h>

#include <string>

namespace weft {
namespace {

// Every size takes one of the paths (bytes, two 4-byte loads, overlapping
// 8-byte words, memcmp): each must see a difference in any byte, and sizes
// that differ.
TEST(SameBytes, TellsTextsApartByAnyByteAtAnySize) {
  for (std::size_t size = 0; size <= 40; ++size) {
    const std::string a(size, 'a');
    EXPECT_TRUE(same_text(a, std::string(size, 'a'))) << size;
    EXPECT_FALSE(same_text(a, std::string(size + 1, 'a'))) << size;
    for (std::size_t at = 0; at < size; ++at) {
      std::string b = a;
      b[at] = 'b';
      EXPECT_FALSE(same_text(a, b)) << size << " at " << at;
      EXPECT_FALSE(same_bytes(a.data(), b.data(), size)) << size << " at " << at;
    }
  }
}

}  // namespace
}  // namespace weft
