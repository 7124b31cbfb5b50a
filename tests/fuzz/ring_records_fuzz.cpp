// Fuzzes what a consumer and a restarted producer read from a ring that a
// broken or hostile peer wrote: the first 8 bytes are the released head, the
// next 8 the published tail, the rest is the buffer. Every record delivered must lie inside the
// buffer (ASan checks the reads) and decode() must never crash on it.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "weft/core/error.hpp"
#include "weft/shm/protocol.hpp"
#include "weft/shm/spsc_ring.hpp"

namespace {

constexpr std::size_t capacity = 4096;

struct fuzz_ring {
  fuzz_ring() {
    memory =
        static_cast<std::byte*>(std::aligned_alloc(64, sizeof(weft::shm::ring_control) + capacity));
    region = {reinterpret_cast<weft::shm::ring_control*>(memory),
              memory + sizeof(weft::shm::ring_control), capacity};
  }
  ~fuzz_ring() { std::free(memory); }
  std::byte* memory;
  weft::shm::ring_region region;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 16) return 0;
  fuzz_ring ring;
  weft::shm::clear_ring(ring.region);
  std::uint64_t head = 0, tail = 0;
  std::memcpy(&head, data, 8);
  std::memcpy(&tail, data + 8, 8);
  head &= ~std::uint64_t{7} & 0xFFFF'FFFF;
  tail &= 0xFFFF'FFFF;  // misaligned and out-of-window tails stay possible
  std::memcpy(ring.region.data, data + 16, std::min(size - 16, capacity));
  ring.region.control->head.store(head);
  ring.region.control->tail.store(tail);

  weft::shm::spsc_consumer consumer(ring.region, "fuzz");
  weft::shm::record_view view;
  std::uint64_t sink = 0;
  for (int i = 0; i < 1024 && consumer.try_read(view) == weft::shm::read_status::record; ++i) {
    for (std::byte b : view.payload) sink += static_cast<std::uint8_t>(b);
    auto decoded = weft::shm::protocol::decode(view);
    if (decoded.ok()) {
      if (auto* section = std::get_if<weft::shm::protocol::section_view>(&decoded.value())) {
        for (auto item : *section) sink += item.size();
      }
    }
  }
  consumer.release();
  try {
    // A successor producer walks the committed records from the tail hint.
    weft::shm::spsc_producer producer(ring.region, nullptr, "fuzz");
    const std::byte payload[40] = {};
    for (int i = 0; i < 8; ++i) (void)producer.try_push(1, payload);
  } catch (const weft::error&) {
    // refusing corrupt positions is the expected outcome
  }
  return static_cast<int>(sink & 0);
}
