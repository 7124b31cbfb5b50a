// Cold paths of the SPSC ring: attaching, validation messages, resets.
#include "weft/shm/spsc_ring.hpp"

#include <fmt/format.h>

#include <bit>
#include <new>

#include "weft/core/error.hpp"

namespace weft::shm {

std::string validate_header(const record_header& header, std::size_t offset, std::size_t capacity,
                            std::size_t room) {
  const std::size_t size = align_record(header.length);
  if (header.length < record_header_size) {
    return fmt::format("length {} at offset {} is shorter than the {}-byte header", header.length,
                       offset, record_header_size);
  }
  if (offset + size > capacity) {
    return fmt::format("length {} at offset {} runs past the end of the {}-byte buffer",
                       header.length, offset, capacity);
  }
  if (size > room) {
    return fmt::format("length {} at offset {} exceeds the {} bytes that may hold records there",
                       header.length, offset, room);
  }
  if (header.type == record_type::invalid) {
    return fmt::format("type 0 (invalid) at offset {}", offset);
  }
  if (header.type == record_type::padding && offset + header.length != capacity) {
    return fmt::format("padding of length {} at offset {} does not reach the end of the buffer",
                       header.length, offset);
  }
  return {};
}

namespace detail {
void throw_record_too_large(const std::string& ring, std::size_t size, std::size_t limit) {
  throw invalid_input(fmt::format("ring {}: a record of {} bytes exceeds the largest payload, {}",
                                  ring, size, limit));
}
}  // namespace detail

namespace {
void check_region(const ring_region& ring, const std::string& name) {
  if (ring.control == nullptr || ring.data == nullptr || !std::has_single_bit(ring.capacity)) {
    throw weft::error(
        fmt::format("ring {}: capacity {} is not a power of two", name, ring.capacity));
  }
  if (ring.control->capacity != ring.capacity) {
    throw weft::error(fmt::format("ring {}: control block says capacity {}, the channel table {}",
                                  name, ring.control->capacity, ring.capacity));
  }
}
}  // namespace

void format_ring(ring_region ring) noexcept {
  auto* control = new (ring.control) ring_control{};
  control->capacity = ring.capacity;
}

void clear_ring(ring_region ring) noexcept {
  std::memset(ring.data, 0, ring.capacity);
  format_ring(ring);
}

std::uint32_t reset_ring(ring_region ring) noexcept {
  // Pairs with the acquire in the spsc_producer constructor of the successor.
  return ring.control->epoch.fetch_add(1, std::memory_order_acq_rel) + 1;
}

spsc_producer::spsc_producer(ring_region ring, doorbell* consumer_bell, std::string name)
    : ring_(ring), bell_(consumer_bell), mask_(ring.capacity - 1), name_(std::move(name)) {
  check_region(ring_, name_);
  // Pairs with the release in reset_ring().
  epoch_ = static_cast<std::uint16_t>(ring_.control->epoch.load(std::memory_order_acquire));
  // Pairs with the release store in spsc_consumer::release().
  const std::uint64_t head = ring_.control->head.load(std::memory_order_acquire);
  // Pairs with the release in commit() of the predecessor, if any.
  std::uint64_t end = ring_.control->tail.load(std::memory_order_acquire);
  if (end % record_alignment != 0 || head % record_alignment != 0 || end + ring_.capacity < head ||
      end > head + ring_.capacity) {
    throw weft::error(
        fmt::format("ring {}: positions head {} and tail {} are inconsistent", name_, head, end));
  }
  // The tail is published after the commit, so a predecessor that died in
  // between left committed records past it: walk them to the real end.
  for (std::size_t steps = 0; steps <= ring_.capacity / record_alignment; ++steps) {
    const std::size_t offset = end & mask_;
    record_header header{};
    std::memcpy(&header, ring_.data + offset, sizeof header);
    // Pairs with the commit store of the predecessor.
    header.length =
        std::atomic_ref<std::uint32_t>(*length_word(end)).load(std::memory_order_acquire);
    if (header.length == 0) break;
    const std::uint64_t limit = head + ring_.capacity - record_header_size;
    const std::size_t room = limit > end ? limit - end : 0;
    if (!header_valid(header, offset, ring_.capacity, room)) {
      throw weft::error(fmt::format("ring {}: committed record at position {}: {}", name_, end,
                                    validate_header(header, offset, ring_.capacity, room)));
    }
    end += align_record(header.length);
  }
  if (end < head) {
    throw weft::error(
        fmt::format("ring {}: head {} is past the committed end {}", name_, head, end));
  }
  head_cache_ = head;
  batch_start_ = claim_end_ = end;
  // Publish what the predecessor committed but did not publish. Pairs with
  // the acquire in spsc_consumer::try_read.
  ring_.control->tail.store(end, std::memory_order_seq_cst);
}

bool spsc_producer::refresh_head(std::uint64_t needed_end) {
  // Pairs with the release store in spsc_consumer::release().
  const std::uint64_t head = ring_.control->head.load(std::memory_order_acquire);
  if (head < head_cache_ || head > batch_start_ || head % record_alignment != 0) {
    corrupt_ = true;
    error_ = fmt::format("ring {}: head moved to {}, outside [{}, {}]", name_, head, head_cache_,
                         batch_start_);
    return false;
  }
  head_cache_ = head;
  return needed_end - head <= ring_.capacity;
}

spsc_consumer::spsc_consumer(ring_region ring, std::string name)
    : ring_(ring), mask_(ring.capacity - 1), name_(std::move(name)) {
  check_region(ring_, name_);
  // Pairs with our predecessor's release in release(); we continue from there.
  released_ = cursor_ = tail_cache_ = ring_.control->head.load(std::memory_order_acquire);
  if (released_ % record_alignment != 0) {
    throw weft::error(
        fmt::format("ring {}: head {} is not {}-byte aligned", name_, released_, record_alignment));
  }
}

void spsc_consumer::refuse_tail(std::uint64_t tail) noexcept {
  corrupt_ = true;
  try {
    error_ = fmt::format("ring {}: published tail {} is outside [{}, {}] or misaligned", name_,
                         tail, cursor_, released_ + ring_.capacity);
  } catch (...) {
    error_ = "ring: corrupt tail (no memory to say more)";
  }
}

void spsc_consumer::refuse(const record_header& header, std::size_t offset,
                           std::size_t room) noexcept {
  corrupt_ = true;
  try {
    error_ = fmt::format("ring {}: record at position {}: {}", name_, cursor_,
                         validate_header(header, offset, ring_.capacity, room));
  } catch (...) {
    error_ = "ring: corrupt record (no memory to say more)";
  }
}

}  // namespace weft::shm
