// A per-thread pool of random bytes. getrandom(2) for every id would cost a
// system call each (~2 us on a virtual machine; the kernel's generator runs at
// ~12 ns a byte there), so each thread draws a key from it once and expands it
// with ChaCha20 in user space, 4 KiB at a time (~1 ns a byte), as arc4random
// does. Each refill re-keys from the keystream's own first bytes (fast key
// erasure): bytes handed out earlier cannot be recomputed from the state.
// OpenSSL's ChaCha20 is fetched when this library loads: the first fetch sets
// up OpenSSL's providers (~8M instructions, a few ms), which the first id a
// process makes would otherwise pay.
#include "random_bytes.hpp"

#include <sys/random.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include <openssl/evp.h>
#include <pthread.h>

#include "weft/core/error.hpp"
#include "weft/core/thread_local.hpp"

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

constexpr std::size_t key_size = 32, iv_size = 16;  // OpenSSL's ChaCha20 iv: counter + nonce

// Shared by every thread's pool (OpenSSL's algorithm objects are thread-safe)
// and never freed: pools of threads still running at exit use it.
EVP_CIPHER* const chacha20 = EVP_CIPHER_fetch(nullptr, "ChaCha20", nullptr);

void system_random(std::uint8_t* out, std::size_t size) {
  while (size > 0) {
    const ssize_t got = ::getrandom(out, size, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw error(std::string("getrandom failed: ") + std::strerror(errno));
    }
    out += got;
    size -= static_cast<std::size_t>(got);
  }
}

class random_pool {
 public:
  random_pool() = default;
  random_pool(const random_pool&) = delete;
  random_pool& operator=(const random_pool&) = delete;
  ~random_pool() { EVP_CIPHER_CTX_free(context_); }

  void take(std::uint8_t* out, std::size_t size) { std::memcpy(out, next(size), size); }

  // The next `size` bytes (valid until the next call).
  const std::uint8_t* next(std::size_t size) {
    // Relaxed: see fork_generation.
    if (used_ + size > bytes_.size() ||
        generation_ != fork_generation.load(std::memory_order_relaxed)) [[unlikely]]
      refill();
    const std::uint8_t* out = bytes_.data() + used_;
    used_ += size;
    return out;
  }

 private:
  void refill() {
    const std::uint64_t generation = fork_generation.load(std::memory_order_relaxed);
    std::array<std::uint8_t, key_size + iv_size> seed;
    const bool keyed = context_ != nullptr && generation == generation_;
    if (keyed) {
      // The first bytes of the next block are the next key: fast key erasure.
      std::memcpy(seed.data(), bytes_.data(), seed.size());
    } else {
      system_random(seed.data(), seed.size());
      if (context_ == nullptr) context_ = EVP_CIPHER_CTX_new();
      if (chacha20 == nullptr || context_ == nullptr) throw error("OpenSSL has no ChaCha20");
    }
    // Encrypting zeros gives the keystream.
    bytes_.fill(0);
    int written = 0;
    if (EVP_EncryptInit_ex2(context_, keyed ? nullptr : chacha20, seed.data(),
                            seed.data() + key_size, nullptr) != 1 ||
        EVP_EncryptUpdate(context_, bytes_.data(), &written, bytes_.data(),
                          static_cast<int>(bytes_.size())) != 1 ||
        static_cast<std::size_t>(written) != bytes_.size())
      throw error("OpenSSL ChaCha20 failed");
    OPENSSL_cleanse(seed.data(), seed.size());
    generation_ = generation;
    used_ = seed.size();  // the next key: never handed out
  }

  std::array<std::uint8_t, 4096> bytes_{};
  std::size_t used_ = sizeof(bytes_);  // empty until the first refill
  std::uint64_t generation_ = 0;
  EVP_CIPHER_CTX* context_ = nullptr;
};

// A plain pointer, so the hot path is one thread-local read: no guard, no
// destructor registration (those are paid once per thread, below); initial-exec
// (see thread_local.hpp), so that read is one instruction.
constinit WEFT_HOT_THREAD_LOCAL random_pool* current = nullptr;

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

std::uint64_t random_word() {
  std::uint64_t out;
  std::memcpy(&out, pool().next(sizeof(out)), sizeof(out));  // a constant size: one load
  return out;
}

}  // namespace weft::detail
