#pragma once
// ask: request-response from outside an actor (or inside, with pipe_to_self).
// The reply goes to a one-shot target whose future fails with ask_timeout.
#include <atomic>
#include <chrono>
#include <string>
#include <utility>

#include "weft/actor/actor_ref.hpp"
#include "weft/actor/errors.hpp"
#include "weft/actor/future.hpp"
#include "weft/actor/system_core.hpp"

namespace weft::actor {
namespace detail {

/// The reply_to of one ask: completes the promise with the first reply.
template <class R>
class ReplyTarget final : public Target<R> {
 public:
  ReplyTarget(SystemCore& core, Promise<R> promise, std::string path)
      : core_(core), promise_(std::move(promise)), path_(std::move(path)) {}

  TellStatus deliver(R&& reply) override {
    if (!promise_.set_value(std::move(reply))) return TellStatus::dead;  // late: timed out already
    // acquire: pairs with the release store in arm(); 0 means not armed yet (it will fire
    // harmlessly).
    if (TimerId id = timer_.load(std::memory_order_acquire); id != 0) core_.timers->cancel(id);
    return TellStatus::delivered;
  }
  [[nodiscard]] const std::string& path() const noexcept override { return path_; }
  SystemCore& system() noexcept override { return core_; }

  void arm(TimerId id) { timer_.store(id, std::memory_order_release); }

 private:
  SystemCore& core_;
  Promise<R> promise_;
  std::string path_;
  std::atomic<TimerId> timer_{0};
};

}  // namespace detail

template <class M>
template <class R, class MakeRequest>
Future<R> ActorRef<M>::ask(MakeRequest&& make_request, std::chrono::nanoseconds timeout) const {
  detail::SystemCore& core = target_->system();
  Promise<R> promise;
  auto reply_to = std::make_shared<detail::ReplyTarget<R>>(core, promise, path() + "/$ask");
  const std::string target_path = path();
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
  reply_to->arm(
      core.timers->schedule(timeout, std::chrono::nanoseconds{0}, [promise, target_path, millis] {
        promise.set_failure(std::make_exception_ptr(ask_timeout(
            "ask to " + target_path + " got no reply within " + std::to_string(millis) + " ms")));
      }));
  const TellStatus status = tell(std::forward<MakeRequest>(make_request)(ActorRef<R>(reply_to)));
  if (status != TellStatus::delivered) {
    promise.set_failure(std::make_exception_ptr(
        weft::error("ask to " + target_path +
                    " failed: the request was not delivered (actor stopped or mailbox full)")));
  }
  return promise.future();
}

}  // namespace weft::actor
