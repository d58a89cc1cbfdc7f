// A small stand-in for libFuzzer's driver, so every harness in this folder builds and runs with
// GCC (our compiler; clang 14 on Debian 12 cannot parse libstdc++ 12's <expected>).
//
// Each harness defines the libFuzzer entry point LLVMFuzzerTestOneInput and, optionally,
// EdgetrustFuzzSeeds() with well-formed inputs to start from. With a libFuzzer-capable clang
// the same harness links with -fsanitize=fuzzer instead of this file.
//
// Usage: <harness> [-runs=N] [-seed=S] [-max_len=M] [FILE...]
// Runs every FILE once, then N mutated inputs (deterministic for a given seed). Mutations:
// bit flips, byte overwrites with boundary values, inserts, erases, truncation, chunk
// duplication and splicing of two seeds. A crash or sanitizer report fails the run.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_seeds.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

using Input = std::vector<uint8_t>;

constexpr uint8_t kInteresting[] = {0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff};

Input Mutate(const Input& base, const std::vector<Input>& pool, std::mt19937_64& rng,
             size_t max_len) {
  Input out = base;
  auto pick = [&](size_t n) { return n == 0 ? size_t{0} : static_cast<size_t>(rng() % n); };
  int rounds = 1 + static_cast<int>(rng() % 4);
  for (int r = 0; r < rounds; ++r) {
    switch (rng() % 7) {
      case 0:
        if (!out.empty()) out[pick(out.size())] ^= static_cast<uint8_t>(1u << (rng() % 8));
        break;
      case 1:
        if (!out.empty()) out[pick(out.size())] = kInteresting[pick(sizeof(kInteresting))];
        break;
      case 2:
        out.insert(out.begin() + static_cast<std::ptrdiff_t>(pick(out.size() + 1)),
                   static_cast<uint8_t>(rng()));
        break;
      case 3:
        if (!out.empty()) out.erase(out.begin() + static_cast<std::ptrdiff_t>(pick(out.size())));
        break;
      case 4:
        out.resize(pick(out.size() + 1));
        break;
      case 5:
        if (!out.empty()) {
          size_t from = pick(out.size());
          size_t len = 1 + pick(std::min<size_t>(out.size() - from, 64));
          Input chunk(out.begin() + static_cast<std::ptrdiff_t>(from),
                      out.begin() + static_cast<std::ptrdiff_t>(from + len));
          out.insert(out.begin() + static_cast<std::ptrdiff_t>(pick(out.size() + 1)), chunk.begin(),
                     chunk.end());
        }
        break;
      default:
        if (!pool.empty()) {
          const Input& other = pool[pick(pool.size())];
          size_t cut = pick(out.size() + 1);
          size_t other_cut = pick(other.size() + 1);
          out.resize(cut);
          out.insert(out.end(), other.begin() + static_cast<std::ptrdiff_t>(other_cut),
                     other.end());
        }
        break;
    }
  }
  if (out.size() > max_len) out.resize(max_len);
  return out;
}

bool ReadInput(const char* path, Input& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  long runs = 10000;
  uint64_t seed = 1;
  size_t max_len = 4096;
  std::vector<Input> pool = EdgetrustFuzzSeeds();
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "-runs=", 6) == 0) {
      runs = std::strtol(argv[i] + 6, nullptr, 10);
    } else if (std::strncmp(argv[i], "-seed=", 6) == 0) {
      seed = std::strtoull(argv[i] + 6, nullptr, 10);
    } else if (std::strncmp(argv[i], "-max_len=", 9) == 0) {
      max_len = std::strtoull(argv[i] + 9, nullptr, 10);
    } else {
      Input input;
      if (!ReadInput(argv[i], input)) {
        std::fprintf(stderr, "fuzz: cannot read %s\n", argv[i]);
        return 2;
      }
      pool.push_back(std::move(input));
    }
  }
  for (const Input& input : pool) LLVMFuzzerTestOneInput(input.data(), input.size());
  if (pool.empty()) pool.emplace_back();
  std::mt19937_64 rng(seed);
  for (long i = 0; i < runs; ++i) {
    const Input& base = pool[static_cast<size_t>(rng() % pool.size())];
    Input input = Mutate(base, pool, rng, max_len);
    LLVMFuzzerTestOneInput(input.data(), input.size());
  }
  std::printf("fuzz: %ld mutated inputs from %zu seeds, no crash\n", runs, pool.size());
  return 0;
}
