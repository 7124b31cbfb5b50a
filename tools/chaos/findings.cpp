#include "chaos_system.hpp"

namespace chaos {

void findings::add(std::string what) {
  ++count_;
  if (examples_.size() < 20) examples_.push_back(std::move(what));
}

std::string chaos_tables() {
  return R"(
[persistence]
kind = "sqlite"
durability = "full"

[batching]
group_commit = 256

[supervision]
max_restarts = 100000
window_seconds = 60
backoff_initial_ms = 20
backoff_max_ms = 500
stop_timeout_ms = 20000
heartbeat_timeout_ms = 3000
)";
}

}  // namespace chaos
