#pragma once
// The receptionist: actors made discoverable(behavior, key) are registered
// under the key when they start and removed when they stop; others find them
// or subscribe to the listing (the current one at once, then every change).
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <typeinfo>
#include <unordered_map>
#include <vector>

#include "weft/actor/actor_ref.hpp"
#include "weft/actor/behavior.hpp"

namespace weft::actor {

/// Names a service of actors accepting M. Keys with one name and different M are distinct.
template <class M>
struct ServiceKey {
  std::string name;
  /// The registry's key: name and message type.
  [[nodiscard]] std::string id() const { return name + "#" + typeid(M).name(); }
};

template <class M>
struct Listing {
  ServiceKey<M> key;
  std::vector<ActorRef<M>> services;  ///< in registration order
};

class Receptionist {
 public:
  using SubscriptionId = std::uint64_t;

  /// The actors registered under `key` now. @threadsafe
  template <class M>
  Listing<M> find(const ServiceKey<M>& key) const {
    return typed(key, find_untyped(key.id()));
  }

  /// Sends `subscriber` the listing now and after every change. @threadsafe
  template <class M>
  SubscriptionId subscribe(const ServiceKey<M>& key, ActorRef<Listing<M>> subscriber) {
    return subscribe_untyped(key.id(), [key, subscriber](const std::vector<AnyRef>& refs) {
      subscriber.tell(typed(key, refs));
    });
  }

  /// @threadsafe
  void unsubscribe(SubscriptionId id);

  /// Registers an actor (its cell calls this when a discoverable actor starts). @threadsafe
  void add(const std::string& key_id, const AnyRef& ref);
  /// Removes an actor from every key (its cell calls this when it stops). @threadsafe
  void remove_all(const AnyRef& ref);

 private:
  using Notify = std::function<void(const std::vector<AnyRef>&)>;

  template <class M>
  static Listing<M> typed(const ServiceKey<M>& key, const std::vector<AnyRef>& refs) {
    Listing<M> listing{key, {}};
    for (const auto& ref : refs) {
      if (auto typed_ref = ActorRef<M>::from(ref))
        listing.services.push_back(std::move(*typed_ref));
    }
    return listing;
  }

  std::vector<AnyRef> find_untyped(const std::string& key_id) const;
  SubscriptionId subscribe_untyped(const std::string& key_id, Notify notify);
  void notify(const std::string& key_id, std::vector<AnyRef> refs, std::vector<Notify> subscribers);

  mutable std::mutex mutex_;
  std::map<std::string, std::vector<AnyRef>> services_;
  std::map<std::string, std::map<SubscriptionId, Notify>> subscribers_;
  std::unordered_map<SubscriptionId, std::string> subscription_keys_;
  SubscriptionId last_id_ = 0;
};

/// Registers the actor under `key` while it runs.
template <class M>
Behavior<M> discoverable(Behavior<M> behavior, const ServiceKey<M>& key) {
  detail::Decoration<M> decoration;
  decoration.service_key = key.id();
  return detail::decorate(std::move(behavior), std::move(decoration));
}

}  // namespace weft::actor
