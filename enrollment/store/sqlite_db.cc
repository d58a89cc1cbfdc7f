#include "enrollment/store/sqlite_db.h"

#include <limits>
#include <utility>

#include "common/log.h"

namespace edgetrust::enrollment::store {

Error SqliteError(int rc, std::string_view what, sqlite3* db) {
  std::string message = std::string(what) + ": " + sqlite3_errstr(rc);
  if (db != nullptr) message += std::string(" (") + sqlite3_errmsg(db) + ")";
  auto native = static_cast<uint64_t>(static_cast<uint32_t>(rc));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return Error{ErrorCode::kUnavailable, "store.unavailable", message, native};
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Error{ErrorCode::kInternal, "store.corrupt", message, native};
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return Error{ErrorCode::kAlreadyExists, "store.exists", message, native};
      }
      if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
        return Error{ErrorCode::kFailedPrecondition, "store.reference", message, native};
      }
      break;
    default:
      break;
  }
  return Error{ErrorCode::kInternal, "store.internal", message, native};
}

void SqliteCloser::operator()(sqlite3* db) const {
  // Every statement is owned and finalized first, so close cannot find one still open.
  int rc = sqlite3_close_v2(db);
  if (rc != SQLITE_OK) LogError(SqliteError(rc, "sqlite3_close_v2").ToString());
}

void SqliteFinalizer::operator()(sqlite3_stmt* stmt) const {
  // sqlite3_finalize repeats the last step's error, which Step already reported.
  (void)sqlite3_finalize(stmt);
}

Result<SqliteDb> SqliteDb::Open(const std::string& path) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE |
              SQLITE_OPEN_PRIVATECACHE;
  if (path == ":memory:") flags |= SQLITE_OPEN_CREATE | SQLITE_OPEN_MEMORY;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  SqliteDb db(raw);  // own it before looking at rc: open allocates a handle even on failure
  if (raw == nullptr) return Fail(SqliteError(SQLITE_NOMEM, "sqlite3_open_v2 " + path));
  if (rc != SQLITE_OK) return Fail(SqliteError(rc, "sqlite3_open_v2 " + path, raw));
  return db;
}

Status SqliteDb::Exec(const char* sql) {
  int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return Fail(SqliteError(rc, "sqlite3_exec", db_.get()));
  return Ok();
}

StatementCache::~StatementCache() {
  for (auto& [sql, stmts] : free_) {
    for (sqlite3_stmt* stmt : stmts) (void)sqlite3_finalize(stmt);
  }
}

sqlite3_stmt* StatementCache::Take(std::string_view sql) {
  auto it = free_.find(std::string(sql));
  if (it == free_.end() || it->second.empty()) return nullptr;
  sqlite3_stmt* stmt = it->second.back();
  it->second.pop_back();
  return stmt;
}

void StatementCache::Put(std::string sql, sqlite3_stmt* stmt) {
  free_[std::move(sql)].push_back(stmt);
}

Statement::~Statement() {
  if (cache_ == nullptr || !stmt_) return;
  // Reset repeats the last step's error, which Step already reported.
  (void)sqlite3_reset(stmt_.get());
  (void)sqlite3_clear_bindings(stmt_.get());
  cache_->Put(std::move(sql_), stmt_.release());
}

Result<Statement> SqliteDb::Prepare(std::string_view sql) {
  if (sql.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return Fail(ErrorCode::kInternal, "store.internal", "SQL text too long");
  }
  if (sqlite3_stmt* cached = cache_->Take(sql)) {
    Statement stmt(db_.get(), cached);
    stmt.cache_ = cache_.get();
    stmt.sql_ = std::string(sql);
    return stmt;
  }
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()), 0, &raw, &tail);
  Statement stmt(db_.get(), raw);
  if (rc != SQLITE_OK) return Fail(SqliteError(rc, "sqlite3_prepare_v3", db_.get()));
  if (raw == nullptr || tail != sql.data() + sql.size()) {
    return Fail(ErrorCode::kInternal, "store.internal", "expected exactly one SQL statement");
  }
  stmt.cache_ = cache_.get();
  stmt.sql_ = std::string(sql);
  return stmt;
}

int64_t SqliteDb::Changes() const { return sqlite3_changes64(db_.get()); }

void Statement::Check(int rc, int index) {
  if (rc != SQLITE_OK && !error_) {
    error_ = SqliteError(rc, "sqlite3_bind parameter " + std::to_string(index), db_);
  }
}

Statement& Statement::Bind(int index, std::string_view text) {
  Check(sqlite3_bind_text64(stmt_.get(), index, text.data(), text.size(), SQLITE_TRANSIENT,
                            SQLITE_UTF8),
        index);
  return *this;
}

Statement& Statement::Bind(int index, int64_t value) {
  Check(sqlite3_bind_int64(stmt_.get(), index, value), index);
  return *this;
}

Statement& Statement::BindNull(int index) {
  Check(sqlite3_bind_null(stmt_.get(), index), index);
  return *this;
}

Result<bool> Statement::Step() {
  if (error_) return Fail(*error_);
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  error_ = SqliteError(rc, "sqlite3_step", db_);
  return Fail(*error_);
}

Status Statement::Run() {
  auto row = Step();
  if (!row) return Fail(row.error());
  if (*row) return Fail(ErrorCode::kInternal, "store.internal", "statement returned a row");
  return Ok();
}

std::string Statement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_.get(), column);
  if (text == nullptr) return {};
  int size = sqlite3_column_bytes(stmt_.get(), column);
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size));
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_.get(), column); }

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL;
}

Result<Transaction> Transaction::Begin(SqliteDb& db) {
  if (auto s = db.Exec("BEGIN IMMEDIATE"); !s) return Fail(s.error());
  return Transaction(&db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  if (db_ == nullptr) return;
  // A failed statement may already have rolled the transaction back (e.g. SQLITE_FULL).
  if (sqlite3_get_autocommit(db_->get()) != 0) return;
  if (auto s = db_->Exec("ROLLBACK"); !s)
    LogError("store rollback failed: " + s.error().ToString());
}

Status Transaction::Commit() {
  if (db_ == nullptr) return Fail(ErrorCode::kInternal, "store.internal", "transaction is over");
  if (auto s = db_->Exec("COMMIT"); !s) return s;
  db_ = nullptr;
  return Ok();
}

}  // namespace edgetrust::enrollment::store
