// An in-process test PKI for the manifest JWS tests: software keys, a root and an intermediate
// CA, signer certificates of any profile (good and deliberately bad), CRLs, JWKs for the `jose`
// oracle, and a manifest the parser accepts.
//
// FOR TESTS ONLY (edgetrust::manifest_jws_testing): private keys live in process memory.
// Everything is generated fresh per call; thread-compatible.
#ifndef EDGETRUST_MANIFEST_JWS_TESTING_TEST_PKI_H_
#define EDGETRUST_MANIFEST_JWS_TESTING_TEST_PKI_H_

#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "certs/certificate.h"
#include "certs/signer.h"
#include "certs/testing/software_signer.h"
#include "common/bytes.h"
#include "common/error.h"
#include "common/public_key.h"
#include "manifest/jws/trust_policy.h"

struct evp_pkey_st;

namespace edgetrust::manifest::jws::testing {

// TestKey is a private key and a SoftwareSigner over it.
struct TestKey {
  std::shared_ptr<evp_pkey_st> pkey;
  std::shared_ptr<certs::testing::SoftwareSigner> signer;
  const PublicKey& public_key() const { return signer->public_key(); }
};

// GenerateKey makes an RSA (`rsa_bits`) or EC key; `alg` defaults to ES256/ES384 by curve and
// RSA-PSS-SHA256 for RSA.
Result<TestKey> GenerateKey(KeyType type, int rsa_bits = 2048,
                            std::optional<certs::SignatureAlgorithm> alg = std::nullopt);

// CertSpec: extension values in OpenSSL's config syntax; an empty string leaves the extension
// out. Validity defaults to [now - 1 h, now + 30 d].
struct CertSpec {
  std::string common_name = "manifest signer";
  std::string basic_constraints = "critical,CA:FALSE";
  std::string key_usage = "critical,digitalSignature";
  std::string eku = "codeSigning";
  std::optional<std::time_t> not_before;
  std::optional<std::time_t> not_after;
};

// CaSpec is the profile of a CA certificate.
CertSpec CaSpec(const std::string& common_name);

// IssueCertificate signs a certificate for `subject` with `issuer_key`; `issuer` null means
// self-signed (then `subject` must be issuer_key's public key).
Result<certs::Certificate> IssueCertificate(const PublicKey& subject, const CertSpec& spec,
                                            const certs::Certificate* issuer,
                                            const TestKey& issuer_key, std::time_t now);

// MakeCrl signs a v2 CRL (DER) by `issuer` listing `revoked`.
Result<Bytes> MakeCrl(const certs::Certificate& issuer, const TestKey& issuer_key,
                      const std::vector<certs::Certificate>& revoked, std::time_t this_update,
                      std::time_t next_update);

struct TestSigner {
  TestKey key;
  std::vector<certs::Certificate> chain;  // leaf, then the intermediate
};

// TestPki: root CA → intermediate CA → signers. Policy() pins the root.
struct TestPki {
  static Result<TestPki> Create(std::time_t now, KeyType ca_key_type = KeyType::kEcP256);

  Result<TestSigner> NewSigner(KeyType type, const CertSpec& spec = {}, int rsa_bits = 2048,
                               std::optional<certs::SignatureAlgorithm> alg = std::nullopt) const;
  // Crl is a CRL of the intermediate, current at `now` unless given other times.
  Result<Bytes> Crl(const std::vector<certs::Certificate>& revoked) const;
  TrustPolicy Policy() const;

  std::time_t now = 0;
  TestKey root_key;
  certs::Certificate root;
  TestKey intermediate_key;
  certs::Certificate intermediate;
};

// PrivateJwk / PublicJwk render `key` as a JWK (RFC 7517/7518) carrying "alg" = `alg`.
Result<std::string> PrivateJwk(const TestKey& key, const std::string& alg);
Result<std::string> PublicJwk(const TestKey& key, const std::string& alg);

// ValidManifestJson is a deployment manifest that ParseManifest accepts.
std::string ValidManifestJson(uint64_t version = 42, const std::string& deployment_id = "fleet-a");

}  // namespace edgetrust::manifest::jws::testing

#endif  // EDGETRUST_MANIFEST_JWS_TESTING_TEST_PKI_H_
