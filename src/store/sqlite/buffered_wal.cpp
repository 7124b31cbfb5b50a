#include "sqlite/buffered_wal.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstddef>
#include <mutex>
#include <new>
#include <string>
#include <string_view>
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

struct buffered_file;
struct db_file;

struct wal_state {
  explicit wal_state(const char* path) : mapping(path) {}
  pending_writes pending;
  mapped_wal mapping;
  // The database file of the same connection, when it could be told for
  // sure; only then does the WAL buffer (see db_file). Set at open, cleared
  // when either closes (registry_mutex); read by the connection's thread.
  db_file* db = nullptr;
  bool commit_page_next = false;  // the last header written was a commit frame's
  sqlite3_int64 zeroed_end = -1;  // the file's bytes end here at least; -1: not asked yet
};

// A main database file opened through this VFS: buffered_open links it to
// its connection's WAL file by name. In shared locking mode other processes
// read the WAL as soon as the WAL index (the -shm file) says a frame is
// there, and SQLite publishes a commit there before our wal hook runs: so a
// linked WAL is flushed at every memory barrier and lock change on the
// index (xShmBarrier, xShmLock), which SQLite issues before the new index
// header becomes readable and before the write lock is released.
struct db_state {
  std::string name;
  buffered_file* wal = nullptr;  // guarded by registry_mutex for linking
  bool uses_shm = false;         // shared locking mode: the index is in -shm
  bool zero_ahead = false;       // see zero_wal_ahead
};

std::mutex registry_mutex;
std::vector<db_file*> open_dbs;  // guarded by registry_mutex

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

// Our sqlite3_file for a main database file, laid out like buffered_file.
struct db_file {
  sqlite3_file base;
  db_state* state;

  sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
  const sqlite3_io_methods& io() { return *real()->pMethods; }
};
static_assert(sizeof(db_file) == sizeof(buffered_file));

db_file* db_of(sqlite3_file* file) {
  return reinterpret_cast<db_file*>(file);
}

int write_through(buffered_file* f, const void* data, int amount, sqlite3_int64 offset) {
  const int rc = f->io().xWrite(f->real(), data, amount, offset);
  if (rc == SQLITE_OK) f->state->mapping.written(static_cast<std::size_t>(amount), offset);
  return rc;
}

// Keeps at least zero_lead bytes of zeros written past the end of what
// SQLite wrote, a zero_step at a time, so that its commits overwrite blocks
// the file already has (see zero_wal_ahead). The zeros lie beyond every
// valid frame, written under the write lock: no reader looks at them, and
// WAL recovery stops at the first frame whose salt does not match. A
// failure is ignored: the file stays shorter, SQLite's own writes extend it.
constexpr sqlite3_int64 zero_lead = 256 * 1024;
constexpr int zero_piece = 64 * 1024;  // below the unix VFS's limit per write
constexpr int zero_pieces = 16;        // a zero_step of 1 MiB

void zero_ahead(buffered_file* f, sqlite3_int64 written_end) {
  auto& state = *f->state;
  if (state.zeroed_end < 0 && f->io().xFileSize(f->real(), &state.zeroed_end) != SQLITE_OK)
    state.zeroed_end = 0;
  state.zeroed_end = std::max(state.zeroed_end, written_end);
  if (written_end + zero_lead <= state.zeroed_end) return;
  static const std::vector<unsigned char> zeros(zero_piece);
  for (int i = 0; i < zero_pieces; ++i) {
    if (write_through(f, zeros.data(), zero_piece, state.zeroed_end) != SQLITE_OK) return;
    state.zeroed_end += zero_piece;
  }
}

