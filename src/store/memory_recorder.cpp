// The memory recorder keeps the log in fixed-size chunks of 48-byte records (ids index it, growth
// moves nothing, one allocation per 4096 events); the events' states are copied into a byte arena
// and their topics interned, so an event costs its state's bytes plus 48 and no allocation of its
// own, and the caller's buffers go back to malloc for the next events. An originator's events are
// found through a flat hash table of originators plus a per-event link to the same originator's
// previous event: no allocation per originator, and the newest versions, which replays with a
// snapshot and "latest" queries want, are found first. A call looks each event's originator up
// once: it records as it checks and undoes what it did when a check fails.
#include "weft/store/memory_recorder.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <shared_mutex>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "memory_storage.hpp"
#include "originator_table.hpp"
#include "weft/core/error.hpp"

namespace weft::store {
namespace {

using memory::byte_arena;
using memory::chunked_log;
using memory::originator_table;

constexpr std::size_t none = SIZE_MAX;

[[noreturn]] void exists_already(const es::stored_event& event) {
  throw integrity_error("event " + event.originator_id.str() + " version " +
                        std::to_string(event.originator_version) + " exists already");
}

class memory_recorder final : public es::recorder {
 public:
  std::vector<std::uint64_t> insert_events(std::span<const es::stored_event> events,
                                           std::span<const es::tracking> tracked) override {
    const es::id_range range = record(events, tracked);
    std::vector<std::uint64_t> ids(range.count);
    for (std::uint64_t i = 0; i < range.count; ++i) ids[i] = range.first + i;
    return ids;
  }

  // Copies too: the caller's buffers go back to malloc and serve the next events.
  es::id_range append_events(std::span<es::stored_event> events,
                             std::span<const es::tracking> tracked) override {
    return record(std::span<const es::stored_event>(events), tracked);
  }

