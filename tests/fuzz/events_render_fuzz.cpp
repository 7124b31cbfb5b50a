// Fuzzes `weft events`' rendering of a stored notification as a JSON line:
// the first byte picks a topic (known ones get field names), the rest are the
// state bytes. Rendering never throws for bad bytes (the line says "error"
// instead) and what it prints is JSON.
#include <cstdint>
#include <iterator>

#include <nlohmann/json.hpp>

#include "fuzz_domain.hpp"
#include "weft/runner/inspect_events.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  weft::es::notification note;
  note.id = 1;
  note.event.originator_version = 1;
  note.event.topic = fuzz_domain::topics[data[0] % std::size(fuzz_domain::topics)];
  note.event.state.assign(data + 1, data + size);
  const auto line = weft::runner::notification_json(note, weft::es::topic_registry::global());
  if (line.contains("error") && !line.at("state").is_null()) __builtin_trap();
  const auto text = weft::runner::notification_line(note, weft::es::topic_registry::global());
  if (nlohmann::json::parse(text, nullptr, false).is_discarded()) __builtin_trap();
  return 0;
}
