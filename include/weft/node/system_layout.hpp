#pragma once
// The shared-memory layout of a system: one process per application, one
// channel (ring pair) per edge, in the definition's order, so every process
// of the system computes the same indices.
#include <cstddef>
#include <cstdint>
#include <string>

#include "weft/es/system_definition.hpp"
#include "weft/shm/segment_layout.hpp"

namespace weft::node {

struct ring_sizes {
  std::size_t edge_bytes = std::size_t{1} << 20;     ///< leader -> follower
  std::size_t pull_bytes = std::size_t{1} << 14;     ///< follower -> leader (pull requests)
  std::size_t ingress_bytes = std::size_t{1} << 18;  ///< each client lane, both ways
  std::uint32_t lanes_per_process = 8;
};

shm::layout_spec layout_for(const std::string& system_name, const es::system_definition& system,
                            const ring_sizes& sizes = {});

}  // namespace weft::node
