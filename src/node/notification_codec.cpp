#include "weft/node/notification_codec.hpp"

#include <bit>
#include <cstring>
#include <limits>

#include "weft/core/error.hpp"

namespace weft::node {
namespace {

constexpr std::size_t fixed_size = 8 + 16 + 8 + 2 + 4;

// x86-64 and aarch64 are little-endian; the static_assert keeps us honest.
static_assert(std::endian::native == std::endian::little, "the wire format is little-endian");

template <class T>
std::uint8_t* put(std::uint8_t* at, T value) {
  std::memcpy(at, &value, sizeof value);
  return at + sizeof value;
}

// Reads bounds-checked fields from a blob; the first short read records
// which field did not fit.
class reader {
 public:
  explicit reader(std::span<const std::uint8_t> blob) : blob_(blob) {}

  template <class T>
  bool get(T& value, const char* field) {
    if (!take(sizeof value, field)) return false;
    std::memcpy(&value, blob_.data() + at_ - sizeof value, sizeof value);
    return true;
  }

  bool bytes(std::size_t n, const char* field, const std::uint8_t*& start) {
    if (!take(n, field)) return false;
    start = blob_.data() + at_ - n;
    return true;
  }

  [[nodiscard]] std::size_t remaining() const { return blob_.size() - at_; }
  [[nodiscard]] const char* failed_field() const { return failed_; }

 private:
  bool take(std::size_t n, const char* field) {
    if (n > remaining()) {
      failed_ = field;
      return false;
    }
    at_ += n;
    return true;
  }

  std::span<const std::uint8_t> blob_;
  std::size_t at_ = 0;
  const char* failed_ = nullptr;
};

failure truncated(const reader& in, std::size_t blob_size) {
  return failure{failure::code::invalid,
                 std::string("notification blob of ") + std::to_string(blob_size) +
                     " bytes is too short for field '" + in.failed_field() + "'"};
}

}  // namespace

std::size_t encoded_size(const es::stored_event& event) noexcept {
  return fixed_size + event.topic.size() + event.state.size();
}

std::size_t encoded_size(const es::notification& note) noexcept {
  return encoded_size(note.event);
}

void encode_notification(std::uint64_t id, const es::stored_event& event,
                         std::span<std::uint8_t> out) {
  if (event.topic.size() > std::numeric_limits<std::uint16_t>::max())
    throw invalid_input("topic '" + event.topic.substr(0, 64) + "...' is longer than 65535 bytes");
  if (event.state.size() > std::numeric_limits<std::uint32_t>::max())
    throw invalid_input("state of topic '" + event.topic + "' is larger than 4 GiB");
  if (out.size() < encoded_size(event))
    throw invalid_input("buffer too small for notification " + std::to_string(id));
  std::uint8_t* at = out.data();
  at = put(at, id);
  std::memcpy(at, event.originator_id.bytes.data(), 16);
  at += 16;
  at = put(at, event.originator_version);
  at = put(at, static_cast<std::uint16_t>(event.topic.size()));
  std::memcpy(at, event.topic.data(), event.topic.size());
  at += event.topic.size();
  at = put(at, static_cast<std::uint32_t>(event.state.size()));
  if (!event.state.empty()) std::memcpy(at, event.state.data(), event.state.size());
}

void encode_notification(const es::notification& note, std::span<std::uint8_t> out) {
  encode_notification(note.id, note.event, out);
}

void encode_notification(const es::notification& note, std::string& out) {
  const std::size_t start = out.size();
  out.resize(start + encoded_size(note));
  encode_notification(
      note, std::span(reinterpret_cast<std::uint8_t*>(out.data()) + start, out.size() - start));
}

result<es::notification> decode_notification(std::span<const std::uint8_t> blob) {
  es::notification note;
  if (auto decoded = decode_notification_into(blob, note); !decoded) return decoded.error();
  return note;
}

result<void> decode_notification_into(std::span<const std::uint8_t> blob, es::notification& note) {
  reader in(blob);
  auto& event = note.event;
  const std::uint8_t* originator = nullptr;
  std::uint16_t topic_size = 0;
  std::uint32_t state_size = 0;
  const std::uint8_t* topic = nullptr;
  const std::uint8_t* state = nullptr;
  if (!in.get(note.id, "id") || !in.bytes(16, "originator_id", originator) ||
      !in.get(event.originator_version, "originator_version") ||
      !in.get(topic_size, "topic length") || !in.bytes(topic_size, "topic", topic) ||
      !in.get(state_size, "state length") || !in.bytes(state_size, "state", state))
    return truncated(in, blob.size());
  if (in.remaining() != 0)
    return failure{
        failure::code::invalid,
        "notification blob has " + std::to_string(in.remaining()) + " bytes after its state"};
  if (note.id == 0) return failure{failure::code::invalid, "notification id is 0"};
  std::memcpy(event.originator_id.bytes.data(), originator, 16);
  event.topic.assign(reinterpret_cast<const char*>(topic), topic_size);
  event.state.assign(state, state + state_size);
  return {};
}

}  // namespace weft::node
