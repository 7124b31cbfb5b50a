#include "process_tree_cpu.hpp"

#include <sys/types.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace weft::bench {
namespace {

// The nanoseconds each thread of `pid` has run, from the first field of its
// /proc/PID/task/TID/schedstat: /proc/PID/stat counts in clock ticks (10 ms),
// too coarse for runs of a few hundred milliseconds over four processes.
// Then the same for every child of each thread, recursively.
double tree_cpu_seconds(pid_t pid) {
  double total = 0;
  std::error_code ignored;  // a process or thread may end while it is read
  const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& task : std::filesystem::directory_iterator(tasks, ignored)) {
    std::ifstream schedstat(task.path() / "schedstat");
    unsigned long long on_cpu_ns = 0;
    if (schedstat >> on_cpu_ns) total += static_cast<double>(on_cpu_ns) / 1e9;
    std::ifstream children(task.path() / "children");
    for (pid_t child = 0; children >> child;) total += tree_cpu_seconds(child);
  }
  return total;
}

}  // namespace

double process_tree_cpu_seconds() {
  return tree_cpu_seconds(::getpid());
}

}  // namespace weft::bench
