#pragma once
// Two (or three) processes pinned to cores, a shared scratch area for the
// start/stop handshake, and the figures each row reports.
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <vector>

namespace weft::bench {

inline std::int64_t now_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);  // one clock for every process
  return ts.tv_sec * 1'000'000'000LL + ts.tv_nsec;
}

inline void pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  ::sched_setaffinity(0, sizeof set, &set);
}

/// Shared between the processes of one row (anonymous shared mapping).
struct handshake {
  std::atomic<int> ready;           // consumers that are ready
  std::atomic<std::int64_t> start;  // set by the producer side
  std::atomic<std::int64_t> end;    // set by the consumer after the last message
  std::atomic<std::uint64_t> checksum;
  std::int64_t samples[1];  // latency rows: RTTs, sized at mapping time
};

template <class T>
T* shared_alloc(std::size_t bytes) {
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) std::abort();
  return static_cast<T*>(p);
}

/// Runs `child` in a forked process pinned to cpu 1 and `parent` here on cpu 0.
inline void two_processes(const std::function<void()>& child, const std::function<void()>& parent) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    pin(1);
    child();
    ::_exit(0);
  }
  pin(0);
  ::sched_yield();  // let the child reach its own core first
  parent();
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "bench child failed\n");
    std::exit(1);
  }
}

/// Not measured: yields, so a peer on the same core (SCHED_FIFO) can run.
inline void wait_ready(handshake& h, int n) {
  while (h.ready.load(std::memory_order_acquire) < n) ::sched_yield();
}

struct percentiles {
  double p50, p99, p999;
};

/// One-way latency from RTT samples: RTT/2.
inline percentiles one_way(std::vector<std::int64_t> rtt) {
  std::sort(rtt.begin(), rtt.end());
  auto at = [&](double q) { return rtt[static_cast<std::size_t>(q * (rtt.size() - 1))] / 2.0; };
  return {at(0.50), at(0.99), at(0.999)};
}

}  // namespace weft::bench
