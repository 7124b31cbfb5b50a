#pragma once
// The layout of a weft SQLite database and how a file is recognised as one.
#include <cstdint>

namespace weft::store::sqlite {

class connection;

/// The schema version this build reads and writes.
inline constexpr std::int64_t schema_version = 1;

/// Makes sure the file behind `db` holds a weft database of a known schema
/// version, creating the schema in an empty file (unless `read_only`). Throws
/// weft::storage_error naming the file for a foreign database, garbage or an
/// unknown version.
void prepare_schema(connection& db, bool read_only);

}  // namespace weft::store::sqlite
