// Owners for the SQLite C handles behind SqliteStore, and the mapping of SQLite result codes
// to edgetrust errors. Internal to edgetrust::enrollment_store.
//
// SqliteDb owns one `sqlite3*` (closed with sqlite3_close_v2), Statement owns one
// `sqlite3_stmt*` (finalized on destruction, or, when it came from SqliteDb::Prepare, reset and
// kept in the connection's statement cache for the next Prepare of the same SQL text, so the
// fixed set of queries is compiled once per connection) and Transaction rolls back unless
// committed. SQL text never carries values: every value goes through a Bind call.
//
// Thread safety: none. A connection is opened with SQLITE_OPEN_NOMUTEX and its owner (the
// store) serialises all use of it, including use of its statements and transactions.
#ifndef EDGETRUST_ENROLLMENT_STORE_SQLITE_DB_H_
#define EDGETRUST_ENROLLMENT_STORE_SQLITE_DB_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/error.h"

namespace edgetrust::enrollment::store {

// SqliteError maps a (possibly extended) SQLite result code to an Error:
//   BUSY, LOCKED, IOERR, FULL, CANTOPEN, PROTOCOL, READONLY, PERM → kUnavailable
//     "store.unavailable";
//   CORRUPT, NOTADB → kInternal "store.corrupt";
//   CONSTRAINT (unique or primary key) → kAlreadyExists "store.exists";
//   CONSTRAINT (foreign key) → kFailedPrecondition "store.reference";
//   anything else → kInternal "store.internal".
// The message names `what` and SQLite's text (from `db` when given); `native` is the code.
Error SqliteError(int rc, std::string_view what, sqlite3* db = nullptr);

struct SqliteCloser {
  void operator()(sqlite3* db) const;
};
struct SqliteFinalizer {
  void operator()(sqlite3_stmt* stmt) const;
};

class Statement;

// StatementCache keeps prepared statements by SQL text for one connection; it finalizes them
// when destroyed (before the connection closes).
class StatementCache {
 public:
  StatementCache() = default;
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;
  ~StatementCache();
  sqlite3_stmt* Take(std::string_view sql);
  void Put(std::string sql, sqlite3_stmt* stmt);

 private:
  std::unordered_map<std::string, std::vector<sqlite3_stmt*>> free_;
};

// SqliteDb is an open connection with extended result codes enabled.
class SqliteDb {
 public:
  // Open opens the database at `path` read-write without creating it (the caller creates the
  // file with the mode it wants), or an in-memory database when `path` is ":memory:".
  static Result<SqliteDb> Open(const std::string& path);

  // Exec runs SQL that carries no values (schema, pragmas, BEGIN/COMMIT).
  Status Exec(const char* sql);
  // Prepare compiles exactly one statement (or reuses a cached one of the same text).
  Result<Statement> Prepare(std::string_view sql);
  // Changes is the number of rows the last INSERT/UPDATE/DELETE touched.
  int64_t Changes() const;

  sqlite3* get() const { return db_.get(); }

 private:
  explicit SqliteDb(sqlite3* db) : db_(db), cache_(std::make_unique<StatementCache>()) {}
  std::unique_ptr<sqlite3, SqliteCloser> db_;
  std::unique_ptr<StatementCache> cache_;  // destroyed (statements finalized) before db_
};

// Statement is one prepared statement. Bind calls remember the first failure, which the next
// Step or Run reports, so call sites read as a list of binds and still check every code.
// Parameter indexes start at 1, column indexes at 0.
class Statement {
 public:
  Statement(Statement&&) noexcept = default;
  Statement& operator=(Statement&&) noexcept = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, int64_t value);
  Statement& BindNull(int index);

  // Step advances: true with a row to read, false when done.
  Result<bool> Step();
  // Run steps once and expects no row (INSERT, UPDATE, DELETE without RETURNING).
  Status Run();

  std::string Text(int column) const;
  int64_t Int(int column) const;
  bool IsNull(int column) const;

 private:
  friend class SqliteDb;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  void Check(int rc, int index);

  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, SqliteFinalizer> stmt_;
  std::optional<Error> error_;
  StatementCache* cache_ = nullptr;  // where to return stmt_ (owned by the SqliteDb)
  std::string sql_;
};

// Transaction is a BEGIN IMMEDIATE ... COMMIT scope: it takes the write lock at once (so a
// writer never fails half way on an upgrade) and rolls back on destruction unless committed.
class Transaction {
 public:
  static Result<Transaction> Begin(SqliteDb& db);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();

  // Commit makes the transaction durable (with synchronous=FULL); on failure the destructor
  // rolls back.
  Status Commit();

 private:
  explicit Transaction(SqliteDb* db) : db_(db) {}
  SqliteDb* db_;  // null once committed
};

}  // namespace edgetrust::enrollment::store

#endif  // EDGETRUST_ENROLLMENT_STORE_SQLITE_DB_H_
