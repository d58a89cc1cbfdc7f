#include "certs/x509_sign.h"

#include <openssl/err.h>

namespace edgetrust::certs::internal {
namespace {

constexpr uint8_t kEcdsaSha256[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
                                    0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
constexpr uint8_t kEcdsaSha384[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
                                    0x48, 0xce, 0x3d, 0x04, 0x03, 0x03};
constexpr uint8_t kRsaSha256[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                  0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00};
// id-RSASSA-PSS { hashAlgorithm sha256, maskGenAlgorithm mgf1(sha256), saltLength 32 }
constexpr uint8_t kRsaPssSha256[] = {
    0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30,
    0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
    0x02, 0x01, 0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
    0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
    0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x20};

Error Ossl(std::string_view call) {
  return OpenSslError(ErrorCode::kInternal, "crypto.openssl", call);
}

void AppendLength(Bytes& out, size_t len) {
  if (len < 0x80) {
    out.push_back(static_cast<uint8_t>(len));
    return;
  }
  Bytes digits;
  for (size_t v = len; v > 0; v >>= 8) digits.insert(digits.begin(), static_cast<uint8_t>(v));
  out.push_back(static_cast<uint8_t>(0x80 | digits.size()));
  out.insert(out.end(), digits.begin(), digits.end());
}

Bytes Tlv(uint8_t tag, ByteView content) {
  Bytes out{tag};
  AppendLength(out, content.size());
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

// Encode runs an i2d_re_*_tbs-style encoder into a byte string.
template <typename T>
Result<Bytes> Encode(int (*i2d)(T*, unsigned char**), T* object, std::string_view what) {
  int len = i2d(object, nullptr);
  if (len <= 0) return std::unexpected(Ossl(what));
  Bytes out(static_cast<size_t>(len));
  unsigned char* p = out.data();
  if (i2d(object, &p) != len) return std::unexpected(Ossl(what));
  return out;
}

}  // namespace

ByteView AlgorithmIdentifierDer(SignatureAlgorithm alg) {
  switch (alg) {
    case SignatureAlgorithm::kEcdsaSha256:
      return kEcdsaSha256;
    case SignatureAlgorithm::kEcdsaSha384:
      return kEcdsaSha384;
    case SignatureAlgorithm::kRsaPkcs1Sha256:
      return kRsaSha256;
    case SignatureAlgorithm::kRsaPssSha256:
      return kRsaPssSha256;
  }
  return {};
}

Result<OpenSslPtr<X509_ALGOR>> MakeAlgorithmIdentifier(SignatureAlgorithm alg) {
  ByteView der = AlgorithmIdentifierDer(alg);
  const unsigned char* p = der.data();
  OpenSslPtr<X509_ALGOR> algor(d2i_X509_ALGOR(nullptr, &p, static_cast<long>(der.size())));
  if (!algor) return std::unexpected(Ossl("d2i_X509_ALGOR"));
  return algor;
}

Result<Bytes> SignToBeSigned(const Signer& signer, ByteView tbs) {
  auto digest = Digest(SignatureHash(signer.algorithm()), tbs);
  if (!digest) return Fail(digest.error());
  auto signature = signer.Sign(*digest);
  if (!signature) return Fail(signature.error());
  Bytes bits{0x00};  // no unused bits
  bits.insert(bits.end(), signature->begin(), signature->end());
  Bytes body = Concat({tbs, AlgorithmIdentifierDer(signer.algorithm()), Tlv(0x03, bits)});
  return Tlv(0x30, body);
}

Result<Bytes> SignX509(const Signer& signer, X509* cert) {
  auto algor = MakeAlgorithmIdentifier(signer.algorithm());
  if (!algor) return Fail(algor.error());
  // OpenSSL 3.0 has no setter for the TBSCertificate's signature field; X509_get0_tbs_sigalg
  // points into `cert`, which we own and may modify.
  auto* inner = const_cast<X509_ALGOR*>(X509_get0_tbs_sigalg(cert));
  if (X509_ALGOR_copy(inner, algor->get()) != 1) return std::unexpected(Ossl("X509_ALGOR_copy"));
  auto tbs = Encode(i2d_re_X509_tbs, cert, "i2d_re_X509_tbs");
  if (!tbs) return Fail(tbs.error());
  return SignToBeSigned(signer, *tbs);
}

Result<Bytes> SignCsr(const Signer& signer, X509_REQ* req) {
  auto tbs = Encode(i2d_re_X509_REQ_tbs, req, "i2d_re_X509_REQ_tbs");
  if (!tbs) return Fail(tbs.error());
  return SignToBeSigned(signer, *tbs);
}

Result<OpenSslPtr<X509_CRL>> NewCrlFor(SignatureAlgorithm alg) {
  // CertificateList { TBSCertList { v2, alg, Name {}, thisUpdate 1970 }, alg, BIT STRING {} }
  static constexpr uint8_t kVersion2[] = {0x02, 0x01, 0x01};
  static constexpr uint8_t kEmptyName[] = {0x30, 0x00};
  static constexpr uint8_t kEpoch[] = {0x17, 0x0d, '7', '0', '0', '1', '0', '1',
                                       '0',  '0',  '0', '0', '0', '0', 'Z'};
  static constexpr uint8_t kEmptyBits[] = {0x03, 0x01, 0x00};
  ByteView algid = AlgorithmIdentifierDer(alg);
  Bytes tbs = Tlv(0x30, Concat({kVersion2, algid, kEmptyName, kEpoch}));
  Bytes der = Tlv(0x30, Concat({tbs, algid, kEmptyBits}));
  const unsigned char* p = der.data();
  OpenSslPtr<X509_CRL> crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
  if (!crl) return std::unexpected(Ossl("d2i_X509_CRL"));
  return crl;
}

Result<Bytes> SignCrl(const Signer& signer, X509_CRL* crl) {
  auto tbs = Encode(i2d_re_X509_CRL_tbs, crl, "i2d_re_X509_CRL_tbs");
  if (!tbs) return Fail(tbs.error());
  return SignToBeSigned(signer, *tbs);
}

}  // namespace edgetrust::certs::internal
