// The untyped actor protocols: turns, system messages, stop, restart, watch.
#include "weft/actor/cell_base.hpp"

#include <algorithm>

#include "weft/actor/errors.hpp"
#include "weft/actor/node_pool.hpp"
#include "weft/actor/system_core.hpp"

namespace weft::actor::detail {
namespace {

std::string describe(const std::exception_ptr& failure) {
  try {
    if (failure) std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "non-standard exception";
  }
  return "no exception";
}

std::string child_path(const std::shared_ptr<CellBase>& parent, const std::string& name) {
  return parent ? parent->cell_path() + "/" + name : name;
}

}  // namespace

CellBase::CellBase(SystemCore& core, std::shared_ptr<CellBase> parent, std::string name,
                   MailboxConfig mailbox)
    : core_(core),
      parent_(std::move(parent)),
      name_(std::move(name)),
      path_(child_path(parent_, name_)),
      mailbox_(mailbox),
      timers_(*core.timers) {}

CellBase::~CellBase() {
  drain_mailbox([](MailboxNode* node) { free_wake(node); });  // only wake nodes can remain here
}

void CellBase::free_wake(MailboxNode* node) noexcept {
  pool_delete(node);
}

void CellBase::send_system(SystemMessage message) {
  // A stop overtakes every user message, so none queued from now on would be
  // handled: refuse them at once, or a fast sender piles them up (unbounded,
  // all to be drained as dead letters) until our turn comes.
  if (message.kind == SystemMessage::Kind::stop) mailbox_.refuse_user();
  bool queued = false;
  {
    std::lock_guard lock(system_mutex_);
    if (!system_closed_) {
      system_queue_.push_back(std::move(message));
      queued = true;
    }
  }
  if (!queued) {
    handle_when_dead(message);  // we are dead: answer on the sender's thread
    return;
  }
  // release: pairs with the acquire load in turn().
  has_system_.store(true, std::memory_order_release);
  auto* wake = pool_new<MailboxNode>();
  wake->kind = NodeKind::wake;
  switch (mailbox_.push(wake)) {
    case PushResult::must_schedule:
      core_.scheduler->schedule(this);
      break;
    case PushResult::queued:
      break;
    default:  // closed: we died meanwhile; the leftover was handled by finish_terminate
      pool_delete(wake);
      break;
  }
}

std::shared_ptr<CellBase> CellBase::child(std::string_view name) const {
  std::lock_guard lock(children_mutex_);
  auto it = children_.find(name);
  return it == children_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<CellBase>> CellBase::children() const {
  std::lock_guard lock(children_mutex_);
  std::vector<std::shared_ptr<CellBase>> out;
  out.reserve(children_.size());
  for (const auto& [name, cell] : children_) out.push_back(cell);
  return out;
}

bool CellBase::has_children() const {
  std::lock_guard lock(children_mutex_);
  return !children_.empty();
}

void CellBase::add_child(const std::shared_ptr<CellBase>& child) {
  const std::string& name = child->name();
  if (name.empty() || name.find('/') != std::string::npos) {
    throw invalid_actor_name("invalid actor name '" + name + "' under '" + path_ +
                             "/': must be non-empty without '/'");
  }
  std::lock_guard lock(children_mutex_);
  if (children_closed_)
    throw system_stopped("cannot spawn '" + child->cell_path() + "': its parent is stopping");
  if (!children_.emplace(name, child).second) {
    throw invalid_actor_name("actor name '" + name + "' is already taken under '" + path_ + "/'");
  }
}

std::string CellBase::anonymous_name() {
  // Built by append: GCC 12 at -O3 misreports "literal" + std::string (-Wrestrict).
  std::string name("$");
  name.append(std::to_string(
      anonymous_counter_.fetch_add(1, std::memory_order_relaxed)));  // relaxed: a counter
  return name;
}

void CellBase::remove_child(const std::shared_ptr<CellBase>& child) {
  std::lock_guard lock(children_mutex_);
  auto it = children_.find(child->name());
  if (it != children_.end() && it->second == child) children_.erase(it);
}

Schedulable::Turn CellBase::run_turn(std::size_t throughput) noexcept {
  switch (turn(throughput)) {
    case TurnEnd::idle:
      return Turn::done;  // touch nothing now: the next push may already run us elsewhere
    case TurnEnd::more:
      return Turn::more;
    case TurnEnd::died:
      break;
  }
  // Our parent may already have dropped its reference: this local is then
  // the last one and frees us on return. Our mailbox is closed, so no other
  // thread runs us.
  std::shared_ptr<CellBase> keep = std::move(dying_keepalive_);
  return Turn::done;
}

CellBase::TurnEnd CellBase::turn(std::size_t throughput) {
  std::size_t handled = 0;
  while (handled < throughput) {
    // acquire: pairs with the release store in send_system().
    if (has_system_.load(std::memory_order_acquire)) {
      drain_system();
      if (life_ == Life::dead) return TurnEnd::died;
    }
    if (life_ != Life::running) {
      // User messages wait in the cache for the restart. What we take may be
      // the wake node of a system message queued since the check above (or
      // by our own handlers): blocking now would leave that message until the
      // next push, which for a guardian awaiting its last child never comes.
      mailbox_.take_pending();
      // acquire: pairs with the release store in send_system(), made before
      // the push of the wake node that take_pending() may just have taken.
      if (has_system_.load(std::memory_order_acquire)) continue;
      if (mailbox_.try_block()) return TurnEnd::idle;
      ++handled;  // new user messages: a flood of them must not hold the worker forever
      continue;
    }
    MailboxNode* node = mailbox_.pop();
    if (node == nullptr) {
      if (mailbox_.try_block()) return TurnEnd::idle;
      continue;
    }
    if (node->kind == NodeKind::wake) {
      free_wake(node);
      continue;
    }
    ++handled;
    if (mailbox_.over_capacity()) {
      on_dropped(node);
      continue;
    }
    on_message(node);
    if (life_ == Life::dead) return TurnEnd::died;
  }
  return TurnEnd::more;
}

void CellBase::drain_system() {
  std::vector<SystemMessage> batch;
  {
    std::lock_guard lock(system_mutex_);
    batch.swap(system_queue_);
    // relaxed: under the lock; a later sender sets it again after pushing.
    has_system_.store(false, std::memory_order_relaxed);
  }
  for (auto& message : batch) {
    if (life_ == Life::dead) {
      handle_when_dead(message);
    } else {
      handle(message);
    }
  }
}

void CellBase::handle(SystemMessage& message) {
  using Kind = SystemMessage::Kind;
  switch (message.kind) {
    case Kind::start:
      if (life_ != Life::created) break;
      life_ = Life::running;
      try {
        on_start();
        if (core_.events.has_subscribers()) core_.events.publish(ActorStarted{path_});
      } catch (...) {
        fail(std::current_exception());
      }
      break;
    case Kind::stop:
      stop_self();
      break;
    case Kind::watch: {
      auto same = [&](const std::weak_ptr<CellBase>& w) { return w.lock() == message.other; };
      if (message.other && std::none_of(watchers_.begin(), watchers_.end(), same))
        watchers_.push_back(message.other);
      break;
    }
    case Kind::unwatch:
      std::erase_if(watchers_,
                    [&](const std::weak_ptr<CellBase>& w) { return w.lock() == message.other; });
      break;
    case Kind::death_notice:
      if (message.other && watching_.erase(message.other.get()) != 0) on_terminated(*message.other);
      break;
    case Kind::child_terminated:
      if (message.other) remove_child(message.other);
      if (life_ == Life::terminating && !has_children()) {
        finish_terminate();
      } else {
        maybe_finish_restart();
      }
      break;
    case Kind::failed:
      if (parent_ != nullptr && life_ == Life::running)
        fail(message.failure);  // the guardian has no parent
      break;
    case Kind::backoff_elapsed:
      backoff_pending_ = false;
      maybe_finish_restart();
      break;
  }
}

void CellBase::handle_when_dead(SystemMessage& message) {
  if (message.kind != SystemMessage::Kind::watch || !message.other) return;
  // Watching a dead actor: the watcher hears of the death at once.
  if (auto self = weak_from_this().lock()) {
    message.other->send_system({SystemMessage::Kind::death_notice, std::move(self), nullptr});
  }
}

void CellBase::stop_self() {
  if (life_ == Life::terminating || life_ == Life::dead) return;
  life_ = Life::terminating;
  mailbox_.refuse_user();  // stopped by a behavior or a failure: as in send_system()
  timers_.cancel_all();
  std::vector<std::shared_ptr<CellBase>> kids;
  {
    std::lock_guard lock(children_mutex_);
    children_closed_ = true;
    for (const auto& [name, cell] : children_) kids.push_back(cell);
  }
  for (const auto& kid : kids) kid->send_system({SystemMessage::Kind::stop, nullptr, nullptr});
  if (kids.empty()) finish_terminate();
}

void CellBase::finish_terminate() {
  dying_keepalive_ = shared_from_this();
  try {
    on_post_stop();
  } catch (...) {
    core_.logger->error("{}: post_stop failed: {}", path_, describe(std::current_exception()));
  }
  life_ = Life::dead;
  timers_.cancel_all();
  std::vector<SystemMessage> leftover;
  {
    std::lock_guard lock(system_mutex_);
    system_closed_ = true;
    leftover.swap(system_queue_);
  }
  for (auto& message : leftover) handle_when_dead(message);
  drain_mailbox([this](MailboxNode* node) { on_dead_letter(node); });

  for (const auto& weak_watcher : watchers_) {
    if (auto watcher = weak_watcher.lock()) {
      watcher->send_system({SystemMessage::Kind::death_notice, dying_keepalive_, nullptr});
    }
  }
  watchers_.clear();
  watching_.clear();
  if (discoverable_) core_.receptionist.remove_all(any_ref());
  if (core_.events.has_subscribers()) core_.events.publish(ActorStopped{path_});
  // release: pairs with the acquire in terminated().
  terminated_.store(true, std::memory_order_release);
  on_dead();
  if (parent_) {
    parent_->send_system({SystemMessage::Kind::child_terminated, dying_keepalive_, nullptr});
    parent_.reset();
  }
}

void CellBase::fail(std::exception_ptr failure, bool forced_restart) {
  if (life_ == Life::terminating || life_ == Life::dead) return;
  const Directive directive = forced_restart
                                  ? Directive::restart
                                  : (strategy_ ? strategy_->decide(failure) : Directive::stop);
  core_.logger->log(directive == Directive::resume ? spdlog::level::debug : spdlog::level::warn,
                    "{} failed ({}): {}", path_, to_string(directive), describe(failure));
  switch (directive) {
    case Directive::resume:
      break;
    case Directive::stop:
      stop_self();
      break;
    case Directive::escalate:
      if (parent_) parent_->send_system({SystemMessage::Kind::failed, shared_from_this(), failure});
      stop_self();
      break;
    case Directive::restart:
      begin_restart(failure);
      break;
  }
}

void CellBase::begin_restart(const std::exception_ptr& failure) {
  if (strategy_ && !restarts_.admit(*strategy_, core_.now())) {
    core_.logger->warn("{}: more than {} restarts within the window: stopping", path_,
                       strategy_->max_restarts());
    stop_self();
    return;
  }
  try {
    on_pre_restart();
  } catch (...) {
    core_.logger->error("{}: pre_restart failed: {}", path_, describe(std::current_exception()));
  }
  life_ = Life::restarting;
  restart_reason_ = describe(failure);
  timers_.cancel_all();
  for (const auto& kid : children())
    kid->send_system({SystemMessage::Kind::stop, nullptr, nullptr});
  const auto delay =
      strategy_ ? strategy_->backoff(restarts_.count()) : std::chrono::nanoseconds{0};
  if (delay.count() > 0) {
    backoff_pending_ = true;
    std::weak_ptr<CellBase> weak = weak_from_this();
    core_.timers->schedule(delay, std::chrono::nanoseconds{0}, [weak] {
      if (auto cell = weak.lock())
        cell->send_system({SystemMessage::Kind::backoff_elapsed, nullptr, nullptr});
    });
  }
  maybe_finish_restart();
}

void CellBase::maybe_finish_restart() {
  if (life_ != Life::restarting || backoff_pending_ || has_children()) return;
  life_ = Life::running;
  try {
    on_restart();
    if (core_.events.has_subscribers())
      core_.events.publish(ActorRestarted{path_, restart_reason_});
  } catch (...) {
    fail(std::current_exception());
  }
}

void CellBase::watch(const std::shared_ptr<CellBase>& target) {
  if (!target || target.get() == this) return;
  if (!watching_.emplace(target.get(), target).second) return;  // one Terminated per watch
  target->send_system({SystemMessage::Kind::watch, shared_from_this(), nullptr});
}

void CellBase::unwatch(CellBase* target) {
  auto it = watching_.find(target);
  if (it == watching_.end()) return;
  auto cell = std::move(it->second);
  watching_.erase(it);
  cell->send_system({SystemMessage::Kind::unwatch, shared_from_this(), nullptr});
}

}  // namespace weft::actor::detail
