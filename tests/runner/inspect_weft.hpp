#pragma once
// The real `weft` executable run by the inspection tests, each run with a
// watchdog: a hang fails the test instead of blocking it.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/io.hpp>
#include <boost/process/pipe.hpp>

namespace weft::test {

namespace fs = std::filesystem;
namespace bp = boost::process;

/// Waits until `done()` or `limit`; returns done().
inline bool eventually(const std::function<bool()>& done,
                       std::chrono::milliseconds limit = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return done();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

inline std::string slurp(const fs::path& file) {
  std::ifstream in(file);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// A directory of its own, removed with everything in it.
class scratch_dir {
 public:
  explicit scratch_dir(const std::string& label) {
    static int count = 0;
    path_ = fs::temp_directory_path() /
            ("weft-" + label + "-" + std::to_string(::getpid()) + "-" + std::to_string(++count));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  ~scratch_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  [[nodiscard]] const fs::path& path() const noexcept { return path_; }

 private:
  fs::path path_;
};

/// `weft` running in the background; stdout and stderr go to files, stdin is a pipe.
class weft_process {
 public:
  explicit weft_process(const std::vector<std::string>& args) : dir_("weft-run") {
    child_ = bp::child(bp::exe = WEFT_EXECUTABLE, bp::args = args,
                       bp::std_in<input_, bp::std_out>(dir_.path() / "out").string(),
                       bp::std_err > (dir_.path() / "err").string());
  }
  weft_process(const weft_process&) = delete;
  weft_process& operator=(const weft_process&) = delete;
  ~weft_process() {
    if (child_.running()) child_.terminate();
    if (child_.valid()) child_.wait();
  }

  [[nodiscard]] std::string out() const { return slurp(dir_.path() / "out"); }
  [[nodiscard]] std::string err() const { return slurp(dir_.path() / "err"); }

  void type(const std::string& keys) { input_ << keys << std::flush; }
  void close_input() { input_.pipe().close(); }
  void signal(int number) { ::kill(child_.id(), number); }

  /// Waits until stdout contains `text`; false after `limit`.
  bool wait_for_output(const std::string& text,
                       std::chrono::milliseconds limit = std::chrono::seconds(20)) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (out().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  /// The exit code, or nothing if it still runs after `limit` (it is then killed).
  std::optional<int> wait_exit(std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (child_.running() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (child_.running()) {
      child_.terminate();
      child_.wait();
      return std::nullopt;
    }
    child_.wait();
    return child_.exit_code();
  }

 private:
  scratch_dir dir_;
  bp::opstream input_;
  bp::child child_;
};

struct outcome {
  int code = -1;
  std::string out, err;
};

/// Runs `weft args` to its end (30 s at most) with an empty stdin.
inline outcome weft(const std::vector<std::string>& args) {
  weft_process process(args);
  process.close_input();
  const auto code = process.wait_exit(std::chrono::seconds(30));
  return {code.value_or(-1), process.out(), process.err()};
}

}  // namespace weft::test
