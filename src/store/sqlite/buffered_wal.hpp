#pragma once
// A SQLite VFS that gathers the writes of one transaction to its WAL file in
// memory and hands them to the kernel with one pwrite when the transaction's
// commit frame is written, instead of two per page (frame header, page).
// Anything that reads, syncs, resizes or closes the WAL file writes the
// buffer out first, so SQLite always sees a complete file; a crash
// mid-buffer looks to SQLite like a torn write of uncommitted frames, which
// WAL recovery discards.
//
// Sound in both locking modes: the commit's frames reach the file before
// SQLite publishes them in the WAL index, and anything buffered is written
// out before the connection changes a lock on that index (so before it
// releases the write lock). The WAL is buffered only once linked to its
// connection's database file (two writer connections to one file in one
// process may stay unbuffered). Reads of the WAL go through a memory mapping
// in exclusive mode, and write-back to disk starts every megabyte
// (mapped_wal.hpp).
struct sqlite3;

namespace weft::store::sqlite {

/// The VFS's name for sqlite3_open_v2; registers it on first use. @threadsafe
const char* buffered_wal_vfs();

/// Writes out what `db`'s main WAL file holds in memory. Returns a SQLite result code.
/// A commit writes itself out; call after every commit anyway (a wal hook does), in case.
int flush_wal(sqlite3* db);

/// Makes `db`'s WAL file be written ahead with zeros, a megabyte at a time,
/// so that commits overwrite blocks the file has rather than extend it: an
/// fdatasync after an overwrite need not commit file-system metadata (the
/// new size, the new blocks). On this ext4 VM a 16 KiB commit and its
/// fdatasync took 110 us instead of 260 (median) and 65 us of CPU instead
/// of 130; weft run sqlite-full went 66-89k -> 74-106k events/s. For
/// synchronous = FULL, which syncs every commit (at NORMAL it would only
/// double what the disk writes). False if `db` was not opened through this VFS.
bool zero_wal_ahead(sqlite3* db);

}  // namespace weft::store::sqlite
