#include "weft/node/lane_replies.hpp"

#include <cstring>

#include "weft/shm/protocol.hpp"

namespace weft::node {

void lane_replies::reply_queue::push(std::uint64_t correlation_id, bool ok,
                                     std::string_view payload) {
  entries_.push_back({correlation_id, ok, bytes_.size(), payload.size()});
  bytes_.append(payload);
}

void lane_replies::reply_queue::pop() noexcept {
  if (++first_ == entries_.size()) clear();
}

void lane_replies::reply_queue::clear() noexcept {
  entries_.clear();
  bytes_.clear();
  first_ = 0;
}

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
  written_.reserve(lanes_.size());
}

bool lane_replies::write(lane_state& lane, std::uint64_t correlation_id, bool ok,
                         std::string_view payload) {
  auto& open = lane.open;
  if (open.next_id != 0 && correlation_id == open.next_id && ok == open.ok &&
      payload.size() == open.body.size() &&
      (payload.empty() || std::memcmp(open.body.data(), payload.data(), payload.size()) == 0) &&
      shm::protocol::extend_reply(open.body)) {
    ++open.next_id;
    return true;
  }
  const auto status = ok ? shm::protocol::reply_status::ok : shm::protocol::reply_status::error;
  const auto claimed =
      shm::protocol::claim_reply(lane.ring, correlation_id, status, payload.size());
  if (!claimed) return false;
  if (!payload.empty()) std::memcpy(claimed.payload.data(), payload.data(), payload.size());
  open = {claimed.payload, correlation_id + 1, ok};
  return true;
}

void lane_replies::commit(lane_state& lane) {
  lane.ring.commit();
  lane.open = {};
}

void lane_replies::note_written(std::uint32_t lane) {
  auto& state = lanes_[lane];
  if (state.unpublished) return;
  state.unpublished = true;
  written_.push_back(lane);
}

void lane_replies::reply(std::uint32_t lane, std::uint64_t correlation_id, bool ok,
                         std::string_view payload) {
  auto& state = lanes_.at(lane);
  if (state.waiting.empty()) {
    // The queue belongs to the lane's current client from here on.
    state.epoch = state.entry->epoch.load(std::memory_order_acquire);
    if (write(state, correlation_id, ok, payload)) return note_written(lane);  // no copy
    ++queued_lanes_;
  }
  state.waiting.push(correlation_id, ok, payload);
}

bool lane_replies::flush() {
  for (const std::uint32_t l : written_) {
    commit(lanes_[l]);
    lanes_[l].unpublished = false;
  }
  written_.clear();
  if (queued_lanes_ == 0) return false;
  for (std::uint32_t l = 0; l < lanes_.size(); ++l) {
    auto& state = lanes_[l];
    if (state.waiting.empty()) continue;
    // A new client on the lane: what was queued was for its dead predecessor.
    const std::uint32_t epoch = state.entry->epoch.load(std::memory_order_acquire);
    if (epoch != state.epoch) {
      state.waiting.clear();
      --queued_lanes_;
      state.epoch = epoch;
      continue;
    }
    bool wrote = false;
    while (!state.waiting.empty()) {
      const auto& front = state.waiting.front();
      if (!write(state, front.correlation_id, front.ok, state.waiting.payload(front))) break;
      wrote = true;
      state.waiting.pop();
    }
    if (wrote) commit(state);
    if (state.waiting.empty()) --queued_lanes_;
  }
  return queued_lanes_ > 0;
}

}  // namespace weft::node
