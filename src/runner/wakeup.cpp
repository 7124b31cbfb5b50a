#include "wakeup.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>

#include "weft/core/error.hpp"

namespace weft::runner::detail {
namespace {

// Shared with the signal handlers, so lock-free or not at all.
std::atomic<int> g_wake_fd{-1};
std::atomic<int> g_stop_signal{0};
std::atomic<int> g_stop_count{0};
std::atomic<bool> g_installed{false};
static_assert(std::atomic<int>::is_always_lock_free && std::atomic<bool>::is_always_lock_free);

struct sigaction g_previous_chld, g_previous_int, g_previous_term;

void write_byte(int fd) noexcept {
  if (fd < 0) return;
  const char byte = 1;
  // A full pipe already holds a wake-up; nothing is lost by dropping this one.
  [[maybe_unused]] const auto written = ::write(fd, &byte, 1);
}

extern "C" void on_child_signal(int /*sig*/) {
  const int saved = errno;
  write_byte(g_wake_fd.load(std::memory_order_acquire));  // pairs with the release in the ctor
  errno = saved;
}

extern "C" void on_stop_signal(int sig) {
  const int saved = errno;
  g_stop_signal.store(sig, std::memory_order_release);    // pairs with stop_signal()
  g_stop_count.fetch_add(1, std::memory_order_release);   // pairs with stop_signal_count()
  write_byte(g_wake_fd.load(std::memory_order_acquire));  // pairs with the release in the ctor
  errno = saved;
}

void install(int sig, void (*handler)(int), struct sigaction* previous) {
  struct sigaction action {};
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART | (sig == SIGCHLD ? SA_NOCLDSTOP : 0);
  if (sigaction(sig, &action, previous) != 0)
    throw error(std::string("sigaction failed: ") + std::strerror(errno));
}

}  // namespace

wakeup_pipe::wakeup_pipe() {
  if (::pipe2(fds_, O_NONBLOCK | O_CLOEXEC) != 0)
    throw error(std::string("cannot create the supervisor's wake-up pipe: ") +
                std::strerror(errno));
}

wakeup_pipe::~wakeup_pipe() {
  ::close(fds_[0]);
  ::close(fds_[1]);
}

void wakeup_pipe::notify() const noexcept {
  write_byte(fds_[1]);
}

void wakeup_pipe::wait(std::chrono::milliseconds timeout) const {
  pollfd readable{fds_[0], POLLIN, 0};
  const int millis = static_cast<int>(std::max<std::int64_t>(0, timeout.count()));
  ::poll(&readable, 1, millis);  // EINTR is just an early wake-up
  char drain[64];
  while (::read(fds_[0], drain, sizeof drain) > 0) {
  }
}

signal_forwarding::signal_forwarding(const wakeup_pipe& pipe, bool stop_signals)
    : stop_signals_(stop_signals) {
  if (g_installed.exchange(true, std::memory_order_acq_rel))
    throw error("another supervisor is already running in this process");
  // relaxed: no handler runs yet (installed below), and the release store to g_wake_fd
  // publishes these resets to them.
  g_stop_signal.store(0, std::memory_order_relaxed);
  g_stop_count.store(0, std::memory_order_relaxed);
  g_wake_fd.store(pipe.write_fd(), std::memory_order_release);  // pairs with the handlers' acquire
  install(SIGCHLD, on_child_signal, &g_previous_chld);
  if (stop_signals_) {
    install(SIGINT, on_stop_signal, &g_previous_int);
    install(SIGTERM, on_stop_signal, &g_previous_term);
  }
}

signal_forwarding::~signal_forwarding() {
  sigaction(SIGCHLD, &g_previous_chld, nullptr);
  if (stop_signals_) {
    sigaction(SIGINT, &g_previous_int, nullptr);
    sigaction(SIGTERM, &g_previous_term, nullptr);
  }
  g_wake_fd.store(-1, std::memory_order_release);
  g_installed.store(false, std::memory_order_release);  // pairs with the exchange in the ctor
}

int signal_forwarding::stop_signal() noexcept {
  return g_stop_signal.load(std::memory_order_acquire);  // pairs with on_stop_signal
}

int signal_forwarding::stop_signal_count() noexcept {
  return g_stop_count.load(std::memory_order_acquire);  // pairs with on_stop_signal
}

}  // namespace weft::runner::detail
