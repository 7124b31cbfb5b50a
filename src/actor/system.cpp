// The actor system: wiring, the guardian, lookup and shutdown.
#include "weft/actor/system.hpp"

#include <condition_variable>
#include <mutex>

#include "weft/actor/errors.hpp"
#include "weft/core/log.hpp"

namespace weft::actor {
namespace detail {

std::chrono::nanoseconds SystemCore::now() const {
  if (manual_timers != nullptr) return manual_timers->now();
  return std::chrono::steady_clock::now().time_since_epoch();
}

namespace {

/// The root of the tree ("" path): parent of every root actor, never
/// addressed. It stops last; its post_stop tells the system.
class Guardian final : public CellBase {
 public:
  Guardian(SystemCore& core, std::function<void()> on_stopped)
      : CellBase(core, nullptr, "", MailboxConfig{}), on_stopped_(std::move(on_stopped)) {}
  ~Guardian() override {
    drain_mailbox([](MailboxNode* node) { free_wake(node); });
  }
  AnyRef any_ref() override { return AnyRef(); }

 protected:
  void on_start() override {}
  void on_message(MailboxNode* node) override { free_wake(node); }
  void on_dead_letter(MailboxNode* node) override { free_wake(node); }
  void on_dropped(MailboxNode* node) override { free_wake(node); }
  void on_terminated(CellBase& /*watched*/) override {}
  void on_pre_restart() override {}
  void on_restart() override {}
  void on_post_stop() override { on_stopped_(); }
  void on_dead() override {}

 private:
  std::function<void()> on_stopped_;
};

}  // namespace
}  // namespace detail

struct ActorSystem::Shutdown {
  std::mutex mutex;
  std::condition_variable done;
  bool actors_stopped = false;
  bool requested = false;
  bool finished = false;
};

ActorSystem::ActorSystem(SystemConfig config)
    : core_(std::make_unique<detail::SystemCore>()), shutdown_(std::make_unique<Shutdown>()) {
  core_->name = config.name;
  core_->logger = weft::log::get("actor");
  if (config.deterministic) {
    auto scheduler = std::make_unique<DeterministicScheduler>(config.throughput);
    core_->deterministic = scheduler.get();
    core_->scheduler = std::move(scheduler);
    auto timers = std::make_unique<ManualTimerService>();
    core_->manual_timers = timers.get();
    core_->timers = std::move(timers);
  } else {
    core_->scheduler = make_work_stealing({config.workers, config.throughput, config.spin_rounds});
    core_->timers = make_thread_timer_service();
  }
  Shutdown* state = shutdown_.get();
  core_->guardian = std::make_shared<detail::Guardian>(*core_, [state] {
    {
      std::lock_guard lock(state->mutex);
      state->actors_stopped = true;
    }
    state->done.notify_all();
  });
  core_->scheduler->start();
  core_->guardian->send_system({detail::SystemMessage::Kind::start, nullptr, nullptr});
}

ActorSystem::~ActorSystem() {
  shutdown();
  // The guardian and the actors it still holds (after a timed-out shutdown) go
  // before the services their destructors use.
  core_->guardian.reset();
}

std::optional<AnyRef> ActorSystem::lookup(std::string_view path) const {
  if (path.empty() || path.front() != '/') return std::nullopt;
  std::shared_ptr<detail::CellBase> cell = core_->guardian;
  std::size_t pos = 1;
  while (cell && pos <= path.size()) {
    std::size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    if (end == pos) return std::nullopt;  // "//" or a trailing '/'
    cell = cell->child(path.substr(pos, end - pos));
    pos = end + 1;
  }
  if (!cell || cell == core_->guardian) return std::nullopt;
  return cell->any_ref();
}

void ActorSystem::stop(const AnyRef& actor) {
  if (actor.valid() && actor.target()->cell() != nullptr) {
    actor.target()->cell()->send_system({detail::SystemMessage::Kind::stop, nullptr, nullptr});
  }
}

EventStream& ActorSystem::events() noexcept {
  return core_->events;
}
Receptionist& ActorSystem::receptionist() noexcept {
  return core_->receptionist;
}
const std::string& ActorSystem::name() const noexcept {
  return core_->name;
}
std::size_t ActorSystem::workers() const noexcept {
  return core_->scheduler->workers();
}

void ActorSystem::shutdown(std::chrono::nanoseconds timeout) {
  {
    std::lock_guard lock(shutdown_->mutex);
    if (shutdown_->requested) return;
    shutdown_->requested = true;
  }
  core_->guardian->send_system({detail::SystemMessage::Kind::stop, nullptr, nullptr});
  if (core_->deterministic != nullptr) {
    core_->deterministic->run_until_idle();
  } else {
    std::unique_lock lock(shutdown_->mutex);
    if (!shutdown_->done.wait_for(lock, timeout, [&] { return shutdown_->actors_stopped; })) {
      core_->logger->error("actor system '{}': actors still running after the shutdown timeout",
                           core_->name);
    }
  }
  core_->timers->stop();
  core_->scheduler->stop();
  std::lock_guard lock(shutdown_->mutex);
  shutdown_->finished = true;
}

bool ActorSystem::terminated() const noexcept {
  return core_->guardian->terminated();
}

std::size_t ActorSystem::run_until_idle() {
  if (core_->deterministic == nullptr)
    throw weft::invalid_input("run_until_idle() needs a deterministic actor system");
  return core_->deterministic->run_until_idle();
}

void ActorSystem::advance_time(std::chrono::nanoseconds by) {
  if (core_->manual_timers == nullptr)
    throw weft::invalid_input("advance_time() needs a deterministic actor system");
  core_->deterministic->run_until_idle();
  core_->manual_timers->advance(by);
  core_->deterministic->run_until_idle();
}

}  // namespace weft::actor
