// Fuzzes the quote and certify verifiers past the signature check: the input is the attest
// structure, signed here by a software AK, so that parsing and every later check see
// arbitrary bytes that carry a valid signature (THREATS E8, E9, E11, E16).
#include <cstdlib>

#include "attestation/certify_verifier.h"
#include "attestation/quote_verifier.h"
#include "attestation/templates.h"
#include "attestation/testing/software_key.h"
#include "tests/fuzz/fuzz_seeds.h"

using namespace edgetrust;
using namespace edgetrust::attestation;

namespace {

const Bytes kNonce(32, 0x5a);

const testing::SoftwareKey& Ak() {
  static const testing::SoftwareKey* ak = [] {
    auto key = testing::SoftwareKey::Create(AttestationKeyTemplate(KeyAlgorithm::kEccP256));
    if (!key) std::abort();
    return new testing::SoftwareKey(std::move(*key));
  }();
  return *ak;
}

PcrValues Pcrs() {
  return {PcrValue{HashAlgorithm::kSha256, 0, Bytes(32, 0)},
          PcrValue{HashAlgorithm::kSha256, 7, Bytes(32, 7)}};
}

}  // namespace

std::vector<std::vector<uint8_t>> EdgetrustFuzzSeeds() {
  std::vector<std::vector<uint8_t>> seeds;
  auto quote = testing::QuoteAttest(kNonce, Pcrs());
  if (quote) {
    auto signed_quote = Ak().Sign(*quote);
    if (signed_quote) seeds.push_back(signed_quote->attest);
  }
  auto name = Ak().public_area().Name();
  if (name) {
    auto signed_certify = Ak().Sign(testing::CertifyAttest(kNonce, *name));
    if (signed_certify) seeds.push_back(signed_certify->attest);
  }
  return seeds;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView attest(data, size);
  auto signature = Ak().SignRaw(attest);
  if (!signature) std::abort();
  auto quote =
      VerifyQuote(Ak().public_area(), attest, *signature, Pcrs(), QuoteExpectations{kNonce, {}});
  auto certify = VerifyCertify(Ak().public_area(), attest, *signature, Ak().public_area(), kNonce);
  // One structure cannot be both a quote and a certify.
  if (quote && certify) std::abort();
  return 0;
}
