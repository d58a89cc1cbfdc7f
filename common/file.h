// Files that must survive power loss and stay private.
//
// WriteFileAtomic is the only way edgetrust writes state: the new content goes to a temporary
// file in the same directory (created 0600 or the given mode, never wider), is fsync'ed, renamed
// over `path`, and the directory is fsync'ed, so a reader sees either the old or the new file,
// never a torn one. Errors: kNotFound (no such directory), kPermissionDenied,
// kResourceExhausted (disk full), kUnavailable (other I/O errors); reasons "file.*".
#ifndef EDGETRUST_COMMON_FILE_H_
#define EDGETRUST_COMMON_FILE_H_

#include <sys/types.h>

#include <cstddef>
#include <string>

#include "common/bytes.h"
#include "common/error.h"

namespace edgetrust {

// ReadFile reads the whole file; a file larger than `max_size` is kResourceExhausted.
Result<Bytes> ReadFile(const std::string& path, size_t max_size = 16 * 1024 * 1024);

// WriteFileAtomic replaces `path` with `data` (see above). `mode` is applied after umask-free
// creation, so 0600 really is 0600.
Status WriteFileAtomic(const std::string& path, ByteView data, mode_t mode = 0600);

// EnsureDirectory creates `path` (one level) with `mode` if missing; an existing directory
// whose mode grants group or other access beyond `mode` is tightened to `mode`.
Status EnsureDirectory(const std::string& path, mode_t mode = 0700);

}  // namespace edgetrust

#endif  // EDGETRUST_COMMON_FILE_H_
