// Thread caches and the shared depot behind pool_allocate / pool_free.
#include "weft/actor/node_pool.hpp"

#include <array>
#include <mutex>
#include <vector>

namespace weft::actor::detail {
namespace {

struct FreeBlock {
  FreeBlock* next;
};

struct Batch {
  FreeBlock* head;
  std::size_t count;
};

// Batches freed by one thread for others; guarded by a mutex taken once per
// pool_batch nodes. Leaked on purpose: thread caches flush into it at thread
// exit, which may come after static destruction.
struct Depot {
  std::mutex mutex;
  std::array<std::vector<Batch>, pool_classes> batches;
};

Depot& depot() {
  static Depot* instance = new Depot();
  return *instance;
}

// Beyond this many cached batches the depot returns memory to the allocator.
constexpr std::size_t depot_max_batches = 1024;

struct ClassCache {
  FreeBlock* head = nullptr;
  std::size_t count = 0;

  Batch take(std::size_t n) {
    Batch batch{head, 0};
    FreeBlock* last = nullptr;
    while (batch.count < n && head != nullptr) {
      last = head;
      head = head->next;
      ++batch.count;
    }
    if (last != nullptr) last->next = nullptr;
    count -= batch.count;
    return batch;
  }
};

void release_batch(std::size_t cls, Batch batch) {
  {
    std::lock_guard lock(depot().mutex);
    auto& list = depot().batches[cls];
    if (list.size() < depot_max_batches) {
      list.push_back(batch);
      return;
    }
  }
  while (batch.head != nullptr) {
    FreeBlock* next = batch.head->next;
    ::operator delete(batch.head);
    batch.head = next;
  }
}

struct ThreadCache {
  std::array<ClassCache, pool_classes> classes;

  ~ThreadCache() {
    for (std::size_t cls = 0; cls < pool_classes; ++cls) {
      if (classes[cls].count != 0) release_batch(cls, classes[cls].take(classes[cls].count));
    }
  }
};

ThreadCache& cache() {
  thread_local ThreadCache instance;
  return instance;
}

}  // namespace

void* pool_allocate(std::size_t cls) {
  ClassCache& local = cache().classes[cls];
  if (local.head == nullptr) {
    std::unique_lock lock(depot().mutex);
    auto& list = depot().batches[cls];
    if (list.empty()) {
      lock.unlock();
      return ::operator new(pool_class_bytes[cls]);
    }
    Batch batch = list.back();
    list.pop_back();
    lock.unlock();
    local.head = batch.head;
    local.count = batch.count;
  }
  FreeBlock* block = local.head;
  local.head = block->next;
  --local.count;
  return block;
}

void pool_free(void* block, std::size_t cls) noexcept {
  ClassCache& local = cache().classes[cls];
  auto* free_block = static_cast<FreeBlock*>(block);
  free_block->next = local.head;
  local.head = free_block;
  if (++local.count >= 2 * pool_batch) release_batch(cls, local.take(pool_batch));
}

}  // namespace weft::actor::detail
