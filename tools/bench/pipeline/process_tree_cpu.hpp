#pragma once
// CPU time of this process and of every process it started, and theirs, read
// from /proc while they run: getrusage() counts children only once they are
// waited for, and the workers of `weft run` are grandchildren.
namespace weft::bench {

/// Seconds on a CPU of this process's threads and of all its living
/// descendants' (threads that ended are not counted); nanosecond resolution.
double process_tree_cpu_seconds();

}  // namespace weft::bench
