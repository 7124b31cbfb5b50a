#pragma once
// A single-producer single-consumer byte ring over memory it does not own
// (a region of the segment). Records are variable length; their format and
// the commit rule are drawn in record.hpp.
//
// Commit: the producer writes a record's payload and type, then its length
// word (release), then publishes the new `tail` (seq_cst). A batch of claims
// is committed and published at once: the lengths of the second and later
// records are written at claim time, the length of the first one and the
// tail in commit(). Before that the producer zeroes the header slot after the
// batch, so a walk along the commit words always stops at the committed end
// (this is why the producer keeps 8 bytes of the ring free). The consumer
// caches `tail` and reads records only below it, so it never touches a cache
// line the producer is still filling; it still checks every commit word and
// header against the tail before trusting it. The producer caches `head`.
//
// Restarts (the supervisor bumps ring_control::epoch through reset_ring):
// - A producer that died mid-write never published the batch it was writing,
//   so the consumer cannot see any of it: no torn record is delivered. Its
//   successor walks the commit words from the published tail to the committed
//   end (the predecessor may have died between commit and publication),
//   publishes that end and continues there, stamping the new epoch into its
//   records so the consumer can tell the incarnations apart.
// - A restarted consumer starts at the released `head`: records its
//   predecessor read but did not release are delivered again (at least once).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>

#include "weft/core/cache_line.hpp"
#include "weft/shm/doorbell.hpp"
#include "weft/shm/record.hpp"

namespace weft::shm {

/// Positions and epoch of one ring; plain data at the start of its region,
/// followed by `capacity` bytes of records.
struct ring_control {
  /// Published end of the committed records (seq_cst store in commit());
  /// the consumer reads up to it. Written by the producer only.
  alignas(cache_line) std::atomic<std::uint64_t> tail;
  /// Producer incarnation; bumped by reset_ring (supervisor), stamped into records.
  std::atomic<std::uint32_t> epoch;
  std::uint32_t reserved;
  /// Set once by the segment builder; checked against the channel table on attach.
  std::uint64_t capacity;
  /// Released position (release); pairs with the producer's acquire in try_claim.
  alignas(cache_line) std::atomic<std::uint64_t> head;
};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
static_assert(std::is_standard_layout_v<ring_control> &&
              std::is_trivially_destructible_v<ring_control>);
static_assert(sizeof(ring_control) == 2 * cache_line);

/// A process-local view of one ring: its control block and its buffer.
struct ring_region {
  ring_control* control = nullptr;
  std::byte* data = nullptr;
  std::size_t capacity = 0;  // power of two
};

/// Prepares a region that is already zeroed (a fresh segment: ftruncate
/// zeroes it, and touching every page again would only fault them in):
/// capacity set, positions zero. Segment builder only.
void format_ring(ring_region ring) noexcept;

/// Zeroes a used region, then formats it. The supervisor only, while neither
/// end runs.
void clear_ring(ring_region ring) noexcept;

/// Marks a new incarnation of one end after the other process died; the
/// supervisor only, while the replaced end is not running. Returns the new epoch.
std::uint32_t reset_ring(ring_region ring) noexcept;

enum class push_result { ok, full, corrupt };

namespace detail {
/// Throws weft::invalid_input naming the ring, the size and the limit.
[[noreturn]] void throw_record_too_large(const std::string& ring, std::size_t size,
                                         std::size_t limit);
}  // namespace detail

/// A claimed record: fill `payload`, then commit. Empty payload with status
/// `full` means the ring had no room (back-pressure, nothing is lost).
struct claim {
  std::span<std::byte> payload;
  push_result status = push_result::full;
  explicit operator bool() const noexcept { return status == push_result::ok; }
};

/// The writing end. One producer only: every method is for that one thread.
class spsc_producer {
 public:
  spsc_producer() = default;
  /// Attaches, finding the committed end (see restarts above). `consumer_bell`
  /// is rung after each commit; null for none. Throws weft::error naming the
  /// ring if its positions are corrupt.
  spsc_producer(ring_region ring, doorbell* consumer_bell, std::string name = "ring");

  /// Claims room for one record; status `full` when there is none yet.
  /// Throws weft::invalid_input if payload_size exceeds max_payload().
  claim try_claim(std::uint16_t type, std::size_t payload_size);
  /// Publishes every record claimed since the last commit with one store.
  void commit() noexcept;
  /// try_claim + copy + commit.
  push_result try_push(std::uint16_t type, std::span<const std::byte> payload);

  [[nodiscard]] std::size_t max_payload() const noexcept {
    return weft::shm::max_payload(ring_.capacity);
  }
  [[nodiscard]] std::uint16_t epoch() const noexcept { return epoch_; }
  /// Why the ring was refused (after push_result::corrupt).
  [[nodiscard]] const std::string& error() const noexcept { return error_; }

