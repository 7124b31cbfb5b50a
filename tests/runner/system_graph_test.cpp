#include "weft/runner/system_graph.hpp"

#include <gtest/gtest.h>

#include "weft/runner/system_file.hpp"

namespace weft::runner {
namespace {

using names = std::vector<std::string>;

TEST(SystemGraph, EdgesOnceInFirstWrittenOrderWithLeadersAndFollowers) {
  const auto spec = parse_system_file(R"(
name = "shop"
pipes = [["Orders", "Reservations", "Orders"], "Orders | Payments | Orders", "Orders | Payments"]
[[applications]]
name = "Orders"
type = "t"
[[applications]]
name = "Reservations"
type = "t"
[[applications]]
name = "Payments"
type = "t"
[[applications]]
name = "Audit"
type = "t"
)",
                                      "shop.toml");
  const auto graph = graph_of(spec);
  EXPECT_EQ(graph.edges, (std::vector<edge>{{"Orders", "Reservations"},
                                            {"Reservations", "Orders"},
                                            {"Orders", "Payments"},
                                            {"Payments", "Orders"}}));
  EXPECT_EQ(graph.leaders, (names{"Orders", "Reservations", "Payments"}));
  EXPECT_EQ(graph.followers, (names{"Orders", "Reservations", "Payments"}));
  EXPECT_EQ(graph.isolated, (names{"Audit"}));
  EXPECT_EQ(graph.followers_of("Orders"), (names{"Reservations", "Payments"}));
  EXPECT_EQ(graph.leaders_of("Orders"), (names{"Reservations", "Payments"}));
  EXPECT_TRUE(graph.leaders_of("Audit").empty());
}

TEST(SystemGraph, ALinearPipeHasAPureLeaderAndAPureFollower) {
  const auto spec = parse_system_file(R"(
name = "bench"
pipes = ["Emitter | Reactor | Counter"]
[[applications]]
name = "Emitter"
type = "t"
[[applications]]
name = "Reactor"
type = "t"
[[applications]]
name = "Counter"
type = "t"
)",
                                      "bench.toml");
  const auto graph = graph_of(spec);
  EXPECT_EQ(graph.leaders, (names{"Emitter", "Reactor"}));
  EXPECT_EQ(graph.followers, (names{"Reactor", "Counter"}));
  EXPECT_TRUE(graph.isolated.empty());
}

}  // namespace
}  // namespace weft::runner
