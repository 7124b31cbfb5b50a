#pragma once
// Every application of a system in this process, each hosted by its own
// node::worker on its own thread, connected by the same rings as the
// multi-process runner in a segment only this process uses. The node code is
// the same; only the processes are missing. Prompts are never dropped: a
// full ring is a backlog the leader resumes, not a lost prompt.
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "weft/es/application.hpp"
#include "weft/es/system_definition.hpp"
#include "weft/node/system_layout.hpp"
#include "weft/node/worker.hpp"
#include "weft/shm/segment.hpp"

namespace weft::node {

/// start(), watch_for_errors() and stop() from one thread.
class multi_threaded_runner {
 public:
  /// `apps` maps every application of `system` to its constructed object,
  /// which must outlive the runner.
  multi_threaded_runner(const std::string& system_name, const es::system_definition& system,
                        std::map<std::string, es::application*> apps, worker_config config = {},
                        ring_sizes sizes = {});
  ~multi_threaded_runner();

  /// Starts one worker thread per application; a second start is a weft::error.
  void start();
  /// Waits up to `timeout` and rethrows the first error of any worker.
  void watch_for_errors(std::chrono::milliseconds timeout);
  /// Stops every worker and rethrows the first error of any. Idempotent.
  void stop();
  /// Refuses new commands, lets followers finish what their leaders recorded
  /// (for up to `drain_timeout`), then stop().
  void stop_gracefully(std::chrono::milliseconds drain_timeout);
  /// Names an application whose turn runs past the turn limit, and why;
  /// empty when none does. A thread cannot be killed: stop() would wait for
  /// that turn to end, so the caller should end the process instead.
  [[nodiscard]] std::string hang() const;

  /// The segment: clients attach to it by the system's name.
  [[nodiscard]] shm::segment& segment() noexcept { return segment_; }

 private:
  shm::segment segment_;
  std::map<std::string, es::application*> apps_;
  worker_config config_;
  std::vector<std::unique_ptr<worker>> workers_;
  std::vector<std::future<void>> threads_;
  bool started_ = false;
};

}  // namespace weft::node
