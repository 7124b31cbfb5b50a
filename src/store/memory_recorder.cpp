// The memory recorder keeps the log in fixed-size chunks of 48-byte records (ids index it, growth
// moves nothing, one allocation per 4096 events); the events' states are copied into a byte arena
// and their topics interned, so an event costs its state's bytes plus 48 and no allocation of its
// own, and the caller's buffers go back to malloc for the next events. An originator's events are
// found through a flat hash table of originators plus a per-event link to the same originator's
// next lower version: the chain runs from the highest version down, whatever order versions were
// recorded in, so replays with a snapshot and "latest" queries find theirs first and walks stop
// early. A call looks each event's originator up once: it records as it checks and undoes what it
// did when a check fails.
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
#include "weft/core/same_bytes.hpp"

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
    return record(events, tracked).ids();
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
    const std::size_t head = head_of(originator_id);
    if (head == none) return out;
    const std::uint64_t after = query.after_version.value_or(0);
    const std::uint64_t up_to = query.up_to_version.value_or(UINT64_MAX);
    const std::size_t limit = query.limit.value_or(SIZE_MAX);
    // Highest version first along the links.
    std::vector<const record_type*> found;
    for (std::size_t i = head; i != none; i = log_[i].previous) {
      const record_type& record = log_[i];
      if (record.originator_version <= after) break;
      if (record.originator_version > up_to) continue;
      found.push_back(&record);
      if (query.descending && found.size() == limit) break;
    }
    if (!query.descending) std::reverse(found.begin(), found.end());
    out.resize(std::min(found.size(), limit));
    for (std::size_t i = 0; i < out.size(); ++i) fill(out[i], *found[i]);
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
    std::size_t previous;       // the same originator's next lower version in log_, or none
    const std::uint8_t* state;  // in states_
    std::uint32_t state_size;
    std::uint32_t topic;  // index into topics_
  };
  static_assert(sizeof(record_type) == 48);
  // The table keeps log indices; it reads their ids through this.
  struct ids_in_log {
    const chunked_log<record_type>* log;
    const uuid& operator()(std::size_t i) const { return (*log)[i].originator_id; }
  };
  [[nodiscard]] ids_in_log id_at() const { return {&log_}; }

  // What linking one event of a call changed, to undo it: its originator's
  // slot, and the link of the version above it when it went below the head.
  struct table_change {
    std::size_t slot;
    originator_table::slot_value before;
    std::size_t relinked;  // or none
    std::size_t relinked_previous;
  };

  // Both inserts copy the events in, leaving them untouched. Each event's
  // originator is looked up once: the event is checked against the table and
  // the log as they stand (this call's earlier events included), recorded,
  // and everything is undone if a later event fails its check.
  es::id_range record(std::span<const es::stored_event> events,
                      std::span<const es::tracking> tracked) {
    std::unique_lock lock(mutex_);
    check_tracking(tracked);
    originators_.reserve_for(events.size(), id_at());
    const std::size_t first = log_.size();
    const byte_arena::mark states_before = states_.position();
    changes_.clear();
    try {
      constexpr std::size_t ahead = 8;
      for (std::size_t k = 0; k < events.size(); ++k) {
        if (k + ahead < events.size())
          originators_.prefetch(originator_table::hash(events[k + ahead].originator_id));
        link(events[k]);
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

  // Appends one event to the log and links it into its originator's chain:
  // as the new head when its version is the highest (the usual case), else
  // between the versions around it.
  void link(const es::stored_event& event) {
    const std::uint64_t h = originator_table::hash(event.originator_id);
    const std::size_t slot = originators_.slot_for(h, event.originator_id, id_at());
    const originator_table::slot_value before = originators_[slot];
    const std::uint64_t version = event.originator_version;
    const std::size_t index = log_.size();
    std::size_t below = none;  // the next lower version, this event's link
    std::size_t above = none;  // the next higher version, to be linked to this event
    if (!originator_table::is_free(before)) {
      below = originator_table::head_of(before);
      while (below != none && log_[below].originator_version > version) {
        above = below;
        below = log_[below].previous;
      }
      if (below != none && log_[below].originator_version == version) exists_already(event);
    }
    if (event.state.size() > UINT32_MAX)
      throw integrity_error("event " + event.originator_id.str() + " version " +
                            std::to_string(version) + ": a state of " +
                            std::to_string(event.state.size()) +
                            " bytes is more than the memory recorder keeps (4 GiB)");
    const std::uint32_t topic = topic_id(event.topic);
    const std::uint8_t* state = states_.copy(event.state);
    log_.grow_one() = record_type{event.originator_id,
                                  version,
                                  below,
                                  state,
                                  static_cast<std::uint32_t>(event.state.size()),
                                  topic};
    changes_.push_back({slot, before, above, above == none ? none : log_[above].previous});
    if (above == none)
      originators_.set(slot, h, index);
    else
      log_[above].previous = index;
  }

  [[nodiscard]] std::size_t head_of(const uuid& id) const {
    if (originators_.empty()) return none;
    const auto v = originators_[originators_.slot_for(originator_table::hash(id), id, id_at())];
    return originator_table::is_free(v) ? none : originator_table::head_of(v);
  }

  // Takes back the events of the current call, newest first: the table, the
  // links, the log and the state bytes as they were. Topics it interned stay.
  void undo(std::size_t first, const byte_arena::mark& states_before) noexcept {
    for (std::size_t k = changes_.size(); k-- > 0;) {
      const table_change& change = changes_[k];
      originators_.restore(change.slot, change.before);
      if (change.relinked != none) log_[change.relinked].previous = change.relinked_previous;
    }
    log_.truncate(first);
    states_.rewind(states_before);
  }

  // Consecutive events mostly share a topic: the last one is tried first.
  std::uint32_t topic_id(const std::string& topic) {
    if (last_topic_ < topics_.size() && same_text(topics_[last_topic_], topic)) return last_topic_;
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
