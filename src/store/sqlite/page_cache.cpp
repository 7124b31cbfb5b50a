#include "sqlite/page_cache.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <new>

namespace weft::store::sqlite {
namespace {

sqlite3_pcache_methods2 real;  // SQLite's own cache; set once by install

// One cache per pager. SQLite never calls into one cache from two threads at
// once (its connection serialises them), so the bounds need no lock.
struct bounded_cache {
  sqlite3_pcache* inner;
  // Every key the cache may hold is <= max_key or == parked_key. A rebalance
  // moves a page to a spare key and on to its place (A -> spare, B -> A,
  // spare -> B): a move above max_key is remembered as parked until the page
  // leaves it, so the spare key never raises the bound for good.
  unsigned max_key = 0;
  unsigned parked_key = 0;

  unsigned bound() const { return std::max(max_key, parked_key); }
};

bounded_cache& self(sqlite3_pcache* cache) {
  return *reinterpret_cast<bounded_cache*>(cache);
}

int init(void*) {
  return real.xInit(real.pArg);
}
void shutdown(void*) {
  if (real.xShutdown != nullptr) real.xShutdown(real.pArg);
}

sqlite3_pcache* create(int page_size, int extra_size, int purgeable) {
  auto* cache = new (std::nothrow) bounded_cache{};
  if (cache == nullptr) return nullptr;
  cache->inner = real.xCreate(page_size, extra_size, purgeable);
  if (cache->inner == nullptr) {
    delete cache;
    return nullptr;
  }
  return reinterpret_cast<sqlite3_pcache*>(cache);
}

void cache_size(sqlite3_pcache* cache, int pages) {
  real.xCachesize(self(cache).inner, pages);
}
int page_count(sqlite3_pcache* cache) {
  return real.xPagecount(self(cache).inner);
}

sqlite3_pcache_page* fetch(sqlite3_pcache* cache, unsigned key, int create_flag) {
  auto& c = self(cache);
  sqlite3_pcache_page* page = real.xFetch(c.inner, key, create_flag);
  // A page found without creating was counted when it was created or moved.
  if (page != nullptr && create_flag != 0) c.max_key = std::max(c.max_key, key);
  return page;
}

void unpin(sqlite3_pcache* cache, sqlite3_pcache_page* page, int discard) {
  real.xUnpin(self(cache).inner, page, discard);
}

void rekey(sqlite3_pcache* cache, sqlite3_pcache_page* page, unsigned old_key, unsigned new_key) {
  auto& c = self(cache);
  real.xRekey(c.inner, page, old_key, new_key);
  if (old_key == c.parked_key) c.parked_key = 0;
  if (new_key > c.max_key) {
    // Only one key is tracked as parked: an earlier one still occupied stays in the bound.
    c.max_key = std::max(c.max_key, c.parked_key);
    c.parked_key = new_key;
  }
}

void truncate(sqlite3_pcache* cache, unsigned limit) {
  auto& c = self(cache);
  // Nothing at or beyond the limit: SQLite's cache would only scan for it.
  if (limit > c.bound()) return;
  real.xTruncate(c.inner, limit);
  if (limit > 0) c.max_key = std::min(c.max_key, limit - 1);
  if (c.parked_key >= limit) c.parked_key = 0;
}

void destroy(sqlite3_pcache* cache) {
  real.xDestroy(self(cache).inner);
  delete &self(cache);
}

void shrink(sqlite3_pcache* cache) {
  if (real.xShrink != nullptr) real.xShrink(self(cache).inner);
}

const sqlite3_pcache_methods2 bounded_methods = {
    .iVersion = 1,
    .pArg = nullptr,
    .xInit = init,
    .xShutdown = shutdown,
    .xCreate = create,
    .xCachesize = cache_size,
    .xPagecount = page_count,
    .xFetch = fetch,
    .xUnpin = unpin,
    .xRekey = rekey,
    .xTruncate = truncate,
    .xDestroy = destroy,
    .xShrink = shrink,
};

}  // namespace

bool install_page_cache() {
  static const bool installed = [] {
    // Both calls fail with SQLITE_MISUSE once SQLite is initialised.
    if (sqlite3_config(SQLITE_CONFIG_GETPCACHE2, &real) != SQLITE_OK) return false;
    if (real.xCreate == nullptr || real.xTruncate == nullptr) return false;
    return sqlite3_config(SQLITE_CONFIG_PCACHE2, &bounded_methods) == SQLITE_OK;
  }();
  return installed;
}

}  // namespace weft::store::sqlite