 private:
  std::uint32_t* length_word(std::uint64_t position) const noexcept {
    return reinterpret_cast<std::uint32_t*>(ring_.data + (position & mask_));
  }
  bool refresh_head(std::uint64_t needed_end);
  void put_header(std::uint64_t position, std::uint32_t length, std::uint16_t type) noexcept;

  ring_region ring_{};
  doorbell* bell_ = nullptr;
  std::uint64_t mask_ = 0;
  std::uint64_t head_cache_ = 0;    // last head seen; the consumer may be ahead of it
  std::uint64_t batch_start_ = 0;   // first uncommitted record
  std::uint64_t claim_end_ = 0;     // end of the last claim
  std::uint32_t first_length_ = 0;  // length of the record at batch_start_, stored by commit()
  std::uint16_t epoch_ = 0;
  bool corrupt_ = false;
  std::string name_;
  std::string error_;
};

/// A record as the consumer sees it: a view into the ring, valid until release().
struct record_view {
  std::uint16_t type = record_type::invalid;
  std::uint16_t epoch = 0;
  std::span<const std::byte> payload;
};

enum class read_status { record, empty, corrupt };

/// The reading end. One consumer only: every method is for that one thread.
class spsc_consumer {
 public:
  spsc_consumer() = default;
  /// Attaches at the released head. Throws weft::error if it is corrupt.
  spsc_consumer(ring_region ring, std::string name = "ring");

  /// The next committed record, without releasing it; skips padding.
  /// `corrupt` (sticky) when a header fails validation: see error().
  read_status try_read(record_view& out) noexcept;
  /// Loads the published tail when the records known to be published are
  /// read (one load of a line the producer writes): `record` when some wait,
  /// `empty` when none do, `corrupt` as try_read. A reader of many rings
  /// looks at each once, then reads what it found with try_read_published.
  read_status refresh() noexcept;
  /// The next record below the tail last loaded (by refresh or try_read),
  /// without loading it again: `empty` when those are read.
  read_status try_read_published(record_view& out) noexcept;
  /// Returns everything read so far to the producer with one store.
  void release() noexcept;
  /// True when a committed record waits; seq_cst so doorbell::wait can use it.
  [[nodiscard]] bool has_data() const noexcept;
  /// Reads up to `limit` records into `on_record(const record_view&)`, then
  /// releases once. Returns how many were read.
  template <class F>
  std::size_t drain(F&& on_record, std::size_t limit);

  [[nodiscard]] const std::string& error() const noexcept { return error_; }
  [[nodiscard]] std::uint64_t position() const noexcept { return cursor_; }

 private:
  /// Mark the ring corrupt and word error() from what was refused.
  void refuse(const record_header& header, std::size_t offset, std::size_t room) noexcept;
  void refuse_tail(std::uint64_t tail) noexcept;

