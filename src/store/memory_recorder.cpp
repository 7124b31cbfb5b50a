// The memory recorder keeps the log in fixed-size chunks (ids index it,
// growth moves nothing, one allocation per 4096 events) and finds an originator's events through a
// flat hash table of originators plus a per-event link to the same originator's previous event: no
// allocation per originator, and the newest versions, which replays with a snapshot and "latest"
// queries want, are found first.
#include "weft/store/memory_recorder.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "weft/core/error.hpp"

namespace weft::store {
namespace {

constexpr std::size_t none = SIZE_MAX;

[[noreturn]] void exists_already(const es::stored_event& event) {
  throw integrity_error("event " + event.originator_id.str() + " version " +
                        std::to_string(event.originator_version) + " exists already");
}

// uuid's operator== calls memcmp; two loads are cheaper on this path.
bool same_id(const uuid& a, const uuid& b) {
  std::uint64_t a0, a1, b0, b1;
  std::memcpy(&a0, a.bytes.data(), 8);
  std::memcpy(&a1, a.bytes.data() + 8, 8);
  std::memcpy(&b0, b.bytes.data(), 8);
  std::memcpy(&b1, b.bytes.data() + 8, 8);
  return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

bool same_key(const es::stored_event& a, const es::stored_event& b) {
  return a.originator_version == b.originator_version && same_id(a.originator_id, b.originator_id);
}

// Append-only storage in chunks of 4096 records: stable, and cheap to grow.
template <class T>
class chunked_log {
 public:
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  T& operator[](std::size_t i) noexcept { return chunks_[i >> shift][i & (chunk - 1)]; }
  const T& operator[](std::size_t i) const noexcept { return chunks_[i >> shift][i & (chunk - 1)]; }
  void push_back(T value) {
    if ((size_ & (chunk - 1)) == 0) chunks_.push_back(std::make_unique<T[]>(chunk));
    (*this)[size_] = std::move(value);
    ++size_;
  }

 private:
  static constexpr std::size_t shift = 12;
  static constexpr std::size_t chunk = std::size_t{1} << shift;
  std::vector<std::unique_ptr<T[]>> chunks_;
  std::size_t size_ = 0;
};

// Open addressing, linear probing, at most half full: originator -> its newest event.
class originator_table {
 public:
  struct entry {
    uuid id;
    std::size_t newest = none;  // index into the log; none = free slot
    std::uint64_t max_version = 0;
    bool in_order = true;  // versions were recorded in ascending order
  };

  [[nodiscard]] const entry* find(const uuid& id) const {
    if (slots_.empty()) return nullptr;
    for (std::size_t i = home(id);; i = (i + 1) & mask()) {
      const entry& slot = slots_[i];
      if (slot.newest == none) return nullptr;
      if (same_id(slot.id, id)) return &slot;
    }
  }

  // Lookups of random ids miss the cache: a batch asks for the slot of an
  // event a few places ahead while it works on the current one.
  void prefetch(const uuid& id) const noexcept {
    if (!slots_.empty()) __builtin_prefetch(&slots_[home(id)]);
  }

  // Grows before a batch of `more` inserts, so no insert of the batch rehashes.
  void reserve_for(std::size_t more) {
    while ((count_ + more) * 2 > slots_.size()) grow();
  }

  entry& find_or_add(const uuid& id) {
    if ((count_ + 1) * 2 > slots_.size()) grow();
    for (std::size_t i = home(id);; i = (i + 1) & mask()) {
      entry& slot = slots_[i];
      if (slot.newest == none) {
        ++count_;
        slot.id = id;
        return slot;  // the caller sets newest
      }
      if (same_id(slot.id, id)) return slot;
    }
  }

 private:
  [[nodiscard]] std::size_t mask() const { return slots_.size() - 1; }
  [[nodiscard]] std::size_t home(const uuid& id) const {
    std::uint64_t lo = 0, hi = 0;
    std::memcpy(&lo, id.bytes.data(), 8);
    std::memcpy(&hi, id.bytes.data() + 8, 8);
    return static_cast<std::size_t>(((lo ^ hi) * 0x9E3779B97F4A7C15ULL) >> 20) & mask();
  }
  void grow() {
    std::vector<entry> old(std::max<std::size_t>(64, slots_.size() * 2));
    old.swap(slots_);
    constexpr std::size_t ahead = 8;
    for (std::size_t k = 0; k < old.size(); ++k) {
      if (k + ahead < old.size() && old[k + ahead].newest != none) prefetch(old[k + ahead].id);
      const entry& e = old[k];
      if (e.newest == none) continue;
      std::size_t i = home(e.id);
      while (slots_[i].newest != none) i = (i + 1) & mask();
      slots_[i] = e;
    }
  }

  std::vector<entry> slots_;
  std::size_t count_ = 0;
};

class memory_recorder final : public es::recorder {
 public:
  std::vector<std::uint64_t> insert_events(std::span<const es::stored_event> events,
                                           std::span<const es::tracking> tracked) override {
    const es::id_range range = record(events, tracked);
    std::vector<std::uint64_t> ids(range.count);
    for (std::uint64_t i = 0; i < range.count; ++i) ids[i] = range.first + i;
    return ids;
  }

  // Takes the events' bytes instead of copying them.
  es::id_range append_events(std::span<es::stored_event> events,
                             std::span<const es::tracking> tracked) override {
    return record(events, tracked);
  }

  std::vector<es::stored_event> select_events(const uuid& originator_id,
                                              const es::event_query& query) override {
    std::shared_lock lock(mutex_);
    std::vector<es::stored_event> out;
    const auto* originator = originators_.find(originator_id);
    if (originator == nullptr) return out;
    const std::uint64_t after = query.after_version.value_or(0);
    const bool bounded_below = query.after_version.has_value();
    const std::uint64_t up_to = query.up_to_version.value_or(UINT64_MAX);
    // Newest first along the links; in-order versions let the walk stop early.
    std::vector<const es::stored_event*> found;
    for (std::size_t i = originator->newest; i != none; i = log_[i].previous) {
      const auto& event = log_[i].note.event;
      if (bounded_below && event.originator_version <= after) {
        if (originator->in_order) break;
        continue;
      }
      if (event.originator_version > up_to) continue;
      found.push_back(&event);
      if (originator->in_order && query.descending && query.limit && found.size() == *query.limit)
        break;
    }
    if (!originator->in_order)
      std::sort(found.begin(), found.end(), [](const auto* a, const auto* b) {
        return a->originator_version > b->originator_version;
      });
    if (!query.descending) std::reverse(found.begin(), found.end());
    const std::size_t wanted = std::min(found.size(), query.limit.value_or(SIZE_MAX));
    out.reserve(wanted);
    for (std::size_t i = 0; i < wanted; ++i) out.push_back(*found[i]);
    return out;
  }

  std::vector<es::notification> select_notifications(const es::notification_query& query) override {
    std::vector<es::notification> out;
    select_notifications_into(query, out);
    return out;
  }

  void select_notifications_into(const es::notification_query& query,
                                 std::vector<es::notification>& out) override {
    std::shared_lock lock(mutex_);
    const std::uint64_t last =
        std::min<std::uint64_t>(query.stop.value_or(log_.size()), log_.size());
    const std::uint64_t first = std::max<std::uint64_t>(query.start, 1);
    if (first <= last && query.topics.empty())
      out.reserve(std::min<std::uint64_t>(last - first + 1, query.limit));
    // Assigning over the elements already there reuses their byte buffers.
    std::size_t count = 0;
    for (std::uint64_t id = first; id <= last && count < query.limit; ++id) {
      const auto& note = log_[id - 1].note;
      if (!query.topics.empty() && std::find(query.topics.begin(), query.topics.end(),
                                             note.event.topic) == query.topics.end())
        continue;
      if (count < out.size())
        out[count] = note;
      else
        out.push_back(note);
      ++count;
    }
    out.resize(count);
  }

  std::uint64_t max_notification_id() override {
    std::shared_lock lock(mutex_);
    return log_.size();
  }

  std::uint64_t max_tracking_id(std::string_view upstream) override {
    std::shared_lock lock(mutex_);
    const auto* position = position_of(upstream);
    return position == nullptr ? 0 : *position;
  }

  bool has_tracking_id(std::string_view upstream, std::uint64_t id) override {
    return id <= max_tracking_id(upstream);
  }

 private:
  struct record_type {
    es::notification note;
    std::size_t previous;  // the same originator's previous event in log_, or none
  };

  // Both inserts; Event is const (copied in) or not (moved in).
  template <class Event>
  es::id_range record(std::span<Event> events, std::span<const es::tracking> tracked) {
    std::unique_lock lock(mutex_);
    originators_.reserve_for(events.size());  // before check(): the slots it finds stay cached
    check(events, tracked);
    const es::id_range range{events.empty() ? 0 : log_.size() + 1, events.size()};
    for (auto& event : events) {
      auto& originator = originators_.find_or_add(event.originator_id);
      if (originator.newest != none && event.originator_version < originator.max_version)
        originator.in_order = false;
      originator.max_version = std::max(originator.max_version, event.originator_version);
      const std::size_t previous = originator.newest;
      originator.newest = log_.size();
      if constexpr (std::is_const_v<Event>)
        log_.push_back(record_type{es::notification{log_.size() + 1, event}, previous});
      else
        log_.push_back(record_type{es::notification{log_.size() + 1, std::move(event)}, previous});
    }
    for (const auto& track : tracked) {
      if (auto* position = position_of(track.upstream))
        *position = track.notification_id;
      else
        positions_.emplace_back(track.upstream, track.notification_id);
    }
    return range;
  }

  // An application follows few upstreams: a short vector beats hashing names.
  std::uint64_t* position_of(std::string_view upstream) {
    for (auto& [name, position] : positions_)
      if (name == upstream) return &position;
    return nullptr;
  }
  [[nodiscard]] const std::uint64_t* position_of(std::string_view upstream) const {
    return const_cast<memory_recorder*>(this)->position_of(upstream);
  }

  [[nodiscard]] bool has_version(const uuid& id, std::uint64_t version) const {
    const auto* originator = originators_.find(id);
    if (originator == nullptr || version > originator->max_version) return false;
    for (std::size_t i = originator->newest; i != none; i = log_[i].previous) {
      const auto recorded = log_[i].note.event.originator_version;
      if (recorded == version) return true;
      if (originator->in_order && recorded < version) return false;
    }
    return false;
  }

  // Called with the write lock held; throws before anything is changed.
  void check(std::span<const es::stored_event> events,
             std::span<const es::tracking> tracked) const {
    for (auto it = tracked.begin(); it != tracked.end(); ++it) {
      const auto* position = position_of(it->upstream);
      if (position != nullptr && it->notification_id <= *position)
        throw integrity_error("notification " + std::to_string(it->notification_id) + " of '" +
                              it->upstream + "' is tracked already");
      if (std::any_of(tracked.begin(), it,
                      [&](const auto& t) { return t.upstream == it->upstream; }))
        throw integrity_error("two tracking records for upstream '" + it->upstream +
                              "' in one call");
    }
    constexpr std::size_t ahead = 8;
    for (std::size_t k = 0; k < events.size(); ++k) {
      if (k + ahead < events.size()) originators_.prefetch(events[k + ahead].originator_id);
      if (has_version(events[k].originator_id, events[k].originator_version))
        exists_already(events[k]);
    }
    check_distinct(events);
  }

  // No (originator_id, version) twice within one call.
  static void check_distinct(std::span<const es::stored_event> events) {
    constexpr std::size_t pairwise_up_to = 32;
    if (events.size() <= pairwise_up_to) {
      for (auto it = events.begin(); it != events.end(); ++it)
        if (std::any_of(events.begin(), it, [&](const auto& e) { return same_key(e, *it); }))
          exists_already(*it);
      return;
    }
    // Sorted as words, not by uuid's memcmp order: any order finds neighbours.
    struct key {
      std::uint64_t high, low, version;
      const es::stored_event* event;
      bool operator<(const key& other) const noexcept {
        return std::tie(high, low, version) < std::tie(other.high, other.low, other.version);
      }
    };
    thread_local std::vector<key> sorted;  // reused: large batches come one after another
    sorted.clear();
    for (const auto& event : events) {
      key k{0, 0, event.originator_version, &event};
      std::memcpy(&k.high, event.originator_id.bytes.data(), 8);
      std::memcpy(&k.low, event.originator_id.bytes.data() + 8, 8);
      sorted.push_back(k);
    }
    std::sort(sorted.begin(), sorted.end());
    auto twice = std::adjacent_find(sorted.begin(), sorted.end(), [](const key& a, const key& b) {
      return a.high == b.high && a.low == b.low && a.version == b.version;
    });
    if (twice != sorted.end()) exists_already(*twice->event);
  }

  std::shared_mutex mutex_;
  chunked_log<record_type> log_;  // log_[id - 1]
  originator_table originators_;
  std::vector<std::pair<std::string, std::uint64_t>> positions_;
};

}  // namespace

std::unique_ptr<es::recorder> make_memory_recorder() {
  return std::make_unique<memory_recorder>();
}

}  // namespace weft::store
