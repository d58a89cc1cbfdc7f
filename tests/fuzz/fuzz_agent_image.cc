// Fuzzes the reference agent's image path (daemon/agent: tar_header.h, tar_reader.h,
// image_config.h, image_prepare.h; THREATS M1, M10, M12, E16). Every input goes through
//   1. ParseTarHeader on its first block: an accepted name is relative, has no "", "." or ".."
//      component and no control character;
//   2. TarExtractor into a fresh scratch directory, fed in chunks of varying size: every
//      refusal is a documented reason, never "agent.io" (which would mean the reader tripped
//      over its own tree), and whatever is on disk afterwards is plain directories (0755) and
//      regular files (0644/0755) holding no more bytes than the stream;
//   3. PrepareImage of the same bytes as a content-store file with the right digest: it must
//      come to the same verdict as (2) (chunking does not change the outcome), hand out an
//      entrypoint inside its directory, and leave nothing behind once the image is dropped;
//   4. ParseImageConfig on the raw bytes.
// After each input the whole private tree (<root>/jail/{scratch,run}, <root>/store) is walked:
// any entry that is not one of those directories aborts the run, so nothing may be written
// outside the scratch directory nor survive an input. Header checksums defeat most mutations,
// so each input is also tried once more with its checksums repaired, to get past them.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "common/unique_fd.h"
#include "daemon/agent/image_config.h"
#include "daemon/agent/image_prepare.h"
#include "daemon/agent/tar_header.h"
#include "daemon/agent/tar_reader.h"
#include "daemon/agent/testing/agent_test_util.h"
#include "tests/fuzz/fuzz_seeds.h"

using namespace edgetrust;
using namespace edgetrust::daemon::agent;
namespace fs = std::filesystem;
namespace t = edgetrust::daemon::agent::testing;

namespace {

// Small limits, so that "too many entries" and "config too large" fit in a fuzzed input.
constexpr TarLimits kLimits{.max_entries = 4, .max_config_size = 600};

void Check(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_agent_image: %s\n", what.c_str());
    std::abort();
  }
}

// Root is the private tree; made once, removed at exit (left behind on a failure, for study).
// On tmpfs when there is one: rmdir on a journaling file system costs milliseconds.
struct Root {
  Root() {
    const bool shm = ::access("/dev/shm", W_OK | X_OK) == 0;
    std::string tmpl = std::string(shm ? "/dev/shm" : "/tmp") + "/edgetrust-agent-fuzz-XXXXXX";
    Check(::mkdtemp(tmpl.data()) != nullptr, "mkdtemp");
    path = tmpl;
    for (const char* d : {"/jail", "/jail/scratch", "/jail/run", "/store"}) {
      Check(::mkdir((path + d).c_str(), 0700) == 0, std::string("mkdir ") + d);
    }
  }
  ~Root() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  std::string path;
};

const Root& TheRoot() {
  static const Root root;
  return root;
}

// CheckRootIsClean: the root holds exactly its four empty directories, nothing else.
void CheckRootIsClean(const Root& root) {
  const std::set<std::string> expected = {"jail", "jail/scratch", "jail/run", "store"};
  std::set<std::string> found;
  for (const auto& e : fs::recursive_directory_iterator(root.path)) {
    found.insert(e.path().string().substr(root.path.size() + 1));
  }
  for (const auto& f : found) Check(expected.contains(f), "unexpected file left: " + f);
  Check(found.size() == expected.size(), "a directory of the root went missing");
}

// CheckTree: below `dir` only directories 0755 and single-link regular files 0644/0755, with
// at most `max_bytes` bytes in all. Returns the content of <dir>/edgetrust-image.json, if any.
std::optional<std::string> CheckTree(const std::string& dir, uint64_t max_bytes) {
  uint64_t bytes = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::string rel = e.path().string().substr(dir.size() + 1);
    struct stat st {};
    Check(::lstat(e.path().c_str(), &st) == 0, "lstat " + rel);
    const mode_t perm = st.st_mode & 07777;
    Check(rel.size() <= kMaxTarPathSize, "over-long path " + rel);
    if (S_ISDIR(st.st_mode)) {
      Check(perm == 0755, "directory mode of " + rel);
    } else {
      Check(S_ISREG(st.st_mode) && st.st_nlink == 1, "not a plain file: " + rel);
      Check(perm == 0644 || perm == 0755, "file mode of " + rel);
      bytes += static_cast<uint64_t>(st.st_size);
    }
  }
  Check(bytes <= max_bytes, "more bytes on disk than in the stream");
  const std::string config = dir + "/" + kImageConfigName;
  if (::access(config.c_str(), F_OK) != 0) return std::nullopt;
  return t::ReadFileText(config);
}

