#pragma once
// The application's aggregate cache: unbounded, or bounded with least
// recently used eviction. Private to weft_es.
#include <cstddef>
#include <list>
#include <memory>
#include <unordered_map>

#include "weft/es/aggregate.hpp"

namespace weft::es::detail {

class aggregate_cache {
 public:
  /// capacity 0 = off (nothing is kept), SIZE_MAX = unbounded.
  explicit aggregate_cache(std::size_t capacity) : capacity_(capacity) {}

  [[nodiscard]] bool enabled() const noexcept { return capacity_ != 0; }

  /// The cached aggregate, marked most recently used; nullptr if absent.
  const aggregate_base* find(const uuid& id);
  void put(std::unique_ptr<aggregate_base> aggregate);
  void evict(const uuid& id);
  void clear();

 private:
  struct slot {
    std::unique_ptr<aggregate_base> aggregate;
    std::list<uuid>::iterator recency;
  };
  std::size_t capacity_;
  std::list<uuid> recency_;  // most recently used first
  std::unordered_map<uuid, slot> slots_;
};

}  // namespace weft::es::detail
