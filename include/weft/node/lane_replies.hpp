#pragma once
// Replies to clients on their lanes' reply rings. reply() writes a reply into
// its lane's ring; flush() publishes what the turn wrote, one store and one
// doorbell check per lane, not per reply. Replies to a client's consecutive
// commands with the same status and payload share one record (a reply's
// count): a pipelining client's stream of "done" costs a record per turn, not
// per command, to write and to read. A full reply ring (a slow client)
// keeps the reply queued here and retried, so a reply is never lost while its
// client lives; a lane whose client is gone drops its queue when the next
// claim bumps the lane's epoch.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "weft/node/app_host.hpp"
#include "weft/shm/ingress.hpp"
#include "weft/shm/segment.hpp"

namespace weft::node {

/// Not thread-safe: the hosting actor's turns only (the one producer of the reply rings).
class lane_replies final : public reply_sink {
 public:
  lane_replies(shm::segment& segment, std::uint32_t process);

  /// Writes the reply (or queues it while the ring is full); the client sees
  /// it after the next flush().
  void reply(std::uint32_t lane, std::uint64_t correlation_id, bool ok,
             std::string_view payload) override;
  /// Publishes the replies written since the last call and retries queued
  /// ones; true while some are still queued.
  bool flush();

 private:
  /// Replies waiting for room, in order; their payloads share one buffer, so
  /// a slow client costs no allocation per reply. Emptied (capacity kept)
  /// whenever the last one leaves.
  class reply_queue {
   public:
    struct entry {
      std::uint64_t correlation_id;
      bool ok;
      std::size_t at;  // payload offset in bytes_
      std::size_t size;
    };
    [[nodiscard]] bool empty() const noexcept { return first_ == entries_.size(); }
    void push(std::uint64_t correlation_id, bool ok, std::string_view payload);
    [[nodiscard]] const entry& front() const noexcept { return entries_[first_]; }
    [[nodiscard]] std::string_view payload(const entry& e) const noexcept {
      return std::string_view(bytes_).substr(e.at, e.size);
    }
    void pop() noexcept;
    void clear() noexcept;

   private:
    std::vector<entry> entries_;
    std::size_t first_ = 0;
    std::string bytes_;
  };
  /// The reply record written last on a lane and not published yet: a reply
  /// to the next correlation id with the same status and payload joins it.
  struct open_reply {
    std::span<std::byte> body;  // the record's payload bytes in the ring
    std::uint64_t next_id = 0;  // 0: none open
    bool ok = false;
  };
  struct lane_state {
    // Resolved once, when the header was validated: the header may be
    // overwritten later, and lookups through it would trust what is there.
    shm::lane_entry* entry;
    shm::spsc_producer ring;
    std::uint32_t epoch;
    reply_queue waiting{};
    bool unpublished = false;  // written since the last flush(); listed in written_
    open_reply open{};         // closed by each commit: the client may read it then
  };
  /// Writes one reply into the ring without publishing it, joining the open
  /// record when it can; false when full.
  static bool write(lane_state& lane, std::uint64_t correlation_id, bool ok,
                    std::string_view payload);
  static void commit(lane_state& lane);
  void note_written(std::uint32_t lane);

  std::vector<lane_state> lanes_;
  std::vector<std::uint32_t> written_;  // lanes with unpublished replies
  std::size_t queued_lanes_ = 0;        // lanes whose `waiting` is not empty
};

}  // namespace weft::node