bool IsTarReason(const std::string& r) {
  static const std::set<std::string> kReasons = {
      "image.tar_bad_header", "image.tar_bad_path",         "image.tar_unsupported_type",
      "image.tar_duplicate",  "image.tar_too_many_entries", "image.tar_entry_too_large",
      "image.tar_truncated",  "image.trailing_data",        "image.bad_config"};
  return kReasons.contains(r);
}

void CheckHeader(ByteView data) {
  if (data.size() < kTarBlockSize) return;
  auto h = ParseTarHeader(data.first<kTarBlockSize>());
  if (!h) {
    Check(h.error().code == ErrorCode::kPermissionDenied && IsTarReason(h.error().reason),
          "header refusal " + h.error().ToString());
    return;
  }
  Check(h->path.size() <= kMaxTarPathSize && !h->path.starts_with('/'), "header path");
  Check(!h->path.empty() || h->is_directory, "a file named like the root");
  Check(h->mode == 0755 || h->mode == 0644, "header mode");
  Check(!h->is_directory || h->size == 0, "directory with data");
  if (h->path.empty()) return;
  for (const auto& part : fs::path(h->path)) {
    Check(part != "" && part != "." && part != "..", "header path component in " + h->path);
  }
  for (char c : h->path) Check(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f, "control");
}

void CheckConfig(const Result<ImageConfig>& config) {
  if (!config) {
    Check(config.error().code == ErrorCode::kPermissionDenied &&
              config.error().reason == "image.bad_config",
          "config refusal " + config.error().ToString());
    return;
  }
  const auto& entry = config->entrypoint;
  Check(!entry.empty() && entry.size() <= 256, "entrypoint count");
  for (const auto& arg : entry)
    Check(arg.size() <= 4096 && arg.find('\0') == std::string::npos, "argument");
  auto path = NormalizeTarPath(entry[0], false);
  Check(path.has_value() && !path->empty(), "entrypoint[0] accepted but not a path");
}

// Extract runs TarExtractor over `data` into a fresh <scratch>/x and returns the verdict the
// whole image path should reach: a refusal reason, or "" when PrepareImage may succeed (or
// find no executable entrypoint).
std::string Extract(const Root& root, ByteView data) {
  const std::string dir = root.path + "/jail/scratch/x";
  Check(::mkdir(dir.c_str(), 0700) == 0, "mkdir scratch/x");
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  Check(fd.valid(), "open scratch/x");
  TarExtractor tar(fd.get(), data.size(), kLimits);
  static constexpr size_t kChunks[] = {1, 7, 100, 511, 512, 513, 1500, 4096};
  std::minstd_rand rng(static_cast<uint32_t>(data.size()) + 1);
  Status st = Ok();
  for (ByteView rest = data; st && !rest.empty();) {
    size_t n = std::min(rest.size(), kChunks[rng() % std::size(kChunks)]);
    st = tar.Feed(rest.first(n));
    rest = rest.subspan(n);
  }
  if (st) st = tar.Finish();
  Check(tar.entries() <= kLimits.max_entries + 1, "entries past the limit");
  auto on_disk = CheckTree(dir, data.size());
  std::string verdict;
  if (!st) {
    Check(st.error().code == ErrorCode::kPermissionDenied && IsTarReason(st.error().reason),
          "extraction refusal " + st.error().ToString());
    verdict = st.error().reason;
  } else {
    Check(on_disk == tar.config(), "edgetrust-image.json on disk differs from what was read");
    if (!tar.config()) {
      verdict = "image.no_config";
    } else {
      auto config = ParseImageConfig(*tar.config());
      CheckConfig(config);
      if (!config) verdict = "image.bad_config";
    }
  }
  fd.reset();
  fs::remove_all(dir);
  return verdict;
}

