#include "weft/runner/launcher.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <system_error>

#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/io.hpp>

namespace weft::runner {
namespace {

namespace bp = boost::process;

// Runs in the child between fork and exec: async-signal-safe calls only.
struct worker_setup : bp::extend::handler {
  pid_t parent;

  template <class Executor>
  void on_exec_setup(Executor& /*exec*/) const {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    // The parent may have died before prctl: then we were re-parented already
    // and no signal will ever come.
    if (getppid() != parent) _exit(EXIT_FAILURE);
  }
};

}  // namespace

std::filesystem::path self_executable() {
  std::error_code ec;
  auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw launch_error("cannot read /proc/self/exe: " + ec.message());
  return path;
}

pid_t launch(const launch_spec& spec) {
  const std::filesystem::path exe = spec.executable.empty() ? self_executable() : spec.executable;
  std::error_code ec;
  bp::child child(bp::exe = exe.string(), bp::args = spec.args, bp::std_in < bp::null,
                  worker_setup{{}, getpid()}, ec);
  if (ec || !child.valid())
    throw launch_error("cannot start " + exe.string() + ": " +
                       (ec ? ec.message() : std::string("unknown error")));
  // We reap the child ourselves (the supervisor's waitpid loop); a detached
  // bp::child neither waits for nor kills it on destruction.
  const pid_t pid = child.id();
  child.detach();
  return pid;
}

}  // namespace weft::runner
