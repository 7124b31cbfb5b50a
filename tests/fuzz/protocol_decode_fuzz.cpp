// Fuzzes the channel protocol decoder: two bytes of record type, the rest is
// the payload. Decoding must validate or refuse, never read out of bounds.
#include <cstdint>
#include <cstring>
#include <vector>

#include "weft/shm/protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  std::uint16_t type = 0;
  std::memcpy(&type, data, 2);
  // Own copy, exactly sized, so ASan sees any read past the payload.
  std::vector<std::byte> payload(size - 2);
  if (!payload.empty()) std::memcpy(payload.data(), data + 2, payload.size());
  const weft::shm::record_view view{type, 0, payload};
  auto decoded = weft::shm::protocol::decode(view);
  std::size_t sink = 0;
  if (decoded.ok()) {
    if (auto* section = std::get_if<weft::shm::protocol::section_view>(&decoded.value())) {
      std::uint32_t n = 0;
      for (auto item : *section) {
        sink += item.size();
        if (!item.empty()) sink += static_cast<std::uint8_t>(item.back());
        ++n;
      }
      if (n != section->size()) __builtin_trap();
    }
  } else if (decoded.error().message.empty()) {
    __builtin_trap();  // every refusal names its field
  }
  return static_cast<int>(sink & 0);
}
