// Fuzzes segment validation: the bytes of a segment someone else wrote.
// validate_segment must accept or name a problem, never read out of bounds.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "weft/shm/segment_layout.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Exactly sized and aligned like a mapping.
  const std::size_t rounded = (size + 63) / 64 * 64;
  auto* memory = static_cast<std::byte*>(std::aligned_alloc(64, rounded == 0 ? 64 : rounded));
  std::memcpy(memory, data, size);
  (void)weft::shm::validate_segment(memory, size);
  std::free(memory);
  return 0;
}
