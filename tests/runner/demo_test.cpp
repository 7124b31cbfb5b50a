// The README's main job, `weft demo`, as a newcomer runs it: the shop as
// three worker processes on SQLite files, then a second run that resumes on
// the same data. The demo audits the recorders itself; this test holds it to
// the exit code and the counts it prints.
#include <signal.h>

#include <optional>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "run_weft.hpp"
#include "weft/node/client.hpp"
#include "weft/shm/process_table.hpp"
#include "weft/shm/segment.hpp"

namespace weft::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(Demo, RunsTheShopAndResumesOnItsData) {
  scratch_dir dir("demo");
  const std::string data = (dir.path() / "data").string();
  const run_options patient{.limit = std::chrono::seconds(120)};

  const outcome first = run_weft({"demo", "--orders", "2000", "--data", data}, patient);
  ASSERT_EQ(first.code, 0) << first.out << first.err;
  EXPECT_THAT(first.out, HasSubstr("2000 orders reserved and paid in"));
  EXPECT_THAT(first.out, HasSubstr("all 2000 orders ever made were reserved and paid exactly once "
                                   "(2000 reservations, 2000 payments)"));

  const outcome second = run_weft({"demo", "--orders", "1000", "--data", data}, patient);
  ASSERT_EQ(second.code, 0) << second.out << second.err;
  EXPECT_THAT(second.out, HasSubstr("1000 orders reserved and paid in"));
  EXPECT_THAT(second.out, HasSubstr("all 3000 orders ever made were reserved and paid exactly once "
                                    "(3000 reservations, 3000 payments)"));
  EXPECT_THAT(second.out, Not(HasSubstr("VIOLATIONS")));
}

// A newcomer kills the Orders worker while the demo runs: the supervisor
// restarts it, orders it had taken are reported lost (not refused), and the
// recorders' check still finds every recorded order paid exactly once.
TEST(Demo, SurvivesItsOrdersWorkerBeingKilled) {
  scratch_dir dir("demo-kill");
  weft_process demo({"demo", "--orders", "50000", "--data", (dir.path() / "data").string()});
  std::optional<node::client> client;
  ASSERT_TRUE(eventually([&] {
    try {
      client.emplace(node::client::attach("weft-demo"));
      return true;
    } catch (const std::exception&) {
      return false;
    }
  })) << demo.out();
  auto& orders = client->segment().process(*client->segment().find_process("Orders"));
  ASSERT_TRUE(eventually([&] { return orders.notification_position.load() > 3000; }));
  ASSERT_EQ(::kill(orders.pid.load(), SIGKILL), 0);
  client.reset();

  ASSERT_EQ(demo.wait_exit(std::chrono::seconds(240)), 0) << demo.out() << demo.err();
  EXPECT_THAT(demo.err(), HasSubstr("Orders: killed by signal 9 (SIGKILL); restarting"));
  EXPECT_THAT(demo.out(), HasSubstr("were reserved and paid exactly once"));
  EXPECT_THAT(demo.out(), Not(HasSubstr("refused")));
}

}  // namespace
}  // namespace weft::test
