#pragma once
// SQLite's own page cache behind a thin layer that skips truncations with
// nothing to remove.
//
// Why: every commit ends with "drop cached pages beyond the database's size"
// (pager_end_transaction -> pcache1Truncate). SQLite's cache answers that by
// scanning its whole hash table whenever its largest key seen is far above
// the size, and a B-tree rebalance that reorders sibling pages parks a page
// for a moment at the lock-byte page's number (page 524,289 at 2 KiB pages),
// which leaves exactly that mark. Random-uuid index inserts rebalance every
// few dozen commits, so commits paid for a scan of every cached page: 9% of
// the pipeline's instructions at 100,000 events, growing with the database.
// This layer keeps its own bound on the keys a cache can hold and forwards a
// truncation only when some page may lie at or beyond the limit.

namespace weft::store::sqlite {

/// Installs the layer for the whole process if SQLite is not yet initialised
/// (call before the first connection opens); afterwards, or if this fails,
/// SQLite's own cache stays in use unchanged. Returns whether the layer is in use.
/// @threadsafe among its own callers (only the first call does anything), but
/// not against another thread initialising SQLite at the same moment
/// (sqlite3_config is not): weft opens every SQLite file through the recorder,
/// which calls this first.
bool install_page_cache();

}  // namespace weft::store::sqlite