int write_out(buffered_file* f, const void* data, int amount, sqlite3_int64 offset) {
  const int rc = write_through(f, data, amount, offset);
  const db_file* db = f->state->db;
  if (rc == SQLITE_OK && db != nullptr && db->state->zero_ahead) zero_ahead(f, offset + amount);
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
  {
    std::lock_guard lock(registry_mutex);
    if (f->state->db != nullptr) f->state->db->state->wal = nullptr;
  }
  delete f->state;  // unmaps before the file closes
  f->state = nullptr;
  const int closed = f->io().xClose(f->real());
  return flushed != SQLITE_OK ? flushed : closed;
}

// A WAL frame's header is written alone, 24 bytes, before its page; a
// commit frame's header holds the database size (bytes 4-7, non-zero).
constexpr int frame_header_bytes = 24;
bool is_commit_header(const void* data, int amount) {
  if (amount != frame_header_bytes) return false;
  const auto* bytes = static_cast<const unsigned char*>(data);
  return (bytes[4] | bytes[5] | bytes[6] | bytes[7]) != 0;
}

int buffer(buffered_file* f, const void* data, int amount, sqlite3_int64 offset) {
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

// The commit frame's page is the transaction's last write: everything goes
// out right after it, inside SQLite's COMMIT (so a failed write fails the
// COMMIT) and before SQLite publishes the frames in the WAL index, where
// other processes' readers look in shared locking mode.
int buffered_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  auto* f = self(file);
  auto& state = *f->state;
  if (state.db == nullptr) return write_out(f, data, amount, offset);
  const bool commit_page = state.commit_page_next;
  state.commit_page_next = is_commit_header(data, amount);
  if (const int rc = buffer(f, data, amount, offset); rc != SQLITE_OK) return rc;
  return commit_page ? flush(f) : SQLITE_OK;
}

// Everything else: write the buffer out first where the file's contents matter.
int buffered_read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  auto* f = self(file);
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  // Not in shared mode: another process might shrink the file under the mapping.
  const bool alone = f->state->db != nullptr && !f->state->db->state->uses_shm;
  if (alone && f->state->mapping.read(out, static_cast<std::size_t>(amount), offset))
    return SQLITE_OK;
  return f->io().xRead(f->real(), out, amount, offset);
}
int buffered_truncate(sqlite3_file* file, sqlite3_int64 size) {
  auto* f = self(file);
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  f->state->mapping.truncating(size);
  f->state->zeroed_end = -1;
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

// The main database file: everything forwards; the shared-memory index
// calls write the linked WAL's buffer out first (see db_state).
int flush_linked(db_file* d) {
  buffered_file* wal = d->state->wal;
  return wal != nullptr ? flush(wal) : SQLITE_OK;
}
int db_close(sqlite3_file* file) {
  auto* d = db_of(file);
  {
    std::lock_guard lock(registry_mutex);
    if (d->state->wal != nullptr) d->state->wal->state->db = nullptr;
    std::erase(open_dbs, d);
  }
  delete d->state;
  d->state = nullptr;
  return d->io().xClose(d->real());
}
int db_read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  return db_of(file)->io().xRead(db_of(file)->real(), out, amount, offset);
}
int db_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  return db_of(file)->io().xWrite(db_of(file)->real(), data, amount, offset);
}
int db_truncate(sqlite3_file* file, sqlite3_int64 size) {
  return db_of(file)->io().xTruncate(db_of(file)->real(), size);
}
int db_sync(sqlite3_file* file, int flags) {
  return db_of(file)->io().xSync(db_of(file)->real(), flags);
}
int db_file_size(sqlite3_file* file, sqlite3_int64* size) {
  return db_of(file)->io().xFileSize(db_of(file)->real(), size);
}
int db_file_control(sqlite3_file* file, int op, void* arg) {
  return db_of(file)->io().xFileControl(db_of(file)->real(), op, arg);
}
int db_shm_map(sqlite3_file* file, int page, int size, int extend, void volatile** out) {
  auto* d = db_of(file);
  d->state->uses_shm = true;
  return d->io().xShmMap(d->real(), page, size, extend, out);
}
int db_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
  auto* d = db_of(file);
  if (const int rc = flush_linked(d); rc != SQLITE_OK) return rc;
  return d->io().xShmLock(d->real(), offset, n, flags);
}
void db_shm_barrier(sqlite3_file* file) {
  auto* d = db_of(file);
  // No way to report a failure here: the wal hook's flush finds the buffer
  // still full and reports it, and the recorder is then broken.
  if (flush_linked(d) != SQLITE_OK) return;
  d->io().xShmBarrier(d->real());
}
int db_fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  auto& io = db_of(file)->io();
  *out = nullptr;
  if (io.iVersion < 3 || io.xFetch == nullptr) return SQLITE_OK;
  return io.xFetch(db_of(file)->real(), offset, amount, out);
}

