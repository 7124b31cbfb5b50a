#pragma once
// Is the process behind a pid still the one we mean? A pid alone is not
// enough: Linux recycles pids, so a supervisor that died long ago can seem to
// run again as some unrelated process. The kernel's record of when a process
// started (clock ticks since boot, /proc/<pid>/stat field 22) tells the two
// apart: it never changes for a process and differs for its successor.
#include <cstdint>
#include <optional>

namespace weft::shm {

/// True if a process with this pid exists and is not a zombie (EPERM counts as
/// existing). @threadsafe
bool process_alive(std::int32_t pid) noexcept;

/// True if `pid` is alive and is the process that started at `start_ticks`.
/// start_ticks == 0 means unknown: then the pid alone decides. @threadsafe
bool process_alive(std::int32_t pid, std::uint64_t start_ticks) noexcept;

/// When `pid` started, in clock ticks since boot; nullopt without procfs or
/// when there is no such process. @threadsafe
std::optional<std::uint64_t> process_start_ticks(std::int32_t pid) noexcept;

}  // namespace weft::shm
