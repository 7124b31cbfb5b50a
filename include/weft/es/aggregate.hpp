#pragma once
// Event-sourced aggregates. A concrete aggregate names the events it applies:
//
//   class Order : public weft::es::aggregate<Order, OrderCreated, OrderPaid> {
//    public:
//     void apply(const OrderCreated& e) { amount = e.amount; }
//     void apply(const OrderPaid&) { paid = true; }
//     std::int64_t amount = 0;
//     bool paid = false;
//     WEFT_AGGREGATE_STATE(amount, paid)  // optional: makes snapshots possible
//   };
//   auto order = Order::create(id, OrderCreated{id, 10});  // version 1
//   order.trigger(OrderPaid{});                            // version 2, pending
//
// trigger() applies an event and keeps it, encoded, as pending until an
// application saves the aggregate. State is only ever changed by apply().
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <typeinfo>
#include <utility>
#include <vector>

#include "weft/core/error.hpp"
#include "weft/core/uuid.hpp"
#include "weft/es/codec.hpp"
#include "weft/es/detail/pending_events.hpp"
#include "weft/es/stored_event.hpp"

namespace weft::es {

/// Topic under which snapshots are recorded (in the application's snapshot recorder).
inline constexpr std::string_view snapshot_topic = "weft.snapshot";

class application;

/// What an application needs of any aggregate, whatever its type.
class aggregate_base {
 public:
  virtual ~aggregate_base() = default;

  [[nodiscard]] const uuid& id() const noexcept { return id_; }
  /// The version of the last event applied (recorded or pending); 0 before the first.
  [[nodiscard]] std::uint64_t version() const noexcept { return version_; }
  /// Events triggered since the aggregate was last saved, oldest first.
  [[nodiscard]] std::span<const stored_event> pending_events() const noexcept { return pending_; }

  /// A copy of this aggregate without pending events (for caches).
  [[nodiscard]] virtual std::unique_ptr<aggregate_base> clone() const = 0;
  /// The state as a snapshot at the current version, if the type declares
  /// WEFT_AGGREGATE_STATE; nullopt otherwise.
  [[nodiscard]] virtual std::optional<stored_event> snapshot() const = 0;

 protected:
  aggregate_base() = default;
  aggregate_base(const aggregate_base&) = default;
  aggregate_base& operator=(const aggregate_base&) = default;
  aggregate_base(aggregate_base&&) noexcept = default;
  aggregate_base& operator=(aggregate_base&&) noexcept = default;

  uuid id_;
  std::uint64_t version_ = 0;
  detail::pending_events pending_;

 private:
  friend class application;
};

namespace detail {

template <class T>
concept has_state = requires(T& t, const T& c) {
  t.weft_state();
  c.weft_state();
};

/// Encodes a tuple of references as a msgpack array (snapshot state).
template <class Tuple>
void encode_tuple(const Tuple& fields, bytes& out) {
  byte_sink sink(out);
  msgpack::packer<byte_sink> packer(sink);
  packer.pack_array(static_cast<std::uint32_t>(std::tuple_size_v<Tuple>));
  std::apply([&](const auto&... field) { (packer.pack(field), ...); }, fields);
  sink.finish();
}

/// Decodes a msgpack array into a tuple of references; missing trailing fields keep their values.
template <class Tuple>
void decode_tuple(std::string_view what, std::span<const std::uint8_t> state, Tuple fields) {
  const msgpack::object& array = parse_array(what, state);
  std::size_t index = 0;
  std::apply(
      [&](auto&... field) {
        auto one = [&](auto& target) {
          if (index < array.via.array.size) {
            try {
              array.via.array.ptr[index].convert(target);
            } catch (const msgpack::type_error&) {
              throw_bad_field(what, "#" + std::to_string(index), array.via.array.ptr[index]);
            }
          }
          ++index;
        };
        (one(field), ...);
      },
      fields);
}

}  // namespace detail

/// Base of a concrete aggregate `Derived` that applies `Events` (each declared
/// with WEFT_EVENT). Derived must be default-constructible and copyable, and
/// have `void apply(const E&)` for every E in Events.
template <class Derived, domain_event... Events>
class aggregate : public aggregate_base {
 public:
  /// A new aggregate with `id`, its first event `created` applied as version 1.
  template <class E>
  static Derived create(const uuid& id, const E& created) {
    Derived out;
    out.id_ = id;
    out.trigger(created);
    return out;
  }

  /// Applies `event` and keeps it as pending (version + 1).
  template <class E>
  void trigger(const E& event) {
    static_assert((std::is_same_v<E, Events> || ...), "E is not one of the aggregate's events");
    static_cast<Derived*>(this)->apply(event);
    ++version_;
    stored_event& stored = pending_.emplace_back();
    try {
      store_into(event, id_, version_, stored);
    } catch (...) {
      pending_.pop_back();
      throw;
    }
  }

  /// Applies a recorded event (replay); its version must follow the current one.
  void replay(const stored_event& event) {
    if (event.originator_version != version_ + 1)
      throw error("aggregate " + id_.str() + " at version " + std::to_string(version_) +
                  " cannot apply version " + std::to_string(event.originator_version));
    const bool known = (try_apply<Events>(event) || ...);
    if (!known)
      throw decode_error("aggregate " + id_.str() + " (" + typeid(Derived).name() +
                         ") has no apply() for event topic '" + event.topic + "'");
    version_ = event.originator_version;
  }

  /// An aggregate rebuilt from a snapshot taken of this type.
  static Derived from_snapshot(const stored_event& snapshot) {
    static_assert(detail::has_state<Derived>, "declare WEFT_AGGREGATE_STATE to use snapshots");
    Derived out;
    out.id_ = snapshot.originator_id;
    out.version_ = snapshot.originator_version;
    detail::decode_tuple(snapshot_topic, snapshot.state, out.weft_state());
    return out;
  }

  [[nodiscard]] std::unique_ptr<aggregate_base> clone() const override {
    auto copy = std::make_unique<Derived>(static_cast<const Derived&>(*this));
    copy->pending_.clear();
    return copy;
  }

  [[nodiscard]] std::optional<stored_event> snapshot() const override {
    if constexpr (detail::has_state<Derived>) {
      stored_event out{id_, version_, std::string(snapshot_topic), {}};
      detail::encode_tuple(static_cast<const Derived&>(*this).weft_state(), out.state);
      return out;
    } else {
      return std::nullopt;
    }
  }

 private:
  template <class E>
  bool try_apply(const stored_event& event) {
    if (event.topic != topic_of<E>) return false;
    E decoded{};
    decode_into(event.state, decoded);
    static_cast<Derived*>(this)->apply(decoded);
    return true;
  }
};

}  // namespace weft::es

/// Inside an aggregate class: the data members a snapshot holds, in wire
/// order (add new members at the end to keep old snapshots readable).
#define WEFT_AGGREGATE_STATE(...) \
  auto weft_state() {             \
    return std::tie(__VA_ARGS__); \
  }                               \
  auto weft_state() const {       \
    return std::tie(__VA_ARGS__); \
  }
