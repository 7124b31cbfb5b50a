#pragma once
// CPU time of this process and of every process it started, and theirs, read
// from /proc while they run: getrusage() counts children only once they are
// waited for, and the workers of `weft run` are grandchildren.
namespace weft::bench {

/// User plus system seconds of this process's threads and of all its living
/// descendants; 0 for whatever /proc no longer shows. Resolution: one clock
/// tick (10 ms) per process.
double process_tree_cpu_seconds();

}  // namespace weft::bench
