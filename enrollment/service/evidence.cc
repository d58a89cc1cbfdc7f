#include "enrollment/service/evidence.h"

#include <algorithm>

#include "attestation/certify_verifier.h"
#include "certs/csr.h"

namespace edgetrust::enrollment::service {
namespace {

std::unexpected<Error> Deny(std::string reason, std::string message) {
  return Fail(ErrorCode::kPermissionDenied, std::move(reason), std::move(message));
}

// ClockRegressed compares the TPM's clock only. resetCount and restartCount are obfuscated in
// quotes signed by a key outside the endorsement and platform hierarchies (TPM 2.0 Part 1,
// "Obfuscation of clock information"): with the AK under the SRK they are a different
// pseudo-random value for every AK, and a device that enrolls again (a factory reset, a lost
// state directory) brings a new AK. `clock` is not obfuscated and never goes back, except that
// a TPM that lost power without an orderly shutdown may lose the time since it last saved it;
// it then reports safe = NO, and that bounded step back is not held against it.
bool ClockRegressed(const attestation::TpmClock& now, const attestation::TpmClock& last) {
  return now.safe && now.clock < last.clock;
}

}  // namespace

Result<attestation::PcrValues> ToPcrValues(const api::PcrMap& pcrs,
                                           const attestation::PcrSelection& required) {
  std::vector<HashAlgorithm> order;
  for (const attestation::PcrBank& bank : required) order.push_back(bank.alg);
  for (HashAlgorithm alg : {HashAlgorithm::kSha1, HashAlgorithm::kSha256, HashAlgorithm::kSha384,
                            HashAlgorithm::kSha512}) {
    if (std::find(order.begin(), order.end(), alg) == order.end()) order.push_back(alg);
  }
  for (const auto& [bank, values] : pcrs) {
    if (!ParseHashAlgorithm(bank)) {
      return Fail(ErrorCode::kInvalidArgument, "request.bad_value", "unknown PCR bank");
    }
  }
  attestation::PcrValues out;
  for (HashAlgorithm alg : order) {
    auto it = pcrs.find(std::string(HashAlgorithmName(alg)));
    if (it == pcrs.end()) continue;
    for (const auto& [index, digest] : it->second) {
      out.push_back(attestation::PcrValue{alg, index, digest});
    }
  }
  return out;
}

Result<VerifiedEvidence> VerifyEvidence(const api::Evidence& evidence,
                                        const EvidenceExpectations& expected) {
  // Quote (E8, E9), then the golden policy (E10) and the clock.
  auto required = RequiredSelection(*expected.decision);
  if (!required) return Fail(required.error());
  auto values = ToPcrValues(evidence.quote.pcrs, *required);
  if (!values) return Fail(values.error());
  auto quote = attestation::VerifyQuote(
      *expected.ak, evidence.quote.attest, evidence.quote.signature, *values,
      attestation::QuoteExpectations{expected.qualifying_data, *required});
  if (!quote) return Fail(quote.error());
  if (auto policy = CheckPcrPolicy(*expected.decision, *quote); !policy) {
    return Fail(policy.error());
  }
  if (expected.last_clock && ClockRegressed(quote->clock(), *expected.last_clock)) {
    return Deny("quote.clock_regressed", "TPM clock is older than the device's last quote");
  }

  // Certify of the identity key (E11).
  auto identity = attestation::TpmPublic::Parse(evidence.certify.identity_public);
  if (!identity) return Fail(identity.error());
  auto certified =
      attestation::VerifyCertify(*expected.ak, evidence.certify.attest, evidence.certify.signature,
                                 *identity, expected.qualifying_data);
  if (!certified) return Fail(certified.error());

  // CSR (E12, E13).
  auto csr = certs::Csr::FromDer(evidence.csr);
  if (!csr) return Fail(csr.error());
  if (auto sig = csr->VerifySignature(); !sig) return Fail(sig.error());
  auto csr_key = csr->public_key();
  if (!csr_key) return Fail(csr_key.error());
  if (!csr_key->Equals(certified->certified_key())) {
    return Deny("csr.key_mismatch", "CSR key is not the certified identity key");
  }
  if (csr->requests_ca()) return Deny("csr.ca_requested", "CSR asks for a CA certificate");
  return VerifiedEvidence(certified->certified_key(), quote->clock());
}

}  // namespace edgetrust::enrollment::service
