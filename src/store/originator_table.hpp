#pragma once
// The memory recorder's index of originators: uuid -> its newest event in the
// log. Internal to weft_store; guarded by the recorder's lock.
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "memory_storage.hpp"
#include "weft/core/uuid.hpp"

namespace weft::store::memory {

// Open addressing, linear probing, at most half full: originator -> its newest event.
// Entries are 32 bytes, two to a cache line, so a probe touches one line.
class originator_table {
 public:
  struct entry {
    uuid id;
    std::uint64_t link = free;  // 1 + index into the log of the newest event, out_of_order bit
    std::uint64_t max_version = 0;

    static constexpr std::uint64_t free = 0;  // zeroed memory is an empty table
    // Set once a version was recorded below an earlier one: walks cannot stop early.
    static constexpr std::uint64_t out_of_order = std::uint64_t{1} << 63;

    [[nodiscard]] bool is_free() const noexcept { return link == free; }
    [[nodiscard]] std::size_t newest() const noexcept { return (link & ~out_of_order) - 1; }
    [[nodiscard]] bool in_order() const noexcept { return (link & out_of_order) == 0; }
  };
  static_assert(sizeof(entry) == 32);

  [[nodiscard]] const entry* find(const uuid& id) const {
    if (slots_.empty()) return nullptr;
    for (std::size_t i = home(id);; i = (i + 1) & mask()) {
      const entry& slot = slots_[i];
      if (slot.is_free()) return nullptr;
      if (same_id(slot.id, id)) return &slot;
    }
  }

  // Lookups of random ids miss the cache: a batch asks for the slot of an
  // event a few places ahead while it works on the current one.
  void prefetch(const uuid& id) const noexcept {
    if (!slots_.empty()) __builtin_prefetch(&slots_[home(id)]);
  }

  // Grows before a batch of `more` inserts, so no insert of the batch rehashes
  // (and slot indices stay valid for undo()).
  void reserve_for(std::size_t more) {
    while ((count_ + more) * 2 > slots_.size()) grow();
  }

  // The slot of `id`, claimed (id set, still free) if absent. Call reserve_for first.
  std::size_t find_or_claim(const uuid& id) {
    for (std::size_t i = home(id);; i = (i + 1) & mask()) {
      entry& slot = slots_[i];
      if (slot.is_free()) {
        slot.id = id;
        return i;
      }
      if (same_id(slot.id, id)) return i;
    }
  }
  entry& operator[](std::size_t slot) noexcept { return slots_[slot]; }

  // Sets a slot's entry; counts slots that become used.
  void set(std::size_t slot, const entry& value) noexcept {
    if (slots_[slot].is_free()) ++count_;
    slots_[slot] = value;
  }
  // Puts back an entry as it was before a set() of this call. Undone newest
  // first, a claimed slot becomes free again: nothing was placed behind it
  // since, so every probe sequence is as it was.
  void restore(std::size_t slot, const entry& before) noexcept {
    if (before.is_free() && !slots_[slot].is_free()) --count_;
    slots_[slot] = before;
  }

 private:
  // uuid's operator== calls memcmp; two loads are cheaper on this path.
  static bool same_id(const uuid& a, const uuid& b) noexcept {
    std::uint64_t a0, a1, b0, b1;
    std::memcpy(&a0, a.bytes.data(), 8);
    std::memcpy(&a1, a.bytes.data() + 8, 8);
    std::memcpy(&b0, b.bytes.data(), 8);
    std::memcpy(&b1, b.bytes.data() + 8, 8);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
  }
  [[nodiscard]] std::size_t mask() const { return slots_.size() - 1; }
  [[nodiscard]] std::size_t home(const uuid& id) const {
    std::uint64_t lo = 0, hi = 0;
    std::memcpy(&lo, id.bytes.data(), 8);
    std::memcpy(&hi, id.bytes.data() + 8, 8);
    return static_cast<std::size_t>(((lo ^ hi) * 0x9E3779B97F4A7C15ULL) >> 20) & mask();
  }
  // The first table is mapped (see zeroed_array), so its pages are zeroed by
  // the kernel as they are touched: a recorder of a few events costs a few
  // pages, and one of 100k events rehashes twice, not twelve times from 64
  // slots (in calloc's memset and the reinserts: ~100 instructions an event).
  static constexpr std::size_t initial_slots = std::size_t{1} << 16;

  void grow() {
    zeroed_array<entry> old(std::max(initial_slots, slots_.size() * 2));
    old.swap(slots_);
    constexpr std::size_t ahead = 8;
    for (std::size_t k = 0; k < old.size(); ++k) {
      if (k + ahead < old.size() && !old[k + ahead].is_free()) prefetch(old[k + ahead].id);
      const entry& e = old[k];
      if (e.is_free()) continue;
      std::size_t i = home(e.id);
      while (!slots_[i].is_free()) i = (i + 1) & mask();
      slots_[i] = e;
    }
  }

  zeroed_array<entry> slots_;
  std::size_t count_ = 0;
};

}  // namespace weft::store::memory
