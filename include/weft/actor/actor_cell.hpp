#pragma once
// ActorCell<M>: the typed half of an actor. It turns tells into pooled
// envelopes, runs the current behavior on each one, applies decorations
// (lifecycle, supervision, spy, receptionist) and interprets what a handler
// returns. The protocols live in CellBase (cell_base.hpp).
#include <any>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>

#include "weft/actor/cell_base.hpp"
#include "weft/actor/context.hpp"
#include "weft/actor/errors.hpp"
#include "weft/actor/events.hpp"
#include "weft/actor/node_pool.hpp"
#include "weft/actor/spy.hpp"
#include "weft/actor/system_core.hpp"
#include "weft/core/clock.hpp"

namespace weft::actor::detail {

template <class M>
struct Envelope final : MailboxNode {
  M message;
  explicit Envelope(M&& m) : message(std::move(m)) {}
};

template <class M>
struct TimerEnvelope final : MailboxNode {
  std::string key;
  std::uint64_t generation;
  M message;
  TimerEnvelope(std::string k, std::uint64_t g, M m)
      : key(std::move(k)), generation(g), message(std::move(m)) {
    kind = NodeKind::timer;
  }
};

template <class M>
class ActorCell final : public CellBase, public Target<M> {
 public:
  ActorCell(SystemCore& core, std::shared_ptr<CellBase> parent, std::string name,
            MailboxConfig mailbox, Behavior<M> initial)
      : CellBase(core, std::move(parent), std::move(name), mailbox), initial_(std::move(initial)) {}

  ~ActorCell() override {
    drain_mailbox([](MailboxNode* node) { free_node(node); });
  }

  // --- Target<M> / RefTarget, @threadsafe ---
  TellStatus deliver(M&& message) override {
    auto* envelope = pool_new<Envelope<M>>(std::move(message));
    switch (mailbox().push(envelope)) {
      case PushResult::queued:
        return TellStatus::delivered;
      case PushResult::must_schedule:
        core().scheduler->schedule(static_cast<CellBase*>(this));
        return TellStatus::delivered;
      case PushResult::closed:
        publish_dead_letter(envelope->message);
        pool_delete(envelope);
        return TellStatus::dead;
      case PushResult::dropped:
        publish_dropped(envelope->message);
        pool_delete(envelope);
        return TellStatus::dropped;
      case PushResult::rejected:
        pool_delete(envelope);
        return TellStatus::rejected;
    }
    return TellStatus::dead;
  }
  [[nodiscard]] const std::string& path() const noexcept override { return cell_path(); }
  CellBase* cell() noexcept override { return this; }
  SystemCore& system() noexcept override { return core(); }
  AnyRef any_ref() override { return AnyRef(typed_self()); }

  /// From the timer thread: queues a timer's message. @threadsafe
  void deliver_timer(const std::string& key, std::uint64_t generation, M message) {
    auto* envelope = pool_new<TimerEnvelope<M>>(key, generation, std::move(message));
    switch (mailbox().push(envelope)) {
      case PushResult::must_schedule:
        core().scheduler->schedule(static_cast<CellBase*>(this));
        break;
      case PushResult::queued:
        break;
      default:  // dead or full: a timer tick is not worth a dead letter
        pool_delete(envelope);
        break;
    }
  }

  // --- for ActorContext / TimerScheduler, in our turn ---
  const ActorRef<M>& self_ref() const noexcept { return self_; }
  ActorContext<M>& context() noexcept { return context_; }
  using CellBase::stop_self;
  using CellBase::timer_table;
  using CellBase::unwatch;
  using CellBase::watch;

  void watch_with(const std::shared_ptr<CellBase>& target, M message) {
    watch_messages_.insert_or_assign(target.get(), std::move(message));
    watch(target);
  }
  void forget_watch_message(CellBase* target) { watch_messages_.erase(target); }

  template <class C>
  Behavior<C> decorate_child(Behavior<C> behavior) const {
    if (spy_ && spy_->spy_children) return spy(std::move(behavior), spy_->observer, true);
    return behavior;
  }

