#include "weft/store/memory_recorder.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>

#include "weft/core/error.hpp"

namespace weft::store {
namespace {

class memory_recorder final : public es::recorder {
 public:
  std::vector<std::uint64_t> insert_events(std::span<const es::stored_event> events,
                                           std::span<const es::tracking> tracked) override {
    std::unique_lock lock(mutex_);
    check_unique(events, tracked);
    std::vector<std::uint64_t> ids;
    ids.reserve(events.size());
    for (const auto& event : events) {
      log_.push_back(es::notification{log_.size() + 1, event});
      auto& versions = by_originator_[event.originator_id];
      versions.emplace(event.originator_version, log_.size() - 1);
      ids.push_back(log_.size());
    }
    for (const auto& track : tracked) positions_[track.upstream] = track.notification_id;
    return ids;
  }

  std::vector<es::stored_event> select_events(const uuid& originator_id,
                                              const es::event_query& query) override {
    std::shared_lock lock(mutex_);
    std::vector<es::stored_event> out;
    auto found = by_originator_.find(originator_id);
    if (found == by_originator_.end()) return out;
    const auto& versions = found->second;
    auto first =
        query.after_version ? versions.upper_bound(*query.after_version) : versions.begin();
    auto last = query.up_to_version ? versions.upper_bound(*query.up_to_version) : versions.end();
    for (auto it = first; it != last; ++it) out.push_back(log_[it->second].event);
    if (query.descending) std::reverse(out.begin(), out.end());
    if (query.limit && out.size() > *query.limit) out.resize(*query.limit);
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
    auto found = positions_.find(std::string(upstream));
    return found == positions_.end() ? 0 : found->second;
  }

  bool has_tracking_id(std::string_view upstream, std::uint64_t id) override {
    return id <= max_tracking_id(upstream);
  }

 private:
  // Called with the write lock held; throws before anything is changed.
  void check_unique(std::span<const es::stored_event> events,
                    std::span<const es::tracking> tracked) const {
    std::unordered_set<std::string> upstreams;
    for (const auto& track : tracked) {
      auto found = positions_.find(track.upstream);
      if ((found != positions_.end() && track.notification_id <= found->second) ||
          !upstreams.insert(track.upstream).second)
        throw integrity_error("notification " + std::to_string(track.notification_id) + " of '" +
                              track.upstream + "' is tracked already");
    }
    std::unordered_map<uuid, std::unordered_set<std::uint64_t>> in_call;
    for (const auto& event : events) {
      auto found = by_originator_.find(event.originator_id);
      const bool stored =
          found != by_originator_.end() && found->second.count(event.originator_version) != 0;
      if (stored || !in_call[event.originator_id].insert(event.originator_version).second)
        throw integrity_error("event " + event.originator_id.str() + " version " +
                              std::to_string(event.originator_version) + " exists already");
    }
  }

  std::shared_mutex mutex_;
  std::vector<es::notification> log_;  // log_[id - 1]
  std::unordered_map<uuid, std::map<std::uint64_t, std::size_t>> by_originator_;
  std::unordered_map<std::string, std::uint64_t> positions_;
};

}  // namespace

std::unique_ptr<es::recorder> make_memory_recorder() {
  return std::make_unique<memory_recorder>();
}

}  // namespace weft::store
