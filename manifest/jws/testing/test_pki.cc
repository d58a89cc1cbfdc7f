#include "manifest/jws/testing/test_pki.h"

#include <openssl/core_names.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <nlohmann/json.hpp>

#include "common/openssl.h"
#include "manifest/jws/base64.h"

namespace edgetrust::manifest::jws::testing {
namespace {

using json = nlohmann::json;

std::unexpected<Error> SslFail(const char* call) {
  return Fail(OpenSslError(ErrorCode::kInternal, "crypto.openssl", call));
}

Status AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  if (value.empty()) return Ok();
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  OpenSslPtr<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) return SslFail("X509_add_ext");
  return Ok();
}

Result<std::string> Coordinate(const EVP_PKEY* pkey, const char* param, int pad) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, param, &raw) != 1) return SslFail("EVP_PKEY_get_bn_param");
  OpenSslPtr<BIGNUM> bn(raw);
  Bytes out(static_cast<size_t>(pad > 0 ? pad : BN_num_bytes(bn.get())));
  if (BN_bn2binpad(bn.get(), out.data(), static_cast<int>(out.size())) < 0) {
    return SslFail("BN_bn2binpad");
  }
  return internal::Base64UrlEncode(out);
}

Result<std::string> Jwk(const TestKey& key, const std::string& alg, bool with_private) {
  const EVP_PKEY* pkey = key.pkey.get();
  json jwk = {{"alg", alg}};
  std::vector<std::pair<const char*, const char*>> members;
  int pad = 0;
  switch (key.public_key().type()) {
    case KeyType::kRsa:
      jwk["kty"] = "RSA";
      members = {{"n", OSSL_PKEY_PARAM_RSA_N}, {"e", OSSL_PKEY_PARAM_RSA_E}};
      if (with_private) {
        members.insert(members.end(), {{"d", OSSL_PKEY_PARAM_RSA_D},
                                       {"p", OSSL_PKEY_PARAM_RSA_FACTOR1},
                                       {"q", OSSL_PKEY_PARAM_RSA_FACTOR2},
                                       {"dp", OSSL_PKEY_PARAM_RSA_EXPONENT1},
                                       {"dq", OSSL_PKEY_PARAM_RSA_EXPONENT2},
                                       {"qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1}});
      }
      break;
    case KeyType::kEcP256:
    case KeyType::kEcP384:
      jwk["kty"] = "EC";
      jwk["crv"] = CurveName(key.public_key().type());
      pad = key.public_key().type() == KeyType::kEcP256 ? 32 : 48;
      members = {{"x", OSSL_PKEY_PARAM_EC_PUB_X}, {"y", OSSL_PKEY_PARAM_EC_PUB_Y}};
      if (with_private) members.push_back({"d", OSSL_PKEY_PARAM_PRIV_KEY});
      break;
    default:
      return Fail(ErrorCode::kInvalidArgument, "test.unsupported", "no JWK for this key");
  }
  for (auto [name, param] : members) {
    auto value = Coordinate(pkey, param, pad);
    if (!value) return Fail(value.error());
    jwk[name] = *value;
  }
  return jwk.dump();
}

}  // namespace

Result<TestKey> GenerateKey(KeyType type, int rsa_bits,
                            std::optional<certs::SignatureAlgorithm> alg) {
  EVP_PKEY* raw = nullptr;
  if (type == KeyType::kRsa) {
    raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(rsa_bits));
  } else {
    raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", CurveName(type));
  }
  if (raw == nullptr) return SslFail("EVP_PKEY_Q_keygen");
  std::shared_ptr<EVP_PKEY> pkey(raw, EVP_PKEY_free);
  unsigned char* spki = nullptr;
  const int len = i2d_PUBKEY(raw, &spki);
  if (len <= 0) return SslFail("i2d_PUBKEY");
  Bytes der(spki, spki + len);
  OPENSSL_free(spki);
  auto public_key = PublicKey::FromSpkiDer(der);
  if (!public_key) return Fail(public_key.error());
  certs::SignatureAlgorithm algorithm = certs::SignatureAlgorithm::kRsaPssSha256;
  if (type == KeyType::kEcP256) algorithm = certs::SignatureAlgorithm::kEcdsaSha256;
  if (type == KeyType::kEcP384) algorithm = certs::SignatureAlgorithm::kEcdsaSha384;
  auto signer =
      std::make_shared<certs::testing::SoftwareSigner>(pkey, *public_key, alg.value_or(algorithm));
  return TestKey{std::move(pkey), std::move(signer)};
}

CertSpec CaSpec(const std::string& common_name) {
  CertSpec spec;
  spec.common_name = common_name;
  spec.basic_constraints = "critical,CA:TRUE";
  spec.key_usage = "critical,keyCertSign,cRLSign";
  spec.eku = "";
  return spec;
}

Result<certs::Certificate> IssueCertificate(const PublicKey& subject, const CertSpec& spec,
                                            const certs::Certificate* issuer,
                                            const TestKey& issuer_key, std::time_t now) {
  OpenSslPtr<X509> x(X509_new());
  if (!x || X509_set_version(x.get(), 2) != 1) return SslFail("X509_new");
  unsigned char serial_bytes[16];
  if (RAND_bytes(serial_bytes, sizeof(serial_bytes)) != 1) return SslFail("RAND_bytes");
  serial_bytes[0] &= 0x7f;
  serial_bytes[0] |= 0x01;
  OpenSslPtr<BIGNUM> serial(BN_bin2bn(serial_bytes, sizeof(serial_bytes), nullptr));
  if (!serial || BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(x.get())) == nullptr) {
    return SslFail("serial");
  }
  OpenSslPtr<X509_NAME> name(X509_NAME_new());
  if (!name ||
      X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(spec.common_name.c_str()),
                                 -1, -1, 0) != 1) {
    return SslFail("X509_NAME");
  }
  X509* issuer_x = issuer != nullptr ? issuer->get0_x509() : x.get();
  if (X509_set_subject_name(x.get(), name.get()) != 1 ||
      X509_set_issuer_name(x.get(),
                           issuer != nullptr ? X509_get_subject_name(issuer_x) : name.get()) != 1 ||
      X509_set_pubkey(x.get(), subject.get0_evp()) != 1) {
    return SslFail("X509_set");
  }
  if (ASN1_TIME_set(X509_getm_notBefore(x.get()), spec.not_before.value_or(now - 3600)) ==
          nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(x.get()), spec.not_after.value_or(now + 30 * 86400)) ==
          nullptr) {
    return SslFail("ASN1_TIME_set");
  }
  for (auto [nid, value] :
       {std::pair{NID_basic_constraints, spec.basic_constraints},
        std::pair{NID_key_usage, spec.key_usage}, std::pair{NID_ext_key_usage, spec.eku},
        std::pair{NID_subject_key_identifier, std::string("hash")}}) {
    if (auto ok = AddExtension(x.get(), issuer_x, nid, value); !ok) return Fail(ok.error());
  }
  if (issuer != nullptr) {
    if (auto ok = AddExtension(x.get(), issuer_x, NID_authority_key_identifier, "keyid:always");
        !ok) {
      return Fail(ok.error());
    }
  }
  if (X509_sign(x.get(), issuer_key.pkey.get(), EVP_sha256()) <= 0) return SslFail("X509_sign");
  unsigned char* out = nullptr;
  const int len = i2d_X509(x.get(), &out);
  if (len <= 0) return SslFail("i2d_X509");
  Bytes der(out, out + len);
  OPENSSL_free(out);
  return certs::Certificate::FromDer(der);
}