 protected:
  void on_start() override {
    self_ = ActorRef<M>(typed_self());
    current_ = Behavior<M>(Behavior<M>::Tag::unhandled, nullptr);
    become(std::move(canonical(initial_)), nullptr);
    if (lifecycle_ && lifecycle_->pre_start) lifecycle_->pre_start(context_);
  }

  void on_message(MailboxNode* node) override {
    if (node->kind == NodeKind::timer) {
      auto* envelope = static_cast<TimerEnvelope<M>*>(node);
      if (timer_table().accept(envelope->key, envelope->generation)) invoke(envelope->message);
      pool_delete(envelope);
      return;
    }
    auto* envelope = static_cast<Envelope<M>*>(node);
    invoke(envelope->message);
    pool_delete(envelope);
  }

  void on_dead_letter(MailboxNode* node) override {
    if (node->kind == NodeKind::user) publish_dead_letter(static_cast<Envelope<M>*>(node)->message);
    free_node(node);
  }

  void on_dropped(MailboxNode* node) override {
    if (node->kind == NodeKind::user) publish_dropped(static_cast<Envelope<M>*>(node)->message);
    free_node(node);
  }

  void on_terminated(CellBase& watched) override {
    if (auto it = watch_messages_.find(&watched); it != watch_messages_.end()) {
      M message = std::move(it->second);
      watch_messages_.erase(it);
      invoke(message);
      return;
    }
    Terminated signal{watched.any_ref()};
    if (spy_) report(std::any(signal));
    if (current_.tag() != Behavior<M>::Tag::receive || !current_.impl().on_signal) {
      if (current_.tag() != Behavior<M>::Tag::ignore) publish_unhandled(signal);
      return;
    }
    Behavior<M> next;
    try {
      next = current_.impl().on_signal(context_, signal);
    } catch (...) {
      fail(std::current_exception());
      return;
    }
    become(std::move(next), nullptr);
  }

  void on_pre_restart() override {
    if (lifecycle_ && lifecycle_->pre_restart) lifecycle_->pre_restart(context_);
  }

  void on_restart() override {
    current_ = Behavior<M>(Behavior<M>::Tag::unhandled, nullptr);
    become(canonical(initial_), nullptr);
    if (lifecycle_ && lifecycle_->pre_start) lifecycle_->pre_start(context_);
    if (lifecycle_ && lifecycle_->post_restart) lifecycle_->post_restart(context_);
  }

  void on_post_stop() override {
    if (lifecycle_ && lifecycle_->post_stop) lifecycle_->post_stop(context_);
  }

  void on_dead() override {
    // Behaviors and hooks may capture refs to us: drop them to break cycles.
    current_ = Behavior<M>();
    initial_ = Behavior<M>();
    lifecycle_.reset();
    spy_.reset();
    watch_messages_.clear();
    self_ = ActorRef<M>();
  }

 private:
  static void free_node(MailboxNode* node) noexcept {
    if (node->kind == NodeKind::timer) {
      pool_delete(static_cast<TimerEnvelope<M>*>(node));
    } else {
      pool_delete(static_cast<Envelope<M>*>(node));
    }
  }

  std::shared_ptr<Target<M>> typed_self() {
    return std::static_pointer_cast<ActorCell>(shared_from_this());
  }

  // The hot path: one behavior call per message; same() allocates nothing.
  void invoke(M& message) {
    if (spy_) report(any_copy(message));
    switch (current_.tag()) {
      case Behavior<M>::Tag::receive:
        break;
      case Behavior<M>::Tag::ignore:
        return;
      default:
        publish_unhandled(message);
        return;
    }
    Behavior<M> next;
    try {
      next = current_.impl().on_message(context_, message);
    } catch (...) {
      fail(std::current_exception());
      return;
    }
    if (next.tag() != Behavior<M>::Tag::same) become(std::move(next), &message);
  }

