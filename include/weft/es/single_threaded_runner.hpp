#pragma once
// Runs a system in the calling thread, deterministically. When an application
// records events, its followers pull and process them at once (in declaration
// order), and so on downstream, before the call that recorded returns; errors
// reach that caller. At start every follower catches up from its tracking
// position. Tests and examples use it; the multi-process runner does the same
// work across processes.
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
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
  std::deque<std::size_t> prompts_;
  bool running_prompts_ = false;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace weft::es
