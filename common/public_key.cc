#include "common/public_key.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <algorithm>
#include <climits>
#include <string>

#include "common/openssl.h"

namespace edgetrust {
namespace {

constexpr int kMinRsaBits = 1024;
constexpr int kMaxRsaBits = 16384;

Error Malformed(std::string message) {
  ERR_clear_error();
  return Error{ErrorCode::kInvalidArgument, "key.malformed", std::move(message), 0};
}

Error Unsupported(std::string message) {
  ERR_clear_error();
  return Error{ErrorCode::kInvalidArgument, "key.unsupported", std::move(message), 0};
}

std::shared_ptr<evp_pkey_st> Share(OpenSslPtr<EVP_PKEY> pkey) {
  return std::shared_ptr<evp_pkey_st>(pkey.release(), EVP_PKEY_free);
}

size_t FieldBytes(KeyType type) {
  switch (type) {
    case KeyType::kEcP256:
      return 32;
    case KeyType::kEcP384:
      return 48;
    case KeyType::kEcP521:
      return 66;
    case KeyType::kRsa:
      break;
  }
  return 0;
}

bool HasBnParam(const EVP_PKEY* pkey, const char* name) {
  BIGNUM* raw = nullptr;
  bool has = EVP_PKEY_get_bn_param(pkey, name, &raw) == 1;
  ERR_clear_error();  // a public key has no such parameter: not an error worth keeping
  OpenSslPtr<BIGNUM> owned(raw);
  return has;
}

// Classify returns the KeyType of a public RSA or EC key, or an Error for anything else.
Result<KeyType> Classify(const EVP_PKEY* pkey) {
  if (pkey == nullptr) return std::unexpected(Malformed("no key"));
  if (EVP_PKEY_is_a(pkey, "RSA")) {
    if (HasBnParam(pkey, OSSL_PKEY_PARAM_RSA_D)) {
      return std::unexpected(Malformed("input carries an RSA private key"));
    }
    int bits = EVP_PKEY_get_bits(pkey);
    if (bits < kMinRsaBits || bits > kMaxRsaBits) {
      return std::unexpected(Unsupported("RSA modulus of " + std::to_string(bits) + " bits"));
    }
    return KeyType::kRsa;
  }
  if (EVP_PKEY_is_a(pkey, "EC")) {
    if (HasBnParam(pkey, OSSL_PKEY_PARAM_PRIV_KEY)) {
      return std::unexpected(Malformed("input carries an EC private key"));
    }
    char group[64] = {};
    size_t len = 0;
    if (EVP_PKEY_get_group_name(pkey, group, sizeof(group), &len) != 1) {
      return std::unexpected(Unsupported("EC key without a named curve"));
    }
    std::string_view name(group, len);
    if (name == "prime256v1" || name == "P-256") return KeyType::kEcP256;
    if (name == "secp384r1" || name == "P-384") return KeyType::kEcP384;
    if (name == "secp521r1" || name == "P-521") return KeyType::kEcP521;
    return std::unexpected(Unsupported("EC curve " + std::string(name)));
  }
  return std::unexpected(Unsupported("key is neither RSA nor EC"));
}

// FromParams builds a public key of `type_name` ("RSA", "EC") from an OSSL_PARAM_BLD.
Result<OpenSslPtr<EVP_PKEY>> FromParams(const char* type_name, OSSL_PARAM_BLD* bld) {
  OpenSslPtr<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(bld));
  OpenSslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type_name, nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
    return std::unexpected(
        OpenSslError(ErrorCode::kInternal, "crypto.openssl", "EVP_PKEY_fromdata_init"));
  }
  EVP_PKEY* raw = nullptr;
  int rc = EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get());
  OpenSslPtr<EVP_PKEY> pkey(raw);
  if (rc != 1) return std::unexpected(Malformed(std::string(type_name) + " key rejected"));
  return pkey;
}

Result<PublicKey> AdoptOwned(OpenSslPtr<EVP_PKEY> pkey) { return PublicKey::Adopt(pkey.release()); }

ByteView StripLeadingZeros(ByteView v) {
  while (!v.empty() && v.front() == 0) v = v.subspan(1);
  return v;
}

}  // namespace

const char* CurveName(KeyType type) {
  switch (type) {
    case KeyType::kEcP256:
      return "P-256";
    case KeyType::kEcP384:
      return "P-384";
    case KeyType::kEcP521:
      return "P-521";
    case KeyType::kRsa:
      break;
  }
  return nullptr;
}

Result<PublicKey> PublicKey::FromSpkiDer(ByteView der) {
  if (der.empty() || der.size() > LONG_MAX) return Fail(Malformed("empty SPKI"));
  const unsigned char* p = der.data();
  OpenSslPtr<EVP_PKEY> pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!pkey) return Fail(Malformed("not a DER SubjectPublicKeyInfo"));
  if (p != der.data() + der.size()) return Fail(Malformed("trailing bytes after SPKI"));
  return AdoptOwned(std::move(pkey));
}

Result<PublicKey> PublicKey::FromPem(std::string_view pem) {
  if (pem.size() > INT_MAX) return Fail(Malformed("PEM too large"));
  OpenSslPtr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) {
    return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "BIO_new"));
  }
  OpenSslPtr<EVP_PKEY> pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!pkey) return Fail(Malformed("no PEM PUBLIC KEY block"));
  return AdoptOwned(std::move(pkey));
}

