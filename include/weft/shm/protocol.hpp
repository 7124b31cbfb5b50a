#pragma once
// The channel protocol: typed, versioned records on the rings of an edge and
// of an ingress lane. The bytes of a notification or a command are opaque
// here; the layers above decide what they mean.
//
// Every payload starts with the same 16 bytes, little-endian:
//   u16 version | u16 word | u32 count | u64 id | body
//   section      (leader -> follower) word 0, count = items, id = first_id;
//                body = u64 last_id, then count x (u32 length | length bytes)
//   prompt       (leader -> follower) word 0, count 0, id = leader's max notification id
//   pull_request (follower -> leader) word 0, count = limit (> 0), id = from_id
//   command      (client -> process)  word 0, count 0, id = correlation id; body = payload
//   reply        (process -> client)  word = reply_status, count = commands answered (>= 1),
//                id = the first one's correlation id; body = payload. Correlation ids id ..
//                id + count - 1 all get this status and payload: a turn that answers a
//                client's consecutive commands alike ("done") writes one record, not one each.
// Decoders check every field and name the one at fault. A full ring is
// back-pressure: push_* return push_result::full and nothing is lost.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <variant>

#include "weft/core/result.hpp"
#include "weft/shm/spsc_ring.hpp"

namespace weft::shm::protocol {

inline constexpr std::uint16_t version = 1;
inline constexpr std::size_t fixed_size = 16;
inline constexpr std::size_t section_fixed_size = fixed_size + 8;
inline constexpr std::size_t item_prefix_size = 4;

/// Record types on the ring (record_view::type).
enum class message_type : std::uint16_t {
  section = 1,
  prompt = 2,
  pull_request = 3,
  command = 4,
  reply = 5,
};

enum class reply_status : std::uint16_t { ok = 0, error = 1 };

struct prompt {
  std::uint64_t max_id;
};

struct pull_request {
  std::uint64_t from_id;
  std::uint32_t limit;
};

struct command_view {
  std::uint64_t correlation_id;
  std::span<const std::byte> payload;
};

struct reply_view {
  std::uint64_t correlation_id;  ///< the first command answered
  std::uint32_t count;           ///< commands answered: correlation_id, correlation_id + 1, ...
  reply_status status;
  std::span<const std::byte> payload;
};

/// A decoded (and fully validated) section; items are views into the ring.
class section_view {
 public:
  class iterator {
   public:
    using value_type = std::span<const std::byte>;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    explicit iterator(const std::byte* at) : at_(at) {}
    value_type operator*() const noexcept;
    iterator& operator++() noexcept;
    iterator operator++(int) noexcept {
      auto old = *this;
      ++*this;
      return old;
    }
    bool operator==(const iterator&) const = default;

   private:
    const std::byte* at_ = nullptr;
  };

  section_view() = default;
  section_view(std::uint64_t first, std::uint64_t last, std::uint32_t count,
               std::span<const std::byte> items)
      : first_id_(first), last_id_(last), count_(count), items_(items) {}

  [[nodiscard]] std::uint64_t first_id() const noexcept { return first_id_; }
  [[nodiscard]] std::uint64_t last_id() const noexcept { return last_id_; }
  [[nodiscard]] std::uint32_t size() const noexcept { return count_; }
  [[nodiscard]] iterator begin() const noexcept { return iterator(items_.data()); }
  [[nodiscard]] iterator end() const noexcept { return iterator(items_.data() + items_.size()); }

