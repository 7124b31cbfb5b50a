#pragma once
// The system's event stream: lifecycle changes, dead letters, unhandled and
// dropped messages. Listeners run on the publishing thread and must be short.
#include <any>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <variant>
#include <vector>

#include "weft/actor/actor_ref.hpp"

namespace weft::actor {

struct ActorStarted {
  std::string path;
};
struct ActorStopped {
  std::string path;
};
struct ActorRestarted {
  std::string path;
  std::string reason;
};
/// A message sent to a stopped actor, or left in its mailbox when it stopped.
struct DeadLetter {
  std::string recipient;
  std::string message_type;
  std::any message;  ///< a copy when the message type is copyable, else empty
};
/// A message the current behavior returned unhandled() for.
struct UnhandledMessage {
  std::string path;
  std::string message_type;
  std::any message;
};
/// A message a bounded mailbox dropped (drop_new or drop_oldest).
struct MessageDropped {
  std::string path;
  std::string message_type;
  std::any message;
};

using SystemEvent = std::variant<ActorStarted, ActorStopped, ActorRestarted, DeadLetter,
                                 UnhandledMessage, MessageDropped>;

class EventStream {
 public:
  using SubscriptionId = std::uint64_t;
  using Listener = std::function<void(const SystemEvent&)>;

  EventStream();
  ~EventStream();

  /// Adds a listener, called on the publishing thread. @threadsafe
  SubscriptionId subscribe(Listener listener);
  /// Forwards every event to an actor. @threadsafe
  SubscriptionId subscribe(ActorRef<SystemEvent> subscriber) {
    return subscribe([subscriber](const SystemEvent& event) { subscriber.tell(event); });
  }
  /// @threadsafe
  void unsubscribe(SubscriptionId id);
  /// @threadsafe
  void publish(const SystemEvent& event) const;
  /// A cheap check before building an event. @threadsafe
  [[nodiscard]] bool has_subscribers() const noexcept {
    return count_.load(std::memory_order_relaxed) != 0;
  }

 private:
  using List = std::vector<std::pair<SubscriptionId, Listener>>;
  mutable std::mutex mutex_;
  std::shared_ptr<const List> listeners_;  // copy-on-write: publish calls outside the lock
  SubscriptionId last_id_ = 0;
  std::atomic<std::size_t> count_{0};  // relaxed hint for has_subscribers()
};

namespace detail {

/// Readable name of a type ("weft::actor::Foo" rather than a mangled name).
std::string demangle(const char* mangled);

template <class M>
const std::string& type_name() {
  static const std::string name = demangle(typeid(M).name());
  return name;
}

/// A copy of `message` when M is copyable; otherwise an empty any.
template <class M>
std::any any_copy(const M& message) {
  if constexpr (std::is_copy_constructible_v<M>) {
    return std::any(message);
  } else {
    return {};
  }
}

}  // namespace detail

}  // namespace weft::actor
