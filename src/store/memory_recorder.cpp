#include "weft/store/memory_recorder.hpp"

#include <algorithm>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "weft/core/error.hpp"

namespace weft::store {
namespace {

// Lets positions_ be searched with a string_view, without making a string.
struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept {
    return std::hash<std::string_view>{}(text);
  }
};

[[noreturn]] void tracked_already(const es::tracking& track) {
  throw integrity_error("notification " + std::to_string(track.notification_id) + " of '" +
                        track.upstream + "' is tracked already");
}

[[noreturn]] void exists_already(const es::stored_event& event) {
  throw integrity_error("event " + event.originator_id.str() + " version " +
                        std::to_string(event.originator_version) + " exists already");
}

class memory_recorder final : public es::recorder {
 public:
  std::vector<std::uint64_t> insert_events(std::span<const es::stored_event> events,
                                           std::span<const es::tracking> tracked) override {
    std::unique_lock lock(mutex_);
    check(events, tracked);
    std::vector<std::uint64_t> ids;
    ids.reserve(events.size());
    for (const auto& event : events) {
      log_.push_back(es::notification{log_.size() + 1, event});
      place(by_originator_[event.originator_id], event.originator_version, log_.size() - 1);
      ids.push_back(log_.size());
    }
    for (const auto& track : tracked) {
      auto found = positions_.find(std::string_view(track.upstream));
      if (found == positions_.end())
        positions_.emplace(track.upstream, track.notification_id);
      else
        found->second = track.notification_id;
    }
    return ids;
  }

  std::vector<es::stored_event> select_events(const uuid& originator_id,
                                              const es::event_query& query) override {
    std::shared_lock lock(mutex_);
    std::vector<es::stored_event> out;
    auto found = by_originator_.find(originator_id);
    if (found == by_originator_.end()) return out;
    const auto& versions = found->second;
    auto first = versions.begin();
    auto last = versions.end();
    if (query.after_version) first = std::upper_bound(first, last, *query.after_version, before);
    if (query.up_to_version) last = std::upper_bound(first, last, *query.up_to_version, before);
    if (first >= last) return out;
    const auto wanted = std::min<std::size_t>(static_cast<std::size_t>(last - first),
                                              query.limit.value_or(SIZE_MAX));
    out.reserve(wanted);
    for (std::size_t i = 0; i < wanted; ++i) {
      const auto& entry = query.descending ? *(last - 1 - i) : *(first + i);
      out.push_back(log_[entry.second].event);
    }
    return out;
  }

  std::vector<es::notification> select_notifications(const es::notification_query& query) override {
    std::shared_lock lock(mutex_);
    std::vector<es::notification> out;
    const std::uint64_t last =
        std::min<std::uint64_t>(query.stop.value_or(log_.size()), log_.size());
    for (std::uint64_t id = std::max<std::uint64_t>(query.start, 1);
         id <= last && out.size() < query.limit; ++id) {
      const auto& note = log_[id - 1];
      if (!query.topics.empty() && std::find(query.topics.begin(), query.topics.end(),
                                             note.event.topic) == query.topics.end())
        continue;
      out.push_back(note);
    }
    return out;
  }

  std::uint64_t max_notification_id() override {
    std::shared_lock lock(mutex_);
    return log_.size();
  }

  std::uint64_t max_tracking_id(std::string_view upstream) override {
    std::shared_lock lock(mutex_);
    auto found = positions_.find(upstream);
    return found == positions_.end() ? 0 : found->second;
  }

  bool has_tracking_id(std::string_view upstream, std::uint64_t id) override {
    return id <= max_tracking_id(upstream);
  }

 private:
  // (version, index into log_), sorted by version.
  using versions = std::vector<std::pair<std::uint64_t, std::size_t>>;

  static bool before(std::uint64_t version, const versions::value_type& entry) {
    return version < entry.first;
  }

  static bool has_version(const versions& list, std::uint64_t version) {
    auto it = std::lower_bound(list.begin(), list.end(), version,
                               [](const auto& entry, std::uint64_t v) { return entry.first < v; });
    return it != list.end() && it->first == version;
  }

  // Versions almost always arrive in order, so this is nearly always a push_back.
  static void place(versions& list, std::uint64_t version, std::size_t index) {
    if (list.empty() || list.back().first < version) {
      list.emplace_back(version, index);
      return;
    }
    list.insert(std::upper_bound(list.begin(), list.end(), version, before), {version, index});
  }

  // Called with the write lock held; throws before anything is changed.
  // Calls hold few events and fewer tracking records, so pairwise checks
  // within a call beat building sets.
  void check(std::span<const es::stored_event> events,
             std::span<const es::tracking> tracked) const {
    for (auto it = tracked.begin(); it != tracked.end(); ++it) {
      auto found = positions_.find(std::string_view(it->upstream));
      if (found != positions_.end() && it->notification_id <= found->second) tracked_already(*it);
      if (std::any_of(tracked.begin(), it,
                      [&](const auto& t) { return t.upstream == it->upstream; }))
        throw integrity_error("two tracking records for upstream '" + it->upstream +
                              "' in one call");
    }
    for (const auto& event : events) {
      auto found = by_originator_.find(event.originator_id);
      if (found != by_originator_.end() && has_version(found->second, event.originator_version))
        exists_already(event);
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
    std::vector<const es::stored_event*> sorted;
    sorted.reserve(events.size());
    for (const auto& event : events) sorted.push_back(&event);
    std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
      return std::tie(a->originator_id, a->originator_version) <
             std::tie(b->originator_id, b->originator_version);
    });
    auto twice = std::adjacent_find(sorted.begin(), sorted.end(),
                                    [](const auto* a, const auto* b) { return same_key(*a, *b); });
    if (twice != sorted.end()) exists_already(**twice);
  }

  static bool same_key(const es::stored_event& a, const es::stored_event& b) {
    return a.originator_version == b.originator_version && a.originator_id == b.originator_id;
  }

  std::shared_mutex mutex_;
  std::vector<es::notification> log_;  // log_[id - 1]
  std::unordered_map<uuid, versions> by_originator_;
  std::unordered_map<std::string, std::uint64_t, string_hash, std::equal_to<>> positions_;
};

}  // namespace

std::unique_ptr<es::recorder> make_memory_recorder() {
  return std::make_unique<memory_recorder>();
}

}  // namespace weft::store
