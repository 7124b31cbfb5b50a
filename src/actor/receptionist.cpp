#include "weft/actor/receptionist.hpp"

#include <algorithm>

namespace weft::actor {

std::vector<AnyRef> Receptionist::find_untyped(const std::string& key_id) const {
  std::lock_guard lock(mutex_);
  auto it = services_.find(key_id);
  return it == services_.end() ? std::vector<AnyRef>{} : it->second;
}

Receptionist::SubscriptionId Receptionist::subscribe_untyped(const std::string& key_id,
                                                             Notify notify_fn) {
  std::vector<AnyRef> now;
  SubscriptionId id = 0;
  {
    std::lock_guard lock(mutex_);
    id = ++last_id_;
    subscribers_[key_id].emplace(id, notify_fn);
    subscription_keys_.emplace(id, key_id);
    if (auto it = services_.find(key_id); it != services_.end()) now = it->second;
  }
  notify_fn(now);
  return id;
}

void Receptionist::unsubscribe(SubscriptionId id) {
  std::lock_guard lock(mutex_);
  auto it = subscription_keys_.find(id);
  if (it == subscription_keys_.end()) return;
  subscribers_[it->second].erase(id);
  subscription_keys_.erase(it);
}

void Receptionist::add(const std::string& key_id, const AnyRef& ref) {
  std::vector<AnyRef> refs;
  std::vector<Notify> subscribers;
  {
    std::lock_guard lock(mutex_);
    auto& list = services_[key_id];
    if (std::find(list.begin(), list.end(), ref) != list.end()) return;
    list.push_back(ref);
    refs = list;
    for (auto& [id, fn] : subscribers_[key_id]) subscribers.push_back(fn);
  }
  notify(key_id, std::move(refs), std::move(subscribers));
}

void Receptionist::remove_all(const AnyRef& ref) {
  std::vector<std::pair<std::string, std::vector<AnyRef>>> changed;
  std::vector<std::vector<Notify>> to_notify;
  {
    std::lock_guard lock(mutex_);
    for (auto& [key_id, list] : services_) {
      auto it = std::find(list.begin(), list.end(), ref);
      if (it == list.end()) continue;
      list.erase(it);
      changed.emplace_back(key_id, list);
      std::vector<Notify> subscribers;
      for (auto& [id, fn] : subscribers_[key_id]) subscribers.push_back(fn);
      to_notify.push_back(std::move(subscribers));
    }
  }
  for (std::size_t i = 0; i < changed.size(); ++i) {
    notify(changed[i].first, std::move(changed[i].second), std::move(to_notify[i]));
  }
}

void Receptionist::notify(const std::string& /*key_id*/, std::vector<AnyRef> refs,
                          std::vector<Notify> subscribers) {
  for (auto& fn : subscribers) fn(refs);
}

}  // namespace weft::actor
