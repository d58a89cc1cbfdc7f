#include "certs/leaf_issuance.h"

#include <algorithm>

#include "certs/x509_sign.h"
#include "certs/x509_util.h"

namespace edgetrust::certs::internal {
namespace {

Error Ossl(std::string_view call) {
  return OpenSslError(ErrorCode::kInternal, "crypto.openssl", call);
}

}  // namespace

Status CheckIssuingCa(const Certificate& ca, const PublicKey& signer_key) {
  X509* x = ca.get0_x509();
  uint32_t flags = X509_get_extension_flags(x);
  if ((flags & EXFLAG_CA) == 0 || (X509_get_key_usage(x) & KU_KEY_CERT_SIGN) == 0) {
    return Fail(ErrorCode::kInvalidArgument, "ca.not_a_ca",
                "certificate lacks basicConstraints CA:TRUE or keyCertSign");
  }
  if (X509_get0_subject_key_id(x) == nullptr) {
    return Fail(ErrorCode::kInvalidArgument, "ca.not_a_ca",
                "CA certificate has no subjectKeyIdentifier (needed for AKI)");
  }
  auto key = ca.public_key();
  if (!key) return Fail(key.error());
  if (!key->Equals(signer_key)) {
    return Fail(ErrorCode::kInvalidArgument, "ca.key_mismatch",
                "the CA certificate does not certify the signer's key");
  }
  return Ok();
}

Result<OpenSslPtr<X509>> NewCertificate(const PublicKey& key, const X509_NAME* subject,
                                        const X509_NAME* issuer, std::time_t not_before,
                                        std::time_t not_after) {
  OpenSslPtr<X509> x(X509_new());
  auto serial_bytes = RandomBytes(16);
  if (!serial_bytes) return Fail(serial_bytes.error());
  (*serial_bytes)[0] = static_cast<uint8_t>(((*serial_bytes)[0] & 0x7f) | 0x40);
  OpenSslPtr<BIGNUM> bn(BN_bin2bn(serial_bytes->data(), 16, nullptr));
  OpenSslPtr<ASN1_INTEGER> serial(bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
  if (!x || !serial || X509_set_version(x.get(), X509_VERSION_3) != 1 ||
      X509_set_serialNumber(x.get(), serial.get()) != 1 ||
      X509_set_subject_name(x.get(), subject) != 1 || X509_set_issuer_name(x.get(), issuer) != 1 ||
      X509_time_adj_ex(X509_getm_notBefore(x.get()), 0, 0, &not_before) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(x.get()), 0, 0, &not_after) == nullptr ||
      X509_set_pubkey(x.get(), key.get0_evp()) != 1) {
    return std::unexpected(Ossl("X509 setters"));
  }
  return x;
}

Result<OpenSslPtr<X509>> NewLeafCertificate(const PublicKey& key, const X509_NAME* subject,
                                            const Certificate& ca, std::time_t now,
                                            std::chrono::seconds lifetime) {
  if (lifetime.count() <= 0) {
    return Fail(ErrorCode::kInvalidArgument, "ca.bad_profile", "lifetime must be positive");
  }
  if (now < ca.not_before() || now >= ca.not_after()) {
    return Fail(ErrorCode::kFailedPrecondition, "ca.expired", "the CA is not valid now");
  }
  std::time_t not_after = std::min<std::time_t>(now + lifetime.count(), ca.not_after());
  return NewCertificate(key, subject, X509_get_subject_name(ca.get0_x509()), now - kBackdate,
                        not_after);
}

Status AddExtensions(X509* subject, X509* issuer,
                     std::initializer_list<std::pair<int, const char*>> extensions) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, subject, nullptr, nullptr, 0);
  for (auto [nid, value] : extensions) {
    auto ext = MakeExtension(nid, value, &ctx);
    if (!ext) return Fail(ext.error());
    if (X509_add_ext(subject, ext->get(), -1) != 1) return std::unexpected(Ossl("X509_add_ext"));
  }
  return Ok();
}

Result<Certificate> SignCertificate(const Signer& signer, X509* cert) {
  auto der = SignX509(signer, cert);
  if (!der) return Fail(der.error());
  return Certificate::FromDer(*der);
}

}  // namespace edgetrust::certs::internal
