#include "weft/node/notification_codec.hpp"

#include <bit>
#include <cstring>
#include <limits>

#include "weft/core/error.hpp"

namespace weft::node {
namespace {

constexpr std::size_t fixed_size = notification_fixed_size;

// x86-64 and aarch64 are little-endian; the static_assert keeps us honest.
static_assert(std::endian::native == std::endian::little, "the wire format is little-endian");

// Reads bounds-checked fields from a blob; the first short read records
// which field did not fit. The slow path: it names what is wrong with a blob
// the fast path in decode_notification_into() refused.
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

void refuse_to_encode(const es::stored_event& event) {
  if (event.topic.size() > std::numeric_limits<std::uint16_t>::max())
    throw invalid_input("topic '" + event.topic.substr(0, 64) + "...' is longer than 65535 bytes");
  throw invalid_input("state of topic '" + event.topic + "' is larger than 4 GiB");
}

void encode_notification(std::uint64_t id, const es::stored_event& event,
                         std::span<std::uint8_t> out) {
  check_encodable(event);
  if (out.size() < encoded_size(event))
    throw invalid_input("buffer too small for notification " + std::to_string(id));
  write_notification(reinterpret_cast<std::byte*>(out.data()), id, event);
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

// Names what is wrong with a blob the fast path refused.
failure refuse_notification(std::span<const std::uint8_t> blob) {
  reader in(blob);
  std::uint64_t id = 0, version = 0;
  std::uint16_t topic_size = 0;
  std::uint32_t state_size = 0;
  const std::uint8_t* skipped = nullptr;
  if (!in.get(id, "id") || !in.bytes(16, "originator_id", skipped) ||
      !in.get(version, "originator_version") || !in.get(topic_size, "topic length") ||
      !in.bytes(topic_size, "topic", skipped) || !in.get(state_size, "state length") ||
      !in.bytes(state_size, "state", skipped))
    return truncated(in, blob.size());
  if (in.remaining() != 0)
    return failure{
        failure::code::invalid,
        "notification blob has " + std::to_string(in.remaining()) + " bytes after its state"};
  return failure{failure::code::invalid, "notification id is 0"};
}

}  // namespace weft::node
