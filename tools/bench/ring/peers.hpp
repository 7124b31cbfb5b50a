#pragma once
// The peers weft's rings are measured against, each between two processes.
#include <cstddef>
#include <cstdint>

#include "harness.hpp"

namespace weft::bench {

/// A minimal SPSC byte ring (length-prefixed records, tail/head publication,
/// cached opposite positions): the practical limit for this hardware.
double raw_throughput(std::size_t size, std::uint64_t n, std::size_t batch);
/// Boost.Interprocess message_queue.
double message_queue_throughput(std::size_t size, std::uint64_t n);
/// A pipe: one write/read per message, or 64 KiB writes and reads.
double pipe_throughput(std::size_t size, std::uint64_t n, bool batched);
/// Ping-pong over two raw rings, both sides spinning.
percentiles raw_spin_latency(std::size_t rounds);
/// Ping-pong by futex hand-off only: the floor for any consumer that sleeps.
percentiles raw_futex_latency(std::size_t rounds);

}  // namespace weft::bench
