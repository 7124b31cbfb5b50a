#include "weft/es/detail/recycled_events.hpp"

#include <vector>

#include "weft/core/thread_local.hpp"

namespace weft::es::detail {
namespace {

struct buffer_list {
  std::vector<bytes> buffers;
};

// A plain pointer, so the hot path is one thread-local read: no guard, no
// destructor registration (those are paid once per thread, in list());
// initial-exec (see thread_local.hpp), so that read is one instruction.
constinit WEFT_HOT_THREAD_LOCAL buffer_list* current = nullptr;

buffer_list& list() noexcept {
  if (current == nullptr) [[unlikely]] {
    thread_local buffer_list owned;  // freed when the thread ends
    current = &owned;
  }
  return *current;
}

}  // namespace

bytes take_recycled_state() noexcept {
  auto& buffers = list().buffers;
  if (buffers.empty()) return {};
  bytes out = std::move(buffers.back());
  buffers.pop_back();
  return out;
}

void recycle_events(std::span<stored_event> events) noexcept {
  auto& buffers = list().buffers;
  try {
    for (auto& event : events) {
      if (buffers.size() >= max_recycled_buffers) return;
      // Nothing to reuse (a recorder took it, or there was no state), or too big to keep.
      if (event.state.capacity() == 0 || event.state.capacity() > max_recycled_bytes) continue;
      event.state.clear();
      buffers.push_back(std::move(event.state));
    }
  } catch (const std::bad_alloc&) {
    // The list could not grow: the other buffers go back to malloc with their events.
  }
}

}  // namespace weft::es::detail
