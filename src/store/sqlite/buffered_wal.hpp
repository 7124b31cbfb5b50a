#pragma once
// A SQLite VFS that gathers the writes of one transaction to its WAL file in
// memory and hands them to the kernel with one pwrite when the transaction
// commits, instead of two per page (frame header, page). Anything that reads,
// syncs, resizes or closes the WAL file writes the buffer out first, so
// SQLite always sees a complete file; a crash mid-buffer looks to SQLite like
// a torn write of uncommitted frames, which WAL recovery discards. Reads of
// the WAL go through a memory mapping where they can, and write-back to disk
// starts every megabyte (mapped_wal.hpp).
//
// Only sound when no other connection reads the WAL meanwhile: use it with
// locking_mode = EXCLUSIVE, where the WAL index lives in the connection's heap.
struct sqlite3;

namespace weft::store::sqlite {

/// The VFS's name for sqlite3_open_v2; registers it on first use. @threadsafe
const char* buffered_wal_vfs();

/// Writes out what `db`'s main WAL file holds in memory. Returns a SQLite result code.
/// Call after every commit (a wal hook does): until then the commit is only in this process.
int flush_wal(sqlite3* db);

}  // namespace weft::store::sqlite
