#include "weft/node/multi_threaded_runner.hpp"

#include <algorithm>
#include <thread>

#include "weft/core/error.hpp"
#include "weft/node/draining.hpp"

namespace weft::node {

multi_threaded_runner::multi_threaded_runner(const std::string& system_name,
                                             const es::system_definition& system,
                                             std::map<std::string, es::application*> apps,
                                             worker_config config, ring_sizes sizes)
    : segment_(shm::segment::create(layout_for(system_name, system, sizes))),
      apps_(std::move(apps)),
      config_(config) {
  for (const auto& name : system.apps())
    if (apps_.count(name) == 0 || apps_.at(name) == nullptr)
      throw invalid_input("multi-threaded runner: no application object for '" + name + "'");
}

multi_threaded_runner::~multi_threaded_runner() {
  try {
    stop();
  } catch (...) {  // NOLINT(bugprone-empty-catch): errors were for watch_for_errors()/stop()
  }
}

void multi_threaded_runner::start() {
  if (started_) throw error("multi-threaded runner: started twice");
  started_ = true;
  for (const auto& [name, app] : apps_) {
    auto& hosted = workers_.emplace_back(
        std::make_unique<worker>(segment_, *segment_.find_process(name), *app, config_));
    threads_.push_back(std::async(std::launch::async, [w = hosted.get()] { w->run(); }));
  }
}

void multi_threaded_runner::watch_for_errors(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  do {
    for (auto& thread : threads_) {
      if (thread.valid() && thread.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
        stop();  // one application failed (or stopped): the system stops, and says why
        return;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  } while (std::chrono::steady_clock::now() < deadline);
}

void multi_threaded_runner::stop_gracefully(std::chrono::milliseconds drain_timeout) {
  refuse_new_commands(segment_);
  const auto deadline = std::chrono::steady_clock::now() + drain_timeout;
  // A failed worker ends the wait: stop() then says why.
  const auto any_ended = [&] {
    return std::any_of(threads_.begin(), threads_.end(), [](auto& t) {
      return t.valid() && t.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    });
  };
  while (!followers_caught_up(segment_) && !any_ended() &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  stop();
}

std::string multi_threaded_runner::hang() const {
  auto app = apps_.begin();  // start() made one worker per application, in this order
  for (const auto& hosted : workers_) {
    if (auto why = hosted->hang(); !why.empty()) return "application '" + app->first + "': " + why;
    ++app;
  }
  return {};
}

void multi_threaded_runner::stop() {
  for (auto& w : workers_) w->request_stop();
  std::exception_ptr first;
  for (auto& thread : threads_) {
    if (!thread.valid()) continue;
    try {
      thread.get();
    } catch (...) {
      if (!first) first = std::current_exception();
    }
  }
  if (first) std::rethrow_exception(first);
}

}  // namespace weft::node
