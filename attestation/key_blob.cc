#include "attestation/key_blob.h"

#include <tss2/tss2_mu.h>

#include "attestation/tss_log.h"
#include "common/file.h"

namespace edgetrust::attestation {
namespace {

constexpr uint8_t kMagic[] = {'E', 'T', 'K', 'B'};
constexpr uint8_t kVersion = 1;

std::unexpected<Error> Malformed(std::string message) {
  return Fail(ErrorCode::kInvalidArgument, "keyblob.malformed", std::move(message));
}

}  // namespace

Result<Bytes> SerializeKeyBlob(const KeyBlob& blob) {
  Bytes out(sizeof(kMagic) + 1 + sizeof(TPM2B_PUBLIC) + sizeof(TPM2B_PRIVATE));
  std::copy(std::begin(kMagic), std::end(kMagic), out.begin());
  out[sizeof(kMagic)] = kVersion;
  size_t offset = sizeof(kMagic) + 1;
  if (Tss2_MU_TPM2B_PUBLIC_Marshal(&blob.public_area, out.data(), out.size(), &offset) !=
          TSS2_RC_SUCCESS ||
      Tss2_MU_TPM2B_PRIVATE_Marshal(&blob.private_area, out.data(), out.size(), &offset) !=
          TSS2_RC_SUCCESS) {
    return Fail(ErrorCode::kInvalidArgument, "keyblob.malformed", "cannot marshal key blob");
  }
  out.resize(offset);
  return out;
}

Result<KeyBlob> ParseKeyBlob(ByteView data) {
  SilenceTssLogging();
  if (data.size() < sizeof(kMagic) + 1 ||
      !std::equal(std::begin(kMagic), std::end(kMagic), data.begin())) {
    return Malformed("not an edgetrust key blob (bad magic)");
  }
  if (data[sizeof(kMagic)] != kVersion) {
    return Malformed("unsupported key blob version " + std::to_string(data[sizeof(kMagic)]));
  }
  KeyBlob blob;
  size_t offset = sizeof(kMagic) + 1;
  if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(data.data(), data.size(), &offset, &blob.public_area) !=
          TSS2_RC_SUCCESS ||
      Tss2_MU_TPM2B_PRIVATE_Unmarshal(data.data(), data.size(), &offset, &blob.private_area) !=
          TSS2_RC_SUCCESS) {
    return Malformed("truncated key blob");
  }
  if (offset != data.size()) return Malformed("trailing bytes after key blob");
  return blob;
}

Status SaveKeyBlob(const std::string& path, const KeyBlob& blob) {
  auto bytes = SerializeKeyBlob(blob);
  if (!bytes) return Fail(bytes.error());
  return WriteFileAtomic(path, *bytes, 0600);
}

Result<KeyBlob> LoadKeyBlob(const std::string& path) {
  auto bytes = ReadFile(path, 64 * 1024);
  if (!bytes) return Fail(bytes.error());
  return ParseKeyBlob(*bytes);
}

}  // namespace edgetrust::attestation
