#include "weft/es/single_threaded_runner.hpp"

#include <algorithm>

namespace weft::es {

single_threaded_runner::single_threaded_runner(system_definition system, recorder_factory recorders,
                                               const application_registry& registry)
    : system_(std::move(system)) {
  if (!recorders) throw error("the runner needs a recorder factory");
  system_.validate(registry);
  const auto& names = system_.apps();
  nodes_.resize(names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto& type = system_.type_of(names[i], registry);
    app_context context{names[i], recorders(names[i]), nullptr, system_.options_of(names[i])};
    if (context.options.get_uint("snapshot_every", 0) > 0)
      context.snapshots = recorders(names[i] + ".snapshots");
    if (!context.events)
      throw error("the recorder factory gave no recorder for '" + names[i] + "'");
    nodes_[i].app = type.create(std::move(context));
    nodes_[i].process = dynamic_cast<process_application*>(nodes_[i].app.get());
    if (type.is_process && nodes_[i].process == nullptr)
      throw error("application type '" + type.name + "' says it is a process application but '" +
                  names[i] + "' is not one");
  }
  for (const auto& link : system_.edges()) {
    const std::size_t leader = index_of(link.leader);
    const std::size_t follower = index_of(link.follower);
    nodes_[leader].followers.push_back(follower);
    nodes_[follower].leaders.push_back(leader);
  }
}

single_threaded_runner::~single_threaded_runner() {
  for (auto& n : nodes_)
    if (n.app) n.app->on_recorded(nullptr);
}

std::size_t single_threaded_runner::index_of(std::string_view name) const {
  const auto& names = system_.apps();
  auto found = std::find(names.begin(), names.end(), name);
  if (found == names.end()) (void)system_.leaders_of(name);  // throws, naming it
  return static_cast<std::size_t>(found - names.begin());
}

application& single_threaded_runner::app(std::string_view name) {
  if (stopped_) throw error("the runner is stopped");
  return *nodes_[index_of(name)].app;
}

void single_threaded_runner::start() {
  if (started_)
    throw error(stopped_ ? "the runner was stopped; make a new one"
                         : "the runner is started already");
  started_ = true;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].followers.empty()) continue;
    nodes_[i].app->on_recorded([this, i](application&, std::uint64_t) { prompted(i); });
  }
  // Catch up: every follower pulls from each of its leaders what it has not
  // processed yet. Run as one prompt loop, so what they record flows on.
  running_prompts_ = true;
  try {
    for (auto& follower : nodes_)
      for (std::size_t leader : follower.leaders)
        follower.process->pull(nodes_[leader].app->name(), nodes_[leader].app->events());
  } catch (...) {
    running_prompts_ = false;
    prompts_.clear();
    for (auto& n : nodes_) n.prompted = false;
    throw;
  }
  running_prompts_ = false;
  run_prompts();
}

void single_threaded_runner::stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& n : nodes_) n.app->on_recorded(nullptr);
  nodes_.clear();
  prompts_.clear();
}

void single_threaded_runner::prompted(std::size_t leader) {
  // A leader queued already will be pulled from up to its latest id anyway.
  if (!nodes_[leader].prompted) {
    nodes_[leader].prompted = true;
    prompts_.push_back(leader);
  }
  if (running_prompts_) return;  // the loop running them will get to it
  if (deferring_ > 0) {
    if (defer_every_ == 0 || ++deferred_recordings_ < defer_every_) return;
  }
  run_prompts();
}

single_threaded_runner::deferred_prompts single_threaded_runner::defer_prompts(std::size_t every) {
  if (deferring_++ == 0) {
    defer_every_ = every;
    deferred_recordings_ = 0;
  }
  return deferred_prompts(*this);
}

void single_threaded_runner::end_deferral(bool run) {
  if (--deferring_ > 0 || !run || stopped_) return;
  run_prompts();
}

void single_threaded_runner::flush() {
  if (deferred_error_) std::rethrow_exception(std::exchange(deferred_error_, nullptr));
  if (!running_prompts_ && !stopped_) run_prompts();
}

single_threaded_runner::deferred_prompts::~deferred_prompts() {
  if (runner_ == nullptr) return;
  single_threaded_runner& runner = *std::exchange(runner_, nullptr);
  try {
    runner.end_deferral(std::uncaught_exceptions() <= exceptions_);
  } catch (...) {
    runner.deferred_error_ = std::current_exception();
  }
}

void single_threaded_runner::deferred_prompts::end() {
  if (runner_ == nullptr) throw error("deferred_prompts ended already");
  std::exchange(runner_, nullptr)->end_deferral(true);
}

void single_threaded_runner::run_prompts() {
  running_prompts_ = true;
  deferred_recordings_ = 0;
  try {
    while (!prompts_.empty()) {
      const std::size_t leader = prompts_.front();
      prompts_.pop_front();
      nodes_[leader].prompted = false;
      application& source = *nodes_[leader].app;
      for (std::size_t follower : nodes_[leader].followers)
        nodes_[follower].process->pull(source.name(), source.events());
    }
  } catch (...) {
    // The error goes to whoever recorded; prompts still queued are dropped,
    // as the recorders hold everything: the next prompt or start catches up.
    running_prompts_ = false;
    for (std::size_t queued : prompts_) nodes_[queued].prompted = false;
    prompts_.clear();
    throw;
  }
  running_prompts_ = false;
}

}  // namespace weft::es
