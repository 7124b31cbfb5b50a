// The slow paths of the node pool: the shared depot, slabs, thread-exit flush.
#include "weft/actor/node_pool.hpp"

#include <array>
#include <mutex>
#include <vector>

namespace weft::actor::detail {
namespace {

constexpr std::size_t slab_blocks = 64;

struct Batch {
  PoolFreeBlock* head;
  std::uint32_t count;
};

// Batches freed by one thread for others, and every slab (kept reachable, as
// blocks are never given back). Leaked on purpose: thread caches flush into
// it at thread exit, which may come after static destruction.
struct Depot {
  std::mutex mutex;
  std::array<std::vector<Batch>, pool_classes> batches;
  std::vector<void*> slabs;
};

Depot& depot() {
  static Depot* instance = new Depot();
  return *instance;
}

Batch take(std::size_t cls, std::uint32_t n) {
  PoolThreadCache& cache = pool_cache;
  Batch batch{cache.head[cls], 0};
  PoolFreeBlock* last = nullptr;
  while (batch.count < n && cache.head[cls] != nullptr) {
    last = cache.head[cls];
    cache.head[cls] = last->next;
    ++batch.count;
  }
  if (last != nullptr) last->next = nullptr;
  cache.count[cls] -= batch.count;
  return batch;
}

void give(std::size_t cls, Batch batch) {
  if (batch.count == 0) return;
  std::lock_guard lock(depot().mutex);
  depot().batches[cls].push_back(batch);
}

struct ExitFlush {
  ~ExitFlush() {
    for (std::size_t cls = 0; cls < pool_classes; ++cls)
      give(cls, take(cls, pool_cache.count[cls]));
    pool_cache.registered = false;
  }
};

}  // namespace

void pool_register_thread() noexcept {
  thread_local ExitFlush flush;
  (void)flush;
  pool_cache.registered = true;
}

void* pool_refill(std::size_t cls) {
  PoolThreadCache& cache = pool_cache;
  if (!cache.registered) pool_register_thread();
  {
    std::lock_guard lock(depot().mutex);
    auto& list = depot().batches[cls];
    if (!list.empty()) {
      Batch batch = list.back();
      list.pop_back();
      cache.head[cls] = batch.head;
      cache.count[cls] = batch.count;
    }
  }
  if (cache.head[cls] == nullptr) {
    // A new slab, threaded in address order so that consecutive allocations
    // are adjacent (the consumer's walk over them is then prefetchable).
    const std::size_t bytes = pool_class_bytes[cls];
    auto* slab = static_cast<char*>(::operator new(slab_blocks* bytes));
    {
      std::lock_guard lock(depot().mutex);
      depot().slabs.push_back(slab);
    }
    PoolFreeBlock* head = nullptr;
    for (std::size_t i = slab_blocks; i-- > 0;) {
      auto* block = reinterpret_cast<PoolFreeBlock*>(slab + i * bytes);
      block->next = head;
      head = block;
    }
    cache.head[cls] = head;
    cache.count[cls] = slab_blocks;
  }
  PoolFreeBlock* block = cache.head[cls];
  cache.head[cls] = block->next;
  --cache.count[cls];
  return block;
}

void pool_overflow(std::size_t cls) noexcept {
  give(cls, take(cls, pool_batch));
}

}  // namespace weft::actor::detail
