// PCR selections and values, independent of any TPM: what a verifier recomputes a quote's
// PCR digest from and what a policy is written in.
//
// Text form (tpm2-tools' syntax): "sha256:0,1,16" or several banks joined by '+'
// ("sha1:0+sha256:0,7"). Indices 0..23, each bank at most once. PcrValues are always in TPM
// order: banks as selected, indices ascending within a bank; this is the order
// TPM2_Quote concatenates them in. Pure functions, thread-safe.
#ifndef EDGETRUST_ATTESTATION_PCR_SELECTION_H_
#define EDGETRUST_ATTESTATION_PCR_SELECTION_H_

#include <tss2/tss2_tpm2_types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/crypto.h"
#include "common/error.h"

namespace edgetrust::attestation {

inline constexpr uint32_t kPcrCount = 24;

struct PcrBank {
  HashAlgorithm alg;
  std::vector<uint32_t> indices;  // ascending, unique, < kPcrCount
};
using PcrSelection = std::vector<PcrBank>;

struct PcrValue {
  HashAlgorithm alg;
  uint32_t index;
  Bytes digest;  // DigestSize(alg) bytes
};
using PcrValues = std::vector<PcrValue>;

// ParsePcrSelection reads the text form; errors are kInvalidArgument "pcr.selection".
Result<PcrSelection> ParsePcrSelection(std::string_view spec);
std::string FormatPcrSelection(const PcrSelection& selection);

// ToTpml/FromTpml convert to and from the TPM structure (sizeofSelect = 3).
Result<TPML_PCR_SELECTION> ToTpml(const PcrSelection& selection);
Result<PcrSelection> FromTpml(const TPML_PCR_SELECTION& tpml);

// SelectionOf lists which PCRs `values` hold, in their order.
PcrSelection SelectionOf(const PcrValues& values);

// Covers is true when every PCR in `required` is also in `selection`.
bool Covers(const PcrSelection& selection, const PcrSelection& required);

// ComputePcrDigest is H_alg(value_1 || ... || value_n): TPMS_QUOTE_INFO.pcrDigest.
Result<Bytes> ComputePcrDigest(HashAlgorithm alg, const PcrValues& values);

// ConcatPcrValues joins the digests in order: tpm2-tools' "values" PCR file format
// (tpm2_checkquote -f FILE -l SELECTION).
Bytes ConcatPcrValues(const PcrValues& values);

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_PCR_SELECTION_H_
