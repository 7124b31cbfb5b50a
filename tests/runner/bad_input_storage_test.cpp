// The bad-input catalogue, part three: an application's SQLite file that
// cannot be written while the shop runs under the real `weft run` — read-only,
// locked by another process, on a full disk. Each time: the error is reported
// (worker log, process table last error, `weft ps`), nothing recorded before
// is lost, and the application goes on (restarted where it had to stop) once
// the condition clears.
#include <fcntl.h>
#include <linux/fs.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "run_weft.hpp"
#include "shop_under_run.hpp"

namespace weft::test {
namespace {

using ::testing::HasSubstr;

// Restarts enough to outlast the condition: a worker that cannot open or
// write its file fails, and the supervisor restarts it with backoff.
shop_config patient_config() {
  shop_config config;
  config.supervision =
      "max_restarts = 1000\nwindow_seconds = 60\nbackoff_initial_ms = 50\nbackoff_max_ms = "
      "200\n";
  return config;
}

// Makes `file` unwritable for whoever opens it next: root ignores modes, so
// root sets the immutable attribute (ext4, tmpfs...), anyone else chmods 0400.
// An already open descriptor keeps writing either way: the condition bites
// when the application (re)opens the file.
class read_only_file {
 public:
  explicit read_only_file(fs::path file) : file_(std::move(file)) { set(true); }
  ~read_only_file() {
    if (on_) set(false);
  }
  void clear() { set(false); }

 private:
  void set(bool read_only) {
    on_ = read_only;
    if (::geteuid() != 0) {
      ASSERT_EQ(::chmod(file_.c_str(), read_only ? 0400 : 0600), 0) << std::strerror(errno);
      return;
    }
    const int fd = ::open(file_.c_str(), O_RDONLY);
    ASSERT_GE(fd, 0) << file_ << ": " << std::strerror(errno);
    int flags = 0;
    ASSERT_EQ(::ioctl(fd, FS_IOC_GETFLAGS, &flags), 0) << std::strerror(errno);
    flags = read_only ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
    ASSERT_EQ(::ioctl(fd, FS_IOC_SETFLAGS, &flags), 0)
        << file_ << ": cannot set the immutable attribute: " << std::strerror(errno);
    ::close(fd);
  }

  fs::path file_;
  bool on_ = false;
};

TEST(UnwritableStorage, AReadOnlyFileIsReportedAndTheApplicationRestartsWhenItIsWritable) {
  shop_under_run shop("readonly", patient_config());
  shop.order(100);
  ASSERT_TRUE(shop.wait_settled(100));

  const auto file = shop.data() / "Reservations.sqlite";
  read_only_file read_only(file);
  ::kill(shop.process("Reservations").pid.load(), SIGKILL);  // it must open the file again
  ASSERT_TRUE(eventually([&] {
    return shm::last_error(shop.process("Reservations")).find(file.string()) != std::string::npos;
  })) << shm::last_error(shop.process("Reservations"));
  const auto error = shm::last_error(shop.process("Reservations"));
  EXPECT_THAT(error, HasSubstr("cannot open for writing: the file or its directory is read-only"));
  const auto ps = run_weft({"ps", shop.name()});
  EXPECT_THAT(ps.out, HasSubstr("Reservations.sqlite")) << ps.out << ps.err;

  // Orders goes on meanwhile; Reservations catches up once its file is writable.
  shop.order(100);
  read_only.clear();
  ASSERT_TRUE(shop.wait_settled(200)) << shop.log();
  EXPECT_GE(shop.process("Reservations").restarts.load(), 2u);
  EXPECT_EQ(shop.process("Orders").restarts.load(), 0u);
  EXPECT_EQ(shop.stop(), 0) << shop.log();
  // Workers flush their log files when they end.
  EXPECT_THAT(slurp(shop.data() / "Reservations.log"), HasSubstr("read-only"));
  expect_exactly_once(shop.data(), 200);
}

// Another process's connection in an EXCLUSIVE transaction: writers wait
// busy_timeout (5 s), then fail.
class exclusive_lock {
 public:
  explicit exclusive_lock(const fs::path& file) {
    EXPECT_EQ(sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db_, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db_);
  }
  ~exclusive_lock() { release(); }
  void release() {
    if (db_ == nullptr) return;
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db_);
    db_ = nullptr;
  }

