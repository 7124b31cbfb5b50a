// weft ls, ps and top against a real shared-memory segment that this test
// creates and fills as the supervisor and the workers would.
#include <atomic>
#include <cstdlib>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "inspect_weft.hpp"
#include "weft/core/clock.hpp"
#include "weft/runner/cli.hpp"
#include "weft/shm/segment.hpp"

namespace weft::runner {
namespace {

using test::weft;
using test::weft_process;
using ::testing::HasSubstr;
using json = nlohmann::json;

// The shop's shape: Orders -> Reservations -> Orders, Orders -> Payments -> Orders.
enum : std::uint32_t { orders, reservations, payments };

shm::layout_spec shop_layout(const std::string& name) {
  shm::layout_spec spec;
  spec.system_name = name;
  spec.processes = {"Orders", "Reservations", "Payments"};
  spec.channels = {
      {orders, reservations}, {reservations, orders}, {orders, payments}, {payments, orders}};
  spec.downstream_ring_bytes = 1 << 12;
  spec.upstream_ring_bytes = 1 << 12;
  spec.request_ring_bytes = 1 << 12;
  spec.reply_ring_bytes = 1 << 12;
  spec.lanes_per_process = 1;
  return spec;
}

std::string unique_name(const std::string& what) {
  return "inspect-" + what + "-" + std::to_string(::getpid());
}

// What the supervisor and a worker write into an entry.
void run_process(shm::process_entry& e, std::int32_t pid, std::uint64_t position,
                 std::uint32_t restarts = 0) {
  e.pid.store(pid, std::memory_order_relaxed);
  e.state.store(shm::process_state::running, std::memory_order_relaxed);
  e.restarts.store(restarts, std::memory_order_relaxed);
  e.started_micros.store(clock::wall_micros() - 90'000'000, std::memory_order_relaxed);
  e.heartbeat_micros.store(clock::wall_micros(), std::memory_order_relaxed);
  e.notification_position.store(position, std::memory_order_relaxed);
  e.events_recorded.store(position, std::memory_order_relaxed);
}

void track(shm::segment& segment, std::uint32_t follower, std::uint32_t leader,
           std::uint64_t tracking) {
  auto& entry = segment.process(follower);
  for (std::uint32_t k = 0; k < entry.upstream_count; ++k)
    if (segment.channel(entry.upstreams[k].channel).leader == leader)
      entry.upstreams[k].tracking.store(tracking, std::memory_order_relaxed);
}

const json* find_system(const json& ls, const std::string& name) {
  for (const auto& s : ls.at("systems"))
    if (s.at("system") == name) return &s;
  return nullptr;
}

const json& process_named(const json& ps, const std::string& app) {
  for (const auto& p : ps.at("processes"))
    if (p.at("application") == app) return p;
  throw std::runtime_error("no process " + app + " in " + ps.dump());
}

TEST(WeftLs, ListsARunningSystemAndForgetsItOnceRemoved) {
  const auto name = unique_name("ls");
  auto segment = shm::segment::create(shop_layout(name));
  run_process(segment.process(orders), ::getpid(), 10);
  run_process(segment.process(payments), ::getpid(), 4);

  auto r = weft({"ls", "--json"});
  ASSERT_EQ(r.code, exit_ok) << r.err;
  const json listed = json::parse(r.out);
  const json* mine = find_system(listed, name);
  ASSERT_NE(mine, nullptr) << r.out;
  EXPECT_EQ(mine->at("segment"), segment.name());
  EXPECT_EQ(mine->at("supervisor_pid"), ::getpid());
  EXPECT_EQ(mine->at("processes"), 3);
  EXPECT_EQ(mine->at("running"), 2);  // Reservations never started
  EXPECT_EQ(mine->at("stale"), false);

  r = weft({"ls"});
  ASSERT_EQ(r.code, exit_ok) << r.err;
  EXPECT_THAT(r.out, HasSubstr("SYSTEM"));
  EXPECT_THAT(r.out, HasSubstr(name));
  EXPECT_THAT(r.out, HasSubstr("2/3"));

  segment.remove();
  r = weft({"ls", "--json"});
  ASSERT_EQ(r.code, exit_ok) << r.err;
  EXPECT_EQ(find_system(json::parse(r.out), name), nullptr) << r.out;
}

TEST(WeftPs, ReportsPositionsTrackingLagAndTheProcessTable) {
  const auto name = unique_name("ps");
  auto segment = shm::segment::create(shop_layout(name));
  run_process(segment.process(orders), 4001, 120);
  run_process(segment.process(reservations), 4002, 40, 2);
  run_process(segment.process(payments), 4003, 35);
  track(segment, reservations, orders, 117);  // 3 behind Orders
  track(segment, payments, orders, 120);      // caught up
  track(segment, orders, reservations, 40);
  track(segment, orders, payments, 30);  // 5 behind Payments
  segment.process(payments).mailbox_depth.store(7, std::memory_order_relaxed);
  segment.process(payments).state.store(shm::process_state::crashed, std::memory_order_relaxed);
  shm::set_last_error(segment.process(payments), "payments: card declined storm");
  // One record waiting in the ring Orders -> Reservations.
  auto producer = segment.downstream_producer(0);
  const std::byte payload[64]{};
  ASSERT_EQ(producer.try_push(1, payload), shm::push_result::ok);

  // Orders keeps recording while ps samples, Reservations stays still.
  std::atomic<bool> done{false};
  std::thread recording([&] {
    auto& counter = segment.process(orders).events_recorded;
    while (!done.load(std::memory_order_relaxed)) {
      counter.fetch_add(1, std::memory_order_relaxed);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  const auto r = weft({"ps", name, "--json"});
  done.store(true, std::memory_order_relaxed);
  recording.join();
  ASSERT_EQ(r.code, exit_ok) << r.err;
  const json ps = json::parse(r.out);
  EXPECT_EQ(ps.at("system"), name);
  EXPECT_EQ(ps.at("processes").size(), 3u);

  const auto& o = process_named(ps, "Orders");
  EXPECT_EQ(o.at("pid"), 4001);
  EXPECT_EQ(o.at("state"), "running");
  EXPECT_EQ(o.at("notification_position"), 120);
  EXPECT_GT(o.at("events_per_second").get<double>(), 0.0);
  EXPECT_GE(o.at("uptime_seconds").get<double>(), 90.0);
  ASSERT_EQ(o.at("upstreams").size(), 2u);
  EXPECT_EQ(o.at("upstreams")[0].at("leader"), "Reservations");
  EXPECT_EQ(o.at("upstreams")[0].at("lag"), 0);
  EXPECT_EQ(o.at("upstreams")[1].at("leader"), "Payments");
  EXPECT_EQ(o.at("upstreams")[1].at("tracking"), 30);
  EXPECT_EQ(o.at("upstreams")[1].at("lag"), 5);

  const auto& res = process_named(ps, "Reservations");
  EXPECT_EQ(res.at("restarts"), 2);
  EXPECT_EQ(res.at("events_per_second"), 0.0);
  ASSERT_EQ(res.at("upstreams").size(), 1u);
  EXPECT_EQ(res.at("upstreams")[0].at("leader"), "Orders");
  EXPECT_EQ(res.at("upstreams")[0].at("leader_position"), 120);
  EXPECT_EQ(res.at("upstreams")[0].at("tracking"), 117);
  EXPECT_EQ(res.at("upstreams")[0].at("lag"), 3);
  EXPECT_GT(res.at("ring_fill_percent").get<double>(), 0.0);

  const auto& pay = process_named(ps, "Payments");
  EXPECT_EQ(pay.at("state"), "crashed");
  EXPECT_EQ(pay.at("mailbox_depth"), 7);
  EXPECT_EQ(pay.at("last_error"), "payments: card declined storm");
  EXPECT_EQ(pay.at("ring_fill_percent"), 0.0);
}

TEST(WeftPs, PrintsAnAlignedTable) {
  const auto name = unique_name("ps-table");
  auto segment = shm::segment::create(shop_layout(name));
  run_process(segment.process(orders), 4001, 120);
  run_process(segment.process(reservations), 4002, 40, 1);
  track(segment, reservations, orders, 117);
  const auto r = weft({"ps", name});
  ASSERT_EQ(r.code, exit_ok) << r.err;
  EXPECT_THAT(r.out, HasSubstr("APP "));
  EXPECT_THAT(r.out, HasSubstr("Orders 117 lag 3"));
  // Every row is as wide as the header up to the last column.
  const auto header_end = r.out.find("LAST ERROR");
  const auto line_start = r.out.find("\nReservations") + 1;
  ASSERT_NE(header_end, std::string::npos);
  ASSERT_NE(line_start, 0u);
  const auto reservations_line =
      r.out.substr(line_start, r.out.find('\n', line_start) - line_start);
  EXPECT_EQ(reservations_line.rfind("-"), header_end) << r.out;  // no last error: "-" under it
}

TEST(WeftPs, AnUnknownSystemExitsNotRunning) {
  const auto r = weft({"ps", unique_name("never-started")});
  EXPECT_EQ(r.code, exit_not_running);
  EXPECT_THAT(r.err, HasSubstr("no system named 'inspect-never-started-"));
}

TEST(WeftTop, RedrawsUntilQ) {
  const auto name = unique_name("top-q");
  auto segment = shm::segment::create(shop_layout(name));
  run_process(segment.process(orders), 4001, 120);
  weft_process top({"top", name});
  ASSERT_TRUE(top.wait_for_output("weft top - " + name)) << top.err();
  segment.process(orders).notification_position.store(777, std::memory_order_relaxed);
  EXPECT_TRUE(top.wait_for_output("777")) << top.out();  // a later frame shows the new position
  top.type("q");
  EXPECT_EQ(top.wait_exit(), exit_ok) << top.err();
}

TEST(WeftTop, EndsWhenTheSystemStops) {
  const auto name = unique_name("top-stop");
  auto segment = shm::segment::create(shop_layout(name));
  weft_process top({"top", name});
  ASSERT_TRUE(top.wait_for_output("weft top - " + name)) << top.err();
  segment.remove();
  EXPECT_EQ(top.wait_exit(), exit_ok) << top.err();
  EXPECT_THAT(top.out(), HasSubstr("system '" + name + "' stopped"));
}

TEST(WeftTop, EndsOnSigint) {
  const auto name = unique_name("top-int");
  auto segment = shm::segment::create(shop_layout(name));
  weft_process top({"top", name});
  ASSERT_TRUE(top.wait_for_output("weft top - " + name)) << top.err();
  top.signal(SIGINT);
  EXPECT_EQ(top.wait_exit(), exit_ok) << top.err();
}

// A private tmux server: the real terminal top is written for.
class tmux_session {
 public:
  explicit tmux_session(const std::string& command)
      : socket_("weft-inspect-" + std::to_string(::getpid())) {
    started_ = run("new-session -d -s top -x 160 -y 20 '" + command + "'");
  }
  tmux_session(const tmux_session&) = delete;
  tmux_session& operator=(const tmux_session&) = delete;
  ~tmux_session() { run("kill-server"); }

  [[nodiscard]] bool started() const noexcept { return started_; }
  bool run(const std::string& args) const {
    return std::system(("tmux -L " + socket_ + " " + args + " >/dev/null 2>&1").c_str()) == 0;
  }
  [[nodiscard]] std::string screen(const std::filesystem::path& into) const {
    const auto command = "tmux -L " + socket_ + " capture-pane -p -t top > " + into.string();
    if (std::system(command.c_str()) != 0) return {};
    return test::slurp(into);
  }

 private:
  std::string socket_;
  bool started_ = false;
};

bool wait_for_file(const std::filesystem::path& file) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!std::filesystem::exists(file) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return std::filesystem::exists(file);
}

TEST(WeftTop, InATerminalQuitsOnOneKeyAndRestoresTheTerminal) {
  if (std::system("command -v tmux >/dev/null 2>&1") != 0) GTEST_SKIP() << "tmux is not installed";
  const auto name = unique_name("top-tty");
  auto segment = shm::segment::create(shop_layout(name));
  run_process(segment.process(orders), 4001, 120);
  test::scratch_dir dir("inspect-tmux");
  const auto exited = dir.path() / "exited", modes = dir.path() / "stty";
  tmux_session tmux(std::string(WEFT_EXECUTABLE) + " top " + name + "; echo $? > " +
                    exited.string() + ".tmp; stty -a > " + modes.string() + "; mv " +
                    exited.string() + ".tmp " + exited.string() + "; sleep 60");
  ASSERT_TRUE(tmux.started());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::string screen;
  while (screen.find("weft top - " + name) == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    screen = tmux.screen(dir.path() / "screen");
  }
  ASSERT_THAT(screen, HasSubstr("weft top - " + name));
  EXPECT_THAT(screen, HasSubstr("Orders"));
  // No Enter: a terminal left in line mode would never hand the key over.
  ASSERT_TRUE(tmux.run("send-keys -t top q"));
  ASSERT_TRUE(wait_for_file(exited)) << tmux.screen(dir.path() / "screen");
  EXPECT_EQ(test::slurp(exited), "0\n");
  const auto stty = test::slurp(modes);
  EXPECT_THAT(stty, HasSubstr(" icanon"));
  EXPECT_THAT(stty, ::testing::Not(HasSubstr("-icanon")));
  EXPECT_THAT(stty, ::testing::Not(HasSubstr("-echo ")));
}

}  // namespace
}  // namespace weft::runner
