#pragma once
// What every actor cell shares: scheduler, timers, event stream, receptionist,
// logger. Internal; ActorSystem is the public face.
#include <chrono>
#include <memory>
#include <string>

#include <spdlog/logger.h>

#include "weft/actor/events.hpp"
#include "weft/actor/receptionist.hpp"
#include "weft/actor/scheduler.hpp"
#include "weft/actor/timer_service.hpp"

namespace weft::actor::detail {

class CellBase;

struct SystemCore {
  std::string name;
  std::unique_ptr<Scheduler> scheduler;
  DeterministicScheduler* deterministic = nullptr;  // set in deterministic mode
  std::unique_ptr<TimerService> timers;
  ManualTimerService* manual_timers = nullptr;  // set in deterministic mode
  EventStream events;
  Receptionist receptionist;
  std::shared_ptr<spdlog::logger> logger;
  std::shared_ptr<CellBase> guardian;

  /// Monotonic time; virtual in deterministic mode. @threadsafe
  [[nodiscard]] std::chrono::nanoseconds now() const;
};

}  // namespace weft::actor::detail