 private:
  sqlite3* db_ = nullptr;
};

TEST(UnwritableStorage, ALockedFileFailsTheCommandClearlyAndWritesResumeWhenItIsReleased) {
  shop_under_run shop("locked", patient_config());
  shop.order(100);
  ASSERT_TRUE(shop.wait_settled(100));  // nothing in flight that Orders must record

  const auto file = shop.data() / "Orders.sqlite";
  exclusive_lock lock(file);
  const auto refused = shop.client().call("Orders", "create_order", R"({"amount":9})", 60s);
  EXPECT_FALSE(refused.ok);
  EXPECT_THAT(refused.payload, HasSubstr("not recorded: sqlite database '" + file.string()));
  EXPECT_THAT(refused.payload, HasSubstr("database is locked"));
  const auto error = shm::last_error(shop.process("Orders"));
  EXPECT_THAT(error, HasSubstr(file.string()));
  EXPECT_THAT(error, HasSubstr("database is locked"));
  const auto ps = run_weft({"ps", shop.name()});
  EXPECT_THAT(ps.out, HasSubstr("database is locked")) << ps.out << ps.err;

  lock.release();
  shop.order(100);
  ASSERT_TRUE(shop.wait_settled(200)) << shop.log();
  EXPECT_EQ(shop.process("Orders").restarts.load(), 0u);  // answered, not fatal
  EXPECT_EQ(shop.stop(), 0) << shop.log();
  // Workers flush their log files when they end.
  EXPECT_THAT(slurp(shop.data() / "Orders.log"), HasSubstr("database is locked"));
  expect_exactly_once(shop.data(), 200);  // the refused order was not recorded
}

// A small tmpfs as the data directory: the disk fills up for real. Mounting
// needs root (CAP_SYS_ADMIN); `PRAGMA max_page_count` is no substitute, as
// it binds only the connection that sets it, not the worker's.
class small_disk {
 public:
  explicit small_disk(fs::path dir) : dir_(std::move(dir)) {
    fs::create_directories(dir_);
    mounted_ = ::mount("tmpfs", dir_.c_str(), "tmpfs", 0, "size=16m,mode=0700") == 0;
    why_ = mounted_ ? "" : std::strerror(errno);
  }
  ~small_disk() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  [[nodiscard]] bool mounted() const noexcept { return mounted_; }
  [[nodiscard]] const std::string& why_not() const noexcept { return why_; }

  /// Fills what is left with one file.
  void fill() {
    const int fd = ::open((dir_ / "filler").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_GE(fd, 0);
    const std::vector<char> block(1 << 16, 'f');
    while (::write(fd, block.data(), block.size()) > 0) {
    }
    const int last = errno;
    for (std::size_t size = 4096; size >= 1; size /= 2)  // the last pages, to the byte
      while (::write(fd, block.data(), size) > 0) {
      }
    ::close(fd);
    EXPECT_EQ(last, ENOSPC);
  }
  void free_space() { fs::remove(dir_ / "filler"); }

 private:
  fs::path dir_;
  bool mounted_ = false;
  std::string why_;
};

TEST(UnwritableStorage, AFullDiskFailsWritesClearlyAndTheSystemGoesOnWhenSpaceIsFreed) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a small tmpfs needs root";
  scratch_dir place("fulldisk");
  small_disk disk(place.path() / "data");
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs: " << disk.why_not();
  auto config = patient_config();
  config.data_dir = (place.path() / "data").string();
  shop_under_run shop("fulldisk", config);
  shop.order(100);
  ASSERT_TRUE(shop.wait_settled(100));

  disk.fill();
  // Orders until one cannot be recorded; those answered ok must all survive.
  std::size_t recorded = 100;
  std::string refusal;
  for (int i = 0; i < 20000 && refusal.empty(); ++i) {
    const auto reply = shop.client().call("Orders", "create_order", R"({"amount":3})", 60s);
    if (reply.ok)
      ++recorded;
    else
      refusal = reply.payload;
  }
  ASSERT_FALSE(refusal.empty()) << "the disk never filled";
  EXPECT_THAT(refusal, HasSubstr("database or disk is full"));
  EXPECT_THAT(shm::last_error(shop.process("Orders")), HasSubstr("database or disk is full"));
  const auto ps = run_weft({"ps", shop.name()});
  EXPECT_THAT(ps.out, HasSubstr("disk is full")) << ps.out << ps.err;

  disk.free_space();
  shop.order(100);
  recorded += 100;
  ASSERT_TRUE(shop.wait_settled(recorded)) << shop.log();
  EXPECT_EQ(shop.stop(), 0) << shop.log();
  expect_exactly_once(shop.data(), recorded);
}

}  // namespace
}  // namespace weft::test
