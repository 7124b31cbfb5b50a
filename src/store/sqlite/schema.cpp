#include "sqlite/schema.hpp"

#include <string>

#include "sqlite/connection.hpp"
#include "weft/core/error.hpp"

namespace weft::store::sqlite {
namespace {

// PRAGMA application_id marks the file as weft's ("weft" in ASCII), so `file`
// and other tools can tell, and so a foreign database is never mistaken for an empty one.
constexpr std::int64_t weft_application_id = 0x77656674;

// notification_id is the rowid: SQLite gives max(rowid) + 1 inside the write
// transaction, and a rolled-back transaction leaves no trace, so ids are
// gapless as long as nothing is deleted. No AUTOINCREMENT: it is not needed
// for gaplessness and costs a write to sqlite_sequence per insert.
constexpr const char* create_schema = R"sql(
CREATE TABLE weft_schema (version INTEGER NOT NULL) STRICT;
INSERT INTO weft_schema (version) VALUES (1);
CREATE TABLE events (
  notification_id INTEGER PRIMARY KEY,
  originator_id BLOB NOT NULL,
  originator_version INTEGER NOT NULL,
  topic TEXT NOT NULL,
  state BLOB NOT NULL,
  UNIQUE (originator_id, originator_version)
) STRICT;
CREATE TABLE tracking (
  upstream TEXT PRIMARY KEY,
  notification_id INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
PRAGMA application_id = 2003134068;
)sql";
static_assert(weft_application_id == 2003134068);
static_assert(schema_version == 1, "update create_schema with the version");

[[noreturn]] void refuse(const connection& db, const std::string& why) {
  throw storage_error("sqlite database '" + db.file() + "': " + why);
}

void check_version(connection& db) {
  if (db.query_int("SELECT count(*) FROM sqlite_schema WHERE name = 'weft_schema'") == 0)
    refuse(db, "marked as weft's but has no weft_schema table");
  const std::int64_t version = db.query_int("SELECT max(version) FROM weft_schema");
  if (version != schema_version)
    refuse(db, "schema version " + std::to_string(version) + ", this build knows version " +
                   std::to_string(schema_version));
}

}  // namespace

void prepare_schema(connection& db, bool read_only) {
  // The first read also detects garbage: SQLite reports "file is not a database".
  // An existing weft database needs no write here, so a read-only file still opens.
  if (db.query_int("PRAGMA application_id") == weft_application_id) return check_version(db);
  if (read_only) refuse(db, "not a weft database (no weft application id)");
  // Only takes effect in an empty file. Measured (tools/bench/pipeline/RESULTS.md):
  // 2 KiB pages cost a one-event commit about a quarter less CPU than 4 KiB
  // (less to checksum and copy into the WAL) and beat 1 KiB (shallower trees).
  db.exec("PRAGMA page_size = 2048");
  // IMMEDIATE: two processes opening a new file at once must not both create it.
  db.exec("BEGIN IMMEDIATE");
  try {
    const std::int64_t id = db.query_int("PRAGMA application_id");
    if (id == weft_application_id) {
      check_version(db);
    } else if (id == 0 && db.query_int("SELECT count(*) FROM sqlite_schema") == 0) {
      db.exec(create_schema);
    } else {
      refuse(db, "not a weft database (it has other tables or another application id)");
    }
    db.exec("COMMIT");
  } catch (...) {
    if (db.in_transaction()) db.exec("ROLLBACK");
    throw;
  }
}

}  // namespace weft::store::sqlite
