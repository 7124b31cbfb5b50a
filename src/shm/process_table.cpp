// The process table's text field under a sequence lock.
#include "weft/shm/process_table.hpp"

#include <algorithm>

namespace weft::shm {

std::string_view to_string(process_state state) noexcept {
  switch (state) {
    case process_state::absent:
      return "absent";
    case process_state::starting:
      return "starting";
    case process_state::running:
      return "running";
    case process_state::stopping:
      return "stopping";
    case process_state::stopped:
      return "stopped";
    case process_state::crashed:
      return "crashed";
  }
  return "unknown";
}

bool enter_state(process_entry& entry, process_state to) noexcept {
  // The state is a gauge for tools and a flag for the worker: relaxed suffices.
  auto now = entry.state.load(std::memory_order_relaxed);
  for (;;) {
    if (now == process_state::stopping || now == to) return false;
    if (to == process_state::starting && now == process_state::running) return false;
    if (entry.state.compare_exchange_weak(now, to, std::memory_order_relaxed)) return true;
  }
}

void set_last_error(process_entry& entry, std::string_view text) noexcept {
  const std::size_t n = std::min(text.size(), error_text_capacity - 1);
  // Odd while writing. Each text store is a release, so a reader that sees
  // any new byte (acquire) also sees the odd sequence and retries; no fences,
  // which ThreadSanitizer cannot check.
  const std::uint32_t seq = entry.error_sequence.load(std::memory_order_relaxed);
  entry.error_sequence.store(seq + 1, std::memory_order_relaxed);
  for (std::size_t i = 0; i < error_text_capacity; ++i) {
    std::atomic_ref<char>(entry.last_error[i])
        .store(i < n ? text[i] : '\0', std::memory_order_release);
  }
  entry.error_sequence.store(seq + 2, std::memory_order_release);
}

std::string last_error(const process_entry& entry) {
  auto& text =
      const_cast<process_entry&>(entry).last_error;  // atomic_ref needs non-const; loads only
  std::string copy(error_text_capacity, '\0');
  for (int attempt = 0; attempt < 1000; ++attempt) {
    // Pairs with the release store that ends set_last_error().
    const std::uint32_t before = entry.error_sequence.load(std::memory_order_acquire);
    if (before % 2 != 0) continue;
    for (std::size_t i = 0; i < error_text_capacity; ++i) {
      copy[i] = std::atomic_ref<char>(text[i]).load(std::memory_order_acquire);
    }
    if (entry.error_sequence.load(std::memory_order_relaxed) == before) break;
  }
  copy.resize(::strnlen(copy.data(), error_text_capacity));
  return copy;
}

}  // namespace weft::shm
