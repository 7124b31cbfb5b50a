#pragma once
// A recorder that forwards to a real one and counts calls: lets tests see
// how often an application reaches its recorder (caches, group commit).
#include <memory>
#include <vector>

#include "weft/es/recorder.hpp"

namespace weft::es::testing {

class spy_recorder final : public recorder {
 public:
  explicit spy_recorder(std::shared_ptr<recorder> inner) : inner_(std::move(inner)) {}

  std::vector<std::uint64_t> insert_events(std::span<const stored_event> events,
                                           std::span<const tracking> tracked) override {
    ++inserts;
    return inner_->insert_events(events, tracked);
  }
  std::vector<stored_event> select_events(const uuid& id, const event_query& query) override {
    ++selects;
    last_query = query;
    return inner_->select_events(id, query);
  }
  std::vector<notification> select_notifications(const notification_query& query) override {
    ++notification_selects;
    return inner_->select_notifications(query);
  }
  std::uint64_t max_notification_id() override { return inner_->max_notification_id(); }
  std::uint64_t max_tracking_id(std::string_view upstream) override {
    return inner_->max_tracking_id(upstream);
  }
  bool has_tracking_id(std::string_view upstream, std::uint64_t id) override {
    return inner_->has_tracking_id(upstream, id);
  }

  int inserts = 0;
  int selects = 0;
  int notification_selects = 0;
  event_query last_query;

 private:
  std::shared_ptr<recorder> inner_;
};

}  // namespace weft::es::testing
