#include "sqlite/wal_writeback.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <system_error>

namespace weft::store::sqlite {

wal_writeback::wal_writeback(int fd) noexcept
    : fd_(fd >= 0 ? ::fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1) {
  if (fd_ < 0) return;
  try {
    helper_ = std::thread([this] { run(); });
  } catch (const std::system_error&) {
    ::close(fd_);  // no thread: write-back is left to the kernel and SQLite's syncs
    fd_ = -1;
  }
}

wal_writeback::~wal_writeback() {
  if (helper_.joinable()) {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    helper_.join();
  }
  if (fd_ >= 0) ::close(fd_);
}

void wal_writeback::start(off_t from, off_t to) noexcept {
  if (fd_ < 0 || from >= to) return;
  {
    std::lock_guard lock(mutex_);
    if (from_ == to_) {
      from_ = from;
      to_ = to;
    } else {
      from_ = std::min(from_, from);
      to_ = std::max(to_, to);
    }
  }
  wake_.notify_one();
}

void wal_writeback::run() noexcept {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || from_ != to_; });
    if (stopping_) return;
    const off_t from = from_, to = to_;
    from_ = to_ = 0;
    lock.unlock();
    // A hint: a failure only means a later fdatasync does the work.
    ::sync_file_range(fd_, from, to - from, SYNC_FILE_RANGE_WRITE);
    lock.lock();
  }
}

}  // namespace weft::store::sqlite