void Prepare(const Root& root, ByteView data, const std::string& verdict) {
  const std::string bytes(reinterpret_cast<const char*>(data.data()), data.size());
  daemon::api::PlannedModule m = t::StoreImage(root.path + "/store", "fuzz", bytes);
  {
    auto image = PrepareImage(m, root.path + "/jail/run", kLimits);
    if (image) {
      Check(verdict.empty(), "PrepareImage accepted what the chunked reader refused: " + verdict);
      Check(image->executable().starts_with(image->dir() + "/"), "entrypoint outside the image");
      struct stat st {};
      Check(::lstat(image->executable().c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
                (st.st_mode & 0100) != 0,
            "entrypoint is not an executable file");
      Check(image->sha256() == m.sha256, "sha256");
      CheckTree(image->dir(), data.size());
    } else {
      const std::string& reason = image.error().reason;
      Check(reason == verdict || (verdict.empty() && reason == "image.bad_entrypoint"),
            "PrepareImage says " + image.error().ToString() + ", chunked reader said " +
                (verdict.empty() ? "ok" : verdict));
    }
  }
  Check(::unlink(m.path.c_str()) == 0, "unlink image");
}

void RunOne(const Root& root, ByteView data) {
  CheckHeader(data);
  const std::string verdict = Extract(root, data);
  Prepare(root, data, verdict);
  CheckRootIsClean(root);
}

// FixChecksums walks `data` as a tar stream would be walked and rewrites the checksum of
// every non-zero header block, so that mutations of other header fields reach the reader.
std::vector<uint8_t> FixChecksums(std::vector<uint8_t> data) {
  size_t off = 0;
  while (off + kTarBlockSize <= data.size()) {
    uint8_t* b = data.data() + off;
    off += kTarBlockSize;
    if (std::all_of(b, b + kTarBlockSize, [](uint8_t c) { return c == 0; })) continue;
    std::fill(b + 148, b + 156, ' ');
    unsigned sum = 0;
    for (size_t i = 0; i < kTarBlockSize; ++i) sum += b[i];
    std::snprintf(reinterpret_cast<char*>(b + 148), 8, "%06o", sum);
    b[155] = ' ';
    const std::string size_field(reinterpret_cast<const char*>(b + 124), 12);
    const uint64_t size = std::strtoull(size_field.c_str(), nullptr, 8);
    if (size > data.size()) break;
    off += (size + kTarBlockSize - 1) / kTarBlockSize * kTarBlockSize;
  }
  return data;
}

std::vector<uint8_t> Seed(const std::string& s) { return {s.begin(), s.end()}; }

}  // namespace

std::vector<std::vector<uint8_t>> EdgetrustFuzzSeeds() {
  const std::string config = R"({"entrypoint":["bin/run","--flag","x"]})";
  return {
      Seed(t::ShellImage("exit 0")),
      Seed(t::BuildUstar({{.name = "./", .type = '5', .mode = 0755},
                          t::ImageConfigEntry({"./app/run"}),
                          {.name = "run", .data = "#!/bin/sh\n", .mode = 0700, .prefix = "app"}})),
      Seed(t::BuildUstar({t::ImageConfigEntry({"bin/run"}),
                          {.name = "bin/run", .data = "", .mode = 0755},
                          {.name = "bin/", .type = '5', .mode = 0755}})),
      Seed(t::BuildUstar({t::ImageConfigEntry({"run", "a"}),
                          {.name = "run", .data = std::string(512, 'x'), .mode = 0755}})),
      Seed(t::BuildUstar({{.name = "l", .type = '2', .linkname = "/etc"}})),
      Seed(t::BuildUstar({t::ImageConfigEntry({"d/f"}),
                          {.name = "d/", .type = '5'},
                          {.name = "d/f", .data = "#!/bin/sh\n", .mode = 0644},
                          {.name = "./d/g", .data = ""}})),
      Seed(t::BuildUstar({{.name = "e"}, {.name = "./e/", .type = '5'}})),
      // THREATS M10: names that must never reach the file system, one per archive.
      Seed(t::BuildUstar({{.name = "../escaped", .data = "x"}})),
      Seed(t::BuildUstar({{.name = "a/../../escaped", .type = '5'}})),
      Seed(t::BuildUstar({{.name = "escaped", .data = "x", .prefix = "/tmp"}})),
      Seed(t::BuildUstar({{.name = "a//b\n", .data = "x", .prefix = ".."}})),
      Seed(config),
  };
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Root& root = TheRoot();
  const ByteView input(data, size);
  RunOne(root, input);
  CheckConfig(ParseImageConfig(std::string_view(reinterpret_cast<const char*>(data), size)));
  std::vector<uint8_t> fixed = FixChecksums({data, data + size});
  if (!std::equal(fixed.begin(), fixed.end(), data)) RunOne(root, fixed);
  return 0;
}
