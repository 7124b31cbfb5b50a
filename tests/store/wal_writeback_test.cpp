// The WAL's write-back helper: ranges it is asked for leave the page cache's
// dirty state without anyone syncing the file. Observed with cachestat(2)
// (Linux 6.5+; skipped where the kernel lacks it).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "sqlite/wal_writeback.hpp"
#include "temp_dir.hpp"
#include "watchdog.hpp"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

// From linux/mman.h of Linux 6.5, newer than this system's headers.
struct cachestat_range {
  std::uint64_t off, len;
};
struct cachestat {
  std::uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted;
};
constexpr long cachestat_syscall = 451;  // x86_64, aarch64 and the generic table alike

// Pages of `fd` in [0, bytes) that are dirty or under write-back; -1 if the kernel cannot tell.
long unwritten_pages(int fd, std::uint64_t bytes) {
  cachestat_range range{0, bytes};
  cachestat stat{};
  if (::syscall(cachestat_syscall, fd, &range, &stat, 0) != 0) return -1;
  return static_cast<long>(stat.nr_dirty + stat.nr_writeback);
}

class WalWriteback : public ::testing::Test {
 protected:
  void SetUp() override {
    fd = ::open((dir.path() / "Emitter.sqlite-wal").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    const std::vector<char> bytes(size, 'w');
    ASSERT_EQ(::pwrite(fd, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(size));
    const long dirty = unwritten_pages(fd, size);
    if (dirty < 0) GTEST_SKIP() << "no cachestat(2) in this kernel";
    // The kernel's own write-back waits 30 s for pages this young: they are still dirty.
    ASSERT_GT(dirty, 0);
  }
  void TearDown() override {
    if (fd >= 0) ::close(fd);
  }

  static constexpr std::uint64_t size = 4 << 20;
  temp_dir dir;
  int fd = -1;
};

TEST_F(WalWriteback, ARangeAskedForIsWrittenBackWithoutASync) {
  watchdog dog("ARangeAskedForIsWrittenBackWithoutASync", 60s);
  store::sqlite::wal_writeback writeback(fd);
  // Two ranges back to back, merged or not: all of it goes.
  writeback.start(0, size / 2);
  writeback.start(size / 2, size);
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (unwritten_pages(fd, size) > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  EXPECT_EQ(unwritten_pages(fd, size), 0);
}

TEST_F(WalWriteback, StopsCleanlyWithWorkAskedForAndItsFileGone) {
  watchdog dog("StopsCleanlyWithWorkAskedForAndItsFileGone", 60s);
  for (int round = 0; round < 50; ++round) {
    store::sqlite::wal_writeback writeback(fd);
    for (std::uint64_t from = 0; from < size; from += size / 8)
      writeback.start(from, from + size / 8);
  }
  // Its own descriptor: closing ours first leaves it working.
  store::sqlite::wal_writeback writeback(fd);
  ::close(fd);
  fd = -1;
  writeback.start(0, size);
}

}  // namespace
}  // namespace weft::test
