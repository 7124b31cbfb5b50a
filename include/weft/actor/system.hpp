#pragma once
// ActorSystem: owns the scheduler, timers, event stream and receptionist, and
// the guardian above every root actor. Refs must not outlive their system.
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "weft/actor/actor_cell.hpp"
#include "weft/actor/actor_ref.hpp"
#include "weft/actor/behavior.hpp"
#include "weft/actor/events.hpp"
#include "weft/actor/receptionist.hpp"

namespace weft::actor {

struct SystemConfig {
  std::string name = "weft";
  std::size_t workers = 0;         ///< 0 = one per core
  std::size_t throughput = 64;     ///< messages per actor turn
  std::size_t spin_rounds = 2000;  ///< idle polls before a worker parks
  /// No threads: the caller drives run_until_idle() and advance_time(). Tests
  /// use it with virtual time; an event loop (node::worker) with the clock's.
  bool deterministic = false;
};

class ActorSystem {
 public:
  explicit ActorSystem(SystemConfig config = {});
  /// Shuts down (see shutdown()) if that has not happened.
  ~ActorSystem();
  ActorSystem(const ActorSystem&) = delete;
  ActorSystem& operator=(const ActorSystem&) = delete;

  /// A deterministic system for tests.
  static SystemConfig deterministic_config() {
    SystemConfig config;
    config.deterministic = true;
    return config;
  }

  /// Starts a root actor at "/<name>". Throws invalid_actor_name when taken or
  /// malformed, system_stopped after shutdown began. @threadsafe
  template <class M>
  ActorRef<M> spawn(Behavior<M> behavior, std::string name, MailboxConfig mailbox = {}) {
    if (!name.empty() && name.front() == '$') {
      throw invalid_actor_name("root actor name '" + name +
                               "': names starting with '$' are reserved");
    }
    return detail::spawn_cell<M>(*core_, core_->guardian, std::move(name), std::move(behavior),
                                 mailbox);
  }

  /// The actor at `path` ("/orders/worker-3"), if it runs. @threadsafe
  [[nodiscard]] std::optional<AnyRef> lookup(std::string_view path) const;
  template <class M>
  [[nodiscard]] std::optional<ActorRef<M>> lookup(std::string_view path) const {
    if (auto ref = lookup(path)) return ActorRef<M>::from(*ref);
    return std::nullopt;
  }

  /// Stops any actor (children first), asynchronously. @threadsafe
  void stop(const AnyRef& actor);

  EventStream& events() noexcept;
  Receptionist& receptionist() noexcept;
  [[nodiscard]] const std::string& name() const noexcept;
  [[nodiscard]] std::size_t workers() const noexcept;

  /// Graceful stop: every actor stops, children before parents, post_stop
  /// runs, queued messages go to dead letters; then the threads stop. Waits up
  /// to `timeout` for the actors. Idempotent. Not from an actor's turn.
  void shutdown(std::chrono::nanoseconds timeout = std::chrono::seconds(30));
  /// True when every actor has stopped. @threadsafe
  [[nodiscard]] bool terminated() const noexcept;

  // Deterministic mode only (weft::invalid_input otherwise); caller's thread only.
  /// Runs actor turns until none is runnable; returns how many ran.
  std::size_t run_until_idle();
  /// Moves virtual time forward, firing due timers, then runs until idle.
  void advance_time(std::chrono::nanoseconds by);

  detail::SystemCore& core() noexcept { return *core_; }

 private:
  std::unique_ptr<detail::SystemCore> core_;
  struct Shutdown;
  std::unique_ptr<Shutdown> shutdown_;
};

}  // namespace weft::actor
