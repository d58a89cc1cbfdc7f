// Small query helpers shared by the SqliteStore source files. Internal to
// edgetrust::enrollment_store.
#ifndef EDGETRUST_ENROLLMENT_STORE_SQLITE_QUERY_H_
#define EDGETRUST_ENROLLMENT_STORE_SQLITE_QUERY_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "enrollment/store/sqlite_codec.h"
#include "enrollment/store/sqlite_db.h"

namespace edgetrust::enrollment::store {

// RowReader turns the current row of a statement into a record.
template <typename T>
using RowReader = Result<T> (*)(const Statement&);

// ReadRows steps `stmt` to the end, reading every row with `read`.
template <typename T>
Result<std::vector<T>> ReadRows(Statement& stmt, RowReader<T> read) {
  std::vector<T> out;
  while (true) {
    auto row = stmt.Step();
    if (!row) return Fail(row.error());
    if (!*row) return out;
    auto value = read(stmt);
    if (!value) return Fail(value.error());
    out.push_back(std::move(*value));
  }
}

// QueryOne runs `sql` with ?1 bound to `key` and reads its row; no row is kNotFound
// "store.not_found" naming `what`.
template <typename T>
Result<T> QueryOne(SqliteDb& db, const char* sql, const std::string& key, RowReader<T> read,
                   std::string_view what) {
  auto stmt = db.Prepare(sql);
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, key);
  auto row = stmt->Step();
  if (!row) return Fail(row.error());
  if (!*row) return Fail(NotFoundError(what, key));
  return read(*stmt);
}

// QueryAll reads every row of a SELECT without parameters.
template <typename T>
Result<std::vector<T>> QueryAll(SqliteDb& db, const char* sql, RowReader<T> read) {
  auto stmt = db.Prepare(sql);
  if (!stmt) return Fail(stmt.error());
  return ReadRows(*stmt, read);
}

// ModifyOne runs an UPDATE or DELETE with ?1 bound to `key` (and further binds done by
// `bind`); touching no row is kNotFound naming `what`.
template <typename Bind>
Status ModifyOne(SqliteDb& db, const char* sql, const std::string& key, std::string_view what,
                 Bind&& bind) {
  auto stmt = db.Prepare(sql);
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, key);
  bind(*stmt);
  if (auto s = stmt->Run(); !s) return s;
  if (db.Changes() == 0) return Fail(NotFoundError(what, key));
  return Ok();
}

inline Status ModifyOne(SqliteDb& db, const char* sql, const std::string& key,
                        std::string_view what) {
  return ModifyOne(db, sql, key, what, [](Statement&) {});
}

}  // namespace edgetrust::enrollment::store

#endif  // EDGETRUST_ENROLLMENT_STORE_SQLITE_QUERY_H_
