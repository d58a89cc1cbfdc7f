#include "daemon/agent/testing/agent_test_util.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/bytes.h"
#include "common/crypto.h"

namespace edgetrust::daemon::agent::testing {
namespace {

void PutString(std::string& block, size_t off, size_t len, const std::string& value) {
  std::memcpy(block.data() + off, value.data(), std::min(len, value.size()));
}

void PutOctal(std::string& block, size_t off, size_t len, uint64_t value) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%0*llo", static_cast<int>(len - 1),
                static_cast<unsigned long long>(value));
  std::memcpy(block.data() + off, buf, len - 1);  // then NUL (already zero)
}

}  // namespace

std::string UstarHeader(const TarEntry& e) {
  std::string b(512, '\0');
  PutString(b, 0, 100, e.name);
  PutOctal(b, 100, 8, e.mode);
  PutOctal(b, 108, 8, 1000);
  PutOctal(b, 116, 8, 1000);
  PutOctal(b, 124, 12, e.data.size());
  PutOctal(b, 136, 12, 1700000000);
  b[156] = e.type;
  PutString(b, 157, 100, e.linkname);
  std::memcpy(b.data() + 257,
              "ustar\0"
              "00",
              8);
  PutString(b, 265, 32, "user");
  PutString(b, 297, 32, "group");
  PutString(b, 345, 155, e.prefix);
  std::memset(b.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : b) sum += c;
  char chk[8];
  std::snprintf(chk, sizeof(chk), "%06o", sum);
  std::memcpy(b.data() + 148, chk, 7);  // six digits, NUL, then the space already there
  return b;
}

std::string BuildUstar(const std::vector<TarEntry>& entries, size_t record) {
  std::string out;
  for (const auto& e : entries) {
    out += UstarHeader(e);
    out += e.data;
    out.append((512 - e.data.size() % 512) % 512, '\0');
  }
  out.append(1024, '\0');
  if (record > 0 && out.size() % record != 0) out.append(record - out.size() % record, '\0');
  return out;
}

TarEntry ImageConfigEntry(const std::vector<std::string>& entrypoint) {
  std::string json = "{\"entrypoint\":[";
  for (size_t i = 0; i < entrypoint.size(); ++i) {
    json += (i == 0 ? "\"" : ",\"") + entrypoint[i] + "\"";
  }
  return {.name = "edgetrust-image.json", .data = json + "]}"};
}

TempDir::TempDir() {
  char tmpl[] = "/tmp/etagent-XXXXXX";
  const char* dir = ::mkdtemp(tmpl);
  path_ = dir == nullptr ? "" : dir;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string Sha256Hex(const std::string& bytes) {
  return HexEncode(Digest(HashAlgorithm::kSha256, AsBytes(bytes)).value());
}

void WriteFile(const std::string& path, const std::string& bytes, mode_t mode) {
  { std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes; }
  ::chmod(path.c_str(), mode);
}

std::string ReadFileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

api::PlannedModule StoreImage(const std::string& store, const std::string& name,
                              const std::string& bytes) {
  api::PlannedModule m;
  m.name = name;
  m.sha256 = Sha256Hex(bytes);
  m.image = "registry.example/" + name + "@sha256:" + m.sha256;
  m.size = bytes.size();
  m.path = store + "/" + m.sha256;
  m.restart_policy = "never";
  m.status = "running";
  ::unlink(m.path.c_str());
  WriteFile(m.path, bytes, 0444);
  return m;
}

std::string ShellImage(const std::string& body) {
  return BuildUstar({ImageConfigEntry({"bin/run"}),
                     {.name = "bin/", .type = '5', .mode = 0755},
                     {.name = "bin/run", .data = "#!/bin/sh\n" + body + "\n", .mode = 0755}});
}

std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> ListTree(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
    out.push_back(std::filesystem::relative(e.path(), dir).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace edgetrust::daemon::agent::testing
