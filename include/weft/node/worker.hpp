#pragma once
// One application of a running system, hosted in this process: the node.
//
//   rings (segment) --poll--> mailbox --actor turn--> app_host --> recorder
//                                                        |--> sections, prompts, pulls, replies
//
// One thread does both: it reads every ring this process consumes (edges
// from leaders, pull requests from followers, client lanes), copies each
// record out, releases the ring and tells the hosting actor (up to
// `group_commit` commands as one message, contiguous sections of a leader
// merged into one), then runs the actor's turns on an actor system that has
// no thread of its own. While the actor works, records pile up in the rings,
// so the next poll turns them into bigger messages (one group commit, one
// follower transaction), and a slow recorder gives the producers
// back-pressure instead of growing this process's memory. The actor is the
// only writer of every ring this process produces into.
//
// Constructing a worker tunes this process's C allocator for hosting (see
// allocator_tuning.hpp): a process-wide setting, made once.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "weft/es/application.hpp"
#include "weft/node/app_host.hpp"
#include "weft/shm/segment.hpp"

namespace weft::node {

struct worker_config {
  host_config host;
  std::uint32_t group_commit = 1024;  ///< commands recorded in one transaction at most
  std::chrono::milliseconds heartbeat{100};
  /// A turn (a poll and the handlers it ran) longer than this is taken for a
  /// hang: the heartbeat stops, so a supervisor restarts the process. A turn
  /// may wait for a locked database, so this must outlast the busy timeout.
  std::chrono::milliseconds turn_limit{60000};
  /// How long an idle worker looks for work before it sleeps. Spinning
  /// shortens hand-offs on idle cores; on busy ones it takes the core from a
  /// process that has work.
  std::chrono::microseconds poller_spin{10};
  std::chrono::milliseconds retry{1};  ///< how soon a backlog or due pull is retried
};

class worker {
 public:
  /// Hosts `app` as process `process_index` of `segment`. Both must outlive the worker.
  worker(shm::segment& segment, std::uint32_t process_index, es::application& app,
         worker_config config = {});
  ~worker();
  worker(const worker&) = delete;
  worker& operator=(const worker&) = delete;

  /// Runs on the calling thread until request_stop(), then lets the actor
  /// finish what it was given. Throws weft::error if the
  /// application or a ring failed; the message is also the process table's
  /// last error.
  void run();
  /// Ends run() soon. @threadsafe, async-signal-safe.
  void request_stop() noexcept;
  /// While a turn runs past config.turn_limit, why it is taken for a hang;
  /// empty otherwise. run() does not return before that turn ends, which a
  /// handler in an endless loop never does. @threadsafe
  [[nodiscard]] std::string hang() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace weft::node
