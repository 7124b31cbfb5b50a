#pragma once
// ActorContext<M>: what a behavior may do while handling a message. Every
// method is for the actor's own turn only (handlers, setup, lifecycle hooks).
#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <spdlog/logger.h>

#include "weft/actor/actor_ref.hpp"
#include "weft/actor/behavior.hpp"
#include "weft/actor/future.hpp"
#include "weft/actor/mailbox.hpp"
#include "weft/actor/timers.hpp"

namespace weft::actor {

class EventStream;
class Receptionist;

template <class M>
class ActorContext {
 public:
  explicit ActorContext(detail::ActorCell<M>& cell) : cell_(cell), timers_(cell) {}
  ActorContext(const ActorContext&) = delete;
  ActorContext& operator=(const ActorContext&) = delete;

  [[nodiscard]] const ActorRef<M>& self() const noexcept;
  [[nodiscard]] const std::string& path() const noexcept;

  /// Starts a child; throws invalid_actor_name when `name` is taken or malformed.
  template <class C>
  ActorRef<C> spawn(Behavior<C> behavior, std::string name, MailboxConfig mailbox = {});
  /// Starts a child named "$<n>".
  template <class C>
  ActorRef<C> spawn_anonymous(Behavior<C> behavior, MailboxConfig mailbox = {});
  /// Stops a child (asynchronously); false when `child` is not our child.
  bool stop(const AnyRef& child);
  [[nodiscard]] std::vector<AnyRef> children() const;
  [[nodiscard]] std::optional<AnyRef> child(std::string_view name) const;

  /// Delivers one Terminated signal when `actor` stops (at once if it is dead).
  void watch(const AnyRef& actor);
  /// As watch(), but delivers `message` instead of the signal.
  void watch_with(const AnyRef& actor, M message);
  void unwatch(const AnyRef& actor);

  TimerScheduler<M>& timers() noexcept { return timers_; }

  /// When `future` completes, sends self map(value) or on_failure(exception_ptr).
  /// The functions run on the completing thread and must only build the message.
  template <class T, class Map, class OnFailure>
  void pipe_to_self(const Future<T>& future, Map map, OnFailure on_failure) {
    future.on_complete(
        [self = self(), map = std::move(map)](T& value) mutable { self.tell(map(value)); },
        [self = self(), on_failure = std::move(on_failure)](std::exception_ptr failure) mutable {
          self.tell(on_failure(std::move(failure)));
        });
  }

  EventStream& events() noexcept;
  Receptionist& receptionist() noexcept;

  /// The actor layer's logger; log() prefixes the actor path.
  [[nodiscard]] spdlog::logger& logger() const noexcept;
  template <class... Args>
  void log(spdlog::level::level_enum level, fmt::format_string<Args...> format,
           Args&&... args) const {
    spdlog::logger& out = logger();
    if (!out.should_log(level)) return;
    out.log(level, "{}: {}", path(), fmt::format(format, std::forward<Args>(args)...));
  }

 private:
  detail::ActorCell<M>& cell_;
  TimerScheduler<M> timers_;
};

}  // namespace weft::actor
