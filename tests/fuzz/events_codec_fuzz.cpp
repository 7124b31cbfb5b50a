// Fuzzes decoding stored event bytes without knowing their C++ type: the
// first byte picks a topic (fuzz_domain::topics, one of them unknown), the
// rest are the state bytes. The topic registry's decode and JSON view, and
// the typed decoders, must answer with a weft::error or a value: never a
// crash, an out-of-bounds read, undefined behaviour, a leak or another
// exception type.
#include <cstdint>
#include <iterator>

#include <nlohmann/json.hpp>

#include "fuzz_domain.hpp"
#include "weft/core/error.hpp"
#include "weft/es/topic_registry.hpp"

namespace {

template <class E>
void decode_typed(std::span<const std::uint8_t> state) {
  try {
    E out{};
    weft::es::decode_into(state, out);
  } catch (const weft::error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const auto topic = fuzz_domain::topics[data[0] % std::size(fuzz_domain::topics)];
  const weft::es::stored_event event{weft::uuid{}, 1, std::string(topic),
                                     weft::es::bytes(data + 1, data + size)};
  const auto& registry = weft::es::topic_registry::global();
  try {
    const auto decoded = registry.decode(event);
    if (decoded.entry == nullptr || decoded.value == nullptr) __builtin_trap();
  } catch (const weft::error& e) {
    if (*e.what() == '\0') __builtin_trap();  // every refusal says why
  }
  try {
    const auto json = registry.to_json(event);
    // Strings hold whatever bytes the event had; JSON output replaces what is not UTF-8.
    (void)json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } catch (const weft::error&) {
  }
  const std::span<const std::uint8_t> state(data + 1, size - 1);
  decode_typed<fuzz_domain::Opened>(state);
  decode_typed<fuzz_domain::Measured>(state);
  decode_typed<fuzz_domain::Tagged>(state);
  return 0;
}
