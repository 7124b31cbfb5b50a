#pragma once
// A WAL file read through a shared memory mapping, and its write-back
// started early, for the buffered-WAL VFS (buffered_wal.cpp).
//
// Reads: a checkpoint copies every frame back to the database with one
// pread each (34,000 calls at N = 100,000 in the pipeline benchmark); from
// the mapping they are memcpys. Only bytes this object saw written since it
// opened are mapped, so the mapping never reaches past the end of the file.
// Sound only while nothing else shrinks the file: the VFS is used with
// locking_mode = EXCLUSIVE only.
//
// Writes stay pwrites: stores through the mapping were measured slower
// (tools/bench/pipeline/RESULTS.md): every WAL page written back is
// write-protected again, so each store to it takes a page fault, which
// costs as much as the system call it saves.
//
// Write-back: SQLite's checkpoint begins with fdatasync of the whole WAL
// (20 MB, 15-27 ms, on the committing thread). Every `writeback_step` bytes
// written, this asks the kernel to start writing them, on a helper thread
// (wal_writeback.hpp), so the checkpoint's sync finds little left to do.
//
// Not thread-safe: used by the one connection that owns the WAL file.
#include <sys/types.h>

#include <cstddef>
#include <optional>

#include "sqlite/wal_writeback.hpp"

namespace weft::store::sqlite {

class mapped_wal {
 public:
  /// Opens its own descriptor of the WAL file at `path`. If that fails the
  /// object does nothing: write and read return false, callers use the file.
  explicit mapped_wal(const char* path) noexcept;
  ~mapped_wal();
  mapped_wal(const mapped_wal&) = delete;
  mapped_wal& operator=(const mapped_wal&) = delete;

  /// Copies out `size` bytes at `offset` if the mapping holds them; false: read the file.
  bool read(void* out, std::size_t size, off_t offset) noexcept;
  /// `size` bytes were written at `offset`.
  void written(std::size_t size, off_t offset) noexcept;
  /// The file is about to be cut to `size` bytes.
  void truncating(off_t size) noexcept;

  /// Bytes between write-back starts.
  static constexpr off_t writeback_step = off_t{1} << 20;

 private:
  bool covers(off_t end) noexcept;
  void unmap() noexcept;
  void note_dirty(std::size_t size, off_t offset) noexcept;

  int fd_ = -1;
  off_t written_end_ = 0;  // [0, written_end_) was written since opening
  unsigned char* map_ = nullptr;
  off_t mapped_ = 0;                        // map_ covers [0, mapped_)
  off_t dirty_from_ = 0, dirty_end_ = 0;    // written since the last write-back start
  std::optional<wal_writeback> writeback_;  // present while fd_ is open
};

}  // namespace weft::store::sqlite
