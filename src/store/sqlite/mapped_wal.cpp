#include "sqlite/mapped_wal.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace weft::store::sqlite {

mapped_wal::mapped_wal(const char* path) noexcept {
  // Our own descriptor: SQLite's is private to its VFS. Closing it later
  // would drop this process's POSIX locks on the WAL file, but SQLite takes
  // none there (its locks are on the database and -shm files).
  fd_ = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd_ >= 0) writeback_.emplace(fd_);
}

mapped_wal::~mapped_wal() {
  writeback_.reset();  // before its file's descriptor goes
  unmap();
  if (fd_ >= 0) ::close(fd_);
}

bool mapped_wal::read(void* out, std::size_t size, off_t offset) noexcept {
  if (!covers(offset + static_cast<off_t>(size))) return false;
  std::memcpy(out, map_ + offset, size);
  return true;
}

void mapped_wal::written(std::size_t size, off_t offset) noexcept {
  // SQLite writes its WAL front to back, so the written prefix only grows.
  if (offset <= written_end_)
    written_end_ = std::max(written_end_, offset + static_cast<off_t>(size));
  note_dirty(size, offset);
}

void mapped_wal::truncating(off_t size) noexcept {
  written_end_ = std::min(written_end_, size);
  if (mapped_ > size) unmap();
}

// Maps all bytes written when `end` lies beyond the mapping but within them:
// once per checkpoint while the WAL first grows, then never.
bool mapped_wal::covers(off_t end) noexcept {
  if (end <= mapped_) return true;
  if (fd_ < 0 || end > written_end_) return false;
  void* grown = map_ == nullptr ? ::mmap(nullptr, static_cast<std::size_t>(written_end_), PROT_READ,
                                         MAP_SHARED, fd_, 0)
                                : ::mremap(map_, static_cast<std::size_t>(mapped_),
                                           static_cast<std::size_t>(written_end_), MREMAP_MAYMOVE);
  if (grown == MAP_FAILED) {
    unmap();  // mremap leaves the old mapping in place; start afresh next time
    return false;
  }
  map_ = static_cast<unsigned char*>(grown);
  mapped_ = written_end_;
  return true;
}

void mapped_wal::unmap() noexcept {
  if (map_ != nullptr) ::munmap(map_, static_cast<std::size_t>(mapped_));
  map_ = nullptr;
  mapped_ = 0;
}

void mapped_wal::note_dirty(std::size_t size, off_t offset) noexcept {
  if (offset != dirty_end_) dirty_from_ = offset;  // the WAL restarted from its beginning
  dirty_end_ = offset + static_cast<off_t>(size);
  if (fd_ < 0 || dirty_end_ - dirty_from_ < writeback_step) return;
  writeback_->start(dirty_from_, dirty_end_);
  dirty_from_ = dirty_end_;
}

}  // namespace weft::store::sqlite
