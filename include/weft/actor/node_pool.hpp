#pragma once
// Pooled memory for mailbox envelopes: after warm-up a message costs no call
// to the allocator. Each thread keeps a free list per size class; a thread
// that frees more than it allocates (the receiver of a fan-in) hands batches
// to a shared depot, where allocating threads pick them up. Only that batch
// hand-over takes a lock, once per `pool_batch` nodes.
#include <cstddef>
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

/// A block of class `cls` (< pool_classes). @threadsafe
void* pool_allocate(std::size_t cls);
/// Returns a block of class `cls`; any thread may free any block. @threadsafe
void pool_free(void* block, std::size_t cls) noexcept;

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
