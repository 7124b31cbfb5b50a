#pragma once
// A ring over process-local memory, for single-process ring tests.
#include <cstdlib>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "weft/shm/spsc_ring.hpp"

namespace weft::shm::test {

struct local_ring {
  explicit local_ring(std::size_t capacity)
      : memory(static_cast<std::byte*>(
                   std::aligned_alloc(cache_line, sizeof(ring_control) + capacity)),
               &std::free) {
    region = {reinterpret_cast<ring_control*>(memory.get()), memory.get() + sizeof(ring_control),
              capacity};
    clear_ring(region);
  }
  std::unique_ptr<std::byte, decltype(&std::free)> memory;
  ring_region region;
};

inline std::vector<std::byte> bytes_of(const std::string& text) {
  std::vector<std::byte> out(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) out[i] = static_cast<std::byte>(text[i]);
  return out;
}

inline std::string text_of(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace weft::shm::test
