#include "sqlite/buffered_wal.hpp"

#include <sqlite3.h>

#include <cstddef>
#include <mutex>
#include <new>
#include <vector>

#include "sqlite/mapped_wal.hpp"

namespace weft::store::sqlite {
namespace {

// A transaction larger than this is written out in pieces, as plain SQLite
// would. The unix VFS writes at most 128 KiB - 1 per call (it masks the size
// with 0x1ffff), so the limit must stay below that.
constexpr std::size_t buffer_limit = 64 * 1024;

sqlite3_vfs* real_vfs = nullptr;  // the default VFS we wrap; set once by register_vfs
sqlite3_vfs buffered_vfs;

struct pending_writes {
  sqlite3_int64 offset = 0;  // file offset of bytes[0]
  std::vector<unsigned char> bytes;
};

struct wal_state {
  explicit wal_state(const char* path) : mapping(path) {}
  pending_writes pending;
  mapped_wal mapping;
};

// Our sqlite3_file for a WAL file; the real VFS's file object follows it in
// the same allocation (szOsFile covers both).
struct buffered_file {
  sqlite3_file base;
  wal_state* state;

  sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
  const sqlite3_io_methods& io() { return *real()->pMethods; }
};
static_assert(sizeof(buffered_file) % alignof(std::max_align_t) == 0,
              "the real file object after ours must be suitably aligned");

buffered_file* self(sqlite3_file* file) {
  return reinterpret_cast<buffered_file*>(file);
}

int write_out(buffered_file* f, const void* data, int amount, sqlite3_int64 offset) {
  const int rc = f->io().xWrite(f->real(), data, amount, offset);
  if (rc == SQLITE_OK) f->state->mapping.written(static_cast<std::size_t>(amount), offset);
  return rc;
}

int flush(buffered_file* f) {
  auto& p = f->state->pending;
  if (p.bytes.empty()) return SQLITE_OK;
  const int rc = write_out(f, p.bytes.data(), static_cast<int>(p.bytes.size()), p.offset);
  p.bytes.clear();
  return rc;
}

int buffered_close(sqlite3_file* file) {
  auto* f = self(file);
  const int flushed = flush(f);
  delete f->state;  // unmaps before the file closes
  f->state = nullptr;
  const int closed = f->io().xClose(f->real());
  return flushed != SQLITE_OK ? flushed : closed;
}

int buffered_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  auto* f = self(file);
  auto& p = f->state->pending;
  const bool follows_on = p.offset + static_cast<sqlite3_int64>(p.bytes.size()) == offset;
  if (!p.bytes.empty() && (!follows_on || p.bytes.size() + amount > buffer_limit)) {
    if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  }
  if (static_cast<std::size_t>(amount) >= buffer_limit) return write_out(f, data, amount, offset);
  if (p.bytes.empty()) p.offset = offset;
  const auto* bytes = static_cast<const unsigned char*>(data);
  p.bytes.insert(p.bytes.end(), bytes, bytes + amount);
  return SQLITE_OK;
}

// Everything else: write the buffer out first where the file's contents matter.
int buffered_read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  auto* f = self(file);
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  if (f->state->mapping.read(out, static_cast<std::size_t>(amount), offset)) return SQLITE_OK;
  return f->io().xRead(f->real(), out, amount, offset);
}
int buffered_truncate(sqlite3_file* file, sqlite3_int64 size) {
  auto* f = self(file);
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  f->state->mapping.truncating(size);
  return f->io().xTruncate(f->real(), size);
}
int buffered_sync(sqlite3_file* file, int flags) {
  auto* f = self(file);
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->io().xSync(f->real(), flags);
}
int buffered_file_size(sqlite3_file* file, sqlite3_int64* size) {
  auto* f = self(file);
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->io().xFileSize(f->real(), size);
}
int buffered_file_control(sqlite3_file* file, int op, void* arg) {
  auto* f = self(file);
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->io().xFileControl(f->real(), op, arg);
}
int buffered_fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  auto* f = self(file);
  *out = nullptr;
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  if (f->io().iVersion < 3 || f->io().xFetch == nullptr) return SQLITE_OK;
  return f->io().xFetch(f->real(), offset, amount, out);
}

