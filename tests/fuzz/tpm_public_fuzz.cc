// Fuzzes TpmPublic::Parse (THREATS E16: truncated TPM2B structures, lengths past the buffer)
// and everything a verifier does next with an accepted public area.
#include <cstdlib>

#include "attestation/key_policy.h"
#include "attestation/templates.h"
#include "attestation/tpm_public.h"
#include "tests/fuzz/fuzz_seeds.h"

using namespace edgetrust;
using namespace edgetrust::attestation;

std::vector<std::vector<uint8_t>> EdgetrustFuzzSeeds() {
  std::vector<std::vector<uint8_t>> seeds;
  std::vector<TPM2B_PUBLIC> templates = {
      SrkTemplate(), AttestationKeyTemplate(KeyAlgorithm::kEccP256),
      AttestationKeyTemplate(KeyAlgorithm::kRsa2048), IdentityKeyTemplate(KeyAlgorithm::kEccP256)};
  for (EkType type : AllEkTypes()) templates.push_back(EkTemplate(type));
  for (const TPM2B_PUBLIC& t : templates) {
    auto parsed = TpmPublic::FromStruct(t);
    if (parsed) seeds.push_back(parsed->Marshal());
  }
  return seeds;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parsed = TpmPublic::Parse(ByteView(data, size));
  if (!parsed) return 0;
  // Parse is exact: what it accepted must marshal back to the same bytes.
  Bytes again = parsed->Marshal();
  if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
  (void)parsed->Name();
  (void)parsed->ToPublicKey();
  (void)CheckAttestationKeyPublic(*parsed);
  (void)CheckIdentityKeyPublic(*parsed);
  return 0;
}
