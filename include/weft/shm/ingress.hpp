#pragma once
// Ingress: many clients -> one process, each client's records in order.
//
// Design: one SPSC lane per client instead of one ring shared by CAS. A
// client claims a free lane of the target process (CAS on its owner) and is
// then the only producer of the lane's request ring and the only consumer of
// its reply ring. Why: a producer that dies mid-write in a shared MPSC ring
// leaves a claimed, uncommitted gap that blocks every other producer's
// records until someone times it out and resets the ring under live writers;
// with lanes a dead client only ever leaves an uncommitted (invisible) tail
// in its own lane. The process reads the lanes round-robin, so per-producer
// FIFO order holds and no client can starve the others.
//
// A lane whose owner is dead is free (a live process with the owner's pid but
// another start time is not the owner): the next client's claim takes it over,
// bumps the lane epoch and both ring epochs (it is the successor of the dead
// end), continues the request ring at its committed end and drops replies
// still queued for the dead owner. A reply the process writes for the dead
// owner after that arrives with an unknown correlation id; clients ignore those.
#include <cstdint>
#include <memory>
#include <vector>

#include "weft/shm/segment.hpp"
#include "weft/shm/spsc_ring.hpp"

namespace weft::shm {

/// A client's claim on one lane of one process. Not thread-safe: one client
/// thread uses it.
class ingress_client {
 public:
  /// Claims a free lane of `process` (one whose owner is 0 or dead). Throws
  /// segment_error naming the process when every lane is taken by a live client.
  static ingress_client claim(segment& seg, std::uint32_t process);

  ingress_client(ingress_client&&) noexcept;
  ingress_client& operator=(ingress_client&&) = delete;
  /// Frees the lane (owner back to 0).
  ~ingress_client();

  /// Commands go here; committing rings the process's doorbell.
  spsc_producer& requests() noexcept { return requests_; }
  /// Replies arrive here.
  spsc_consumer& replies() noexcept { return replies_; }
  /// Wait on this for replies: the process rings it after each reply.
  doorbell& bell() noexcept { return entry_->client_bell; }
  [[nodiscard]] std::uint32_t lane() const noexcept { return entry_->lane; }
  [[nodiscard]] std::uint32_t epoch() const noexcept { return epoch_; }
  /// The correlation id of the next command: one past every id any owner of
  /// this lane issued. Call it before claiming the command's record.
  std::uint64_t issue_correlation_id() noexcept {
    entry_->issued_through.store(++issued_through_, std::memory_order_relaxed);
    return issued_through_;
  }
  /// The last id issued on this lane before this client claimed it.
  [[nodiscard]] std::uint64_t issued_before() const noexcept { return issued_before_; }
  /// The last of this client's correlation ids that an incarnation of the
  /// process took before it died (0: none). Those it did not answer are lost.
  [[nodiscard]] std::uint64_t lost_through() const noexcept {
    // Pairs with the release in ingress_server's constructor: the dead
    // incarnation's replies, committed before it died, are then visible.
    return entry_->lost_through.load(std::memory_order_acquire);
  }

 private:
  ingress_client(lane_entry* entry, std::uint64_t owner, std::uint32_t epoch,
                 std::uint64_t issued_before, spsc_producer requests, spsc_consumer replies);
  lane_entry* entry_;
  std::uint64_t owner_;  // lane_owner::word()
  std::uint32_t epoch_;
  std::uint64_t issued_before_;
  std::uint64_t issued_through_;
  spsc_producer requests_;
  spsc_consumer replies_;
};

/// The process's end of all its lanes. One consumer thread only.
class ingress_server {
 public:
  /// Takes over the lanes of `process` from any incarnation before this one:
  /// what that one took becomes each lane's lost_through.
  ingress_server(segment& seg, std::uint32_t process);

  /// The next record of any lane, round-robin across lanes; `lane` says whose.
  /// `corrupt` names the lane in error(lane), once: that lane is skipped from
  /// then on.
  ///
  /// Each lane's tail is loaded once per sweep over the lanes; the records
  /// published below those tails are then served one per lane in turn, and
  /// the next sweep comes when they are read. So a busy lane costs one load
  /// per batch of its client, not one look at every idle lane per record.
  read_status try_read(std::uint32_t& lane, record_view& out) noexcept;
  /// True for a command an incarnation before this one took (it died before
  /// releasing the record): running it again could apply it twice, and its
  /// client answers it as lost.
  [[nodiscard]] bool taken_before(std::uint32_t lane, std::uint64_t correlation_id) const noexcept {
    return correlation_id <= lost_through_[lane];
  }
  /// Notes that the command `correlation_id` read from `lane` is taken: call
  /// it before running the command and before release(). Should this
  /// incarnation die, the next one tells the client what it took.
  void mark_taken(std::uint32_t lane, std::uint64_t correlation_id) noexcept {
    entries_[lane]->taken_through.store(correlation_id, std::memory_order_relaxed);
  }
  /// Returns what was read from `lane` to its client.
  void release(std::uint32_t lane) noexcept { requests_[lane].release(); }
  /// Releases every lane.
  void release_all() noexcept;
  /// Where to answer a record read from `lane`; rings the client's doorbell.
  spsc_producer& replies(std::uint32_t lane) noexcept { return replies_[lane]; }
  /// True when some lane has a committed record; for doorbell wait().
  [[nodiscard]] bool has_data() const noexcept;
  [[nodiscard]] const std::string& error(std::uint32_t lane) const noexcept {
    return requests_[lane].error();
  }
  [[nodiscard]] std::uint32_t lanes() const noexcept {
    return static_cast<std::uint32_t>(requests_.size());
  }

 private:
  /// Loads every lane's tail; lanes with records join ready_. Reports the
  /// first lane found corrupt that was not reported yet.
  read_status sweep(std::uint32_t& lane) noexcept;
  /// Marks `lane` corrupt and reported; false if it was reported already.
  bool report_corrupt(std::uint32_t lane) noexcept;

  std::vector<lane_entry*> entries_;
  std::vector<std::uint64_t> lost_through_;  // each lane's, as this incarnation set it
  std::vector<spsc_consumer> requests_;
  std::vector<spsc_producer> replies_;
  std::vector<std::uint32_t> ready_;  // lanes with published records not read yet, in turn order
  std::size_t turn_ = 0;              // index in ready_ of the lane served next
  std::vector<bool> reported_;        // lanes whose corruption try_read reported
};

}  // namespace weft::shm
