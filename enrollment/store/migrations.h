// The versioned schema of the SQLite registry. Internal to edgetrust::enrollment_store.
//
// The schema version lives in PRAGMA user_version. Each migration takes the database from
// version N-1 to N; ApplyMigrations runs the missing ones and sets the new version in one
// IMMEDIATE transaction, so a crash leaves the old schema or the new one, never a mix, and two
// processes opening the same file at once migrate it once.
#ifndef EDGETRUST_ENROLLMENT_STORE_MIGRATIONS_H_
#define EDGETRUST_ENROLLMENT_STORE_MIGRATIONS_H_

#include "common/error.h"
#include "enrollment/store/sqlite_db.h"

namespace edgetrust::enrollment::store {

// kSchemaVersion is the version this code reads and writes.
inline constexpr int kSchemaVersion = 1;

// ApplyMigrations brings the schema to kSchemaVersion. A database written by newer code
// (user_version > kSchemaVersion) is kFailedPrecondition "store.schema_too_new" and is left
// untouched; SQLite errors map as in SqliteError (a file that is not a database is kInternal
// "store.corrupt").
Status ApplyMigrations(SqliteDb& db);

// SchemaVersion reads PRAGMA user_version.
Result<int> SchemaVersion(SqliteDb& db);

}  // namespace edgetrust::enrollment::store

#endif  // EDGETRUST_ENROLLMENT_STORE_MIGRATIONS_H_
