#pragma once
// The untyped part of an actor: mailbox and turn loop, system messages,
// the child tree, death watch, supervision and the stop/restart protocols.
// The typed ActorCell<M> (actor_cell.hpp) adds behaviors and messages.
//
// Everything not marked @threadsafe runs in the actor's own turn, which the
// mailbox guarantees is on one thread at a time.
#include <atomic>
#include <chrono>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "weft/actor/actor_ref.hpp"
#include "weft/actor/mailbox.hpp"
#include "weft/actor/scheduler.hpp"
#include "weft/actor/supervision.hpp"
#include "weft/actor/timers.hpp"

namespace weft::actor::detail {

struct SystemCore;

/// Messages of the runtime itself; they overtake user messages.
struct SystemMessage {
  enum class Kind : std::uint8_t {
    start,             // run setup and pre_start
    stop,              // stop: children first
    watch,             // `other` watches us
    unwatch,           // `other` no longer watches us
    death_notice,      // `other`, which we watch, stopped
    child_terminated,  // our child `other` stopped
    failed,            // our child `other` escalated `failure`
    backoff_elapsed    // a restart's backoff delay is over
  };
  Kind kind;
  std::shared_ptr<class CellBase> other;
  std::exception_ptr failure;
};

class CellBase : public Schedulable, public std::enable_shared_from_this<CellBase> {
 public:
  CellBase(SystemCore& core, std::shared_ptr<CellBase> parent, std::string name,
           MailboxConfig mailbox);
  ~CellBase() override;
  CellBase(const CellBase&) = delete;
  CellBase& operator=(const CellBase&) = delete;

  [[nodiscard]] const std::string& cell_path() const noexcept { return path_; }
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] SystemCore& core() const noexcept { return core_; }
  /// The typed address of this actor. @threadsafe
  virtual AnyRef any_ref() = 0;

  /// Queues a system message and schedules the actor if needed. @threadsafe
  void send_system(SystemMessage message);
  /// True once the actor has stopped for good. @threadsafe
  [[nodiscard]] bool terminated() const noexcept {
    return terminated_.load(std::memory_order_acquire);
  }

  /// Child by name. @threadsafe
  [[nodiscard]] std::shared_ptr<CellBase> child(std::string_view name) const;
  /// Current children. @threadsafe
  [[nodiscard]] std::vector<std::shared_ptr<CellBase>> children() const;
  /// Registers a new child; throws invalid_actor_name (taken or malformed name)
  /// or system_stopped (we are stopping). Our turn, or the system for the guardian.
  void add_child(const std::shared_ptr<CellBase>& child);
  /// A fresh "$<n>" name for an anonymous child. @threadsafe
  std::string anonymous_name();

  Turn run_turn(std::size_t throughput) noexcept override;

 protected:
  /// Drains a never-completed mailbox (teardown); the typed destructor calls it.
  template <class FreeUser>
  void drain_mailbox(FreeUser free_user) noexcept {
    for (MailboxNode* node = mailbox_.close(); node != nullptr;) {
      MailboxNode* next = node->next;
      if (node->kind == NodeKind::wake) {
        free_wake(node);
      } else {
        free_user(node);
      }
      node = next;
    }
  }
  static void free_wake(MailboxNode* node) noexcept;

  // --- called by the typed part, in our turn ---
  /// Stops this actor: children first, then post_stop, watchers, parent.
  void stop_self();
  /// Handles a failure under the supervision strategy (forced: a restart() behavior).
  void fail(std::exception_ptr failure, bool forced_restart = false);
  void watch(const std::shared_ptr<CellBase>& target);
  void unwatch(CellBase* target);
  void set_strategy(std::shared_ptr<const SupervisorStrategy> strategy) {
    strategy_ = std::move(strategy);
  }
  [[nodiscard]] bool running() const noexcept { return life_ == Life::running; }
  Mailbox& mailbox() noexcept { return mailbox_; }
  TimerTable& timer_table() noexcept { return timers_; }
  bool discoverable_ = false;  // registered with the receptionist: deregister on stop

  // --- implemented by the typed part, called in our turn ---
  virtual void on_start() = 0;                         // may throw: a failure
  virtual void on_message(MailboxNode* node) = 0;      // runs the behavior, frees the node
  virtual void on_dead_letter(MailboxNode* node) = 0;  // frees the node
  virtual void on_dropped(MailboxNode* node) = 0;      // frees the node
  virtual void on_terminated(CellBase& watched) = 0;
  virtual void on_pre_restart() = 0;
  virtual void on_restart() = 0;  // may throw: a failure
  virtual void on_post_stop() = 0;
  virtual void on_dead() = 0;  // drop behaviors and closures (they may hold refs back to us)

 private:
  enum class Life : std::uint8_t { created, running, restarting, terminating, dead };

  enum class TurnEnd : std::uint8_t { idle, more, died };
  TurnEnd turn(std::size_t throughput);

  void drain_system();
  void handle(SystemMessage& message);
  void handle_when_dead(SystemMessage& message);
  void begin_restart(const std::exception_ptr& failure);
  void maybe_finish_restart();
  void finish_terminate();
  void remove_child(const std::shared_ptr<CellBase>& child);
  [[nodiscard]] bool has_children() const;

  SystemCore& core_;
  std::shared_ptr<CellBase> parent_;  // reset when we die
  const std::string name_;
  const std::string path_;
  Mailbox mailbox_;

  alignas(cache_line) std::atomic<bool> has_system_{
      false};  // set by senders; pairs with run_turn's acquire
  std::mutex system_mutex_;
  std::vector<SystemMessage> system_queue_;  // guarded by system_mutex_
  bool system_closed_ = false;               // guarded by system_mutex_

  mutable std::mutex children_mutex_;
  std::map<std::string, std::shared_ptr<CellBase>, std::less<>>
      children_;                  // guarded by children_mutex_
  bool children_closed_ = false;  // guarded by children_mutex_
  std::atomic<std::uint64_t> anonymous_counter_{0};

  // Turn-only state.
  Life life_ = Life::created;
  bool backoff_pending_ = false;
  std::vector<std::weak_ptr<CellBase>> watchers_;
  std::unordered_map<CellBase*, std::shared_ptr<CellBase>> watching_;
  std::shared_ptr<const SupervisorStrategy> strategy_;
  RestartHistory restarts_;
  std::string restart_reason_;
  TimerTable timers_;
  std::shared_ptr<CellBase> dying_keepalive_;  // holds us until our final turn returns
  std::atomic<bool> terminated_{false};        // release on death; pairs with terminated()
};

}  // namespace weft::actor::detail
