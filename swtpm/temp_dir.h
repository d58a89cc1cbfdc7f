// TempDir owns a private (0700) temporary directory and removes it, recursively, when destroyed
// (internal to edgetrust_swtpm).
//
// Created under $TMPDIR when that is an absolute path, else /tmp. Move-only; a moved-from
// TempDir owns nothing. Removal errors in the destructor are ignored (there is no one to report
// them to). Not thread-safe.
#ifndef EDGETRUST_SWTPM_TEMP_DIR_H_
#define EDGETRUST_SWTPM_TEMP_DIR_H_

#include <string>
#include <string_view>

#include "common/error.h"

namespace edgetrust::swtpm {

class TempDir {
 public:
  // Create makes "<tmp>/<prefix>XXXXXX". Errors: kUnavailable "swtpm.temp_dir".
  static Result<TempDir> Create(std::string_view prefix);

  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  // path is absolute and has no trailing slash.
  const std::string& path() const { return path_; }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  void Remove() noexcept;

  std::string path_;
};

}  // namespace edgetrust::swtpm

#endif  // EDGETRUST_SWTPM_TEMP_DIR_H_