Result<Bytes> MakeCrl(const certs::Certificate& issuer, const TestKey& issuer_key,
                      const std::vector<certs::Certificate>& revoked, std::time_t this_update,
                      std::time_t next_update) {
  OpenSslPtr<X509_CRL> crl(X509_CRL_new());
  OpenSslPtr<ASN1_STRING> last(ASN1_TIME_set(nullptr, this_update));
  OpenSslPtr<ASN1_STRING> next(ASN1_TIME_set(nullptr, next_update));
  if (!crl || !last || !next || X509_CRL_set_version(crl.get(), 1) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.get0_x509())) != 1 ||
      X509_CRL_set1_lastUpdate(crl.get(), last.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), next.get()) != 1) {
    return SslFail("X509_CRL");
  }
  for (const certs::Certificate& cert : revoked) {
    OpenSslPtr<X509_REVOKED> entry(X509_REVOKED_new());
    OpenSslPtr<ASN1_STRING> serial(ASN1_INTEGER_dup(X509_get0_serialNumber(cert.get0_x509())));
    if (!entry || !serial || X509_REVOKED_set_serialNumber(entry.get(), serial.get()) != 1 ||
        X509_REVOKED_set_revocationDate(entry.get(), last.get()) != 1 ||
        X509_CRL_add0_revoked(crl.get(), entry.get()) != 1) {
      return SslFail("X509_REVOKED");
    }
    (void)entry.release();  // owned by the CRL
  }
  if (X509_CRL_sort(crl.get()) != 1 ||
      X509_CRL_sign(crl.get(), issuer_key.pkey.get(), EVP_sha256()) <= 0) {
    return SslFail("X509_CRL_sign");
  }
  unsigned char* out = nullptr;
  const int len = i2d_X509_CRL(crl.get(), &out);
  if (len <= 0) return SslFail("i2d_X509_CRL");
  Bytes der(out, out + len);
  OPENSSL_free(out);
  return der;
}