  std::vector<es::stored_event> select_events(const uuid& originator_id,
                                              const es::event_query& query) override {
    std::shared_lock lock(mutex_);
    std::vector<es::stored_event> out;
    const auto* originator = originators_.find(originator_id);
    if (originator == nullptr) return out;
    const bool in_order = originator->in_order();
    const std::uint64_t after = query.after_version.value_or(0);
    const bool bounded_below = query.after_version.has_value();
    const std::uint64_t up_to = query.up_to_version.value_or(UINT64_MAX);
    // Newest first along the links; in-order versions let the walk stop early.
    std::vector<const record_type*> found;
    for (std::size_t i = originator->newest(); i != none; i = log_[i].previous) {
      const record_type& record = log_[i];
      if (bounded_below && record.originator_version <= after) {
        if (in_order) break;
        continue;
      }
      if (record.originator_version > up_to) continue;
      found.push_back(&record);
      if (in_order && query.descending && query.limit && found.size() == *query.limit) break;
    }
    if (!in_order)
      std::sort(found.begin(), found.end(), [](const auto* a, const auto* b) {
        return a->originator_version > b->originator_version;
      });
    if (!query.descending) std::reverse(found.begin(), found.end());
    const std::size_t wanted = std::min(found.size(), query.limit.value_or(SIZE_MAX));
    out.resize(wanted);
    for (std::size_t i = 0; i < wanted; ++i) fill(out[i], *found[i]);
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
      const record_type& record = log_[id - 1];
      if (!query.topics.empty() && std::find(query.topics.begin(), query.topics.end(),
                                             topics_[record.topic]) == query.topics.end())
        continue;
      if (count == out.size()) out.emplace_back();
      out[count].id = id;
      fill(out[count].event, record);
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
  // One event; its notification id is its index in log_ + 1.
  struct record_type {
    uuid originator_id;
    std::uint64_t originator_version;
    std::size_t previous;       // the same originator's previous event in log_, or none
    const std::uint8_t* state;  // in states_
    std::uint32_t state_size;
    std::uint32_t topic;  // index into topics_
  };
  static_assert(sizeof(record_type) == 48);
  // What one event of a call changed in the originator table, to undo it.
  struct table_change {
    std::size_t slot;
    originator_table::entry before;
  };

  // Both inserts copy the events in, leaving them untouched. Each event's
  // originator is looked up once: the event is checked against the table and
  // the log as they stand (this call's earlier events included), recorded,
  // and everything is undone if a later event fails its check.
  es::id_range record(std::span<const es::stored_event> events,
                      std::span<const es::tracking> tracked) {
    std::unique_lock lock(mutex_);
    check_tracking(tracked);
    originators_.reserve_for(events.size());
    const std::size_t first = log_.size();
    const byte_arena::mark states_before = states_.position();
    changes_.clear();
    try {
      constexpr std::size_t ahead = 8;
      for (std::size_t k = 0; k < events.size(); ++k) {
        if (k + ahead < events.size()) originators_.prefetch(events[k + ahead].originator_id);
        const auto& event = events[k];
        const std::size_t slot = originators_.find_or_claim(event.originator_id);
        const originator_table::entry before = originators_[slot];
        const std::uint64_t version = event.originator_version;
        originator_table::entry after = before;
        std::uint64_t order = 0;
        if (before.is_free()) {
          after.max_version = version;
        } else if (version > before.max_version) {
          after.max_version = version;
          order = before.link & originator_table::entry::out_of_order;
        } else {
          if (has_version(before, version)) exists_already(event);
          order = originator_table::entry::out_of_order;
        }
        after.link = order | (log_.size() + 1);
        if (event.state.size() > UINT32_MAX)
          throw integrity_error("event " + event.originator_id.str() + " version " +
                                std::to_string(version) + ": a state of " +
                                std::to_string(event.state.size()) +
                                " bytes is more than the memory recorder keeps (4 GiB)");
        changes_.push_back({slot, before});
        const std::uint32_t topic = topic_id(event.topic);
        const std::uint8_t* state = states_.copy(event.state);
        log_.grow_one() = record_type{event.originator_id,
                                      version,
                                      before.is_free() ? none : before.newest(),
                                      state,
                                      static_cast<std::uint32_t>(event.state.size()),
                                      topic};
        originators_.set(slot, after);
      }
    } catch (...) {
      undo(first, states_before);
      throw;
    }
    for (const auto& track : tracked) {
      if (auto* position = position_of(track.upstream))
        *position = track.notification_id;
      else
        positions_.emplace_back(track.upstream, track.notification_id);
    }
    return {events.empty() ? 0 : first + 1, events.size()};
  }

  // Takes back the events of the current call, newest first: the table, the
  // log and the state bytes as they were. Topics it interned stay.
  void undo(std::size_t first, const byte_arena::mark& states_before) noexcept {
    for (std::size_t k = changes_.size(); k-- > 0;)
      originators_.restore(changes_[k].slot, changes_[k].before);
    log_.truncate(first);
    states_.rewind(states_before);
  }

  // Consecutive events mostly share a topic: the last one is tried first.
  std::uint32_t topic_id(const std::string& topic) {
    if (last_topic_ < topics_.size() && topics_[last_topic_] == topic) return last_topic_;
    auto it = topic_ids_.find(topic);
    if (it == topic_ids_.end()) {
      topics_.push_back(topic);
      it = topic_ids_.emplace(topic, static_cast<std::uint32_t>(topics_.size() - 1)).first;
    }
    return last_topic_ = it->second;
  }

  // Writes a record over `out`, reusing its buffers.
  void fill(es::stored_event& out, const record_type& record) const {
    out.originator_id = record.originator_id;
    out.originator_version = record.originator_version;
    out.topic = topics_[record.topic];
    out.state.assign(record.state, record.state + record.state_size);
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

  [[nodiscard]] bool has_version(const originator_table::entry& originator,
                                 std::uint64_t version) const {
    if (originator.is_free() || version > originator.max_version) return false;
    const bool in_order = originator.in_order();
    for (std::size_t i = originator.newest(); i != none; i = log_[i].previous) {
      const auto recorded = log_[i].originator_version;
      if (recorded == version) return true;
      if (in_order && recorded < version) return false;
    }
    return false;
  }

  // Called with the write lock held, before anything is changed.
  void check_tracking(std::span<const es::tracking> tracked) const {
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
  }

  std::shared_mutex mutex_;
  chunked_log<record_type> log_;  // log_[id - 1]
  originator_table originators_;
  std::vector<std::pair<std::string, std::uint64_t>> positions_;
  byte_arena states_;
  std::vector<std::string> topics_;
  std::unordered_map<std::string, std::uint32_t> topic_ids_;
  std::uint32_t last_topic_ = 0;
  std::vector<table_change> changes_;  // the current call's, reused
};

}  // namespace

std::unique_ptr<es::recorder> make_memory_recorder() {
  return std::make_unique<memory_recorder>();
}

}  // namespace weft::store
