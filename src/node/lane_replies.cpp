#include "weft/node/lane_replies.hpp"

#include "weft/shm/protocol.hpp"

namespace weft::node {

lane_replies::lane_replies(shm::segment& segment, std::uint32_t process) {
  for (std::uint32_t l = 0; l < segment.lanes_per_process(); ++l) {
    auto& entry = segment.lane(process, l);
    // Pairs with the acq_rel bump in ingress_client::claim(): a new client.
    const std::uint32_t epoch = entry.epoch.load(std::memory_order_acquire);
    lanes_.push_back({&entry,
                      shm::spsc_producer(segment.ring(entry.reply), &entry.client_bell,
                                         segment.name() + ":lane" + std::to_string(l) + ":reply"),
                      epoch,
                      {}});
  }
}

bool lane_replies::push(lane_state& lane, std::uint64_t correlation_id, bool ok,
                        std::string_view payload) {
  const auto status = ok ? shm::protocol::reply_status::ok : shm::protocol::reply_status::error;
  return shm::protocol::push_reply(lane.ring, correlation_id, status,
                                   std::as_bytes(std::span(payload))) == shm::push_result::ok;
}

void lane_replies::reply(std::uint32_t lane, std::uint64_t correlation_id, bool ok,
                         std::string_view payload) {
  auto& state = lanes_.at(lane);
  if (state.waiting.empty()) {
    // The queue belongs to the lane's current client from here on.
    state.epoch = state.entry->epoch.load(std::memory_order_acquire);
    if (push(state, correlation_id, ok, payload)) return;  // no copy on the common path
  }
  state.waiting.push_back({correlation_id, ok, std::string(payload)});
}

bool lane_replies::flush() {
  bool left = false;
  for (std::uint32_t l = 0; l < lanes_.size(); ++l) {
    auto& state = lanes_[l];
    if (state.waiting.empty()) continue;
    // A new client on the lane: what was queued was for its dead predecessor.
    const std::uint32_t epoch = state.entry->epoch.load(std::memory_order_acquire);
    if (epoch != state.epoch) {
      state.waiting.clear();
      state.epoch = epoch;
      continue;
    }
    while (!state.waiting.empty()) {
      const auto& front = state.waiting.front();
      if (!push(state, front.correlation_id, front.ok, front.payload)) break;
      state.waiting.pop_front();
    }
    left |= !state.waiting.empty();
  }
  return left;
}

}  // namespace weft::node
