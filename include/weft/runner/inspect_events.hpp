#pragma once
// `weft events`: an application's notifications as JSON, decoded without
// knowing their C++ types.
#include <filesystem>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "weft/es/stored_event.hpp"
#include "weft/es/topic_registry.hpp"

namespace weft::runner {

/// {"id", "originator_id", "originator_version", "topic", "state"}. The state
/// is an object of named fields when `topics` knows the topic, else the
/// generic decoding of its msgpack (an array of the fields; uuids as strings,
/// binary as hex). State bytes that are not msgpack give "state": null and
/// "error" naming the problem; this never throws for bad bytes.
nlohmann::json notification_json(const es::notification& n, const es::topic_registry& topics);

/// Any msgpack value as JSON: uuids (extension 1, 16 bytes) in canonical form,
/// binary and other extensions as {"bin"|"ext": ..., "hex": "..."}.
/// Throws weft::decode_error naming the problem when `bytes` is not exactly one value.
nlohmann::json msgpack_json(const es::bytes& bytes);

/// Where `target` (a data directory, a system file, or a running system's
/// name) keeps application `app`'s events: <data_dir>/<app>.sqlite. Loads a
/// system file's plugins so field names are known. Throws weft::invalid_input
/// naming what is missing, not_running_error for an unknown name.
std::filesystem::path locate_events_file(const std::string& target, const std::string& app);

}  // namespace weft::runner
