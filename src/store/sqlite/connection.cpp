#include "sqlite/connection.hpp"

#include <sqlite3.h>

#include <string>

#include "weft/core/error.hpp"

namespace weft::store::sqlite {

connection::connection(std::string file, bool read_only, int busy_timeout_ms, const char* vfs)
    : file_(std::move(file)) {
  // NOMUTEX: the owner serialises each connection, SQLite need not lock again.
  const int flags =
      (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  const int rc = sqlite3_open_v2(file_.c_str(), &db_, flags, vfs);
  if (rc != SQLITE_OK) {
    const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw storage_error("sqlite database '" + file_ + "': cannot open: " + message);
  }
  // SQLite falls back to reading when it may not write (a read-only file or
  // directory) and says so only at the first write, perhaps much later: say it now.
  if (!read_only && sqlite3_db_readonly(db_, "main") == 1) {
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw storage_error("sqlite database '" + file_ +
                        "': cannot open for writing: the file or its directory is read-only");
  }
  sqlite3_busy_timeout(db_, busy_timeout_ms);
}

connection::~connection() {
  sqlite3_close_v2(db_);
}

void connection::exec(const char* sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return;
  const std::string text = message != nullptr ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  throw storage_error("sqlite database '" + file_ + "': " + sql + ": " + text);
}

std::int64_t connection::query_int(const char* sql) {
  statement stmt(*this, sql);
  return stmt.step() ? stmt.int64(0) : 0;
}

std::string connection::query_text(const char* sql) {
  statement stmt(*this, sql);
  return stmt.step() ? std::string(stmt.text(0)) : std::string();
}

void connection::fail(int rc, std::string_view what) const {
  std::string message = "sqlite database '" + file_ + "': " + std::string(what) + ": " +
                        sqlite3_errmsg(db_) + " (" + sqlite3_errstr(rc) + ")";
  if ((rc & 0xff) == SQLITE_CONSTRAINT) throw integrity_error(message);
  throw storage_error(message);
}

bool connection::in_transaction() const noexcept {
  return sqlite3_get_autocommit(db_) == 0;
}

statement::statement(connection& db, std::string_view sql) : db_(db) {
  const int rc = sqlite3_prepare_v3(db.handle(), sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) db.fail(rc, "prepare '" + std::string(sql) + "'");
}

statement::~statement() {
  sqlite3_finalize(stmt_);
}

void statement::bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) db_.fail(rc, "bind");
}

void statement::bind(int index, std::string_view text) {
  const int rc =
      sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  if (rc != SQLITE_OK) db_.fail(rc, "bind");
}

void statement::bind(int index, std::span<const std::uint8_t> blob) {
  // A zero-length blob with a null pointer would bind NULL; keep it a blob.
  static constexpr std::uint8_t empty = 0;
  const void* data = blob.empty() ? &empty : blob.data();
  const int rc =
      sqlite3_bind_blob(stmt_, index, data, static_cast<int>(blob.size()), SQLITE_STATIC);
  if (rc != SQLITE_OK) db_.fail(rc, "bind");
}

bool statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_.fail(rc, sqlite3_sql(stmt_));
}

std::int64_t statement::int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string_view statement::text(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return {data != nullptr ? data : "",
          static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}

std::span<const std::uint8_t> statement::blob(int column) const {
  const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, column));
  return {data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}

void statement::reset() noexcept {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

}  // namespace weft::store::sqlite