Result<PublicKey> PublicKey::FromRsa(ByteView modulus, ByteView exponent) {
  modulus = StripLeadingZeros(modulus);
  exponent = StripLeadingZeros(exponent);
  if (modulus.empty() || (modulus.back() & 1) == 0) return Fail(Malformed("RSA modulus is even"));
  if (exponent.empty() || exponent.size() > 8 || (exponent.back() & 1) == 0 ||
      (exponent.size() == 1 && exponent[0] == 1)) {
    return Fail(Malformed("RSA exponent must be odd and greater than 1"));
  }
  OpenSslPtr<BIGNUM> n(BN_bin2bn(modulus.data(), static_cast<int>(modulus.size()), nullptr));
  OpenSslPtr<BIGNUM> e(BN_bin2bn(exponent.data(), static_cast<int>(exponent.size()), nullptr));
  OpenSslPtr<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
  if (!n || !e || !bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "OSSL_PARAM_BLD"));
  }
  auto pkey = FromParams("RSA", bld.get());
  if (!pkey) return Fail(pkey.error());
  return AdoptOwned(std::move(*pkey));
}

Result<PublicKey> PublicKey::FromEcPoint(KeyType curve, ByteView x, ByteView y) {
  const char* group = CurveName(curve);
  if (group == nullptr) return Fail(Unsupported("not an EC curve"));
  const size_t field = FieldBytes(curve);
  x = StripLeadingZeros(x);
  y = StripLeadingZeros(y);
  if (x.size() > field || y.size() > field) return Fail(Malformed("EC coordinate too long"));
  Bytes point(1 + 2 * field, 0);
  point[0] = 0x04;  // uncompressed
  std::copy(x.begin(), x.end(), point.begin() + static_cast<long>(1 + field - x.size()));
  std::copy(y.begin(), y.end(), point.end() - static_cast<long>(y.size()));
  OpenSslPtr<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "OSSL_PARAM_BLD"));
  }
  auto pkey = FromParams("EC", bld.get());  // decoding the point checks that it is on the curve
  if (!pkey) return Fail(pkey.error());
  OpenSslPtr<EVP_PKEY_CTX> check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey->get(), nullptr));
  // The NIST prime curves have cofactor 1, so a point on the curve that is not the point at
  // infinity has the group order: the quick check (no scalar multiplication) is full validation.
  if (!check || EVP_PKEY_public_check_quick(check.get()) != 1) {
    return Fail(Malformed("EC point is not a valid public key on " + std::string(group)));
  }
  return AdoptOwned(std::move(*pkey));
}

Result<PublicKey> PublicKey::Adopt(evp_pkey_st* pkey) {
  OpenSslPtr<EVP_PKEY> owned(pkey);
  auto type = Classify(owned.get());
  if (!type) return Fail(type.error());
  return PublicKey(Share(std::move(owned)), *type);
}

int PublicKey::bits() const { return EVP_PKEY_get_bits(pkey_.get()); }

Result<Bytes> PublicKey::ToSpkiDer() const {
  // One encoding pass (OpenSSL 3 sets up an encoder per call): let it allocate the buffer.
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(pkey_.get(), &der);
  if (len <= 0 || der == nullptr) {
    return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "i2d_PUBKEY"));
  }
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

Result<std::string> PublicKey::ToPem() const {
  OpenSslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), pkey_.get()) != 1) {
    return std::unexpected(
        OpenSslError(ErrorCode::kInternal, "crypto.openssl", "PEM_write_bio_PUBKEY"));
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  if (len <= 0 || data == nullptr) {
    return std::unexpected(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "BIO_get_mem"));
  }
  return std::string(data, static_cast<size_t>(len));
}

std::string PublicKey::Fingerprint() const {
  auto der = ToSpkiDer();
  if (!der) return "";
  auto digest = Digest(HashAlgorithm::kSha256, *der);
  return digest ? HexEncode(*digest) : "";
}

bool PublicKey::Equals(const PublicKey& other) const {
  return EVP_PKEY_eq(pkey_.get(), other.pkey_.get()) == 1;
}

Status PublicKey::Verify(SignatureScheme scheme, HashAlgorithm hash, ByteView message,
                         ByteView signature) const {
  const bool rsa_scheme = scheme != SignatureScheme::kEcdsaDer;
  if (rsa_scheme != (type_ == KeyType::kRsa)) {
    return Fail(ErrorCode::kInvalidArgument, "signature.scheme_mismatch",
                "signature scheme does not fit the key type");
  }
  OpenSslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, EvpMd(hash), nullptr, pkey_.get()) != 1) {
    return std::unexpected(
        OpenSslError(ErrorCode::kInternal, "crypto.openssl", "EVP_DigestVerifyInit"));
  }
  if (scheme == SignatureScheme::kRsaPkcs1 &&
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
    return std::unexpected(
        OpenSslError(ErrorCode::kInternal, "crypto.openssl", "EVP_PKEY_CTX_set_rsa_padding"));
  }
  // TPMs sign PSS with a digest-length salt (TPM 2.0 library >= 1.38) or the maximum salt
  // (older firmware, FIPS mode); accept both by recovering the salt length from the signature.
  if (scheme == SignatureScheme::kRsaPss &&
      (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
       EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EvpMd(hash)) != 1 ||
       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) != 1)) {
    return std::unexpected(
        OpenSslError(ErrorCode::kInternal, "crypto.openssl", "EVP_PKEY_CTX_set_rsa_pss"));
  }
  int rc = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                            message.size());
  ERR_clear_error();  // a bad signature leaves decoding errors that nobody should read
  if (rc != 1) {
    return Fail(ErrorCode::kPermissionDenied, "signature.invalid", "signature does not verify");
  }
  return Ok();
}

}  // namespace edgetrust
