#pragma once
// Runs a system in the calling thread, deterministically. When an application
// records events, its followers pull and process them at once (in declaration
// order), and so on downstream, before the call that recorded returns; errors
// reach that caller. At start every follower catches up from its tracking
// position. Tests and examples use it; the multi-process runner does the same
// work across processes.
//
// For bursts of commands, defer_prompts() lets followers batch: the leaders
// still record one transaction per save, but their followers run later and
// then pull everything new at once, batch_size notifications per transaction
// (much cheaper on SQLite, where every transaction is a commit):
//
//   {
//     auto burst = runner.defer_prompts(100);  // followers run every 100 recordings
//     for (auto& order : orders) shop.place(order);
//     burst.end();                             // followers catch up; errors thrown here
//   }
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "weft/es/application.hpp"
#include "weft/es/application_registry.hpp"
#include "weft/es/process_application.hpp"
#include "weft/es/recorder.hpp"
#include "weft/es/system_definition.hpp"

namespace weft::es {

/// Makes the recorder of a name: an application's name for its events,
/// "<name>.snapshots" for its snapshots.
using recorder_factory = std::function<std::shared_ptr<recorder>(const std::string& name)>;

/// Not thread-safe: one thread uses the runner and its applications.
class single_threaded_runner {
 public:
  /// Validates the system and constructs its applications (so they can be
  /// used, without prompting, before start). Throws weft::invalid_input naming
  /// an application without a type or a follower that is not a process application.
  single_threaded_runner(system_definition system, recorder_factory recorders,
                         const application_registry& registry = application_registry::global());
  ~single_threaded_runner();
  single_threaded_runner(const single_threaded_runner&) = delete;
  single_threaded_runner& operator=(const single_threaded_runner&) = delete;

  /// Connects followers to leaders and lets every follower catch up. Starting
  /// twice, or after stop(), is a weft::error.
  void start();
  /// Disconnects and destroys the applications (their recorders live on
  /// wherever the factory keeps them).
  void stop();
  [[nodiscard]] bool running() const noexcept { return started_ && !stopped_; }

  /// The application named `name`; weft::invalid_input if unknown.
  [[nodiscard]] application& app(std::string_view name);
  /// The application named `name` as an App; weft::error if it is another type.
  template <class App>
  [[nodiscard]] App& get(std::string_view name) {
    auto* typed = dynamic_cast<App*>(&app(name));
    if (typed == nullptr)
      throw error("application '" + std::string(name) + "' is not a " + typeid(App).name());
    return *typed;
  }

  [[nodiscard]] const system_definition& system() const noexcept { return system_; }

  class deferred_prompts;
  /// Until the returned scope ends, an application that records queues a
  /// prompt for its followers instead of running them. Prompts of one leader
  /// coalesce: a follower prompted several times pulls once, everything new,
  /// batch_size per transaction. Queued prompts run as always (declaration
  /// order, what followers record flows on) when `every` recordings have been
  /// queued since they last ran (0 = no limit), from inside the recording call
  /// so a follower's error reaches that caller; on flush(); and when the
  /// outermost scope ends. Until then followers lag behind their leaders.
  /// Scopes nest; only the outermost one's `every` counts.
  [[nodiscard]] deferred_prompts defer_prompts(std::size_t every = 0);

  /// Runs the queued prompts now. Throws a follower's error; also one that a
  /// deferred_prompts scope met when its destructor ran the prompts.
  void flush();

 private:
  struct node {
    std::unique_ptr<application> app;
    process_application* process = nullptr;  // when it can follow
    std::vector<std::size_t> followers;      // declaration order
    std::vector<std::size_t> leaders;        // declaration order
    bool prompted = false;                   // queued in prompts_
  };

  void prompted(std::size_t leader);
  void run_prompts();
  std::size_t index_of(std::string_view name) const;

  system_definition system_;
  std::vector<node> nodes_;
  void end_deferral(bool run);

  std::deque<std::size_t> prompts_;
  bool running_prompts_ = false;
  std::size_t deferring_ = 0;            // live deferred_prompts scopes
  std::size_t defer_every_ = 0;          // the outermost scope's `every`
  std::size_t deferred_recordings_ = 0;  // recordings queued since prompts last ran
  std::exception_ptr deferred_error_;    // met by a scope's destructor; thrown by flush()
  bool started_ = false;
  bool stopped_ = false;
};

/// A scope of deferred prompting (single_threaded_runner::defer_prompts).
class single_threaded_runner::deferred_prompts {
 public:
  deferred_prompts(deferred_prompts&& other) noexcept
      : runner_(std::exchange(other.runner_, nullptr)) {}
  deferred_prompts& operator=(deferred_prompts&&) = delete;
  /// Ends the scope if end() was not called. Runs the queued prompts unless an
  /// exception is propagating; an error they throw is kept for flush().
  ~deferred_prompts();

  /// Ends the scope; the outermost one runs the queued prompts, throwing a follower's error.
  void end();

 private:
  friend class single_threaded_runner;
  explicit deferred_prompts(single_threaded_runner& runner) noexcept
      : runner_(&runner), exceptions_(std::uncaught_exceptions()) {}
  single_threaded_runner* runner_;
  int exceptions_;  // uncaught at construction: more at destruction means unwinding
};

}  // namespace weft::es
