#include "weft/node/allocator_tuning.hpp"

#if __has_include(<malloc.h>)
#include <malloc.h>
#endif

namespace weft::node {

void tune_allocator_for_hosting() noexcept {
#if defined(__GLIBC__) && defined(M_TOP_PAD)
  [[maybe_unused]] static const bool tuned = [] {
    // Address space only: pages are committed when first touched.
    ::mallopt(M_TOP_PAD, 64 << 20);
    ::mallopt(M_TRIM_THRESHOLD, 256 << 20);
    // Setting the two above freezes glibc's adaptive mmap threshold at
    // 128 KiB; sections and batches are larger than that.
    ::mallopt(M_MMAP_THRESHOLD, 32 << 20);
    return true;
  }();
#endif
}

}  // namespace weft::node