Result<TestPki> TestPki::Create(std::time_t now, KeyType ca_key_type) {
  auto root_key = GenerateKey(ca_key_type);
  if (!root_key) return Fail(root_key.error());
  auto root =
      IssueCertificate(root_key->public_key(), CaSpec("manifest root"), nullptr, *root_key, now);
  if (!root) return Fail(root.error());
  auto inter_key = GenerateKey(ca_key_type);
  if (!inter_key) return Fail(inter_key.error());
  auto inter = IssueCertificate(inter_key->public_key(), CaSpec("manifest intermediate"), &*root,
                                *root_key, now);
  if (!inter) return Fail(inter.error());
  return TestPki{now, std::move(*root_key), std::move(*root), std::move(*inter_key),
                 std::move(*inter)};
}

Result<TestSigner> TestPki::NewSigner(KeyType type, const CertSpec& spec, int rsa_bits,
                                      std::optional<certs::SignatureAlgorithm> alg) const {
  auto key = GenerateKey(type, rsa_bits, alg);
  if (!key) return Fail(key.error());
  auto leaf = IssueCertificate(key->public_key(), spec, &intermediate, intermediate_key, now);
  if (!leaf) return Fail(leaf.error());
  return TestSigner{std::move(*key), {std::move(*leaf), intermediate}};
}

Result<Bytes> TestPki::Crl(const std::vector<certs::Certificate>& revoked) const {
  return MakeCrl(intermediate, intermediate_key, revoked, now - 600, now + 86400);
}

TrustPolicy TestPki::Policy() const {
  TrustPolicy policy;
  policy.roots = {root};
  return policy;
}

Result<std::string> PrivateJwk(const TestKey& key, const std::string& alg) {
  return Jwk(key, alg, true);
}

Result<std::string> PublicJwk(const TestKey& key, const std::string& alg) {
  return Jwk(key, alg, false);
}

std::string ValidManifestJson(uint64_t version, const std::string& deployment_id) {
  return R"({"schemaVersion":"1.0","deploymentId":")" + deployment_id + R"(","version":)" +
         std::to_string(version) +
         R"(,"issuedAt":"2026-11-26T10:00:00Z","expiresAt":"2026-12-26T10:00:00Z",)"
         R"("target":{"deviceIds":["gw-0001"],"tags":["line7"]},)"
         R"("modules":{"sensor":{"image":"registry.example.com/sensor@sha256:)" +
         std::string(64, 'a') +
         R"(","imageSize":1048576,"env":{"LOG_LEVEL":"info"}}},)"
         R"("routes":{"upstream":"FROM /messages/* INTO $upstream"},)"
         R"("storeAndForward":{"timeToLiveSecs":60}})";
}

}  // namespace edgetrust::manifest::jws::testing