// Pure forwarding.
int buffered_lock(sqlite3_file* file, int level) {
  return self(file)->io().xLock(self(file)->real(), level);
}
int buffered_unlock(sqlite3_file* file, int level) {
  return self(file)->io().xUnlock(self(file)->real(), level);
}
int buffered_check_reserved(sqlite3_file* file, int* out) {
  return self(file)->io().xCheckReservedLock(self(file)->real(), out);
}
int buffered_sector_size(sqlite3_file* file) {
  return self(file)->io().xSectorSize(self(file)->real());
}
int buffered_device(sqlite3_file* file) {
  return self(file)->io().xDeviceCharacteristics(self(file)->real());
}
int buffered_shm_map(sqlite3_file* file, int page, int size, int extend, void volatile** out) {
  return self(file)->io().xShmMap(self(file)->real(), page, size, extend, out);
}
int buffered_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
  return self(file)->io().xShmLock(self(file)->real(), offset, n, flags);
}
void buffered_shm_barrier(sqlite3_file* file) {
  self(file)->io().xShmBarrier(self(file)->real());
}
int buffered_shm_unmap(sqlite3_file* file, int remove) {
  return self(file)->io().xShmUnmap(self(file)->real(), remove);
}
int buffered_unfetch(sqlite3_file* file, sqlite3_int64 offset, void* page) {
  auto& io = self(file)->io();
  if (io.iVersion < 3 || io.xUnfetch == nullptr) return SQLITE_OK;
  return io.xUnfetch(self(file)->real(), offset, page);
}

const sqlite3_io_methods buffered_methods = {
    3,
    buffered_close,
    buffered_read,
    buffered_write,
    buffered_truncate,
    buffered_sync,
    buffered_file_size,
    buffered_lock,
    buffered_unlock,
    buffered_check_reserved,
    buffered_file_control,
    buffered_sector_size,
    buffered_device,
    buffered_shm_map,
    buffered_shm_lock,
    buffered_shm_barrier,
    buffered_shm_unmap,
    buffered_fetch,
    buffered_unfetch,
};

// WAL files get the buffer; every other file is the real VFS's own object, in place.
int buffered_open(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  if ((flags & SQLITE_OPEN_WAL) == 0)
    return real_vfs->xOpen(real_vfs, name, file, flags, out_flags);
  auto* f = self(file);
  f->base.pMethods = nullptr;
  f->real()->pMethods = nullptr;
  const int rc = real_vfs->xOpen(real_vfs, name, f->real(), flags, out_flags);
  if (rc != SQLITE_OK) {
    if (f->real()->pMethods != nullptr) f->io().xClose(f->real());
    return rc;
  }
  f->state = new (std::nothrow) wal_state(name);
  if (f->state == nullptr) {
    f->io().xClose(f->real());
    return SQLITE_NOMEM;
  }
  f->base.pMethods = &buffered_methods;
  return SQLITE_OK;
}

void register_vfs() {
  real_vfs = sqlite3_vfs_find(nullptr);
  buffered_vfs = *real_vfs;  // every method but xOpen forwards as is
  buffered_vfs.pNext = nullptr;
  buffered_vfs.zName = "weft-buffered-wal";
  buffered_vfs.szOsFile = static_cast<int>(sizeof(buffered_file)) + real_vfs->szOsFile;
  buffered_vfs.xOpen = buffered_open;
  sqlite3_vfs_register(&buffered_vfs, 0);
}

}  // namespace

const char* buffered_wal_vfs() {
  static std::once_flag once;
  std::call_once(once, register_vfs);
  return buffered_vfs.zName;
}

int flush_wal(sqlite3* db) {
  sqlite3_file* wal = nullptr;
  const int rc = sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal);
  if (rc != SQLITE_OK || wal == nullptr || wal->pMethods != &buffered_methods) return rc;
  return flush(self(wal));
}

}  // namespace weft::store::sqlite
