// The supervisor and the launcher with real child processes (weft_test_worker).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "weft/runner/supervisor.hpp"

namespace weft::runner {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

const fs::path worker = WEFT_TEST_WORKER;

child_spec worker_child(std::string name, std::vector<std::string> args) {
  return {std::move(name), {worker, std::move(args)}};
}

// A directory of the test's own, removed when the test ends (a path, so
// `dir / "name"` reads as with any path).
struct scratch_dir : fs::path {
  scratch_dir()
      : fs::path(fs::temp_directory_path() /
                 ("weft-supervisor-" + std::to_string(getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    fs::remove_all(*this);
    fs::create_directories(*this);
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  ~scratch_dir() {
    std::error_code ignored;
    fs::remove_all(*this, ignored);
  }
};

supervisor_options fast_options() {
  supervisor_options options;
  options.limits.max_restarts = 3;
  options.limits.window = 60s;
  options.limits.backoff_initial = 10ms;
  options.limits.backoff_max = 50ms;
  options.stop_timeout = 5s;
  options.tick_interval = 20ms;
  options.stop_on_signals = false;
  options.seed = 7;
  return options;
}

// What the hooks saw; filled on the supervisor thread, read by the test.
struct journal {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::pair<std::string, pid_t>> started;
  std::vector<std::pair<std::string, exit_status>> exited;
  std::vector<std::string> restarted;

  supervisor_hooks hooks() {
    supervisor_hooks h;
    h.on_started = [this](const std::string& name, pid_t pid) {
      std::lock_guard lock(mutex);
      started.emplace_back(name, pid);
      changed.notify_all();
    };
    h.on_exited = [this](const std::string& name, const exit_status& status) {
      std::lock_guard lock(mutex);
      exited.emplace_back(name, status);
    };
    h.before_restart = [this](const std::string& name) {
      std::lock_guard lock(mutex);
      restarted.push_back(name);
    };
    return h;
  }

  bool wait_started(std::size_t count) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 20s, [&] { return started.size() >= count; });
  }
};

// Fails the test instead of hanging: stops the supervisor after a deadline.
class watchdog {
 public:
  watchdog(supervisor& sup, std::chrono::seconds limit)
      : thread_([this, &sup, limit] {
          std::unique_lock lock(mutex_);
          if (!done_cv_.wait_for(lock, limit, [this] { return done_; })) {
            fired_ = true;
            sup.request_stop();
          }
        }) {}
  ~watchdog() { disarm(); }
  void disarm() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    done_cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  bool fired() {
    disarm();
    return fired_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
  bool fired_ = false;
  std::thread thread_;
};

bool process_gone(pid_t pid) {
  // A dead child of init may linger as a zombie until reaped; that counts as gone.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  std::string line;
  std::getline(stat, line);
  const auto close = line.rfind(')');
  return close != std::string::npos && line.size() > close + 2 && line[close + 2] == 'Z';
}

std::vector<long> read_pidfile(const fs::path& file, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!fs::exists(file)) {
    if (std::chrono::steady_clock::now() > deadline) return {};
    std::this_thread::sleep_for(5ms);
  }
  std::ifstream in(file);
  std::vector<long> fields;
  for (long v; in >> v;) fields.push_back(v);
  return fields;
}

// Workers install their SIGTERM disposition before writing the pid file, so a
// test that waits for it knows a SIGTERM will meet the intended handler.
bool wait_ready(const std::vector<fs::path>& pidfiles) {
  for (const auto& file : pidfiles)
    if (read_pidfile(file, 20s).empty()) return false;
  return true;
}

TEST(Supervisor, RestartsACrashedChildAndCompletesWhenItExitsCleanly) {
  const auto dir = scratch_dir();
  journal seen;
  supervisor sup(
      {worker_child("Orders", {"--crash-once", dir / "crashed", "--exit-after-ms", "30"})},
      fast_options(), seen.hooks());
  watchdog dog(sup, 30s);
  const auto outcome = sup.run();
  ASSERT_FALSE(dog.fired());

  EXPECT_EQ(outcome.how, supervision_outcome::kind::completed);
  ASSERT_EQ(seen.started.size(), 2u);
  EXPECT_NE(seen.started[0].second, seen.started[1].second);
  ASSERT_EQ(seen.exited.size(), 2u);
  EXPECT_EQ(seen.exited[0].second.how, exit_status::kind::signaled);
  EXPECT_EQ(seen.exited[0].second.value, SIGABRT);
  EXPECT_TRUE(seen.exited[1].second.clean());
  EXPECT_EQ(seen.restarted, std::vector<std::string>{"Orders"});
}

TEST(Supervisor, GivesUpPastTheLimitNamingTheApplicationAndItsLastError) {
  journal seen;
  auto hooks = seen.hooks();
  hooks.last_error = [](const std::string& name) { return name + " says: disk full"; };
  supervisor sup({worker_child("Orders", {"--clean-on-term"}),
                  worker_child("Payments", {"--crash-after-ms", "5"})},
                 fast_options(), hooks);
  watchdog dog(sup, 30s);
  const auto outcome = sup.run();
  ASSERT_FALSE(dog.fired());

  EXPECT_EQ(outcome.how, supervision_outcome::kind::gave_up);
  EXPECT_EQ(outcome.name, "Payments");
  EXPECT_EQ(outcome.last_status.how, exit_status::kind::signaled);
  EXPECT_EQ(outcome.last_status.value, SIGABRT);
  EXPECT_EQ(outcome.last_error, "Payments says: disk full");
  EXPECT_THAT(outcome.message, HasSubstr("'Payments'"));
  EXPECT_THAT(outcome.message, HasSubstr("SIGABRT"));
  EXPECT_THAT(outcome.message, HasSubstr("disk full"));
  // max_restarts = 3: the first start and three restarts, then no more.
  const auto payments_starts = std::count_if(seen.started.begin(), seen.started.end(),
                                             [](const auto& s) { return s.first == "Payments"; });
  EXPECT_EQ(payments_starts, 4);
  // The healthy application was stopped, not left behind.
  const auto orders_exit = std::find_if(seen.exited.begin(), seen.exited.end(),
                                        [](const auto& e) { return e.first == "Orders"; });
  ASSERT_NE(orders_exit, seen.exited.end());
  // Clean if its SIGTERM handler was in place already, else killed by SIGTERM.
  EXPECT_TRUE(orders_exit->second.clean() || orders_exit->second.value == SIGTERM)
      << orders_exit->second.describe();
}

TEST(Supervisor, StopsGracefullyOnRequest) {
  const auto dir = scratch_dir();
  journal seen;
  supervisor sup({worker_child("A", {"--clean-on-term", "--pidfile", dir / "a"}),
                  worker_child("B", {"--clean-on-term", "--pidfile", dir / "b"})},
                 fast_options(), seen.hooks());
  watchdog dog(sup, 30s);
  std::thread stopper([&] {
    if (wait_ready({dir / "a", dir / "b"})) sup.request_stop();
  });
  const auto outcome = sup.run();
  stopper.join();
  ASSERT_FALSE(dog.fired());

  EXPECT_EQ(outcome.how, supervision_outcome::kind::stopped);
  EXPECT_EQ(outcome.signal, 0);
  ASSERT_EQ(seen.exited.size(), 2u);
  for (const auto& [name, status] : seen.exited) EXPECT_TRUE(status.clean()) << name;
  for (const auto& [name, pid] : seen.started) EXPECT_TRUE(process_gone(pid)) << name;
}

TEST(Supervisor, StopsOnSigterm) {
  const auto dir = scratch_dir();
  journal seen;
  auto options = fast_options();
  options.stop_on_signals = true;
  supervisor sup({worker_child("A", {"--clean-on-term", "--pidfile", dir / "a"})}, options,
                 seen.hooks());
  watchdog dog(sup, 30s);
  // The handler is installed before the first child starts, so this SIGTERM
  // reaches the supervisor, not the default action.
  std::thread signaller([&] {
    if (seen.wait_started(1) && wait_ready({dir / "a"})) ::kill(getpid(), SIGTERM);
  });
  const auto outcome = sup.run();
  signaller.join();
  ASSERT_FALSE(dog.fired());

  EXPECT_EQ(outcome.how, supervision_outcome::kind::stopped);
  EXPECT_EQ(outcome.signal, SIGTERM);
  ASSERT_EQ(seen.exited.size(), 1u);
  EXPECT_TRUE(seen.exited[0].second.clean());
}

TEST(Supervisor, EscalatesToSigkillAfterTheStopTimeout) {
  const auto dir = scratch_dir();
  journal seen;
  auto options = fast_options();
  options.stop_timeout = 200ms;
  supervisor sup({worker_child("Stubborn", {"--ignore-term", "--pidfile", dir / "s"}),
                  worker_child("Polite", {"--clean-on-term", "--pidfile", dir / "p"})},
                 options, seen.hooks());
  watchdog dog(sup, 30s);
  std::thread stopper([&] {
    if (wait_ready({dir / "s", dir / "p"})) sup.request_stop();
  });
  const auto outcome = sup.run();
  stopper.join();
  ASSERT_FALSE(dog.fired());

  EXPECT_EQ(outcome.how, supervision_outcome::kind::stopped);
  ASSERT_EQ(seen.exited.size(), 2u);
  for (const auto& [name, status] : seen.exited) {
    if (name == "Stubborn") {
      EXPECT_EQ(status.how, exit_status::kind::signaled);
      EXPECT_EQ(status.value, SIGKILL);
    } else {
      EXPECT_TRUE(status.clean());
    }
  }
}

TEST(Supervisor, TickHookCanKillAHungChildWhichIsThenRestarted) {
  journal seen;
  auto hooks = seen.hooks();
  supervisor* self = nullptr;
  bool killed = false;
  hooks.on_tick = [&] {
    // What a heartbeat check does with a silent worker.
    if (!killed && self->signal_child("Hung", SIGKILL)) killed = true;
  };
  supervisor sup({worker_child("Hung", {"--clean-on-term"})}, fast_options(), hooks);
  self = &sup;
  watchdog dog(sup, 30s);
  std::thread stopper([&] {
    if (seen.wait_started(2)) sup.request_stop();
  });
  const auto outcome = sup.run();
  stopper.join();
  ASSERT_FALSE(dog.fired());

  EXPECT_EQ(outcome.how, supervision_outcome::kind::stopped);
  ASSERT_GE(seen.exited.size(), 2u);
  EXPECT_EQ(seen.exited[0].second.value, SIGKILL);
  EXPECT_EQ(seen.restarted, std::vector<std::string>{"Hung"});
  EXPECT_FALSE(self->signal_child("Nobody", SIGKILL));
}

TEST(Supervisor, AnExecutableThatCannotStartCountsAsAFailure) {
  auto options = fast_options();
  options.limits.max_restarts = 1;
  supervisor sup({{"Ghost", {"/nonexistent/weft-worker", {}}}}, options);
  watchdog dog(sup, 30s);
  const auto outcome = sup.run();
  ASSERT_FALSE(dog.fired());

  EXPECT_EQ(outcome.how, supervision_outcome::kind::gave_up);
  EXPECT_EQ(outcome.last_status.how, exit_status::kind::not_started);
  EXPECT_THAT(outcome.message, HasSubstr("'Ghost'"));
  EXPECT_THAT(outcome.message, HasSubstr("/nonexistent/weft-worker"));
}

TEST(Supervisor, RejectsDuplicateChildNames) {
  EXPECT_THROW(supervisor({worker_child("A", {}), worker_child("A", {})}, fast_options()),
               invalid_input);
}

TEST(Launcher, ChildGetsDeathSignalOwnGroupAndAnEmptySignalMask) {
  const auto dir = scratch_dir();
  // A supervisor may block signals; the child must not inherit that.
  sigset_t usr1, previous;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &usr1, &previous);
  const pid_t pid = launch({worker, {"--pidfile", dir / "pid"}});
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);

