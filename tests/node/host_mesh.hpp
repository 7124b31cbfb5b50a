#pragma once
// Test support: app_hosts wired by real SPSC rings in heap memory, and a pump
// that moves records between them the way a node's poller does, on one thread.
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "weft/core/clock.hpp"
#include "weft/node/app_host.hpp"
#include "weft/node/inbound.hpp"

namespace weft::node::testing {

struct heap_ring {
  explicit heap_ring(std::size_t capacity)
      : memory(static_cast<std::byte*>(
                   std::aligned_alloc(cache_line, sizeof(shm::ring_control) + capacity)),
               &std::free) {
    std::memset(memory.get(), 0, sizeof(shm::ring_control) + capacity);
    region = {reinterpret_cast<shm::ring_control*>(memory.get()),
              memory.get() + sizeof(shm::ring_control), capacity};
    shm::format_ring(region);
  }
  std::unique_ptr<std::byte, decltype(&std::free)> memory;
  shm::ring_region region;
};

struct collected_replies : reply_sink {
  void reply(std::uint32_t, std::uint64_t correlation_id, bool ok,
             std::string_view payload) override {
    answers[correlation_id] = {ok, std::string(payload)};
  }
  std::map<std::uint64_t, std::pair<bool, std::string>> answers;
};

/// Edges leader -> follower; hosts are made by the caller from the ends.
class mesh {
 public:
  struct edge {
    std::string leader, follower;
    std::unique_ptr<heap_ring> down, up;
    std::size_t down_index = 0, up_index = 0;  // in the leader's / follower's lists
    std::unique_ptr<shm::spsc_consumer> down_reader, up_reader;
  };

  explicit mesh(std::size_t ring_bytes) : ring_bytes_(ring_bytes) {}

  void connect(const std::string& leader, const std::string& follower) {
    auto& e = edges_.emplace_back();
    e.leader = leader;
    e.follower = follower;
    e.down = std::make_unique<heap_ring>(ring_bytes_);
    e.up = std::make_unique<heap_ring>(ring_bytes_);
  }

  /// The ends for a host of `app` (fresh ring ends: a restarted host reattaches).
  std::pair<std::vector<downstream_end>, std::vector<upstream_end>> ends_of(
      const std::string& app) {
    std::vector<downstream_end> down;
    std::vector<upstream_end> up;
    for (auto& e : edges_) {
      if (e.leader == app) {
        e.down_index = down.size();
        down.push_back({e.follower, shm::spsc_producer(e.down->region, nullptr, "down")});
        e.up_reader = std::make_unique<shm::spsc_consumer>(e.up->region, "up");
      }
      if (e.follower == app) {
        e.up_index = up.size();
        up.push_back({e.leader, shm::spsc_producer(e.up->region, nullptr, "up"), nullptr});
        e.down_reader = std::make_unique<shm::spsc_consumer>(e.down->region, "down");
      }
    }
    return {std::move(down), std::move(up)};
  }

  /// Moves records until nothing moves and no host has work left, or nothing
  /// has moved for a while (a stopped host leaves its leaders with a backlog).
  void pump(std::map<std::string, app_host*> hosts, int max_rounds = 100000) {
    int still_rounds = 0;
    for (int round = 0; round < max_rounds; ++round) {
      bool moved = false;
      for (auto& e : edges_) {
        // A stopped host's rings keep their records, as a dead process's would.
        if (!hosts.count(e.leader) || !hosts.count(e.follower)) continue;
        moved |= drain(*e.down_reader, [&](const shm::record_view& r) {
          auto message = decode_from_leader(e.up_index, r);
          if (!message) throw std::runtime_error(message.error().message);
          dispatch(*hosts.at(e.follower), *message, clock::mono_nanos());
        });
        moved |= drain(*e.up_reader, [&](const shm::record_view& r) {
          auto message = decode_from_follower(e.down_index, r);
          if (!message) throw std::runtime_error(message.error().message);
          dispatch(*hosts.at(e.leader), *message, clock::mono_nanos());
        });
      }
      bool busy = false;
      for (auto& [_, host] : hosts) busy |= host->tick(clock::mono_nanos());
      still_rounds = moved ? 0 : still_rounds + 1;
      if (!moved && (!busy || still_rounds > 1000)) return;
    }
    throw std::runtime_error("mesh did not settle");
  }

 private:
  template <class F>
  static bool drain(shm::spsc_consumer& reader, F&& on_record) {
    return reader.drain(on_record, 64) > 0;
  }

  std::size_t ring_bytes_;
  std::vector<edge> edges_;
};

}  // namespace weft::node::testing
