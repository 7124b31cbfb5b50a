#pragma once
// Addresses of actors. ActorRef<M> accepts messages of type M from any thread;
// AnyRef is the untyped form (watch, Terminated, lookup). Refs compare and
// hash by identity and print their path.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>

namespace weft::actor {

template <class T>
class Future;

namespace detail {
class CellBase;
struct SystemCore;
}  // namespace detail

/// Outcome of a tell. Only bounded mailboxes drop or reject.
enum class TellStatus : std::uint8_t {
  delivered,  ///< queued in the mailbox
  dropped,    ///< bounded mailbox full (drop_new); published as MessageDropped
  rejected,   ///< bounded mailbox full (reject): the sender should react
  dead        ///< the actor is stopped; published as DeadLetter
};

namespace detail {

/// Whatever a ref points at: an actor cell or an ask's reply slot.
class RefTarget {
 public:
  virtual ~RefTarget() = default;
  [[nodiscard]] virtual const std::string& path() const noexcept = 0;
  /// The actor behind the ref; nullptr for ask reply slots.
  virtual CellBase* cell() noexcept { return nullptr; }
  virtual SystemCore& system() noexcept = 0;
};

template <class M>
class Target : public RefTarget {
 public:
  /// Delivers one message. @threadsafe
  virtual TellStatus deliver(M&& message) = 0;
};

}  // namespace detail

/// An untyped actor address.
class AnyRef {
 public:
  AnyRef() = default;
  explicit AnyRef(std::shared_ptr<detail::RefTarget> target) : target_(std::move(target)) {}

  [[nodiscard]] const std::string& path() const noexcept {
    static const std::string none = "<none>";
    return target_ ? target_->path() : none;
  }
  [[nodiscard]] bool valid() const noexcept { return target_ != nullptr; }
  [[nodiscard]] const std::shared_ptr<detail::RefTarget>& target() const noexcept {
    return target_;
  }

  friend bool operator==(const AnyRef& a, const AnyRef& b) noexcept {
    return a.target_ == b.target_;
  }
  friend auto operator<=>(const AnyRef& a, const AnyRef& b) noexcept {
    return a.target_ <=> b.target_;
  }
  friend std::ostream& operator<<(std::ostream& out, const AnyRef& ref) {
    return out << ref.path();
  }

 private:
  std::shared_ptr<detail::RefTarget> target_;
};

/// A typed actor address: tell and ask from any thread.
template <class M>
class ActorRef {
 public:
  using message_type = M;

  ActorRef() = default;
  explicit ActorRef(std::shared_ptr<detail::Target<M>> target) : target_(std::move(target)) {}

  /// The typed ref behind `ref`, or nothing when it accepts another message type.
  static std::optional<ActorRef> from(const AnyRef& ref) {
    if (auto typed = std::dynamic_pointer_cast<detail::Target<M>>(ref.target()))
      return ActorRef(std::move(typed));
    return std::nullopt;
  }

  /// Sends a message; never blocks. @threadsafe
  TellStatus tell(M message) const { return target_->deliver(std::move(message)); }

  /// Sends `make_request(reply_to)` and returns a future of the reply, which
  /// fails with ask_timeout after `timeout`. Defined in ask.hpp. @threadsafe
  template <class R, class MakeRequest>
  Future<R> ask(MakeRequest&& make_request, std::chrono::nanoseconds timeout) const;

  [[nodiscard]] const std::string& path() const noexcept { return any().path(); }
  [[nodiscard]] bool valid() const noexcept { return target_ != nullptr; }
  [[nodiscard]] AnyRef any() const { return AnyRef(target_); }
  operator AnyRef() const {
    return any();
  }  // NOLINT(google-explicit-constructor): a widening conversion
  [[nodiscard]] const std::shared_ptr<detail::Target<M>>& target() const noexcept {
    return target_;
  }

  friend bool operator==(const ActorRef& a, const ActorRef& b) noexcept {
    return a.target_ == b.target_;
  }
  friend auto operator<=>(const ActorRef& a, const ActorRef& b) noexcept {
    return a.target_ <=> b.target_;
  }
  friend std::ostream& operator<<(std::ostream& out, const ActorRef& ref) {
    return out << ref.path();
  }

 private:
  std::shared_ptr<detail::Target<M>> target_;
};

}  // namespace weft::actor

template <>
struct std::hash<weft::actor::AnyRef> {
  std::size_t operator()(const weft::actor::AnyRef& ref) const noexcept {
    return std::hash<const void*>{}(ref.target().get());
  }
};

template <class M>
struct std::hash<weft::actor::ActorRef<M>> {
  std::size_t operator()(const weft::actor::ActorRef<M>& ref) const noexcept {
    // Same value as the AnyRef hash of the same actor.
    return std::hash<const void*>{}(
        static_cast<const weft::actor::detail::RefTarget*>(ref.target().get()));
  }
};
