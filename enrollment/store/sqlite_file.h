// The files of an SQLite database and their modes. Internal to edgetrust::enrollment_store.
#ifndef EDGETRUST_ENROLLMENT_STORE_SQLITE_FILE_H_
#define EDGETRUST_ENROLLMENT_STORE_SQLITE_FILE_H_

#include <string>

#include "common/error.h"

namespace edgetrust::enrollment::store {

// PrepareDatabaseFile creates the database file at `path` with mode 0600 (umask-independent)
// if it does not exist, and sets an existing database, -wal, -shm or -journal file whose mode
// is not exactly 0600 to 0600 (a wider mode is logged). SQLite creates its -wal and -shm files
// with the mode of the database file, so they inherit 0600.
// Errors: kUnavailable "store.unavailable" (cannot create or stat; the message says why),
// kInvalidArgument "store.invalid_path" (the path exists and is not a regular file).
Status PrepareDatabaseFile(const std::string& path);

}  // namespace edgetrust::enrollment::store

#endif  // EDGETRUST_ENROLLMENT_STORE_SQLITE_FILE_H_