  /// Unwraps decorations and runs setups until a plain behavior is left.
  Behavior<M> canonical(Behavior<M> behavior) {
    for (;;) {
      switch (behavior.tag()) {
        case Behavior<M>::Tag::decorated: {
          apply(behavior.impl().decoration);
          Behavior<M> inner = behavior.impl().inner;
          behavior = std::move(inner);
          break;
        }
        case Behavior<M>::Tag::setup: {
          Behavior<M> produced = behavior.impl().on_setup(context_);
          behavior = std::move(produced);
          break;
        }
        default:
          return behavior;
      }
    }
  }

  void apply(const Decoration<M>& decoration) {
    if (decoration.lifecycle) lifecycle_ = decoration.lifecycle;
    if (decoration.strategy) set_strategy(decoration.strategy);
    if (decoration.spy) spy_ = decoration.spy;
    if (!decoration.service_key.empty()) {
      discoverable_ = true;
      core().receptionist.add(decoration.service_key, any_ref());
    }
  }

  void become(Behavior<M> next, M* message) {
    switch (next.tag()) {
      case Behavior<M>::Tag::same:
        return;
      case Behavior<M>::Tag::unhandled:
        if (message != nullptr) publish_unhandled(*message);
        return;
      case Behavior<M>::Tag::stopped:
        stop_self();
        return;
      case Behavior<M>::Tag::restart:
        fail(std::make_exception_ptr(
                 weft::error("restart requested by the behavior of " + cell_path())),
             true);
        return;
      case Behavior<M>::Tag::receive:
      case Behavior<M>::Tag::ignore:
        current_ = std::move(next);
        return;
      case Behavior<M>::Tag::setup:
      case Behavior<M>::Tag::decorated:
        try {
          become(canonical(std::move(next)), message);
        } catch (...) {
          fail(std::current_exception());
        }
        return;
    }
  }

  void report(std::any event) {
    spy_->observer.tell(SpyEvent{cell_path(), std::move(event), weft::clock::mono_nanos()});
  }

  template <class T>
  void publish_unhandled(const T& message) {
    if (core().events.has_subscribers()) {
      core().events.publish(UnhandledMessage{cell_path(), type_name<T>(), any_copy(message)});
    }
  }
  void publish_dead_letter(const M& message) {
    if (core().events.has_subscribers())
      core().events.publish(DeadLetter{cell_path(), type_name<M>(), any_copy(message)});
  }
  void publish_dropped(const M& message) {
    if (core().events.has_subscribers()) {
      core().events.publish(MessageDropped{cell_path(), type_name<M>(), any_copy(message)});
    }
  }

  Behavior<M> initial_;
  Behavior<M> current_;
  ActorRef<M> self_;
  ActorContext<M> context_{*this};
  std::shared_ptr<const Lifecycle<M>> lifecycle_;
  std::shared_ptr<const SpyConfig> spy_;
  std::unordered_map<CellBase*, M> watch_messages_;
};

/// Creates, registers under `parent` and starts an actor. Throws
/// invalid_actor_name for a taken or malformed name.
template <class C>
ActorRef<C> spawn_cell(SystemCore& core, const std::shared_ptr<CellBase>& parent, std::string name,
                       Behavior<C> behavior, MailboxConfig mailbox) {
  auto cell =
      std::make_shared<ActorCell<C>>(core, parent, std::move(name), mailbox, std::move(behavior));
  parent->add_child(cell);
  cell->send_system({SystemMessage::Kind::start, nullptr, nullptr});
  return ActorRef<C>(std::static_pointer_cast<Target<C>>(cell));
}

}  // namespace weft::actor::detail

