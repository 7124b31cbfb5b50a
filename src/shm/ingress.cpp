// Claiming lanes and reading them round-robin.
#include "weft/shm/ingress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "weft/shm/process_liveness.hpp"

namespace weft::shm {

namespace {

bool held_by_a_live_client(std::uint64_t owner_word) {
  if (owner_word == 0) return false;
  const lane_owner owner = lane_owner::of(owner_word);
  return process_alive(owner.pid, owner.start_ticks);
}

}  // namespace

ingress_client ingress_client::claim(segment& seg, std::uint32_t process) {
  const std::int32_t pid = ::getpid();
  const std::uint64_t me = lane_owner{pid, process_start_ticks(pid).value_or(0)}.word();
  const auto& target = seg.process(process);
  for (std::uint32_t l = 0; l < seg.lanes_per_process(); ++l) {
    lane_entry& entry = seg.lane(process, l);
    // Pairs with the release in ~ingress_client() of the previous owner.
    std::uint64_t owner = entry.owner.load(std::memory_order_acquire);
    if (held_by_a_live_client(owner)) continue;
    if (!entry.owner.compare_exchange_strong(owner, me, std::memory_order_acq_rel,
                                             std::memory_order_relaxed)) {
      continue;  // another client was faster
    }
    // We are the successor of whatever client used this lane before.
    // Ordered after our CAS; read by tools only (relaxed there).
    const std::uint32_t epoch = entry.epoch.fetch_add(1, std::memory_order_acq_rel) + 1;
    reset_ring(seg.ring(entry.request));
    reset_ring(seg.ring(entry.reply));
    // Our ids follow every earlier owner's, so what the process took of
    // theirs, before or after our claim, is never mistaken for ours. (A dead
    // owner's stores are all done; a live one's precede its release.)
    const std::uint64_t issued_before =
        std::max({entry.issued_through.load(std::memory_order_relaxed),
                  entry.taken_through.load(std::memory_order_relaxed),
                  entry.lost_through.load(std::memory_order_relaxed)});
    const std::string name = fmt::format("{}:{}:lane{}", seg.name(), name_of(target), l);
    spsc_producer requests(seg.ring(entry.request), &seg.process(process).bell, name + ":request");
    spsc_consumer replies(seg.ring(entry.reply), name + ":reply");
    // Replies queued for the previous owner are not ours.
    record_view stale;
    while (replies.try_read(stale) == read_status::record) {
    }
    replies.release();
    return ingress_client(&entry, me, epoch, issued_before, std::move(requests),
                          std::move(replies));
  }
  throw segment_error(fmt::format("segment {}: all {} ingress lanes of '{}' are taken", seg.name(),
                                  seg.lanes_per_process(), name_of(target)));
}

ingress_client::ingress_client(lane_entry* entry, std::uint64_t owner, std::uint32_t epoch,
                               std::uint64_t issued_before, spsc_producer requests,
                               spsc_consumer replies)
    : entry_(entry),
      owner_(owner),
      epoch_(epoch),
      issued_before_(issued_before),
      issued_through_(issued_before),
      requests_(std::move(requests)),
      replies_(std::move(replies)) {}

ingress_client::ingress_client(ingress_client&& other) noexcept
    : entry_(std::exchange(other.entry_, nullptr)),
      owner_(other.owner_),
      epoch_(other.epoch_),
      issued_before_(other.issued_before_),
      issued_through_(other.issued_through_),
      requests_(std::move(other.requests_)),
      replies_(std::move(other.replies_)) {}

ingress_client::~ingress_client() {
  if (entry_ == nullptr) return;
  std::uint64_t expected = owner_;
  // Pairs with the acquire in claim() of the next owner.
  entry_->owner.compare_exchange_strong(expected, 0, std::memory_order_release,
                                        std::memory_order_relaxed);
}

ingress_server::ingress_server(segment& seg, std::uint32_t process) {
  const auto& target = seg.process(process);
  for (std::uint32_t l = 0; l < seg.lanes_per_process(); ++l) {
    lane_entry& entry = seg.lane(process, l);
    // Pairs with the acquire in ingress_client::lost_through().
    const std::uint64_t lost_through = entry.taken_through.load(std::memory_order_relaxed);
    entry.lost_through.store(lost_through, std::memory_order_release);
    entries_.push_back(&entry);
    lost_through_.push_back(lost_through);
    const std::string name = fmt::format("{}:{}:lane{}", seg.name(), name_of(target), l);
    requests_.emplace_back(seg.ring(entry.request), name + ":request");
    replies_.emplace_back(seg.ring(entry.reply), &entry.client_bell, name + ":reply");
  }
  ready_.reserve(requests_.size());
  reported_.assign(requests_.size(), false);
}

read_status ingress_server::try_read(std::uint32_t& lane, record_view& out) noexcept {
  for (bool swept = false;; swept = true) {
    while (!ready_.empty()) {
      if (turn_ >= ready_.size()) turn_ = 0;
      const std::uint32_t l = ready_[turn_];
      const read_status s = requests_[l].try_read_published(out);
      if (s == read_status::record) {
        lane = l;
        ++turn_;
        return s;
      }
      // Read up (or refused): it waits for the next sweep.
      ready_.erase(ready_.begin() + static_cast<std::ptrdiff_t>(turn_));
      if (s == read_status::corrupt && report_corrupt(l)) {
        lane = l;
        return s;
      }
    }
    if (swept) return read_status::empty;
    if (sweep(lane) == read_status::corrupt) return read_status::corrupt;
  }
}

read_status ingress_server::sweep(std::uint32_t& lane) noexcept {
  turn_ = 0;
  for (std::uint32_t l = 0; l < requests_.size(); ++l) {
    const read_status s = requests_[l].refresh();
    if (s == read_status::record) {
      ready_.push_back(l);  // never beyond lanes(): reserved in the constructor
    } else if (s == read_status::corrupt && report_corrupt(l)) {
      lane = l;
      return s;  // lanes after it join at the next sweep
    }
  }
  return read_status::empty;
}

bool ingress_server::report_corrupt(std::uint32_t lane) noexcept {
  if (reported_[lane]) return false;
  reported_[lane] = true;
  return true;
}

void ingress_server::release_all() noexcept {
  for (auto& r : requests_) r.release();
}

bool ingress_server::has_data() const noexcept {
  for (const auto& r : requests_) {
    if (r.has_data()) return true;
  }
  return false;
}

}  // namespace weft::shm
