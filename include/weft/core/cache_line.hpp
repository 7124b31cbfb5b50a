#pragma once
// The one cache-line constant: shared-memory layouts and concurrent queues pad
// hot atomics to it so that producer and consumer never share a line.
#include <cstddef>

namespace weft {

inline constexpr std::size_t cache_line = 64;

}  // namespace weft