// Same layout as buffered_file, so the pure forwarders serve both.
const sqlite3_io_methods db_methods = {
    3,
    db_close,
    db_read,
    db_write,
    db_truncate,
    db_sync,
    db_file_size,
    buffered_lock,
    buffered_unlock,
    buffered_check_reserved,
    db_file_control,
    buffered_sector_size,
    buffered_device,
    db_shm_map,
    db_shm_lock,
    db_shm_barrier,
    buffered_shm_unmap,
    db_fetch,
    buffered_unfetch,
};

// Links `wal` to the one open database file it belongs to (SQLite names a
// WAL after its database), if exactly one unlinked candidate is open in this
// process; two connections to one file in one process may stay unlinked,
// and their WAL is then written as plain SQLite would.
void link(buffered_file* wal, const char* wal_name) {
  const std::string_view name(wal_name);
  constexpr std::string_view suffix = "-wal";
  if (!name.ends_with(suffix)) return;
  const auto db_name = name.substr(0, name.size() - suffix.size());
  std::lock_guard lock(registry_mutex);
  db_file* found = nullptr;
  for (auto* db : open_dbs) {
    if (db->state->wal != nullptr || db->state->name != db_name) continue;
    if (found != nullptr) return;
    found = db;
  }
  if (found == nullptr) return;
  found->state->wal = wal;
  wal->state->db = found;
}

int open_db(const char* name, sqlite3_file* file, int flags, int* out_flags) {
  auto* d = db_of(file);
  d->base.pMethods = nullptr;
  d->real()->pMethods = nullptr;
  const int rc = real_vfs->xOpen(real_vfs, name, d->real(), flags, out_flags);
  if (rc != SQLITE_OK) {
    if (d->real()->pMethods != nullptr) d->io().xClose(d->real());
    return rc;
  }
  d->state = new (std::nothrow) db_state;
  if (d->state == nullptr) {
    d->io().xClose(d->real());
    return SQLITE_NOMEM;
  }
  try {
    d->state->name = name;
    std::lock_guard lock(registry_mutex);
    open_dbs.push_back(d);
  } catch (const std::bad_alloc&) {
    delete d->state;
    d->io().xClose(d->real());
    return SQLITE_NOMEM;
  }
  d->base.pMethods = &db_methods;
  return SQLITE_OK;
}

// WAL files get the buffer, main database files the link to it; every other
// file is the real VFS's own object, in place.
int buffered_open(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  if ((flags & SQLITE_OPEN_MAIN_DB) != 0 && name != nullptr)
    return open_db(name, file, flags, out_flags);
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
  link(f, name);
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

bool zero_wal_ahead(sqlite3* db) {
  sqlite3_file* file = nullptr;
  if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK ||
      file == nullptr || file->pMethods != &db_methods)
    return false;
  db_of(file)->state->zero_ahead = true;
  return true;
}

int flush_wal(sqlite3* db) {
  sqlite3_file* wal = nullptr;
  const int rc = sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal);
  if (rc != SQLITE_OK || wal == nullptr || wal->pMethods != &buffered_methods) return rc;
  return flush(self(wal));
}

}  // namespace weft::store::sqlite
