// weft top: the ps table redrawn in place every second, like top(1).
// Plain ANSI sequences (alternate screen, home, clear to end), no curses.
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <ctime>
#include <ostream>
#include <sstream>

#include <fmt/format.h>

#include "weft/core/clock.hpp"
#include "weft/runner/inspect.hpp"
#include "weft/runner/inspect_snapshot.hpp"

namespace weft::runner {
namespace {

constexpr int refresh_ms = 1000;

std::atomic<bool> stop_requested{false};
void on_stop_signal(int) {
  stop_requested.store(true, std::memory_order_relaxed);
}

/// The terminal in the mode top needs, restored by the destructor on every
/// way out (q, SIGINT, SIGTERM, the system stopping, an exception).
class terminal_session {
 public:
  explicit terminal_session(std::ostream& out) : out_(out) {
    if (::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &saved_) == 0) {
      termios raw = saved_;
      raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);  // keys one by one, unechoed; ISIG
      raw.c_cc[VMIN] = 0;                                    // stays, so ^C still interrupts
      raw.c_cc[VTIME] = 0;
      restore_ = ::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    }
    screen_ = ::isatty(STDOUT_FILENO) != 0;
    if (screen_) out_ << "\x1b[?1049h\x1b[?25l" << std::flush;  // alternate screen, no cursor
    struct sigaction action {};
    action.sa_handler = on_stop_signal;  // no SA_RESTART: poll() returns at once
    sigemptyset(&action.sa_mask);
    stop_requested.store(false, std::memory_order_relaxed);
    ::sigaction(SIGINT, &action, &old_int_);
    ::sigaction(SIGTERM, &action, &old_term_);
  }
  terminal_session(const terminal_session&) = delete;
  terminal_session& operator=(const terminal_session&) = delete;
  ~terminal_session() {
    if (screen_) out_ << "\x1b[?25h\x1b[?1049l" << std::flush;
    if (restore_) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
  }

  /// Terminal width in columns, 0 when not a terminal.
  [[nodiscard]] std::size_t width() const {
    winsize size{};
    if (!screen_ || ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) != 0) return 0;
    return size.ws_col;
  }
  [[nodiscard]] bool screen() const noexcept { return screen_; }

 private:
  std::ostream& out_;
  termios saved_{};
  bool restore_ = false;
  bool screen_ = false;
  struct sigaction old_int_ {
  }, old_term_{};
};

/// Waits up to `ms` for a key; true if it was q. Once stdin is at its end it is not read again.
bool quit_pressed(int ms, bool& stdin_open) {
  if (!stdin_open) {
    ::poll(nullptr, 0, ms);
    return false;
  }
  pollfd fd{STDIN_FILENO, POLLIN, 0};
  if (::poll(&fd, 1, ms) <= 0) return false;  // timeout or a signal
  char keys[64];
  const auto n = ::read(STDIN_FILENO, keys, sizeof keys);
  if (n <= 0) {
    stdin_open = false;
    return false;
  }
  for (ssize_t i = 0; i < n; ++i)
    if (keys[i] == 'q' || keys[i] == 'Q') return true;
  return false;
}

bool still_running(const std::string& segment, std::int32_t supervisor) {
  if (!shm::process_alive(supervisor)) return false;
  for (const auto& info : shm::list_systems())
    if (info.segment_name == segment) return info.creator_alive;
  return false;  // its name is gone: the supervisor removed it
}

std::string frame(const system_view& system, std::size_t width) {
  const std::time_t now = static_cast<std::time_t>(system.taken_micros / 1'000'000);
  std::tm local{};
  ::localtime_r(&now, &local);
  std::string text = fmt::format(
      "weft top - {}  supervisor {}  up {}  {:02}:{:02}:{:02}  (refresh {} s, q quits)\n\n",
      system.name, system.supervisor_pid,
      format_duration(system.taken_micros - system.created_micros), local.tm_hour, local.tm_min,
      local.tm_sec, refresh_ms / 1000);
  text += process_table_text(system);
  if (width == 0) return text;
  // Cut each line to the terminal and clear what an older, longer frame left.
  std::string fitted = "\x1b[H";
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) fitted += line.substr(0, width) + "\x1b[K\n";
  return fitted + "\x1b[J";
}

}  // namespace

int top_command(const inspect_options& options, std::ostream& out) {
  const auto segment = find_running_segment(options.system);
  const auto reader = shm::segment_reader::attach(segment);
  system_view previous = take_snapshot(reader);
  std::string ending;
  {
    terminal_session terminal(out);
    bool stdin_open = true;
    out << frame(previous, terminal.width()) << std::flush;
    while (true) {
      if (quit_pressed(refresh_ms, stdin_open) || stop_requested.load(std::memory_order_relaxed))
        break;
      if (!still_running(segment, previous.supervisor_pid)) {
        ending = fmt::format("weft top: system '{}' stopped\n", previous.name);
        break;
      }
      system_view now = take_snapshot(reader);
      add_rates(now, previous);
      if (!terminal.screen()) out << '\n';  // frames one after another, for logs and pipes
      out << frame(now, terminal.width()) << std::flush;
      previous = std::move(now);
    }
  }
  out << ending << std::flush;  // after leaving the alternate screen, so it stays visible
  return exit_ok;
}

}  // namespace weft::runner
