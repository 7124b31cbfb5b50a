#pragma once
// A one-shot future with continuations: what ask returns and pipe_to_self
// consumes. The first completion wins, so a reply and a timeout may race.
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace weft::actor {

namespace detail {

template <class T>
struct FutureState {
  std::mutex mutex;
  std::condition_variable done;
  std::optional<T> value;
  std::exception_ptr failure;
  bool completed = false;
  std::vector<std::function<void(FutureState&)>> continuations;

  template <class Fill>
  bool complete(Fill fill) {
    std::vector<std::function<void(FutureState&)>> run;
    {
      std::lock_guard lock(mutex);
      if (completed) return false;
      fill(*this);
      completed = true;
      run.swap(continuations);
    }
    done.notify_all();
    for (auto& continuation : run) continuation(*this);
    return true;
  }
};

}  // namespace detail

template <class T>
class Future {
 public:
  explicit Future(std::shared_ptr<detail::FutureState<T>> state) : state_(std::move(state)) {}

  /// Waits for completion; returns the value or rethrows the failure. @threadsafe
  T get() {
    std::unique_lock lock(state_->mutex);
    state_->done.wait(lock, [&] { return state_->completed; });
    if (state_->failure) std::rethrow_exception(state_->failure);
    return *state_->value;
  }

  /// Waits at most `timeout`; true when completed. @threadsafe
  template <class Rep, class Period>
  bool wait_for(std::chrono::duration<Rep, Period> timeout) const {
    std::unique_lock lock(state_->mutex);
    return state_->done.wait_for(lock, timeout, [&] { return state_->completed; });
  }

  [[nodiscard]] bool ready() const {
    std::lock_guard lock(state_->mutex);
    return state_->completed;
  }

  /// Calls `on_value(T&)` or `on_failure(std::exception_ptr)` once, on the completing
  /// thread (or now, if already complete). @threadsafe
  template <class OnValue, class OnFailure>
  void on_complete(OnValue on_value, OnFailure on_failure) const {
    auto run = [on_value = std::move(on_value),
                on_failure = std::move(on_failure)](detail::FutureState<T>& s) mutable {
      if (s.failure) {
        on_failure(s.failure);
      } else {
        on_value(*s.value);
      }
    };
    {
      std::lock_guard lock(state_->mutex);
      if (!state_->completed) {
        state_->continuations.emplace_back(std::move(run));
        return;
      }
    }
    run(*state_);
  }

 private:
  std::shared_ptr<detail::FutureState<T>> state_;
};

template <class T>
class Promise {
 public:
  Promise() : state_(std::make_shared<detail::FutureState<T>>()) {}

  [[nodiscard]] Future<T> future() const { return Future<T>(state_); }
  /// False when already completed. @threadsafe
  bool set_value(T value) const {
    return state_->complete([&](detail::FutureState<T>& s) { s.value.emplace(std::move(value)); });
  }
  /// False when already completed. @threadsafe
  bool set_failure(std::exception_ptr failure) const {
    return state_->complete([&](detail::FutureState<T>& s) { s.failure = std::move(failure); });
  }

 private:
  std::shared_ptr<detail::FutureState<T>> state_;
};

}  // namespace weft::actor
