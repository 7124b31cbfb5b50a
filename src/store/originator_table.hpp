#pragma once
// The memory recorder's index of originators: uuid -> the log index of its
// highest version. Internal to weft_store; guarded by the recorder's lock.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>

#include "memory_storage.hpp"
#include "weft/core/uuid.hpp"

namespace weft::store::memory {

// Open addressing, linear probing, at most half full. A slot is 8 bytes, eight
// to a cache line: the id itself is in the log, and a slot keeps the top 24
// bits of the id's hash, so probes past other originators rarely read the log
// and growing the table rarely needs the ids. Each first touch of fresh memory
// costs a page fault and a page of zeroing (on a VM, often a host fault too):
// 8-byte slots touch a quarter of what 32-byte entries did.
//
// The functions taking `id_at` read the id of a log index through it.
class originator_table {
 public:
  using slot_value = std::uint64_t;  // tag << index_bits | (1 + head index); 0 is free

  [[nodiscard]] static std::uint64_t hash(const uuid& id) noexcept {
    std::uint64_t lo = 0, hi = 0;
    std::memcpy(&lo, id.bytes.data(), 8);
    std::memcpy(&hi, id.bytes.data() + 8, 8);
    // The top bits of a multiplicative hash are the well-mixed ones: home
    // slots and tags are taken from there.
    return (lo ^ (hi * 0x9E3779B97F4A7C15ULL)) * 0xC2B2AE3D27D4EB4FULL;
  }
  [[nodiscard]] static bool is_free(slot_value v) noexcept { return v == 0; }
  [[nodiscard]] static std::size_t head_of(slot_value v) noexcept {
    return static_cast<std::size_t>(v & index_mask) - 1;
  }

  // The slot holding `id`, or the free slot where it belongs. Not on an empty table.
  template <class IdAt>
  [[nodiscard]] std::size_t slot_for(std::uint64_t h, const uuid& id, IdAt&& id_at) const {
    const std::uint64_t tag = h >> (64 - tag_bits);
    for (std::size_t i = home(h);; i = (i + 1) & mask()) {
      const slot_value v = slots_[i];
      if (is_free(v) || ((v >> index_bits) == tag && same_id(id_at(head_of(v)), id))) return i;
    }
  }
  [[nodiscard]] slot_value operator[](std::size_t slot) const noexcept { return slots_[slot]; }
  [[nodiscard]] bool empty() const noexcept { return slots_.empty(); }

  // Lookups of random ids miss the cache: a batch asks for the slot of an
  // event a few places ahead while it works on the current one.
  void prefetch(std::uint64_t h) const noexcept {
    if (!slots_.empty()) __builtin_prefetch(&slots_[home(h)]);
  }

  // Grows before a batch of `more` inserts, so no insert of the batch rehashes
  // (and slot indices stay valid for restore()).
  template <class IdAt>
  void reserve_for(std::size_t more, IdAt&& id_at) {
    while ((count_ + more) * 2 > slots_.size()) grow(id_at);
  }

  // Points a slot (found by slot_for) at its originator's new head.
  void set(std::size_t slot, std::uint64_t h, std::size_t head) noexcept {
    if (is_free(slots_[slot])) ++count_;
    slots_[slot] = (h >> (64 - tag_bits)) << index_bits | (head + 1);
  }
  // Puts back a slot as it was before a set() of this call. Undone newest
  // first, a claimed slot becomes free again: nothing was placed behind it
  // since, so every probe sequence is as it was.
  void restore(std::size_t slot, slot_value before) noexcept {
    if (is_free(before) && !is_free(slots_[slot])) --count_;
    slots_[slot] = before;
  }

 private:
  static constexpr unsigned index_bits = 40;  // a trillion events
  static constexpr unsigned tag_bits = 64 - index_bits;
  static constexpr slot_value index_mask = (slot_value{1} << index_bits) - 1;
  // Mapped (see zeroed_array): pages are zeroed by the kernel as they are
  // touched, so a recorder of a few events costs a few pages, and one of 100k
  // events does not rehash from a handful of slots up.
  static constexpr std::size_t initial_slots = std::size_t{1} << 18;

  // uuid's operator== calls memcmp; two loads are cheaper on this path.
  static bool same_id(const uuid& a, const uuid& b) noexcept {
    std::uint64_t a0, a1, b0, b1;
    std::memcpy(&a0, a.bytes.data(), 8);
    std::memcpy(&a1, a.bytes.data() + 8, 8);
    std::memcpy(&b0, b.bytes.data(), 8);
    std::memcpy(&b1, b.bytes.data() + 8, 8);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
  }
  [[nodiscard]] std::size_t mask() const noexcept { return slots_.size() - 1; }
  [[nodiscard]] unsigned size_bits() const noexcept {
    return static_cast<unsigned>(std::countr_zero(slots_.size()));
  }
  [[nodiscard]] std::size_t home(std::uint64_t h) const noexcept {
    return static_cast<std::size_t>(h >> (64 - size_bits()));
  }

  template <class IdAt>
  void grow(IdAt&& id_at) {
    zeroed_array<slot_value> old(std::max(initial_slots, slots_.size() * 2));
    old.swap(slots_);
    const unsigned bits = size_bits();
    for (std::size_t k = 0; k < old.size(); ++k) {
      const slot_value v = old[k];
      if (is_free(v)) continue;
      // Up to 2^24 slots the tag holds every bit of the home; beyond, the id is read.
      const std::size_t at = bits <= tag_bits
                                 ? static_cast<std::size_t>((v >> index_bits) >> (tag_bits - bits))
                                 : home(hash(id_at(head_of(v))));
      std::size_t i = at;
      while (!is_free(slots_[i])) i = (i + 1) & mask();
      slots_[i] = v;
    }
  }

  zeroed_array<slot_value> slots_;
  std::size_t count_ = 0;
};

}  // namespace weft::store::memory
