#include "weft/node/draining.hpp"

namespace weft::node {

void refuse_new_commands(shm::segment& segment) {
  for (std::uint32_t p = 0; p < segment.process_count(); ++p) {
    auto& entry = segment.process(p);
    // A worker that starts later keeps the mark (see worker::run).
    for (auto live : {shm::process_state::running, shm::process_state::starting})
      entry.state.compare_exchange_strong(live, shm::process_state::stopping,
                                          std::memory_order_relaxed);
  }
}

bool followers_caught_up(shm::segment& segment) {
  for (std::uint32_t p = 0; p < segment.process_count(); ++p) {
    const auto& follower = segment.process(p);
    for (std::uint32_t k = 0; k < follower.upstream_count && k < shm::max_upstreams; ++k) {
      const auto& channel = segment.channel(follower.upstreams[k].channel);
      const auto& leader = segment.process(channel.leader);
      if (follower.upstreams[k].tracking.load(std::memory_order_relaxed) <
          leader.notification_position.load(std::memory_order_relaxed))
        return false;
    }
  }
  return true;
}

}  // namespace weft::node
