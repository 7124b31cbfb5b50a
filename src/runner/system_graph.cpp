#include "weft/runner/system_graph.hpp"

#include <algorithm>

namespace weft::runner {
namespace {

bool contains(const std::vector<edge>& edges, const edge& e) {
  return std::find(edges.begin(), edges.end(), e) != edges.end();
}

}  // namespace

system_graph graph_of(const system_spec& spec) {
  system_graph graph;
  for (const auto& pipe : spec.pipes) {
    for (std::size_t i = 1; i < pipe.names.size(); ++i) {
      edge e{pipe.names[i - 1], pipe.names[i]};
      if (!contains(graph.edges, e)) graph.edges.push_back(std::move(e));
    }
  }
  for (const auto& app : spec.applications) {
    const bool leads = std::any_of(graph.edges.begin(), graph.edges.end(),
                                   [&](const edge& e) { return e.leader == app.name; });
    const bool follows = std::any_of(graph.edges.begin(), graph.edges.end(),
                                     [&](const edge& e) { return e.follower == app.name; });
    if (leads) graph.leaders.push_back(app.name);
    if (follows) graph.followers.push_back(app.name);
    if (!leads && !follows) graph.isolated.push_back(app.name);
  }
  return graph;
}

std::vector<std::string> system_graph::leaders_of(const std::string& follower) const {
  std::vector<std::string> result;
  for (const auto& e : edges)
    if (e.follower == follower) result.push_back(e.leader);
  return result;
}

std::vector<std::string> system_graph::followers_of(const std::string& leader) const {
  std::vector<std::string> result;
  for (const auto& e : edges)
    if (e.leader == leader) result.push_back(e.follower);
  return result;
}

}  // namespace weft::runner
