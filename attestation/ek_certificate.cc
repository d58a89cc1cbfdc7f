#include "attestation/ek_certificate.h"

#include "attestation/nv.h"

namespace edgetrust::attestation {
namespace {

// DerLength returns the length of the leading DER SEQUENCE (header included), or 0.
size_t DerLength(ByteView der) {
  if (der.size() < 2 || der[0] != 0x30) return 0;
  if (der[1] < 0x80) return 2 + der[1];
  size_t n = der[1] & 0x7f;
  if (n == 0 || n > 3 || der.size() < 2 + n) return 0;
  size_t len = 0;
  for (size_t i = 0; i < n; ++i) len = (len << 8) | der[2 + i];
  return 2 + n + len;
}

}  // namespace

Result<certs::Certificate> ReadEkCertificate(Tpm& tpm, EkType type) {
  auto raw = ReadNvIndex(tpm, GetEkProfile(type).cert_nv_index);
  if (!raw) {
    if (raw.error().reason == "tpm.handle") {
      return Fail(ErrorCode::kNotFound, "ek.no_certificate",
                  "the TPM holds no " + std::string(GetEkProfile(type).name) + " EK certificate");
    }
    return Fail(raw.error());
  }
  size_t len = DerLength(*raw);
  if (len == 0 || len > raw->size()) {
    return Fail(ErrorCode::kInvalidArgument, "cert.malformed", "EK certificate is not DER");
  }
  for (size_t i = len; i < raw->size(); ++i) {
    if ((*raw)[i] != 0) {
      return Fail(ErrorCode::kInvalidArgument, "cert.malformed",
                  "EK certificate NV index has data after the certificate");
    }
  }
  return certs::Certificate::FromDer(ByteView(raw->data(), len));
}

Status CheckEkCertificateKey(const certs::Certificate& cert, const TpmPublic& ek) {
  auto cert_key = cert.public_key();
  if (!cert_key) return Fail(cert_key.error());
  auto ek_key = ek.ToPublicKey();
  if (!ek_key) return Fail(ek_key.error());
  if (!cert_key->Equals(*ek_key)) {
    return Fail(ErrorCode::kPermissionDenied, "ek.cert_key_mismatch",
                "EK certificate public key differs from the EK");
  }
  return Ok();
}

}  // namespace edgetrust::attestation
