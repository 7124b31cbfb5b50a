// Reads /proc/<pid>/stat: the process state (field 3) and start time (field 22).
#include "weft/shm/process_liveness.hpp"

#include <signal.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <string_view>

namespace weft::shm {
namespace {

struct proc_stat {
  char state = '?';
  std::uint64_t start_ticks = 0;
};

/// The state and start time of `pid`, or nullopt if its stat file cannot be read.
std::optional<proc_stat> read_proc_stat(std::int32_t pid) noexcept {
  char path[32];
  std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
  std::FILE* file = std::fopen(path, "re");
  if (file == nullptr) return std::nullopt;
  char line[1024];
  const std::size_t size = std::fread(line, 1, sizeof line - 1, file);
  std::fclose(file);
  line[size] = '\0';
  // The command name (field 2) may hold spaces and parentheses: fields from
  // the state on follow the last ')'.
  const char* end = std::strrchr(line, ')');
  if (end == nullptr || end[1] != ' ') return std::nullopt;
  std::string_view rest(end + 2);
  proc_stat stat;
  stat.state = rest.empty() ? '?' : rest.front();
  // Skip fields 3..21 (19 fields) to reach the start time, field 22.
  for (int field = 3; field < 22; ++field) {
    const auto space = rest.find(' ');
    if (space == std::string_view::npos) return stat;
    rest.remove_prefix(space + 1);
  }
  std::from_chars(rest.data(), rest.data() + rest.size(), stat.start_ticks);
  return stat;
}

}  // namespace

bool process_alive(std::int32_t pid) noexcept {
  if (pid <= 0 || (::kill(pid, 0) != 0 && errno != EPERM)) return false;
  // A zombie still answers kill(0) until its parent reaps it, but it will
  // never act again: a supervisor SIGKILLed under a shell that has not reaped
  // it yet must not keep its system "running".
  const auto stat = read_proc_stat(pid);
  if (!stat) return true;  // no procfs: trust kill(0)
  return stat->state != 'Z' && stat->state != 'X';
}

bool process_alive(std::int32_t pid, std::uint64_t start_ticks) noexcept {
  if (!process_alive(pid)) return false;
  if (start_ticks == 0) return true;
  const auto started = process_start_ticks(pid);
  return !started || *started == start_ticks;
}

std::optional<std::uint64_t> process_start_ticks(std::int32_t pid) noexcept {
  if (pid <= 0) return std::nullopt;
  const auto stat = read_proc_stat(pid);
  if (!stat || stat->start_ticks == 0) return std::nullopt;
  return stat->start_ticks;
}

}  // namespace weft::shm
