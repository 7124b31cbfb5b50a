#include "weft/node/inbound.hpp"

#include <algorithm>
#include <cstring>

#include "weft/core/same_bytes.hpp"
#include "weft/es/command_payload.hpp"
#include "weft/node/notification_codec.hpp"
#include "weft/shm/protocol.hpp"

namespace weft::node {
namespace {

failure invalid(std::string message) {
  return failure{failure::code::invalid, std::move(message)};
}

std::string_view kind_of(const shm::protocol::message& message) {
  static constexpr std::string_view names[] = {"section", "prompt", "pull request", "command",
                                               "reply"};
  return names[message.index()];
}

}  // namespace

result<leader_record> read_from_leader(std::size_t upstream, const shm::record_view& record) {
  auto decoded = shm::protocol::decode(record);
  if (!decoded) return decoded.error();
  if (const auto* prompt = std::get_if<shm::protocol::prompt>(&*decoded))
    return leader_record{prompt_message{upstream, prompt->max_id}};
  const auto* section = std::get_if<shm::protocol::section_view>(&*decoded);
  if (section == nullptr)
    return invalid("a leader sent a " + std::string(kind_of(*decoded)) + " record");
  return leader_record{*section};
}

result<void> decode_section(const shm::protocol::section_view& section, section_pool& pool,
                            note_batch& into) {
  if (section.last_id() < section.first_id() ||
      section.last_id() - section.first_id() + 1 != section.size())
    return invalid("section " + std::to_string(section.first_id()) + ".." +
                   std::to_string(section.last_id()) + " holds " + std::to_string(section.size()) +
                   " notifications, not a contiguous range");
  const std::size_t needed = into.used + section.size();
  // Doubling, not exact: merged sections append again and again.
  if (into.notes.capacity() < needed)
    into.notes.reserve(std::max(needed, 2 * into.notes.capacity()));
  const std::size_t before = into.used;
  std::uint64_t expected = section.first_id();
  for (const auto item : section) {
    auto& note = pool.next(into);
    auto decoded = decode_notification_into(
        {reinterpret_cast<const std::uint8_t*>(item.data()), item.size()}, note);
    const auto at = expected - section.first_id();
    if (!decoded) {
      into.used = before;
      return invalid("section " + std::to_string(section.first_id()) + " item " +
                     std::to_string(at) + ": " + decoded.error().message);
    }
    if (note.id != expected) {
      into.used = before;
      return invalid("section " + std::to_string(section.first_id()) + " item " +
                     std::to_string(at) + " has id " + std::to_string(note.id) + ", expected " +
                     std::to_string(expected));
    }
    ++into.used;
    ++expected;
  }
  return {};
}

result<host_message> decode_from_leader(std::size_t upstream, const shm::record_view& record) {
  auto read = read_from_leader(upstream, record);
  if (!read) return read.error();
  if (const auto* prompt = std::get_if<prompt_message>(&*read)) return host_message{*prompt};
  const auto& section = std::get<shm::protocol::section_view>(*read);
  section_pool fresh;  // nothing to recycle: every notification is new
  note_batch notes;
  if (auto decoded = decode_section(section, fresh, notes); !decoded) return decoded.error();
  return host_message{
      section_message{upstream, section.first_id(), section.last_id(), std::move(notes.notes)}};
}

result<host_message> decode_from_follower(std::size_t downstream, const shm::record_view& record) {
  auto decoded = shm::protocol::decode(record);
  if (!decoded) return decoded.error();
  const auto* pull = std::get_if<shm::protocol::pull_request>(&*decoded);
  if (pull == nullptr)
    return invalid("a follower sent a " + std::string(kind_of(*decoded)) + " record");
  if (pull->from_id == 0) return invalid("pull request from id 0 (ids start at 1)");
  return host_message{pull_message{downstream, pull->from_id}};
}

namespace {

// A command record's correlation id, name and argument text (views into the record).
struct command_parts {
  std::uint64_t correlation_id = 0;
  std::string_view name;
  std::string_view args;
};

// The parts of a valid command record; false if it is not one.
bool split_command(const shm::record_view& record, command_parts& out) noexcept {
  shm::protocol::command_view command;
  if (!shm::protocol::read_command(record, command)) return false;
  const char* text = reinterpret_cast<const char*>(command.payload.data());
  const std::size_t size = command.payload.size();
  // Names are short: a byte loop finds the NUL sooner than a call to memchr.
  std::size_t nul = 0;
  while (nul < size && text[nul] != '\0') ++nul;
  if (nul == size || nul == 0) return false;
  out = {command.correlation_id, {text, nul}, {text + nul + 1, size - nul - 1}};
  return true;
}

// Why split_command refused `record`: the cold path.
failure not_a_command(const shm::record_view& record) {
  auto decoded = shm::protocol::decode(record);
  if (!decoded) return decoded.error();
  const auto* command = std::get_if<shm::protocol::command_view>(&*decoded);
  if (command == nullptr)
    return invalid("a client sent a " + std::string(kind_of(*decoded)) + " record");
  return invalid("command " + std::to_string(command->correlation_id) +
                 ": payload has no command name before a NUL byte");
}

}  // namespace

result<command_request> decode_command(std::uint32_t lane, const shm::record_view& record) {
  command_parts parts;
  if (!split_command(record, parts)) [[unlikely]]
    return not_a_command(record);
  return command_request{lane, parts.correlation_id, std::string(parts.name),
                         std::string(parts.args)};
}

result<void> decode_command_into(std::uint32_t lane, const shm::record_view& record,
                                 command_request& out) {
  command_parts parts;
  if (!split_command(record, parts)) [[unlikely]]
    return not_a_command(record);
  out.lane = lane;
  out.correlation_id = parts.correlation_id;
  // Clients repeat their commands: the name is usually there already.
  if (!same_text(out.name, parts.name)) out.name.assign(parts.name);
  out.args_json.clear();
  if (out.args)
    out.args->assign(parts.args);
  else
    out.args.emplace(std::string(parts.args));
  return {};
}

std::string encode_command_payload(std::string_view name, std::string_view args_json) {
  std::string out;
  encode_command_payload(name, args_json, out);
  return out;
}

void encode_command_payload(std::string_view name, std::string_view args_json, std::string& out) {
  out.clear();
  out.reserve(name.size() + 1 + args_json.size());
  out.append(name);
  out.push_back('\0');
  out.append(args_json);
}

void dispatch(app_host& host, host_message& message, std::int64_t now_ns) {
  std::visit(
      [&](auto& m) {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, section_message>)
          host.on_section(m.upstream, m.first_id, m.last_id, m.notes, now_ns);
        else if constexpr (std::is_same_v<M, prompt_message>)
          host.on_prompt(m.upstream, m.max_id, now_ns);
        else if constexpr (std::is_same_v<M, pull_message>)
          host.on_pull(m.downstream, m.from_id, now_ns);
        else if constexpr (std::is_same_v<M, commands_message>)
          m.refused_because.empty() ? host.on_commands(m.batch(), now_ns)
                                    : host.refuse_commands(m.batch(), m.refused_because);
        else
          host.tick(now_ns);
      },
      message);
}

}  // namespace weft::node
