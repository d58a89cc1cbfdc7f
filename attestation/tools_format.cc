#include "attestation/tools_format.h"

#include <tss2/tss2_mu.h>

#include <string>

#include "attestation/tss_log.h"

namespace edgetrust::attestation {
namespace {

void AppendBigEndian32(Bytes& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

uint32_t ReadBigEndian32(ByteView in) {
  return (static_cast<uint32_t>(in[0]) << 24) | (static_cast<uint32_t>(in[1]) << 16) |
         (static_cast<uint32_t>(in[2]) << 8) | in[3];
}

// TakeTpm2b splits one marshalled TPM2B of type T off the front of `in`, using tss2-mu to
// enforce T's size bound.
template <typename T>
Result<Bytes> TakeTpm2b(ByteView& in, TSS2_RC (*unmarshal)(const uint8_t*, size_t, size_t*, T*),
                        const char* what) {
  SilenceTssLogging();
  size_t offset = 0;
  T value{};
  if (unmarshal(in.data(), in.size(), &offset, &value) != TSS2_RC_SUCCESS) {
    return Fail(ErrorCode::kInvalidArgument, "tpm.malformed",
                std::string("credential file: malformed ") + what);
  }
  Bytes out(in.begin(), in.begin() + static_cast<long>(offset));
  in = in.subspan(offset);
  return out;
}

}  // namespace

Bytes EncodeTpm2ToolsCredential(const CredentialBlob& blob) {
  Bytes out;
  out.reserve(8 + blob.id_object.size() + blob.encrypted_secret.size());
  AppendBigEndian32(out, kTpm2ToolsMagic);
  AppendBigEndian32(out, kTpm2ToolsCredentialVersion);
  out.insert(out.end(), blob.id_object.begin(), blob.id_object.end());
  out.insert(out.end(), blob.encrypted_secret.begin(), blob.encrypted_secret.end());
  return out;
}

Result<CredentialBlob> DecodeTpm2ToolsCredential(ByteView file) {
  if (file.size() < 8) {
    return Fail(ErrorCode::kInvalidArgument, "tpm.malformed", "credential file: no header");
  }
  if (ReadBigEndian32(file) != kTpm2ToolsMagic ||
      ReadBigEndian32(file.subspan(4)) != kTpm2ToolsCredentialVersion) {
    return Fail(ErrorCode::kInvalidArgument, "credential.file_format",
                "not a version 1 tpm2-tools credential file");
  }
  ByteView rest = file.subspan(8);
  auto id_object =
      TakeTpm2b<TPM2B_ID_OBJECT>(rest, Tss2_MU_TPM2B_ID_OBJECT_Unmarshal, "TPM2B_ID_OBJECT");
  if (!id_object) return Fail(id_object.error());
  auto secret = TakeTpm2b<TPM2B_ENCRYPTED_SECRET>(rest, Tss2_MU_TPM2B_ENCRYPTED_SECRET_Unmarshal,
                                                  "TPM2B_ENCRYPTED_SECRET");
  if (!secret) return Fail(secret.error());
  if (!rest.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "tpm.malformed",
                "credential file: " + std::to_string(rest.size()) + " trailing bytes");
  }
  return CredentialBlob{std::move(*id_object), std::move(*secret)};
}

}  // namespace edgetrust::attestation
