// A child process for the supervisor and launcher tests. It behaves as told:
//   --pidfile F          write "pid pgid pdeathsig sigusr1_blocked" to F (atomically) at start
//   --exit-after-ms N    exit with --code C (default 0) after N ms
//   --crash-after-ms N   abort() after N ms
//   --crash-once F       crash (as above) only if F does not exist yet; creates F
//   --ignore-term        ignore SIGTERM
//   --clean-on-term      exit 0 on SIGTERM (a well-behaved worker)
//   --supervise-self F   run a supervisor over one child: this program with --pidfile F
// With no timed action it waits for signals forever.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "weft/runner/launcher.hpp"
#include "weft/runner/supervisor.hpp"

namespace {

void write_pidfile(const std::string& path) {
  int deathsig = 0;
  prctl(PR_GET_PDEATHSIG, &deathsig);
  sigset_t blocked;
  sigprocmask(SIG_BLOCK, nullptr, &blocked);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << getpid() << ' ' << getpgid(0) << ' ' << deathsig << ' ' << sigismember(&blocked, SIGUSR1)
        << '\n';
  }
  std::filesystem::rename(tmp, path);  // readers never see half a file
}

int supervise_self(const std::string& pidfile) {
  using namespace weft::runner;
  std::vector<child_spec> children{{"grandchild", {self_executable(), {"--pidfile", pidfile}}}};
  supervisor_options options;
  options.stop_on_signals = true;
  supervisor sup(std::move(children), options);
  const auto outcome = sup.run();
  return outcome.how == supervision_outcome::kind::stopped ? 0 : 1;
}

extern "C" void exit_cleanly(int) {
  _exit(0);
}

}  // namespace

int main(int argc, char** argv) {
  const rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);  // crashes on purpose: no core files

  long after_ms = -1;
  int code = 0;
  bool crash = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) std::exit(64);
      return argv[++i];
    };
    if (arg == "--pidfile")
      write_pidfile(next());
    else if (arg == "--exit-after-ms")
      after_ms = std::stol(next());
    else if (arg == "--code")
      code = std::stoi(next());
    else if (arg == "--crash-after-ms") {
      after_ms = std::stol(next());
      crash = true;
    } else if (arg == "--crash-once") {
      const std::string marker = next();
      crash = !std::filesystem::exists(marker);
      if (crash) std::ofstream(marker) << "crashed\n";
    } else if (arg == "--ignore-term")
      signal(SIGTERM, SIG_IGN);
    else if (arg == "--clean-on-term")
      signal(SIGTERM, exit_cleanly);
    else if (arg == "--supervise-self")
      return supervise_self(next());
    else
      return 64;
  }
  if (after_ms >= 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(after_ms));
    if (crash) std::abort();
    return code;
  }
  for (;;) pause();
}
