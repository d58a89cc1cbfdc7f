// Fuzzes the parsers of files a device reads back from disk or receives from a tool: key
// blobs ("ETKB"), tpm2-tools credential files, TPMT_SIGNATURE and PCR selection text.
#include <cstdlib>
#include <string_view>

#include "attestation/key_blob.h"
#include "attestation/pcr_selection.h"
#include "attestation/signature.h"
#include "attestation/tools_format.h"
#include "common/bytes.h"
#include "tests/fuzz/fuzz_seeds.h"

using namespace edgetrust;
using namespace edgetrust::attestation;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView input(data, size);
  if (auto blob = ParseKeyBlob(input)) {
    auto again = SerializeKeyBlob(*blob);
    if (!again) std::abort();
  }
  (void)DecodeTpm2ToolsCredential(input);
  if (auto sig = ParseTpmSignature(input)) (void)SignatureToDer(*sig);
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto selection = ParsePcrSelection(text)) {
    auto reparsed = ParsePcrSelection(FormatPcrSelection(*selection));
    if (!reparsed || FormatPcrSelection(*reparsed) != FormatPcrSelection(*selection)) std::abort();
    (void)ToTpml(*selection);
  }
  (void)HexDecode(text);
  return 0;
}
