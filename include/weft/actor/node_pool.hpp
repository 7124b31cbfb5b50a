#pragma once
// Pooled memory for mailbox envelopes: after warm-up a message costs no call
// to the allocator. Each thread keeps a free list per size class; a thread
// that frees more than it allocates (the receiver of a fan-in) hands batches
// to a shared depot, where allocating threads pick them up. Only that batch
// hand-over takes a lock, once per `pool_batch` nodes. New blocks come in
// slabs, so a producer's consecutive messages sit side by side in memory.
// Slabs are never returned: the pool keeps its high-water mark.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <new>
#include <utility>

namespace weft::actor::detail {

inline constexpr std::size_t pool_class_bytes[] = {32, 64, 96, 128, 192, 256, 384, 512};
inline constexpr std::size_t pool_classes = std::size(pool_class_bytes);
inline constexpr std::size_t pool_batch = 128;

/// Size class for an object of `bytes`, or pool_classes when it is too large.
constexpr std::size_t pool_class_of(std::size_t bytes) noexcept {
  for (std::size_t i = 0; i < pool_classes; ++i) {
    if (bytes <= pool_class_bytes[i]) return i;
  }
  return pool_classes;
}

struct PoolFreeBlock {
  PoolFreeBlock* next;
};

/// One thread's free lists. Trivially destructible and initial-exec, so the
/// fast paths below are a handful of instructions with no call.
struct PoolThreadCache {
  PoolFreeBlock* head[pool_classes];
  std::uint32_t count[pool_classes];
  bool registered;  // the exit hook that hands this cache to the depot is armed
};
[[gnu::tls_model("initial-exec")]] inline thread_local PoolThreadCache pool_cache{};

/// Slow paths (node_pool.cpp): refill from the depot or a new slab; hand a
/// batch to the depot; arm the thread-exit flush.
void* pool_refill(std::size_t cls);
void pool_overflow(std::size_t cls) noexcept;
void pool_register_thread() noexcept;

/// A block of class `cls` (< pool_classes). @threadsafe
inline void* pool_allocate(std::size_t cls) {
  PoolThreadCache& cache = pool_cache;
  if (PoolFreeBlock* block = cache.head[cls]) {
    cache.head[cls] = block->next;
    --cache.count[cls];
    return block;
  }
  return pool_refill(cls);
}

/// Returns a block of class `cls`; any thread may free any block. @threadsafe
inline void pool_free(void* block, std::size_t cls) noexcept {
  PoolThreadCache& cache = pool_cache;
  if (!cache.registered) pool_register_thread();
  auto* free_block = static_cast<PoolFreeBlock*>(block);
  free_block->next = cache.head[cls];
  cache.head[cls] = free_block;
  if (++cache.count[cls] >= 2 * pool_batch) pool_overflow(cls);
}

template <class T>
inline constexpr std::size_t pool_class_for = alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__
                                                  ? pool_class_of(sizeof(T))
                                                  : pool_classes;

/// Constructs a T in pooled memory (or with new when T is too large). @threadsafe
template <class T, class... Args>
T* pool_new(Args&&... args) {
  constexpr std::size_t cls = pool_class_for<T>;
  if constexpr (cls == pool_classes) {
    return new T(std::forward<Args>(args)...);
  } else {
    void* block = pool_allocate(cls);
    try {
      return ::new (block) T(std::forward<Args>(args)...);
    } catch (...) {
      pool_free(block, cls);
      throw;
    }
  }
}

/// Destroys a T made by pool_new. @threadsafe
template <class T>
void pool_delete(T* object) noexcept {
  constexpr std::size_t cls = pool_class_for<T>;
  if constexpr (cls == pool_classes) {
    delete object;
  } else {
    object->~T();
    pool_free(object, cls);
  }
}

}  // namespace weft::actor::detail
