// Fuzzes what an application's poller decodes from its rings: byte 0 picks
// the reader (a leader's ring, a follower's ring, a client lane, or one
// notification blob alone), bytes 1-2 are the record type, the rest is the
// payload. Decoding must validate or refuse with a message, and a section it
// accepts must hold exactly the contiguous ids it claims.
#include <cstdint>
#include <cstring>
#include <vector>

#include "weft/node/inbound.hpp"
#include "weft/node/notification_codec.hpp"

namespace {

void check_leader_message(const weft::result<weft::node::host_message>& decoded) {
  if (!decoded) {
    if (decoded.error().message.empty()) __builtin_trap();
    return;
  }
  const auto* section = std::get_if<weft::node::section_message>(&decoded.value());
  if (section == nullptr) return;
  if (section->notes.size() != section->last_id - section->first_id + 1) __builtin_trap();
  std::uint64_t expected = section->first_id;
  for (const auto& note : section->notes)
    if (note.id != expected++) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  std::uint16_t type = 0;
  std::memcpy(&type, data + 1, 2);
  // Own copy, exactly sized, so ASan sees any read past the payload.
  std::vector<std::byte> payload(size - 3);
  if (!payload.empty()) std::memcpy(payload.data(), data + 3, payload.size());
  const weft::shm::record_view record{type, 0, payload};
  switch (data[0] % 4) {
    case 0:
      check_leader_message(weft::node::decode_from_leader(2, record));
      break;
    case 1: {
      const auto pull = weft::node::decode_from_follower(1, record);
      if (pull && std::get<weft::node::pull_message>(pull.value()).from_id == 0) __builtin_trap();
      break;
    }
    case 2: {
      const auto command = weft::node::decode_command(3, record);
      if (command && command->name.empty()) __builtin_trap();
      break;
    }
    default: {
      const auto note = weft::node::decode_notification(
          {reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()});
      if (note) {
        std::string again;
        weft::node::encode_notification(note.value(), again);
        if (again.size() != payload.size() ||
            std::memcmp(again.data(), payload.data(), payload.size()) != 0)
          __builtin_trap();  // what decodes re-encodes to the same bytes
      }
    }
  }
  return 0;
}
