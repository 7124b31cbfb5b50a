#pragma once
// `weft events`: an application's notifications as JSON, decoded without
// knowing their C++ types.
#include <filesystem>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "weft/es/stored_event.hpp"
#include "weft/es/topic_registry.hpp"

namespace weft::runner {

/// {"id", "originator_id", "originator_version", "topic", "state"}, in that
/// order. The state is an object of the fields in wire order when `topics`
/// knows the topic, else the generic decoding of its msgpack (an array of the
/// fields). State bytes that cannot be decoded give "state": null and "error"
/// naming the problem: this never throws for bad bytes.
nlohmann::ordered_json notification_json(const es::notification& n,
                                         const es::topic_registry& topics);

/// The line `weft events` prints for `n`: notification_json() as JSON text.
std::string notification_line(const es::notification& n, const es::topic_registry& topics);

/// Any msgpack value as JSON, map keys in their order: uuids (extension 1, 16
/// bytes) in canonical form, binary as {"bin": "<hex>"}, other extensions as
/// {"ext": type, "hex": "<hex>"}. Throws weft::decode_error naming the problem
/// when `bytes` is not exactly one msgpack value.
nlohmann::ordered_json msgpack_json(const es::bytes& bytes);

/// Where `target` (a data directory, a system file, or a running system's
/// name) keeps application `app`'s events: <data_dir>/<app>.sqlite. Loads a
/// system file's plugins so field names are known. Throws weft::invalid_input
/// naming what is missing, not_running_error for an unknown name.
std::filesystem::path locate_events_file(const std::string& target, const std::string& app);

}  // namespace weft::runner
