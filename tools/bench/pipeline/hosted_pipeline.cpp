#include "hosted_pipeline.hpp"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <future>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "bench_recorders.hpp"
#include "process_tree_cpu.hpp"
#include "weft/core/error.hpp"
#include "weft/node/client.hpp"
#include "weft/node/recent_notifications.hpp"
#include "weft/node/system_layout.hpp"
#include "weft/node/worker.hpp"

namespace weft::bench {
namespace {

using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::unique_ptr<es::application> make_app(const es::system_definition& system,
                                          const std::string& name, const std::string& kind,
                                          const std::filesystem::path& dir) {
  // As weft run does: a hosted application pushes what it just recorded.
  es::app_context context{
      name, std::make_shared<node::recent_notifications>(open_recorder(kind, dir, name)), nullptr,
      system.options_of(name)};
  return system.type_of(name).create(std::move(context));
}

double cpu_seconds_of(int who) {
  rusage usage{};
  ::getrusage(who, &usage);
  auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return sec(usage.ru_utime) + sec(usage.ru_stime);
}

void wait_until_running(shm::segment& segment) {
  const auto deadline = clock_type::now() + 30s;
  for (std::uint32_t p = 0; p < segment.process_count(); ++p) {
    while (segment.process(p).state.load(std::memory_order_relaxed) !=
           shm::process_state::running) {
      if (clock_type::now() > deadline)
        throw error("bench: application '" + std::string(shm::name_of(segment.process(p))) +
                    "' did not start within 30 s: " + shm::last_error(segment.process(p)));
      std::this_thread::sleep_for(1ms);
    }
  }
}

/// The timed part of a run: its wall time, and how many cores the client and
/// the system kept busy meanwhile.
struct timed_window {
  double seconds;
  double busy_cores;
  double client_cores;  ///< of busy_cores, the driving client's thread
};

/// Submits N emit commands, then waits for the Counter's tracking gauge.
timed_window drive(shm::segment& segment, std::uint64_t n,
                   const std::function<void(std::uint64_t)>& progress) {
  const auto& tracking = segment.process(*segment.find_process("Counter")).upstreams[0].tracking;
  const std::string system_name = segment.header().system_name;
  auto client = node::client::attach(system_name);
  // Every reply is checked, in place: a refused command fails the run at once.
  std::uint64_t answered = 0;
  const auto check = [&](const node::reply_view& reply) {
    ++answered;
    if (!reply.ok)
      throw error("bench: Emitter refused command " + std::to_string(reply.correlation_id) + ": " +
                  std::string(reply.payload));
  };
  const double cpu_at_start = process_tree_cpu_seconds();
  const double client_at_start = cpu_seconds_of(RUSAGE_THREAD);
  const auto start = clock_type::now();
  // Each payload is written into one buffer: building a string per command
  // (two allocations) cost the client more than submitting it.
  std::array<char, 32> payload{R"({"n":)"};
  constexpr std::size_t prefix = 5;
  for (std::uint64_t i = 1; i <= n; ++i) {
    char* end = std::to_chars(payload.data() + prefix, payload.data() + payload.size() - 1, i).ptr;
    *end++ = '}';
    client.submit("Emitter", "emit",
                  std::string_view(payload.data(), static_cast<std::size_t>(end - payload.data())));
    if (i % 4096 == 0) {
      client.for_each_reply("Emitter", check, 0ms);  // keep the replies from piling up
      progress(tracking.load(std::memory_order_relaxed));
    }
  }
  const auto deadline = clock_type::now() + 600s;
  std::uint64_t done = 0;
  while ((done = tracking.load(std::memory_order_relaxed)) < n) {
    progress(done);
    if (clock_type::now() > deadline)
      throw error("bench: the Counter tracked " + std::to_string(done) + " of " +
                  std::to_string(n) + " reactions after 600 s");
    client.for_each_reply("Emitter", check, 0ms);
    std::this_thread::sleep_for(200us);
  }
  progress(done);
  const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  const double busy_cores = (process_tree_cpu_seconds() - cpu_at_start) / seconds;
  const double client_cores = (cpu_seconds_of(RUSAGE_THREAD) - client_at_start) / seconds;
  while (answered < n) {
    if (clock_type::now() > deadline)
      throw error("bench: " + std::to_string(answered) + " of " + std::to_string(n) +
                  " emit commands answered after 600 s");
    client.for_each_reply("Emitter", check, 100ms);
  }
  return {seconds, busy_cores, client_cores};
}

hosted_figure on_threads(const es::system_definition& system, shm::segment& segment,
                         const std::string& kind, const std::filesystem::path& dir, std::uint64_t n,
                         const std::function<void(std::uint64_t)>& progress) {
  const double cpu_before = cpu_seconds_of(RUSAGE_SELF);
  std::vector<std::unique_ptr<es::application>> apps;
  std::vector<std::unique_ptr<node::worker>> workers;
  std::vector<std::future<void>> threads;
  for (const auto& name : system.apps()) {
    apps.push_back(make_app(system, name, kind, dir));
    workers.push_back(
        std::make_unique<node::worker>(segment, *segment.find_process(name), *apps.back()));
    threads.push_back(std::async(std::launch::async, [w = workers.back().get()] { w->run(); }));
  }
  timed_window timed{};
  try {
    wait_until_running(segment);
    timed = drive(segment, n, progress);
  } catch (...) {
    for (auto& w : workers) w->request_stop();
    for (auto& t : threads) t.wait();
    throw;
  }
  for (auto& w : workers) w->request_stop();
  for (auto& t : threads) t.get();  // rethrows a worker's failure
  return {timed.seconds, timed.busy_cores, timed.client_cores,
          cpu_seconds_of(RUSAGE_SELF) - cpu_before};
}

std::atomic<node::worker*> forked_worker{nullptr};

extern "C" void stop_forked_worker(int) {
  if (auto* w = forked_worker.load(std::memory_order_relaxed)) w->request_stop();
}

hosted_figure in_processes(const es::system_definition& system, shm::segment& segment,
                           const std::string& kind, const std::filesystem::path& dir,
                           std::uint64_t n, const std::function<void(std::uint64_t)>& progress) {
  const double cpu_before = cpu_seconds_of(RUSAGE_SELF) + cpu_seconds_of(RUSAGE_CHILDREN);
  std::vector<pid_t> children;
  for (const auto& name : system.apps()) {
    const pid_t pid = ::fork();
    if (pid == 0) {  // the segment's mapping is inherited; never run its destructor here
      int status = 0;
      try {
        auto app = make_app(system, name, kind, dir);
        node::worker w(segment, *segment.find_process(name), *app);
        forked_worker.store(&w, std::memory_order_relaxed);
        ::signal(SIGTERM, stop_forked_worker);
        w.run();
        forked_worker.store(nullptr, std::memory_order_relaxed);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "bench: worker '%s' failed: %s\n", name.c_str(), e.what());
        status = 1;
      }
      ::_exit(status);
    }
    if (pid < 0) throw error("bench: fork failed");
    children.push_back(pid);
  }
  auto stop_all = [&] {
    bool ok = true;
    for (pid_t pid : children) ::kill(pid, SIGTERM);
    for (pid_t pid : children) {
      int status = 0;
      ::waitpid(pid, &status, 0);
      ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    return ok;
  };
  timed_window timed{};
  try {
    wait_until_running(segment);
    timed = drive(segment, n, progress);
  } catch (...) {
    stop_all();
    throw;
  }
  if (!stop_all()) throw error("bench: a worker process failed (see its message above)");
  return {timed.seconds, timed.busy_cores, timed.client_cores,
          cpu_seconds_of(RUSAGE_SELF) + cpu_seconds_of(RUSAGE_CHILDREN) - cpu_before};
}

/// "bench.Relay" for Relay1, Relay2, ...; "bench.<name>" otherwise.
std::string type_of(const std::string& app) {
  return "bench." + (app.starts_with("Relay") ? std::string("Relay") : app);
}

std::filesystem::path write_system_file(const es::system_definition& system,
                                        const std::string& name, const std::string& kind,
                                        const std::filesystem::path& data_dir,
                                        const std::filesystem::path& plugin) {
  if (kind != "memory" && kind != "sqlite-normal" && kind != "sqlite-full")
    throw invalid_input("bench: weft run has no recorder '" + kind +
                        "' (memory, sqlite-normal, sqlite-full)");
  std::filesystem::create_directories(data_dir);
  const auto file = data_dir / "system.toml";
  std::ofstream out(file);
  out << "name = \"" << name << "\"\ndata_dir = \"" << data_dir.string() << "\"\nplugins = [\""
      << plugin.string() << "\"]\npipes = [[";
  for (std::size_t i = 0; i < system.apps().size(); ++i)
    out << (i ? ", " : "") << '"' << system.apps()[i] << '"';
  out << "]]\n\n[persistence]\n";
  if (kind == "memory") {
    out << "kind = \"memory\"\n";
  } else {
    out << "kind = \"sqlite\"\ndurability = \"" << (kind == "sqlite-full" ? "full" : "normal")
        << "\"\n";
  }
  // Bigger than weft's defaults (64, 256): under a saturating load a wake-up
  // takes 1024 commands or notifications, one transaction each, so context
  // switches and per-transaction costs are paid per thousand events, not per
  // 64 (-20% CPU, a quarter of the context switches at N = 100,000).
  out << "\n[batching]\ngroup_commit = 1024\nsection_events = 1024\n";
  for (const auto& app : system.apps()) {
    out << "\n[[applications]]\nname = \"" << app << "\"\ntype = \"" << type_of(app) << "\"\n";
    // Only how ids are made: batches come from [batching] above.
    const auto& options = system.options_of(app);
    if (options.contains("ids"))
      out << "options = { ids = \"" << options.get("ids", "") << "\" }\n";
  }
  if (!out) throw error("bench: cannot write " + file.string());
  return file;
}

/// Starts `weft run` on a system file and drives it like the other hostings.
hosted_figure under_weft_run(hosting how, const es::system_definition& system,
                             const std::string& name, const std::string& kind,
                             const std::filesystem::path& dir, std::uint64_t n,
                             const std::function<void(std::uint64_t)>& progress,
                             const weft_run_paths& paths) {
  const auto data_dir = dir / name;
  const auto file = write_system_file(system, name, kind, data_dir, paths.plugin);
  const auto log = data_dir / "weft-run.log";
  const std::string runner = how == hosting::weft_run_process   ? "process"
                             : how == hosting::weft_run_threads ? "threads"
                                                                : "single";
  const double cpu_before = cpu_seconds_of(RUSAGE_SELF) + cpu_seconds_of(RUSAGE_CHILDREN);
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::FILE* sink = std::freopen(log.c_str(), "w", stderr);
    if (sink != nullptr) ::dup2(::fileno(stderr), STDOUT_FILENO);
    ::execl(paths.weft.c_str(), "weft", "run", file.c_str(), "--runner", runner.c_str(),
            static_cast<char*>(nullptr));
    std::perror("bench: exec weft");
    ::_exit(127);
  }
  if (pid < 0) throw error("bench: fork failed");
  auto stop = [&] {
    ::kill(pid, SIGINT);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
  };
  auto failed = [&](const std::string& what) {
    std::ifstream in(log);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return error("bench: weft run " + file.string() + ": " + what + "; its output:\n" + text);
  };
  timed_window timed{};
  try {
    std::optional<node::client> attached;
    for (const auto deadline = clock_type::now() + 30s; !attached;) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid)
        throw failed(WIFSIGNALED(status)
                         ? "it was killed by signal " + std::to_string(WTERMSIG(status))
                         : "it exited early with status " + std::to_string(WEXITSTATUS(status)));
      try {
        attached.emplace(node::client::attach(name));
      } catch (const invalid_input&) {
        if (clock_type::now() > deadline) throw failed("no running system after 30 s");
        std::this_thread::sleep_for(5ms);
      }
    }
    wait_until_running(attached->segment());
    timed = drive(attached->segment(), n, progress);
  } catch (...) {
    stop();
    throw;
  }
  if (!stop()) throw failed("it did not exit cleanly on SIGINT");
  return {timed.seconds, timed.busy_cores, timed.client_cores,
          cpu_seconds_of(RUSAGE_SELF) + cpu_seconds_of(RUSAGE_CHILDREN) - cpu_before};
}

}  // namespace

hosted_figure run_hosted(hosting how, const es::system_definition& system,
                         const std::string& recorder_kind, const std::filesystem::path& dir,
                         std::uint64_t n, const std::function<void(std::uint64_t)>& progress,
                         const weft_run_paths& paths) {
  static int runs = 0;
  const std::string name = "bench-" + std::to_string(::getpid()) + "-" + std::to_string(++runs);
  if (how == hosting::weft_run_process || how == hosting::weft_run_threads ||
      how == hosting::weft_run_single)
    return under_weft_run(how, system, name, recorder_kind, dir, n, progress, paths);
  auto segment = shm::segment::create(node::layout_for(name, system));
  return how == hosting::threads ? on_threads(system, segment, recorder_kind, dir, n, progress)
                                 : in_processes(system, segment, recorder_kind, dir, n, progress);
}

}  // namespace weft::bench