namespace weft::actor {

template <class M>
const ActorRef<M>& ActorContext<M>::self() const noexcept {
  return cell_.self_ref();
}

template <class M>
const std::string& ActorContext<M>::path() const noexcept {
  return cell_.cell_path();
}

template <class M>
template <class C>
ActorRef<C> ActorContext<M>::spawn(Behavior<C> behavior, std::string name, MailboxConfig mailbox) {
  if (!name.empty() && name.front() == '$') {
    throw invalid_actor_name("actor name '" + name + "' under '" + path() +
                             "/': names starting with '$' are reserved");
  }
  return detail::spawn_cell<C>(cell_.core(), cell_.shared_from_this(), std::move(name),
                               cell_.decorate_child(std::move(behavior)), mailbox);
}

template <class M>
template <class C>
ActorRef<C> ActorContext<M>::spawn_anonymous(Behavior<C> behavior, MailboxConfig mailbox) {
  return detail::spawn_cell<C>(cell_.core(), cell_.shared_from_this(), cell_.anonymous_name(),
                               cell_.decorate_child(std::move(behavior)), mailbox);
}

template <class M>
bool ActorContext<M>::stop(const AnyRef& child) {
  if (!child.valid()) return false;
  detail::CellBase* target = child.target()->cell();
  if (target == nullptr) return false;
  auto registered = cell_.child(target->name());
  if (registered.get() != target) return false;
  registered->send_system({detail::SystemMessage::Kind::stop, nullptr, nullptr});
  return true;
}

template <class M>
std::vector<AnyRef> ActorContext<M>::children() const {
  std::vector<AnyRef> out;
  for (const auto& cell : cell_.children()) out.push_back(cell->any_ref());
  return out;
}

template <class M>
std::optional<AnyRef> ActorContext<M>::child(std::string_view name) const {
  if (auto cell = cell_.child(name)) return cell->any_ref();
  return std::nullopt;
}

template <class M>
void ActorContext<M>::watch(const AnyRef& actor) {
  if (actor.valid() && actor.target()->cell() != nullptr)
    cell_.watch(actor.target()->cell()->shared_from_this());
}

template <class M>
void ActorContext<M>::watch_with(const AnyRef& actor, M message) {
  if (actor.valid() && actor.target()->cell() != nullptr) {
    cell_.watch_with(actor.target()->cell()->shared_from_this(), std::move(message));
  }
}

template <class M>
void ActorContext<M>::unwatch(const AnyRef& actor) {
  if (!actor.valid() || actor.target()->cell() == nullptr) return;
  cell_.forget_watch_message(actor.target()->cell());
  cell_.unwatch(actor.target()->cell());
}

template <class M>
EventStream& ActorContext<M>::events() noexcept {
  return cell_.core().events;
}

template <class M>
Receptionist& ActorContext<M>::receptionist() noexcept {
  return cell_.core().receptionist;
}

template <class M>
spdlog::logger& ActorContext<M>::logger() const noexcept {
  return *cell_.core().logger;
}

template <class M>
void TimerScheduler<M>::start_single(const std::string& key, M message,
                                     std::chrono::nanoseconds delay) {
  std::weak_ptr<detail::CellBase> weak = cell_.weak_from_this();
  cell_.timer_table().arm(key, delay, std::chrono::nanoseconds{0},
                          [weak, key, message = std::move(message)](std::uint64_t generation) {
                            if (auto cell = weak.lock()) {
                              static_cast<detail::ActorCell<M>&>(*cell).deliver_timer(
                                  key, generation, message);
                            }
                          });
}

template <class M>
void TimerScheduler<M>::start_periodic(const std::string& key, M message,
                                       std::chrono::nanoseconds interval) {
  std::weak_ptr<detail::CellBase> weak = cell_.weak_from_this();
  cell_.timer_table().arm(
      key, interval, interval, [weak, key, message = std::move(message)](std::uint64_t generation) {
        if (auto cell = weak.lock())
          static_cast<detail::ActorCell<M>&>(*cell).deliver_timer(key, generation, message);
      });
}

template <class M>
bool TimerScheduler<M>::cancel(const std::string& key) {
  return cell_.timer_table().cancel(key);
}

template <class M>
void TimerScheduler<M>::cancel_all() {
  cell_.timer_table().cancel_all();
}

template <class M>
bool TimerScheduler<M>::is_active(const std::string& key) const {
  return cell_.timer_table().active(key);
}

}  // namespace weft::actor
