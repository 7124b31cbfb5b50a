#include "weft/node/system_layout.hpp"

#include <algorithm>

namespace weft::node {

shm::layout_spec layout_for(const std::string& system_name, const es::system_definition& system,
                            const ring_sizes& sizes) {
  shm::layout_spec spec;
  spec.system_name = system_name;
  spec.processes = system.apps();
  const auto index_of = [&](const std::string& app) {
    return static_cast<std::uint32_t>(std::find(spec.processes.begin(), spec.processes.end(), app) -
                                      spec.processes.begin());
  };
  for (const auto& edge : system.edges())
    spec.channels.push_back({index_of(edge.leader), index_of(edge.follower)});
  spec.downstream_ring_bytes = sizes.edge_bytes;
  spec.upstream_ring_bytes = sizes.pull_bytes;
  spec.lanes_per_process = sizes.lanes_per_process;
  spec.request_ring_bytes = sizes.ingress_bytes;
  spec.reply_ring_bytes = sizes.ingress_bytes;
  return spec;
}

}  // namespace weft::node
