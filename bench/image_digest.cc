// image_digest: image verification benchmark, issue 5 §6 (not a test, not in CTest).
//
// Run: bench/manifest.sh builds the release preset and runs this program on a 1 GiB random
// file that it keeps under the build directory and reads once beforehand, so that every run
// below reads from the page cache.
//
//   image_digest verify --file F --sha256 HEX [--iterations 3] [--openssl openssl]
//     Alternates VerifyImageFile (open, stream, compare; in process) with `openssl dgst
//     -sha256 -r F` (a child process, its wall time from spawn to exit, which includes its
//     start-up of a few ms), --iterations times each, and checks that openssl printed HEX.
//     Prints every run, the best of each in MB/s (10^6 bytes), the ratio ours/openssl with a
//     verdict (target >= 0.9x) and this process's peak RSS (getrusage ru_maxrss) with a
//     verdict (target <= 32 MiB).
//   image_digest import --file F --sha256 HEX --store DIR
//     Imports F into an ImageStore at DIR (copy while verifying, fsync, rename), prints its
//     wall time and this process's peak RSS with the same verdict, then removes the image.
//
// Exit status 0 when the benchmark ran, whatever the verdicts; 1 when it could not run.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "manifest/store/image_digest.h"
#include "manifest/store/image_store.h"

extern char** environ;

namespace {

using namespace edgetrust;
using manifest::ImageRef;
using Clock = std::chrono::steady_clock;

constexpr double kRatioTarget = 0.9;
constexpr double kRssTargetMiB = 32.0;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }
double MBps(uint64_t bytes, double seconds) { return static_cast<double>(bytes) / seconds / 1e6; }

double PeakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

void PrintRss(const char* what) {
  const double rss = PeakRssMiB();
  std::printf("%s peak RSS: %.1f MiB (target <= %.0f MiB): %s\n", what, rss, kRssTargetMiB,
              rss <= kRssTargetMiB ? "PASS" : "FAIL");
}

// RunOpenssl runs `openssl dgst -sha256 -r file` and returns its wall time and the digest it
// printed (the first word of its output).
bool RunOpenssl(const std::string& openssl, const std::string& file, double* seconds,
                std::string* digest) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return false;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  std::vector<std::string> args = {openssl, "dgst", "-sha256", "-r", file};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const auto start = Clock::now();
  int rc = posix_spawnp(&pid, openssl.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    std::fprintf(stderr, "cannot run %s: %s\n", openssl.c_str(), std::strerror(rc));
    return false;
  }
  std::string text;
  char buf[256];
  for (ssize_t n; (n = read(out[0], buf, sizeof(buf))) > 0;) text.append(buf, n);
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  *seconds = Seconds(Clock::now() - start);
  *digest = text.substr(0, text.find_first_of(" \n"));
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int Verify(const std::string& file, const ImageRef& ref, int iterations,
           const std::string& openssl) {
  double ours_best = 1e300, openssl_best = 1e300;
  for (int i = 1; i <= iterations; ++i) {
    const auto start = Clock::now();
    auto blob = manifest::VerifyImageFile(file, ref);
    const double ours = Seconds(Clock::now() - start);
    if (!blob) {
      std::fprintf(stderr, "VerifyImageFile: %s\n", blob.error().ToString().c_str());
      return 1;
    }
    double theirs = 0;
    std::string digest;
    if (!RunOpenssl(openssl, file, &theirs, &digest)) return 1;
    if (digest != HexEncode(ref.sha256)) {
      std::fprintf(stderr, "openssl printed %s, expected %s\n", digest.c_str(),
                   HexEncode(ref.sha256).c_str());
      return 1;
    }
    ours_best = std::min(ours_best, ours);
    openssl_best = std::min(openssl_best, theirs);
    std::printf("run %d: VerifyImageStream %.3f s (%.0f MB/s), openssl dgst %.3f s (%.0f MB/s)\n",
                i, ours, MBps(ref.size, ours), theirs, MBps(ref.size, theirs));
  }
  const double ours_mbps = MBps(ref.size, ours_best);
  const double openssl_mbps = MBps(ref.size, openssl_best);
  const double ratio = ours_mbps / openssl_mbps;
  std::printf("image %.2f GiB, chunk %zu KiB, best of %d\n",
              static_cast<double>(ref.size) / (1u << 30), manifest::kImageChunkSize / 1024,
              iterations);
  std::printf("VerifyImageStream: %.0f MB/s\n", ours_mbps);
  std::printf("openssl dgst -sha256: %.0f MB/s\n", openssl_mbps);
  std::printf("throughput ratio: %.2fx openssl (target >= %.1fx): %s\n", ratio, kRatioTarget,
              ratio >= kRatioTarget ? "PASS" : "FAIL");
  PrintRss("verify");
  return 0;
}

int Import(const std::string& file, const ImageRef& ref, const std::string& root) {
  auto store = manifest::ImageStore::Open(root);
  if (!store) {
    std::fprintf(stderr, "ImageStore::Open: %s\n", store.error().ToString().c_str());
    return 1;
  }
  const auto start = Clock::now();
  auto stored = store->Import(file, ref);
  const double seconds = Seconds(Clock::now() - start);
  if (!stored) {
    std::fprintf(stderr, "Import: %s\n", stored.error().ToString().c_str());
    return 1;
  }
  std::printf("import (copy + verify + fsync + rename): %.3f s (%.0f MB/s)%s\n", seconds,
              MBps(ref.size, seconds),
              stored->origin == manifest::StoredImage::Origin::kImported ? "" : " (re-verified)");
  PrintRss("import");
  if (auto removed = store->Remove(HexEncode(ref.sha256)); !removed) {
    std::fprintf(stderr, "Remove: %s\n", removed.error().ToString().c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Image verification throughput against openssl dgst, and peak RSS"};
  app.require_subcommand(1);
  std::string file, hex, openssl = "openssl", store_dir;
  int iterations = 3;
  for (CLI::App* cmd : {app.add_subcommand("verify", "VerifyImageFile against openssl dgst"),
                        app.add_subcommand("import", "ImageStore::Import of the file")}) {
    cmd->add_option("--file", file, "the image")->required()->check(CLI::ExistingFile);
    cmd->add_option("--sha256", hex, "its sha256 (hex)")->required();
  }
  CLI::App* verify = app.get_subcommand("verify");
  verify->add_option("--iterations", iterations, "runs of each side")->check(CLI::PositiveNumber);
  verify->add_option("--openssl", openssl, "the openssl binary");
  app.get_subcommand("import")->add_option("--store", store_dir, "store root")->required();
  CLI11_PARSE(app, argc, argv);

  auto digest = HexDecode(hex);
  struct stat st {};
  if (!digest || stat(file.c_str(), &st) != 0) {
    std::fprintf(stderr, "bad --sha256 or unreadable --file\n");
    return 1;
  }
  const ImageRef ref{"bench/image", *digest, static_cast<uint64_t>(st.st_size)};
  if (verify->parsed()) return Verify(file, ref, iterations, openssl);
  return Import(file, ref, store_dir);
}
