#pragma once
// How a process that hosts applications asks the C allocator to keep memory.
//
// A hosted application allocates in bursts that mostly stay (an in-memory log
// only grows) or come back at once (decoded sections, command batches). With
// glibc's defaults every worker thread's arena grows 128 KiB at a time (an
// mprotect each), gives back what is free at its top, and serves large
// buffers from fresh mappings: the kernel zeroes and faults those pages in
// again and again (a quarter of the CPU of the in-memory pipeline).
namespace weft::node {

/// Grows arenas in big steps, returns memory to the kernel only when a lot is
/// free, and serves buffers up to 32 MiB from the arenas. Idempotent and
/// process-wide; call before the hosting threads start. @threadsafe
void tune_allocator_for_hosting() noexcept;

}  // namespace weft::node
