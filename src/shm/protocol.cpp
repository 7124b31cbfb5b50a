// Encoding and validating channel protocol records.
#include "weft/shm/protocol.hpp"

#include <fmt/format.h>

#include <cstring>

namespace weft::shm::protocol {
namespace {

template <class T>
T load(const std::byte* at) noexcept {
  T value;
  std::memcpy(&value, at, sizeof value);
  return value;
}

template <class T>
std::byte* store(std::byte* at, T value) noexcept {
  std::memcpy(at, &value, sizeof value);
  return at + sizeof value;
}

std::byte* put_fixed(std::byte* at, std::uint16_t word, std::uint32_t count, std::uint64_t id) {
  at = store(at, version);
  at = store(at, word);
  at = store(at, count);
  return store(at, id);
}

failure invalid(std::string message) {
  return failure{failure::code::invalid, std::move(message)};
}

const char* type_name(message_type type) {
  switch (type) {
    case message_type::section:
      return "section";
    case message_type::prompt:
      return "prompt";
    case message_type::pull_request:
      return "pull_request";
    case message_type::command:
      return "command";
    case message_type::reply:
      return "reply";
  }
  return "unknown";
}

result<message> decode_section(std::uint32_t count, std::uint64_t first,
                               std::span<const std::byte> bytes) {
  if (bytes.size() < section_fixed_size) {
    return invalid(fmt::format("section: {} bytes, shorter than its {}-byte header", bytes.size(),
                               section_fixed_size));
  }
  const auto last = load<std::uint64_t>(bytes.data() + fixed_size);
  if (first == 0) return invalid("section.first_id: 0, notification ids start at 1");
  if (last < first) {
    return invalid(fmt::format("section.last_id: {} is before first_id {}", last, first));
  }
  if (count > last - first + 1) {
    return invalid(fmt::format("section.count: {} items for ids {}..{}", count, first, last));
  }
  const auto items = bytes.subspan(section_fixed_size);
  std::size_t at = 0;
  for (std::uint32_t i = 0; i < count; ++i) {
    if (items.size() - at < item_prefix_size) {
      return invalid(fmt::format("section.items[{}]: length prefix missing, {} bytes remain", i,
                                 items.size() - at));
    }
    const auto length = load<std::uint32_t>(items.data() + at);
    at += item_prefix_size;
    if (length > items.size() - at) {
      return invalid(fmt::format("section.items[{}].length: {} bytes, {} remain", i, length,
                                 items.size() - at));
    }
    at += length;
  }
  if (at != items.size()) {
    return invalid(
        fmt::format("section: {} bytes after the last of {} items", items.size() - at, count));
  }
  return message{section_view(first, last, count, items)};
}

}  // namespace

section_view::iterator::value_type section_view::iterator::operator*() const noexcept {
  return {at_ + item_prefix_size, load<std::uint32_t>(at_)};
}

section_view::iterator& section_view::iterator::operator++() noexcept {
  at_ += item_prefix_size + load<std::uint32_t>(at_);
  return *this;
}

result<message> decode(const record_view& record) {
  const auto type = static_cast<message_type>(record.type);
  if (record.type < 1 || record.type > 5) {
    return invalid(fmt::format("record.type: {} is no protocol message type", record.type));
  }
  const auto bytes = record.payload;
  if (bytes.size() < fixed_size) {
    return invalid(fmt::format("{}: {} bytes, shorter than the {}-byte message header",
                               type_name(type), bytes.size(), fixed_size));
  }
  const auto ver = load<std::uint16_t>(bytes.data());
  const auto word = load<std::uint16_t>(bytes.data() + 2);
  const auto count = load<std::uint32_t>(bytes.data() + 4);
  const auto id = load<std::uint64_t>(bytes.data() + 8);
  if (ver != version) {
    return invalid(
        fmt::format("{}.version: {}, this build speaks {}", type_name(type), ver, version));
  }
  if (type != message_type::reply && word != 0) {
    return invalid(fmt::format("{}.reserved: {} is not 0", type_name(type), word));
  }
  const auto body = bytes.subspan(fixed_size);
  auto no_body = [&]() -> result<void> {
    if (!body.empty()) {
      return invalid(
          fmt::format("{}: {} unexpected bytes after the header", type_name(type), body.size()));
    }
    if (count != 0) return invalid(fmt::format("{}.count: {} is not 0", type_name(type), count));
    return {};
  };
  switch (type) {
    case message_type::section:
      return decode_section(count, id, bytes);
    case message_type::prompt:
      if (auto ok = no_body(); !ok) return ok.error();
      return message{prompt{id}};
    case message_type::pull_request:
      if (!body.empty()) {
        return invalid(
            fmt::format("pull_request: {} unexpected bytes after the header", body.size()));
      }
      if (id == 0) return invalid("pull_request.from_id: 0, notification ids start at 1");
      if (count == 0) return invalid("pull_request.limit: 0");
      return message{pull_request{id, count}};
    case message_type::command:
      if (count != 0) return invalid(fmt::format("command.count: {} is not 0", count));
      return message{command_view{id, body}};
    case message_type::reply:
      if (word > static_cast<std::uint16_t>(reply_status::error)) {
        return invalid(fmt::format("reply.status: {} is neither ok (0) nor error (1)", word));
      }
      if (count == 0) return invalid("reply.count: 0, a reply answers at least one command");
      if (id > UINT64_MAX - (count - 1)) {
        return invalid(
            fmt::format("reply.count: {} commands from correlation id {} run past the "
                        "largest id",
                        count, id));
      }
      return message{reply_view{id, count, static_cast<reply_status>(word), body}};
  }
  return invalid("unreachable");
}

std::size_t section_size(std::span<const std::span<const std::byte>> items) noexcept {
  std::size_t size = section_fixed_size;
  for (const auto& item : items) size += item_prefix_size + item.size();
  return size;
}

void encode_section(std::span<std::byte> out, std::uint64_t first_id, std::uint64_t last_id,
                    std::span<const std::span<const std::byte>> items) noexcept {
  std::byte* at = put_fixed(out.data(), 0, static_cast<std::uint32_t>(items.size()), first_id);
  at = store(at, last_id);
  for (const auto& item : items) {
    at = store(at, static_cast<std::uint32_t>(item.size()));
    if (!item.empty()) std::memcpy(at, item.data(), item.size());
    at += item.size();
  }
}

push_result push_section(spsc_producer& ring, std::uint64_t first_id, std::uint64_t last_id,
                         std::span<const std::span<const std::byte>> items) {
  claim c = ring.try_claim(static_cast<std::uint16_t>(message_type::section), section_size(items));
  if (!c) return c.status;
  encode_section(c.payload, first_id, last_id, items);
  ring.commit();
  return push_result::ok;
}

namespace {
push_result push_fixed(spsc_producer& ring, message_type type, std::uint16_t word,
                       std::uint32_t count, std::uint64_t id, std::span<const std::byte> body) {
  claim c = ring.try_claim(static_cast<std::uint16_t>(type), fixed_size + body.size());
  if (!c) return c.status;
  std::byte* at = put_fixed(c.payload.data(), word, count, id);
  if (!body.empty()) std::memcpy(at, body.data(), body.size());
  ring.commit();
  return push_result::ok;
}
}  // namespace

push_result push_prompt(spsc_producer& ring, prompt p) {
  return push_fixed(ring, message_type::prompt, 0, 0, p.max_id, {});
}
push_result push_pull_request(spsc_producer& ring, pull_request p) {
  return push_fixed(ring, message_type::pull_request, 0, p.limit, p.from_id, {});
}
push_result push_command(spsc_producer& ring, std::uint64_t correlation_id,
                         std::span<const std::byte> payload) {
  return push_fixed(ring, message_type::command, 0, 0, correlation_id, payload);
}
push_result push_reply(spsc_producer& ring, std::uint64_t correlation_id, reply_status status,
                       std::span<const std::byte> payload) {
  return push_fixed(ring, message_type::reply, static_cast<std::uint16_t>(status), 1,
                    correlation_id, payload);
}

}  // namespace weft::shm::protocol