  const auto fields = read_pidfile(dir / "pid", 20s);
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  ASSERT_EQ(fields.size(), 4u);
  EXPECT_EQ(fields[0], pid);
  EXPECT_EQ(fields[1], pid) << "own process group";
  EXPECT_EQ(fields[2], SIGKILL) << "PR_SET_PDEATHSIG";
  EXPECT_EQ(fields[3], 0) << "SIGUSR1 must not stay blocked in the child";
}

TEST(Launcher, AMissingExecutableIsAnErrorNamingIt) {
  try {
    launch({"/nonexistent/weft-worker", {}});
    FAIL() << "expected launch_error";
  } catch (const launch_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("/nonexistent/weft-worker"));
  }
}

TEST(Launcher, ChildDiesWhenItsSupervisorIsKilled) {
  const auto dir = scratch_dir();
  // A real supervisor process (the test worker in --supervise-self mode) whose
  // own child writes its pid; then the supervisor gets SIGKILL, which no
  // handler can intercept: only PR_SET_PDEATHSIG can take the grandchild down.
  const pid_t sup = launch({worker, {"--supervise-self", dir / "grandchild"}});
  const auto fields = read_pidfile(dir / "grandchild", 20s);
  ASSERT_EQ(fields.size(), 4u) << "the grandchild did not start";
  const auto grandchild = static_cast<pid_t>(fields[0]);
  EXPECT_FALSE(process_gone(grandchild));

  ::kill(sup, SIGKILL);
  int wstatus = 0;
  ::waitpid(sup, &wstatus, 0);
  const auto deadline = std::chrono::steady_clock::now() + 20s;  // watchdog
  while (!process_gone(grandchild) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  const bool gone = process_gone(grandchild);
  if (!gone) ::kill(grandchild, SIGKILL);  // leave nothing behind
  EXPECT_TRUE(gone) << "grandchild " << grandchild << " survived its supervisor";
}

}  // namespace
}  // namespace weft::runner
