// A per-thread pool of random bytes. getrandom(2) for every id would cost a
// system call each (~2 us on a virtual machine; the kernel's generator runs at
// ~12 ns a byte there), so each thread draws a key from it once and expands it
// with ChaCha20 in user space, 4 KiB at a time, as arc4random does. Each
// refill re-keys from the keystream's own first bytes (fast key erasure):
// bytes handed out earlier cannot be recomputed from the state. Our own
// ChaCha20, not OpenSSL's: OpenSSL's first use initialises its providers,
// ~8M instructions in every process that makes an id.
#include "random_bytes.hpp"

#include <sys/random.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include <pthread.h>

#include "weft/core/detail/chacha20.hpp"
#include "weft/core/error.hpp"

namespace weft::detail {
namespace {

// Bumped in the child of every fork: a child inherits its parent's pools, keys
// and buffered bytes included, and would hand out what its parent hands out.
std::atomic<std::uint64_t> fork_generation{0};
[[maybe_unused]] const int fork_hook_installed = pthread_atfork(nullptr, nullptr, [] {
  // Relaxed: only the forked child's one thread runs here, and that thread
  // reads it below (program order).
  fork_generation.fetch_add(1, std::memory_order_relaxed);
});

void system_random(void* out, std::size_t size) {
  auto* at = static_cast<std::uint8_t*>(out);
  while (size > 0) {
    const ssize_t got = ::getrandom(at, size, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw error(std::string("getrandom failed: ") + std::strerror(errno));
    }
    at += got;
    size -= static_cast<std::size_t>(got);
  }
}

class random_pool {
 public:
  void take(std::uint8_t* out, std::size_t size) {
    // Relaxed: see fork_generation.
    if (used_ + size > sizeof(bytes_) ||
        generation_ != fork_generation.load(std::memory_order_relaxed)) [[unlikely]]
      refill();
    std::memcpy(out, bytes_ + used_, size);
    used_ += size;
  }

 private:
  static constexpr std::size_t blocks = 16;  // of chacha20_output bytes: 4 KiB

  void refill() {
    const std::uint64_t generation = fork_generation.load(std::memory_order_relaxed);
    chacha20_key key;
    if (keyed_ && generation == generation_)
      std::memcpy(&key, bytes_, sizeof(key));  // kept back at the last refill
    else
      system_random(&key, sizeof(key));
    for (std::size_t i = 0; i < blocks; ++i)
      chacha20_blocks(
          key, static_cast<std::uint32_t>(4 * i),
          std::span<std::uint8_t, chacha20_output>(bytes_ + i * chacha20_output, chacha20_output));
    keyed_ = true;
    generation_ = generation;
    used_ = sizeof(key);  // the next key: never handed out
  }

  std::uint8_t bytes_[blocks * chacha20_output] = {};
  std::size_t used_ = sizeof(bytes_);  // empty until the first refill
  std::uint64_t generation_ = 0;
  bool keyed_ = false;
};

// A plain pointer, so the hot path is one thread-local read: no guard, no
// destructor registration (those are paid once per thread, below).
constinit thread_local random_pool* current = nullptr;

random_pool& pool() {
  if (current == nullptr) [[unlikely]] {
    // On the heap: every thread has room for a thread_local, used or not.
    thread_local const std::unique_ptr<random_pool> owned = std::make_unique<random_pool>();
    current = owned.get();
  }
  return *current;
}

}  // namespace

void random_bytes(std::uint8_t* out, std::size_t size) {
  pool().take(out, size);
}

}  // namespace weft::detail
