#pragma once
// What arrives at an application, decoded from ring records into values the
// hosting actor can own: a worker's poll reads the rings, decodes with these
// functions (copying out of the ring, so it can release at once), and posts
// the results to the actor's mailbox; dispatch() applies one to an app_host.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "weft/core/result.hpp"
#include "weft/es/stored_event.hpp"
#include "weft/node/app_host.hpp"
#include "weft/node/section_pool.hpp"
#include "weft/shm/protocol.hpp"
#include "weft/shm/spsc_ring.hpp"

namespace weft::node {

struct section_message {
  std::size_t upstream = 0;
  std::uint64_t first_id = 0;
  std::uint64_t last_id = 0;
  std::vector<es::notification> notes;
};
struct prompt_message {
  std::size_t upstream = 0;
  std::uint64_t max_id = 0;
};
struct pull_message {
  std::size_t downstream = 0;
  std::uint64_t from_id = 0;
};
struct commands_message {
  /// The first `count` are the batch; those after it are spare requests the
  /// poller decodes the next batches into (their strings' capacity reused).
  std::vector<command_request> commands;
  std::size_t count = 0;
  /// Not empty: the system is stopping; answer each command with this error
  /// instead of running it.
  std::string refused_because;

  [[nodiscard]] std::span<const command_request> batch() const noexcept {
    return std::span(commands).first(count);
  }
};
struct tick_message {};

using host_message =
    std::variant<section_message, prompt_message, pull_message, commands_message, tick_message>;

/// A record from leader `upstream`'s ring: a section (its notifications
/// decoded and checked to be the contiguous ids first..last) or a prompt.
result<host_message> decode_from_leader(std::size_t upstream, const shm::record_view& record);

/// The same in two steps, for a poller that merges contiguous sections into
/// one message and recycles notifications: first the record, a section (its
/// notifications still in the ring) or a prompt...
using leader_record = std::variant<shm::protocol::section_view, prompt_message>;
result<leader_record> read_from_leader(std::size_t upstream, const shm::record_view& record);
/// ...then the section's notifications, checked to be the contiguous ids
/// first..last and decoded over the recycled ones of `into` after its `used`
/// ones (see section_pool), `used` advanced past them. On failure `used` is
/// as it was.
result<void> decode_section(const shm::protocol::section_view& section, section_pool& pool,
                            note_batch& into);
/// A record from follower `downstream`'s ring: a pull request.
result<host_message> decode_from_follower(std::size_t downstream, const shm::record_view& record);
/// A record from a client's lane: a command.
result<command_request> decode_command(std::uint32_t lane, const shm::record_view& record);
/// The same into `out` (its strings' capacity reused), with the arguments
/// parsed: `out.args` set, `out.args_json` empty. On failure `out` is unspecified.
result<void> decode_command_into(std::uint32_t lane, const shm::record_view& record,
                                 command_request& out);

/// A command's payload on the wire: its name, a NUL byte, its JSON arguments.
std::string encode_command_payload(std::string_view name, std::string_view args_json);
/// The same into `out` (its capacity reused).
void encode_command_payload(std::string_view name, std::string_view args_json, std::string& out);
/// The same into `out`, which has exactly command_payload_size(name, args_json)
/// bytes. Inline: a client encodes every command straight into its ring.
inline void encode_command_payload(std::string_view name, std::string_view args_json,
                                   std::span<std::byte> out) noexcept {
  std::byte* at = out.data();
  std::memcpy(at, name.data(), name.size());
  at[name.size()] = std::byte{0};
  if (!args_json.empty()) std::memcpy(at + name.size() + 1, args_json.data(), args_json.size());
}
/// The bytes a command's payload takes on the wire.
constexpr std::size_t command_payload_size(std::string_view name,
                                           std::string_view args_json) noexcept {
  return name.size() + 1 + args_json.size();
}

/// Applies `message` to `host`.
void dispatch(app_host& host, host_message& message, std::int64_t now_ns);

}  // namespace weft::node
