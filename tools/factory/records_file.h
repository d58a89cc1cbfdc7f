// RecordsFile: the JSON-lines file a batch appends one record to per finished device, for the
// factory's MES (record.h). Each Append is one line written whole (a short write is continued)
// with O_APPEND and then fdatasync'ed, so a power cut at the station loses at most the device
// being written and a reader tailing the file never sees half a record, from this process.
// The file is created 0644 (records hold no secrets). Not thread-safe: RunBatch serializes.
// Errors: kUnavailable "file.open" / "file.write" / "file.sync" with the path and errno text.
#ifndef EDGETRUST_TOOLS_FACTORY_RECORDS_FILE_H_
#define EDGETRUST_TOOLS_FACTORY_RECORDS_FILE_H_

#include <string>

#include "common/error.h"
#include "common/unique_fd.h"

namespace edgetrust::factory {

class RecordsFile {
 public:
  static Result<RecordsFile> Open(const std::string& path);
  // Append writes `line` and a newline, then syncs the data.
  Status Append(const std::string& line);
  const std::string& path() const { return path_; }

 private:
  RecordsFile(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
  UniqueFd fd_;
  std::string path_;
};

}  // namespace edgetrust::factory

#endif  // EDGETRUST_TOOLS_FACTORY_RECORDS_FILE_H_
