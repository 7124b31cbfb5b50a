#pragma once
// Thin RAII over the SQLite C API: a connection and its prepared statements.
// Every failure becomes a weft exception naming the database file and
// carrying SQLite's own message. Not thread-safe: the owner serialises use.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace weft::store::sqlite {

class connection;

/// A prepared statement, kept for the connection's lifetime and reused.
class statement {
 public:
  statement(connection& db, std::string_view sql);
  ~statement();
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  void bind(int index, std::int64_t value);
  void bind(int index, std::string_view text);
  void bind(int index, std::span<const std::uint8_t> blob);

  /// Advances: true when a row is ready, false when done. Throws
  /// weft::integrity_error on a constraint violation, weft::storage_error otherwise.
  bool step();
  /// Runs a statement that returns no rows.
  void run() {
    while (step()) {
    }
  }

  [[nodiscard]] std::int64_t int64(int column) const;
  [[nodiscard]] std::string_view text(int column) const;
  [[nodiscard]] std::span<const std::uint8_t> blob(int column) const;

  /// Ends the current execution and clears bindings. A statement left
  /// mid-read would hold its read transaction open and stall checkpoints.
  void reset() noexcept;

 private:
  connection& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

/// Resets a statement when a use of it ends, however it ends.
class use {
 public:
  explicit use(statement& stmt) : stmt_(stmt) {}
  ~use() { stmt_.reset(); }
  use(const use&) = delete;
  use& operator=(const use&) = delete;
  statement* operator->() { return &stmt_; }

 private:
  statement& stmt_;
};

class connection {
 public:
  /// Opens `file` (no URI, no creation of parent directories) through VFS `vfs`
  /// (nullptr: SQLite's default).
  connection(std::string file, bool read_only, int busy_timeout_ms, const char* vfs = nullptr);
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  /// Runs one or more statements without results (pragmas, DDL).
  void exec(const char* sql);
  /// Runs a statement returning one integer, e.g. a pragma.
  std::int64_t query_int(const char* sql);
  /// Runs a statement returning one text value, e.g. a pragma.
  std::string query_text(const char* sql);

  /// Throws the exception matching SQLite result code `rc`, naming the file and `what`.
  [[noreturn]] void fail(int rc, std::string_view what) const;

  /// True while a transaction is open on this connection.
  [[nodiscard]] bool in_transaction() const noexcept;

  [[nodiscard]] sqlite3* handle() const noexcept { return db_; }
  [[nodiscard]] const std::string& file() const noexcept { return file_; }

 private:
  std::string file_;
  sqlite3* db_ = nullptr;
};

}  // namespace weft::store::sqlite
