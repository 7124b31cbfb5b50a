#include <cxxabi.h>

#include <cstdlib>

#include "weft/actor/events.hpp"

namespace weft::actor {

EventStream::EventStream() : listeners_(std::make_shared<const List>()) {}
EventStream::~EventStream() = default;

EventStream::SubscriptionId EventStream::subscribe(Listener listener) {
  std::lock_guard lock(mutex_);
  auto next = std::make_shared<List>(*listeners_);
  next->emplace_back(++last_id_, std::move(listener));
  listeners_ = next;
  count_.store(next->size(), std::memory_order_relaxed);
  return last_id_;
}

void EventStream::unsubscribe(SubscriptionId id) {
  std::lock_guard lock(mutex_);
  auto next = std::make_shared<List>(*listeners_);
  std::erase_if(*next, [id](const auto& entry) { return entry.first == id; });
  listeners_ = next;
  count_.store(next->size(), std::memory_order_relaxed);
}

void EventStream::publish(const SystemEvent& event) const {
  std::shared_ptr<const List> snapshot;
  {
    std::lock_guard lock(mutex_);
    snapshot = listeners_;
  }
  for (const auto& [id, listener] : *snapshot) listener(event);
}

namespace detail {

std::string demangle(const char* mangled) {
  int status = 0;
  char* readable = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  if (status != 0 || readable == nullptr) return mangled;
  std::string name(readable);
  std::free(readable);  // NOLINT(cppcoreguidelines-no-malloc): __cxa_demangle's contract
  return name;
}

}  // namespace detail
}  // namespace weft::actor
