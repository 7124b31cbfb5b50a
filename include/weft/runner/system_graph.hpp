#pragma once
// The follow graph of a system: which application follows which. Pipes may
// repeat an edge; the graph has each edge once, in the order first written.
#include <string>
#include <utility>
#include <vector>

#include "weft/runner/system_spec.hpp"

namespace weft::runner {

struct edge {
  std::string leader;
  std::string follower;
  friend bool operator==(const edge&, const edge&) = default;
};

struct system_graph {
  std::vector<edge> edges;
  std::vector<std::string> leaders;    ///< applications followed by at least one (file order)
  std::vector<std::string> followers;  ///< applications following at least one (file order)
  std::vector<std::string> isolated;   ///< in no pipe at all

  [[nodiscard]] std::vector<std::string> leaders_of(const std::string& follower) const;
  [[nodiscard]] std::vector<std::string> followers_of(const std::string& leader) const;
};

system_graph graph_of(const system_spec& spec);

}  // namespace weft::runner
