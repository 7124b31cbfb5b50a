#pragma once
// Replies to clients on their lanes' reply rings. A full reply ring (a slow
// client) keeps the reply queued here and retried, so a reply is never lost
// while its client lives; a lane whose client is gone drops its queue when
// the next claim bumps the lane's epoch.
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "weft/node/app_host.hpp"
#include "weft/shm/ingress.hpp"
#include "weft/shm/segment.hpp"

namespace weft::node {

/// Not thread-safe: the hosting actor's turns only (the one producer of the reply rings).
class lane_replies final : public reply_sink {
 public:
  lane_replies(shm::segment& segment, std::uint32_t process);

  void reply(std::uint32_t lane, std::uint64_t correlation_id, bool ok,
             std::string_view payload) override;
  /// Retries queued replies; true while some are still queued.
  bool flush();

 private:
  struct queued {
    std::uint64_t correlation_id;
    bool ok;
    std::string payload;
  };
  struct lane_state {
    // Resolved once, when the header was validated: the header may be
    // overwritten later, and lookups through it would trust what is there.
    shm::lane_entry* entry;
    shm::spsc_producer ring;
    std::uint32_t epoch;
    std::deque<queued> waiting;
  };
  bool push(lane_state& lane, std::uint64_t correlation_id, bool ok, std::string_view payload);

  std::vector<lane_state> lanes_;
};

}  // namespace weft::node
