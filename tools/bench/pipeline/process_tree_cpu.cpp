#include "process_tree_cpu.hpp"

#include <sys/types.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace weft::bench {
namespace {

// utime and stime, fields 14 and 15 of /proc/PID/stat, in clock ticks. The
// command name (field 2) may hold spaces, so fields are counted after its ')'.
double own_cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return 0;
  const auto close = line.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(line.substr(close + 2));  // from field 3, the state
  std::string skipped;
  for (int field = 3; field < 14; ++field) fields >> skipped;
  unsigned long long user = 0, system = 0;
  if (!(fields >> user >> system)) return 0;
  return static_cast<double>(user + system) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double tree_cpu_seconds(pid_t pid) {
  double total = own_cpu_seconds(pid);
  std::error_code ignored;  // a process may end while it is read
  const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& task : std::filesystem::directory_iterator(tasks, ignored)) {
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
