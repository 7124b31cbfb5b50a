#include "weft_run.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <thread>
#include <vector>

#include "weft/core/error.hpp"

extern char** environ;

namespace chaos {
namespace {

std::string describe(int status) {
  if (WIFEXITED(status)) return fmt::format("exit {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return fmt::format("signal {} ({})", WTERMSIG(status), ::strsignal(WTERMSIG(status)));
  return fmt::format("status {}", status);
}

}  // namespace

void become_subreaper() {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
    throw weft::error(fmt::format("prctl(PR_SET_CHILD_SUBREAPER): {}", std::strerror(errno)));
}

std::optional<pid_t> parent_of(pid_t pid) {
  std::ifstream stat(fmt::format("/proc/{}/stat", pid));
  std::string line;
  if (!std::getline(stat, line)) return std::nullopt;
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
  const auto close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  char state = 0;
  int ppid = 0;
  if (std::sscanf(line.c_str() + close + 1, " %c %d", &state, &ppid) != 2) return std::nullopt;
  if (state == 'Z' || state == 'X') return std::nullopt;  // dead already
  return ppid;
}

weft_run::weft_run(std::filesystem::path executable, std::filesystem::path system_file,
                   std::filesystem::path data_dir, std::filesystem::path log_file)
    : executable_(std::move(executable)),
      system_file_(std::move(system_file)),
      data_dir_(std::move(data_dir)),
      log_file_(std::move(log_file)) {}

weft_run::~weft_run() {
  if (pid_ > 0 && running()) {
    ::kill(pid_, SIGKILL);
    wait(std::chrono::seconds(10));
  }
}

void weft_run::start() {
  if (pid_ > 0 && running()) throw weft::error("weft_run::start: the previous supervisor runs");
  const int log = ::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log < 0) throw weft::error(fmt::format("{}: {}", log_file_.string(), std::strerror(errno)));
  const std::string banner = fmt::format("==== weft-chaos: start {} ====\n", starts_ + 1);
  (void)!::write(log, banner.data(), banner.size());
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&files, log, 1);
  posix_spawn_file_actions_adddup2(&files, log, 2);
  std::vector<std::string> args{
      executable_.string(), "run", system_file_.string(), "--data", data_dir_.string(),
      "--log-level",        "warn"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, executable_.c_str(), &files, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&files);
  ::close(log);
  if (rc != 0)
    throw weft::error(fmt::format("cannot start {}: {}", executable_.string(), std::strerror(rc)));
  pid_ = pid;
  ++starts_;
  ended_.clear();
}

bool weft_run::running() {
  for (;;) {
    int status = 0;
    const pid_t got = ::waitpid(-1, &status, WNOHANG);
    if (got <= 0) break;  // 0: children run; -1: none left
    if (got == pid_) ended_ = describe(status);
    // Anything else is an orphaned worker of a killed supervisor: reaped, forgotten.
  }
  return pid_ > 0 && ended_.empty();
}

void weft_run::signal(int sig) const {
  if (pid_ > 0) ::kill(pid_, sig);
}

bool weft_run::wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

std::string weft_run::log_tail(std::size_t lines) const {
  std::ifstream in(log_file_);
  std::deque<std::string> last;
  for (std::string line; std::getline(in, line);) {
    last.push_back(line);
    if (last.size() > lines) last.pop_front();
  }
  std::string out;
  for (const auto& line : last) out += "    | " + line + "\n";
  return out;
}

}  // namespace chaos
