#include "tests/fuzz/fuzz_seeds.h"

__attribute__((weak)) std::vector<std::vector<uint8_t>> EdgetrustFuzzSeeds() { return {}; }
