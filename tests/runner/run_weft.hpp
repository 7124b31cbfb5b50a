#pragma once
// Runs the real `weft` executable to its end under a watchdog (a hang fails
// the test instead of blocking it), optionally as the unprivileged user
// `nobody`: root reads every file, so "permission denied" needs another user.
#include <grp.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/io.hpp>

#include "inspect_weft.hpp"

namespace weft::test {

inline constexpr uid_t nobody_uid = 65534;
inline constexpr gid_t nobody_gid = 65534;

struct run_options {
  bool as_nobody = false;
  std::chrono::seconds limit{30};
};

inline outcome run_weft(const std::vector<std::string>& args, run_options options = {}) {
  scratch_dir dir("weft-out");
  const auto out = dir.path() / "out", err = dir.path() / "err";
  const bool drop = options.as_nobody;
  bp::child child(
      bp::exe = WEFT_EXECUTABLE, bp::args = args, bp::std_in<bp::null, bp::std_out> out.string(),
      bp::std_err > err.string(), bp::extend::on_exec_setup = [drop](auto&) {
        // In the child, between fork and exec: drop root for good.
        if (drop && (::setgroups(0, nullptr) != 0 || ::setgid(nobody_gid) != 0 ||
                     ::setuid(nobody_uid) != 0))
          ::_exit(127);
      });
  const auto deadline = std::chrono::steady_clock::now() + options.limit;
  while (child.running() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  if (child.running()) child.terminate();  // watchdog
  child.wait();
  return {child.exit_code(), slurp(out), slurp(err)};
}

}  // namespace weft::test
