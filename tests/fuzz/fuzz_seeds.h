// EdgetrustFuzzSeeds: well-formed inputs a harness offers the driver as starting points
// (fuzz_driver.cc). A harness that defines none gets the weak default: no seeds.
#ifndef EDGETRUST_TESTS_FUZZ_FUZZ_SEEDS_H_
#define EDGETRUST_TESTS_FUZZ_FUZZ_SEEDS_H_

#include <cstdint>
#include <vector>

std::vector<std::vector<uint8_t>> EdgetrustFuzzSeeds();

#endif  // EDGETRUST_TESTS_FUZZ_FUZZ_SEEDS_H_