  ring_region ring_{};
  std::uint64_t mask_ = 0;
  std::uint64_t released_ = 0;    // last value stored to head
  std::uint64_t cursor_ = 0;      // next record to read
  std::uint64_t tail_cache_ = 0;  // last published tail seen; records below it are committed
  bool corrupt_ = false;
  std::string name_;
  std::string error_;
};

// ---- hot paths, inline ------------------------------------------------------

inline void spsc_producer::put_header(std::uint64_t position, std::uint32_t length,
                                      std::uint16_t type) noexcept {
  std::byte* at = ring_.data + (position & mask_);
  std::memcpy(at + 4, &type, 2);
  std::memcpy(at + 6, &epoch_, 2);
  if (position == batch_start_) {
    first_length_ = length;  // published by commit()
  } else {
    // Unreachable for the consumer until the first record of the batch is
    // committed; the release store in commit() publishes it.
    std::atomic_ref<std::uint32_t>(*length_word(position)).store(length, std::memory_order_relaxed);
  }
}

inline claim spsc_producer::try_claim(std::uint16_t type, std::size_t payload_size) {
  if (corrupt_) return {{}, push_result::corrupt};
  if (payload_size > max_payload()) [[unlikely]] {
    detail::throw_record_too_large(name_, payload_size, max_payload());
  }
  const std::size_t length = record_header_size + payload_size;
  const std::size_t size = align_record(length);
  const std::size_t offset = claim_end_ & mask_;
  const std::size_t pad = offset + size > ring_.capacity ? ring_.capacity - offset : 0;
  // Keep one header slot free after the record: commit() zeroes it.
  const std::uint64_t needed_end = claim_end_ + pad + size + record_header_size;
  if (needed_end - head_cache_ > ring_.capacity && !refresh_head(needed_end)) {
    return {{}, corrupt_ ? push_result::corrupt : push_result::full};
  }
  if (pad != 0) {
    put_header(claim_end_, static_cast<std::uint32_t>(pad), record_type::padding);
    claim_end_ += pad;
  }
  const std::uint64_t at = claim_end_;
  put_header(at, static_cast<std::uint32_t>(length), type);
  claim_end_ += size;
  return {{ring_.data + (at & mask_) + record_header_size, payload_size}, push_result::ok};
}

inline void spsc_producer::commit() noexcept {
  if (claim_end_ == batch_start_) return;
  // The slot after the batch must read zero before the batch is published.
  std::atomic_ref<std::uint32_t>(*length_word(claim_end_)).store(0, std::memory_order_relaxed);
  // The commit word; pairs with the acquire in a successor's constructor walk.
  std::atomic_ref<std::uint32_t>(*length_word(batch_start_))
      .store(first_length_, std::memory_order_release);
  batch_start_ = claim_end_;
  // The publication; pairs with the acquire in spsc_consumer::try_read. With
  // a doorbell it is seq_cst, to pair with the consumer's announcement in
  // doorbell wait() (a full fence on x86: the price of never losing a wake).
  if (bell_ != nullptr) {
    ring_.control->tail.store(claim_end_, std::memory_order_seq_cst);
    ring(*bell_);
  } else {
    ring_.control->tail.store(claim_end_, std::memory_order_release);
  }
}

inline push_result spsc_producer::try_push(std::uint16_t type, std::span<const std::byte> payload) {
  claim c = try_claim(type, payload.size());
  if (!c) return c.status;
  if (!payload.empty()) std::memcpy(c.payload.data(), payload.data(), payload.size());
  commit();
  return push_result::ok;
}

inline read_status spsc_consumer::refresh() noexcept {
  if (corrupt_) return read_status::corrupt;
  if (cursor_ != tail_cache_) return read_status::record;
  // Pairs with the seq_cst store of tail in spsc_producer::commit().
  const std::uint64_t tail = ring_.control->tail.load(std::memory_order_acquire);
  if (tail == cursor_) return read_status::empty;
  if (tail < cursor_ || tail - released_ > ring_.capacity || tail % record_alignment != 0)
      [[unlikely]] {
    refuse_tail(tail);
    return read_status::corrupt;
  }
  tail_cache_ = tail;
  return read_status::record;
}

inline read_status spsc_consumer::try_read_published(record_view& out) noexcept {
  if (corrupt_) return read_status::corrupt;
  while (cursor_ != tail_cache_) {
    const std::size_t offset = cursor_ & mask_;
    record_header header{};
    std::memcpy(&header, ring_.data + offset, sizeof header);
    // Ordered by the acquire of tail in refresh(); atomic because the
    // producer's successor may walk it concurrently.
    header.length =
        std::atomic_ref<std::uint32_t>(*reinterpret_cast<std::uint32_t*>(ring_.data + offset))
            .load(std::memory_order_relaxed);
    // Everything below the published tail is committed: a record must lie there.
    const std::size_t room = tail_cache_ - cursor_;
    if (!header_valid(header, offset, ring_.capacity, room)) [[unlikely]] {
      refuse(header, offset, room);
      return read_status::corrupt;
    }
    cursor_ += align_record(header.length);
    if (header.type == record_type::padding) continue;
    out.type = header.type;
    out.epoch = header.epoch;
    out.payload = {ring_.data + offset + record_header_size, header.length - record_header_size};
    return read_status::record;
  }
  return read_status::empty;
}

inline read_status spsc_consumer::try_read(record_view& out) noexcept {
  for (;;) {
    const read_status read = try_read_published(out);
    if (read != read_status::empty) return read;
    const read_status more = refresh();
    if (more != read_status::record) return more;
  }
}

inline void spsc_consumer::release() noexcept {
  if (cursor_ == released_) return;
  released_ = cursor_;
  // Pairs with the acquire in spsc_producer::refresh_head(): the producer
  // reuses these bytes only after we are done with them.
  ring_.control->head.store(released_, std::memory_order_release);
}

inline bool spsc_consumer::has_data() const noexcept {
  // seq_cst: pairs with the publication in commit() for doorbell wait().
  return !corrupt_ && ring_.control->tail.load(std::memory_order_seq_cst) != cursor_;
}

template <class F>
std::size_t spsc_consumer::drain(F&& on_record, std::size_t limit) {
  std::size_t n = 0;
  record_view view;
  while (n < limit && try_read(view) == read_status::record) {
    on_record(static_cast<const record_view&>(view));
    ++n;
  }
  release();
  return n;
}

}  // namespace weft::shm
