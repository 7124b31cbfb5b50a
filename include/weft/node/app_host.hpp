#pragma once
// One application and the ring ends that connect it to its leaders, its
// followers and its clients: the work a node does, without threads. The
// actor that hosts an application (hosting_actor.hpp) calls these methods
// from its turns; tests call them directly.
//
// Delivery to a follower is leader-driven and in order: each follower has a
// cursor (the next id it should get); the host pushes sections from there as
// far as the ring allows, built from what it just recorded when its recorder
// is a recent_notifications window, else (and for anything older) read back
// from its recorder. A full ring leaves a backlog that tick() resumes, so nothing is
// dropped and no gap is created. A follower's pull request moves its cursor
// (to the follower's tracking position + 1), which is how a restarted
// follower, or a follower of a restarted leader, catches up.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "weft/es/application.hpp"
#include "weft/es/command_payload.hpp"
#include "weft/es/process_application.hpp"
#include "weft/node/recent_notifications.hpp"
#include "weft/node/upstream_cursor.hpp"
#include "weft/shm/protocol.hpp"
#include "weft/shm/spsc_ring.hpp"

namespace weft::node {

struct host_config {
  std::uint32_t pull_limit = 2000;  ///< notifications asked for per pull
  std::int64_t pull_timeout_ns = 500'000'000;
  std::uint32_t section_items = 1024;  ///< at most this many notifications per section
  std::size_t deliver_budget = 8192;   ///< notifications pushed per call, for short turns
};

/// Where a command came from and what it asks.
struct command_request {
  std::uint32_t lane = 0;
  std::uint64_t correlation_id = 0;
  std::string name;
  std::string args_json;
  /// args_json parsed, or nothing when not parsed yet (the host parses it
  /// then). A worker's poll parses it while it reads the lane; the payload
  /// then holds the text and args_json is left empty.
  std::optional<es::command_payload> args{};
};

/// Sends replies to clients. Called from the host's thread only.
class reply_sink {
 public:
  virtual ~reply_sink() = default;
  virtual void reply(std::uint32_t lane, std::uint64_t correlation_id, bool ok,
                     std::string_view payload) = 0;
};

/// Gauges the host keeps current for tools (the process table); any may be null.
struct host_gauges {
  std::atomic<std::uint64_t>* notification_position = nullptr;
  std::atomic<std::uint64_t>* events_recorded = nullptr;
  std::atomic<std::uint64_t>* commands_handled = nullptr;
  std::atomic<std::uint64_t>* sections_sent = nullptr;
  std::atomic<std::uint64_t>* sections_received = nullptr;
  /// Told each error the host survives (a command batch that could not be
  /// recorded), so the process table's last error shows it; may be empty.
  std::function<void(const std::string&)> survived_error;
};

struct downstream_end {
  std::string follower;
  shm::spsc_producer sections;  ///< sections and prompts to the follower
};

struct upstream_end {
  std::string leader;
  shm::spsc_producer pulls;                              ///< pull requests to the leader
  std::atomic<std::uint64_t>* tracking_gauge = nullptr;  ///< for tools; may be null
};

/// Not thread-safe: one thread at a time (the hosting actor's turns).
class app_host {
 public:
  app_host(es::application& app, std::vector<downstream_end> downstream,
           std::vector<upstream_end> upstream, reply_sink* replies, host_config config = {},
           host_gauges gauges = {});
  ~app_host();
  app_host(const app_host&) = delete;
  app_host& operator=(const app_host&) = delete;

  /// Prompts every follower with this log's end and pulls from every leader.
  void start(std::int64_t now_ns);
  /// A section of leader `upstream`'s log, ids [first, last], decoded: the
  /// first last - first + 1 of `notes`; any after them are spares a recycling
  /// poller left there (section_pool::finish), ignored.
  void on_section(std::size_t upstream, std::uint64_t first, std::uint64_t last,
                  std::span<const es::notification> notes, std::int64_t now_ns);
  void on_prompt(std::size_t upstream, std::uint64_t max_id, std::int64_t now_ns);
  /// Follower `downstream` asks for everything from `from_id` on.
  void on_pull(std::size_t downstream, std::uint64_t from_id, std::int64_t now_ns);
  /// Runs the commands and records all their events in one transaction, then
  /// replies to each (after the events are recorded).
  void on_commands(std::span<const command_request> commands, std::int64_t now_ns);
  /// Answers each command with the error `why` and runs none of them.
  void refuse_commands(std::span<const command_request> commands, std::string_view why);
  /// Resumes backlogs and due pulls. Returns true while work is left that
  /// only time or ring space can release (call again soon).
  bool tick(std::int64_t now_ns);

  [[nodiscard]] es::application& app() noexcept { return app_; }
  [[nodiscard]] std::size_t upstream_count() const noexcept;
  [[nodiscard]] std::size_t downstream_count() const noexcept;
  [[nodiscard]] const upstream_cursor& cursor(std::size_t upstream) const;
  /// Whether any follower waits for notifications the host has not pushed yet.
  [[nodiscard]] bool has_backlog() const noexcept;

 private:
  struct follower_state;
  struct leader_state;

  enum class push_outcome { pushed, full, nothing };

  void deliver(std::int64_t now_ns);
  bool deliver_to(follower_state& follower, std::size_t& budget);
  push_outcome push_recent(follower_state& follower, std::size_t& budget);
  push_outcome push_read(follower_state& follower, std::size_t& budget);
  shm::claim claim_section(follower_state& follower, std::size_t bytes);
  push_outcome push_section(follower_state& follower, shm::claim& claim, std::uint64_t first,
                            std::uint64_t last, std::size_t& budget);
  static std::size_t section_limit(const follower_state& follower) noexcept;
  void check_fits(const follower_state& follower, std::size_t item_bytes, std::uint64_t id) const;
  void request_pulls(std::int64_t now_ns);
  std::uint64_t log_end();
  void note_recorded(std::uint64_t max_id) noexcept;

  es::application& app_;
  es::process_application* process_app_;  // null when the application follows nothing
  recent_notifications* recent_;          // null unless the recorder keeps what it recorded
  reply_sink* replies_;
  host_config config_;
  host_gauges gauges_;
  std::vector<follower_state> downstream_;
  std::vector<leader_state> upstream_;
  std::uint64_t recorded_max_ = 0;                 // end of this application's log
  std::string scratch_;                            // encoded notifications read back for a section
  std::vector<std::size_t> ends_;                  // where each of them ends in scratch_
  std::vector<std::span<const std::byte>> items_;  // the section being pushed
};

}  // namespace weft::node
