#pragma once
// Behavior<M>: what an actor does with its next message, as a value. A
// handler returns the next behavior (become); same() keeps the current one
// and costs nothing. Decorators (with_lifecycle, supervise, spy, discoverable)
// wrap a behavior and are unwrapped when the actor starts.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "weft/actor/actor_ref.hpp"
#include "weft/actor/supervision.hpp"

namespace weft::actor {

template <class M>
class ActorContext;

/// Signal: a watched actor stopped. Delivered exactly once per watch.
struct Terminated {
  AnyRef actor;
};

/// Lifecycle hooks; any may be empty. Order: setup, pre_start; on stop:
/// children stopped, post_stop; on restart: pre_restart, children stopped,
/// setup, pre_start, post_restart.
template <class M>
struct Lifecycle {
  std::function<void(ActorContext<M>&)> pre_start = {};
  std::function<void(ActorContext<M>&)> post_stop = {};
  std::function<void(ActorContext<M>&)> pre_restart = {};
  std::function<void(ActorContext<M>&)> post_restart = {};
};

namespace detail {
struct SpyConfig;
template <class M>
struct BehaviorImpl;
}  // namespace detail

template <class M>
class Behavior {
 public:
  enum class Tag : std::uint8_t {
    same,
    receive,
    setup,
    stopped,
    unhandled,
    ignore,
    restart,
    decorated
  };
  using Handler = std::function<Behavior(ActorContext<M>&, M&)>;
  using SignalHandler = std::function<Behavior(ActorContext<M>&, const Terminated&)>;
  using Factory = std::function<Behavior(ActorContext<M>&)>;

  Behavior() = default;  ///< same()
  Behavior(Tag tag, std::shared_ptr<const detail::BehaviorImpl<M>> impl)
      : tag_(tag), impl_(std::move(impl)) {}

  [[nodiscard]] Tag tag() const noexcept { return tag_; }
  [[nodiscard]] const detail::BehaviorImpl<M>& impl() const noexcept { return *impl_; }

 private:
  Tag tag_ = Tag::same;
  std::shared_ptr<const detail::BehaviorImpl<M>> impl_;
};

namespace detail {

/// What decorators add; merged into the actor when it starts.
template <class M>
struct Decoration {
  std::shared_ptr<const Lifecycle<M>> lifecycle;
  std::shared_ptr<const SupervisorStrategy> strategy;
  std::shared_ptr<const SpyConfig> spy;
  std::string service_key;  ///< receptionist key id; empty when none
};

template <class M>
struct BehaviorImpl {
  typename Behavior<M>::Handler on_message;
  typename Behavior<M>::SignalHandler on_signal;
  typename Behavior<M>::Factory on_setup;
  Behavior<M> inner;  // decorated only
  Decoration<M> decoration;
};

template <class M>
Behavior<M> decorate(Behavior<M> inner, Decoration<M> decoration) {
  auto impl = std::make_shared<BehaviorImpl<M>>();
  impl->inner = std::move(inner);
  impl->decoration = std::move(decoration);
  return Behavior<M>(Behavior<M>::Tag::decorated, std::move(impl));
}

}  // namespace detail

/// Handles each message with `handler(ctx, msg)`, which returns the next behavior.
template <class M, class Handler>
Behavior<M> receive(Handler handler) {
  auto impl = std::make_shared<detail::BehaviorImpl<M>>();
  impl->on_message = std::move(handler);
  return Behavior<M>(Behavior<M>::Tag::receive, std::move(impl));
}

/// As receive(handler), with a handler for Terminated signals of watched actors.
template <class M, class Handler, class SignalHandler>
Behavior<M> receive(Handler handler, SignalHandler on_signal) {
  auto impl = std::make_shared<detail::BehaviorImpl<M>>();
  impl->on_message = std::move(handler);
  impl->on_signal = std::move(on_signal);
  return Behavior<M>(Behavior<M>::Tag::receive, std::move(impl));
}

/// Runs `factory(ctx)` when the actor starts and on every restart; state
/// created there is reset by a restart.
template <class M, class Factory>
Behavior<M> setup(Factory factory) {
  auto impl = std::make_shared<detail::BehaviorImpl<M>>();
  impl->on_setup = std::move(factory);
  return Behavior<M>(Behavior<M>::Tag::setup, std::move(impl));
}

/// Keep the current behavior. Free: no allocation.
template <class M>
Behavior<M> same() {
  return Behavior<M>();
}
/// Stop the actor (children first, then post_stop).
template <class M>
Behavior<M> stopped() {
  return Behavior<M>(Behavior<M>::Tag::stopped, nullptr);
}
/// The message was not understood: published as UnhandledMessage; behavior kept.
template <class M>
Behavior<M> unhandled() {
  return Behavior<M>(Behavior<M>::Tag::unhandled, nullptr);
}
/// Drop every message silently from now on.
template <class M>
Behavior<M> ignore() {
  return Behavior<M>(Behavior<M>::Tag::ignore, nullptr);
}
/// Restart the actor as if it failed with a restart directive (limits apply).
template <class M>
Behavior<M> restart() {
  return Behavior<M>(Behavior<M>::Tag::restart, nullptr);
}

template <class M>
Behavior<M> with_lifecycle(Behavior<M> behavior, Lifecycle<M> hooks) {
  detail::Decoration<M> decoration;
  decoration.lifecycle = std::make_shared<const Lifecycle<M>>(std::move(hooks));
  return detail::decorate(std::move(behavior), std::move(decoration));
}

/// Failures of the actor running `behavior` are handled by `strategy`
/// (without it, a failure stops the actor).
template <class M>
Behavior<M> supervise(Behavior<M> behavior, SupervisorStrategy strategy) {
  detail::Decoration<M> decoration;
  decoration.strategy = std::make_shared<const SupervisorStrategy>(std::move(strategy));
  return detail::decorate(std::move(behavior), std::move(decoration));
}

}  // namespace weft::actor