 private:
  std::uint64_t first_id_ = 0;
  std::uint64_t last_id_ = 0;
  std::uint32_t count_ = 0;
  std::span<const std::byte> items_;
};

using message = std::variant<section_view, prompt, pull_request, command_view, reply_view>;

/// Decodes and validates one record. The failure (code invalid) names the
/// field and value at fault, e.g. "section.items[2].length: 900 bytes, 12 remain".
result<message> decode(const record_view& record);

/// The hot path of decode for the one record type a process's ingress lanes
/// carry: true and `out` set when `record` is a valid command; false when it
/// is not, and decode(record) then says why.
inline bool read_command(const record_view& record, command_view& out) noexcept;

/// The same for the records of a client's reply ring: true and `out` set when
/// `record` is a valid reply.
inline bool read_reply(const record_view& record, reply_view& out) noexcept;

/// Makes a reply claimed by claim_reply, and not committed yet, answer the
/// next correlation id too, with the same status and payload. False (nothing
/// changed) when it answers as many as a count holds. `body` is the claim's payload.
inline bool extend_reply(std::span<std::byte> body) noexcept;

/// Bytes a section with these items takes on the ring (its payload size).
std::size_t section_size(std::span<const std::span<const std::byte>> items) noexcept;

/// Writes a section into `out` (exactly section_size(items) bytes).
void encode_section(std::span<std::byte> out, std::uint64_t first_id, std::uint64_t last_id,
                    std::span<const std::span<const std::byte>> items) noexcept;

// Each claims, encodes and commits one record on `ring` (one producer only).
// A section larger than ring.max_payload() throws weft::invalid_input: split it.
push_result push_section(spsc_producer& ring, std::uint64_t first_id, std::uint64_t last_id,
                         std::span<const std::span<const std::byte>> items);
push_result push_prompt(spsc_producer& ring, prompt p);
push_result push_pull_request(spsc_producer& ring, pull_request p);
push_result push_command(spsc_producer& ring, std::uint64_t correlation_id,
                         std::span<const std::byte> payload);
push_result push_reply(spsc_producer& ring, std::uint64_t correlation_id, reply_status status,
                       std::span<const std::byte> payload);

// Claim a command or reply record of `payload_size` body bytes and write its
// fixed header; the caller fills the claim's payload (the body) in place and
// publishes it with ring.commit(), which may come after more claims: a batch
// of records, one publication. Statuses as try_claim.
// Inline: a client claims one per command, a process one per reply.
inline claim claim_command(spsc_producer& ring, std::uint64_t correlation_id,
                           std::size_t payload_size);
inline claim claim_reply(spsc_producer& ring, std::uint64_t correlation_id, reply_status status,
                         std::size_t payload_size);

// ---- hot path, inline --------------------------------------------------------

namespace detail {
/// The fixed header of a command or reply record, checked as decode checks
/// it; `word` and `count` are returned for the caller to check.
inline bool read_fixed(const record_view& record, message_type type, std::uint16_t& word,
                       std::uint32_t& count, std::uint64_t& id,
                       std::span<const std::byte>& body) noexcept {
  const auto bytes = record.payload;
  if (record.type != static_cast<std::uint16_t>(type) || bytes.size() < fixed_size) return false;
  std::uint16_t ver = 0;
  std::memcpy(&ver, bytes.data(), sizeof ver);
  std::memcpy(&word, bytes.data() + 2, sizeof word);
  std::memcpy(&count, bytes.data() + 4, sizeof count);
  if (ver != version) return false;
  std::memcpy(&id, bytes.data() + 8, sizeof id);
  body = bytes.subspan(fixed_size);
  return true;
}

/// Claims a record of `type` with `body_size` body bytes and writes its
/// fixed header; the claim's payload is the body.
inline claim claim_fixed(spsc_producer& ring, message_type type, std::uint16_t word,
                         std::uint32_t count, std::uint64_t id, std::size_t body_size) {
  claim c = ring.try_claim(static_cast<std::uint16_t>(type), fixed_size + body_size);
  if (!c) return c;
  std::byte* at = c.payload.data();
  std::memcpy(at, &version, sizeof version);
  std::memcpy(at + 2, &word, sizeof word);
  std::memcpy(at + 4, &count, sizeof count);
  std::memcpy(at + 8, &id, sizeof id);
  c.payload = c.payload.subspan(fixed_size);
  return c;
}
}  // namespace detail

inline claim claim_command(spsc_producer& ring, std::uint64_t correlation_id,
                           std::size_t payload_size) {
  return detail::claim_fixed(ring, message_type::command, 0, 0, correlation_id, payload_size);
}

inline claim claim_reply(spsc_producer& ring, std::uint64_t correlation_id, reply_status status,
                         std::size_t payload_size) {
  return detail::claim_fixed(ring, message_type::reply, static_cast<std::uint16_t>(status), 1,
                             correlation_id, payload_size);
}

inline bool read_command(const record_view& record, command_view& out) noexcept {
  std::uint16_t word = 0;
  std::uint32_t count = 0;
  return detail::read_fixed(record, message_type::command, word, count, out.correlation_id,
                            out.payload) &&
         word == 0 && count == 0;
}

inline bool read_reply(const record_view& record, reply_view& out) noexcept {
  std::uint16_t word = 0;
  if (!detail::read_fixed(record, message_type::reply, word, out.count, out.correlation_id,
                          out.payload) ||
      word > static_cast<std::uint16_t>(reply_status::error) || out.count == 0 ||
      out.correlation_id > UINT64_MAX - (out.count - 1))
    return false;
  out.status = static_cast<reply_status>(word);
  return true;
}

inline bool extend_reply(std::span<std::byte> body) noexcept {
  // The fixed header sits right before the body (claim_fixed); count at offset 4.
  std::byte* count_at = body.data() - fixed_size + 4;
  std::uint32_t count = 0;
  std::memcpy(&count, count_at, sizeof count);
  if (count == UINT32_MAX) return false;
  ++count;
  std::memcpy(count_at, &count, sizeof count);
  return true;
}

}  // namespace weft::shm::protocol
