#pragma once
// spy(): reports every message (and Terminated signal) an actor receives to an
// observer, before the actor handles it, with a monotonic timestamp.
#include <any>
#include <cstdint>
#include <string>

#include "weft/actor/actor_ref.hpp"
#include "weft/actor/behavior.hpp"

namespace weft::actor {

struct SpyEvent {
  std::string actor_path;
  std::any event;             ///< a copy of the message (empty if not copyable) or a Terminated
  std::int64_t timestamp_ns;  ///< weft::clock::mono_nanos() when it was received
};

namespace detail {
struct SpyConfig {
  ActorRef<SpyEvent> observer;
  bool spy_children = false;
};
}  // namespace detail

/// Reports what the actor receives to `observer`; with spy_children, actors it
/// spawns are spied on as well (recursively).
template <class M>
Behavior<M> spy(Behavior<M> behavior, ActorRef<SpyEvent> observer, bool spy_children = false) {
  detail::Decoration<M> decoration;
  decoration.spy = std::make_shared<const detail::SpyConfig>(
      detail::SpyConfig{std::move(observer), spy_children});
  return detail::decorate(std::move(behavior), std::move(decoration));
}

}  // namespace weft::actor
