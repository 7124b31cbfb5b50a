#pragma once
// Keyed actor timers. Starting a timer under a key replaces the old one;
// all are cancelled when the actor stops or restarts. A generation number per
// key drops a replaced timer's message that was already in the mailbox.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>

#include "weft/actor/timer_service.hpp"

namespace weft::actor {

namespace detail {

template <class M>
class ActorCell;

/// The untyped timer table of one actor. Actor-turn only.
class TimerTable {
 public:
  using Fire = std::function<void(std::uint64_t generation)>;

  explicit TimerTable(TimerService& service) : service_(&service) {}
  ~TimerTable() { cancel_all(); }
  TimerTable(const TimerTable&) = delete;
  TimerTable& operator=(const TimerTable&) = delete;

  /// Arms `key`, replacing a timer under it; `fire(generation)` runs on the timer thread.
  void arm(const std::string& key, std::chrono::nanoseconds delay, std::chrono::nanoseconds period,
           Fire fire);
  bool cancel(const std::string& key);
  void cancel_all();
  [[nodiscard]] bool active(const std::string& key) const { return entries_.count(key) != 0; }
  /// True when (key, generation) is the live timer; a single-shot one is then forgotten.
  bool accept(const std::string& key, std::uint64_t generation);

 private:
  struct Entry {
    std::uint64_t generation;
    TimerId id;
    bool periodic;
  };
  TimerService* service_;
  std::unordered_map<std::string, Entry> entries_;
  std::uint64_t last_generation_ = 0;
};

}  // namespace detail

/// ctx.timers(): send M to self later. Actor-turn only.
template <class M>
class TimerScheduler {
 public:
  explicit TimerScheduler(detail::ActorCell<M>& cell) : cell_(cell) {}

  /// Sends `message` to self once after `delay`; replaces a timer under `key`.
  void start_single(const std::string& key, M message, std::chrono::nanoseconds delay);
  /// Sends `message` to self every `interval`; replaces a timer under `key`.
  void start_periodic(const std::string& key, M message, std::chrono::nanoseconds interval);
  /// False when no timer was armed under `key`.
  bool cancel(const std::string& key);
  void cancel_all();
  [[nodiscard]] bool is_active(const std::string& key) const;

 private:
  detail::ActorCell<M>& cell_;
};

}  // namespace weft::actor
