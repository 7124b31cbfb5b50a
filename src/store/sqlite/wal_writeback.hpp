#pragma once
// Starts the kernel's write-back of ranges of a file on a thread of its own.
//
// sync_file_range(SYNC_FILE_RANGE_WRITE) does not wait for the disk, but it
// does the file system's work of writing back (allocating blocks, building
// and queueing the I/O) on the calling thread and may wait for room in the
// device's queue: ~0.5 ms a call, every MiB of WAL, on the committing
// thread. Here the committing thread only records the range; a helper
// thread makes the call. weft run sqlite-normal, alternating runs at load
// 2.6: 180k ev/s wall with the calls inline, 198k without them, 219k here.
// It adds no guarantee and removes none: durability is SQLite's syncs.
#include <sys/types.h>

#include <condition_variable>
#include <mutex>
#include <thread>

namespace weft::store::sqlite {

class wal_writeback {
 public:
  /// Uses its own duplicate of `fd`; does nothing if that fails.
  explicit wal_writeback(int fd) noexcept;
  /// Lets a call under way finish, drops what is still asked for, joins the thread.
  ~wal_writeback();
  wal_writeback(const wal_writeback&) = delete;
  wal_writeback& operator=(const wal_writeback&) = delete;

  /// Asks for write-back of bytes [from, to) to start soon; ranges asked for
  /// before the helper got to them are merged. @threadsafe; in practice the
  /// WAL's connection, one thread at a time.
  void start(off_t from, off_t to) noexcept;

 private:
  void run() noexcept;

  int fd_ = -1;
  std::mutex mutex_;              // guards what follows
  std::condition_variable wake_;  // start() and the destructor -> run()
  off_t from_ = 0, to_ = 0;       // asked for and not yet started; empty if from_ == to_
  bool stopping_ = false;
  std::thread helper_;  // last: starts once the members above exist
};

}  // namespace weft::store::sqlite
