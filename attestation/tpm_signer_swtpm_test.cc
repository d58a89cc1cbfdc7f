// TpmSigner on a real (software) TPM: its signatures verify with the public key, and a CSR it
// signs passes `openssl req -verify`.
#include "attestation/tpm_signer.h"

#include <gtest/gtest.h>

#include "attestation/keys.h"
#include "certs/csr.h"
#include "common/crypto.h"
#include "common/file.h"
#include "swtpm/tpm_test.h"

namespace edgetrust::attestation {
namespace {

TPM2B_PUBLIC P384IdentityTemplate() {
  TPM2B_PUBLIC t = IdentityKeyTemplate(KeyAlgorithm::kEccP256);
  t.publicArea.parameters.eccDetail.curveID = TPM2_ECC_NIST_P384;
  t.publicArea.parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA384;
  return t;
}

TPM2B_PUBLIC RsaSsaIdentityTemplate() {
  TPM2B_PUBLIC t = IdentityKeyTemplate(KeyAlgorithm::kRsa2048);
  t.publicArea.parameters.rsaDetail.scheme.scheme = TPM2_ALG_RSASSA;
  return t;
}

class TpmSignerTest : public swtpm::TpmTest {
 protected:
  KeyBlob NewKey(const TPM2B_PUBLIC& tmpl) {
    auto blob = CreateKey(tpm(), srk().handle, tmpl);
    EXPECT_TRUE(blob.has_value()) << blob.error().ToString();
    return blob ? *blob : KeyBlob{};
  }
};

TEST_F(TpmSignerTest, SignaturesVerifyAndCsrPassesOpenssl) {
  struct Case {
    const char* name;
    TPM2B_PUBLIC tmpl;
    certs::SignatureAlgorithm alg;
  };
  for (const Case& c :
       {Case{"ecc256", IdentityKeyTemplate(KeyAlgorithm::kEccP256),
             certs::SignatureAlgorithm::kEcdsaSha256},
        Case{"ecc384", P384IdentityTemplate(), certs::SignatureAlgorithm::kEcdsaSha384},
        Case{"rsassa", RsaSsaIdentityTemplate(), certs::SignatureAlgorithm::kRsaPkcs1Sha256},
        Case{"rsapss", IdentityKeyTemplate(KeyAlgorithm::kRsa2048),
             certs::SignatureAlgorithm::kRsaPssSha256}}) {
    SCOPED_TRACE(c.name);
    KeyBlob blob = NewKey(c.tmpl);
    TpmPublic pub = *TpmPublic::FromStruct(blob.public_area);
    auto key = LoadKey(tpm(), srk().handle, blob);
    ASSERT_TRUE(key.has_value()) << key.error().ToString();
    auto signer = TpmSigner::Create(tpm(), *key, pub);
    ASSERT_TRUE(signer.has_value()) << signer.error().ToString();
    EXPECT_EQ((*signer)->algorithm(), c.alg);
    EXPECT_TRUE((*signer)->public_key().Equals(*pub.ToPublicKey()));

    HashAlgorithm hash = certs::SignatureHash(c.alg);
    Bytes message = ToBytes("edgetrust tpm signer");
    auto signature = (*signer)->Sign(*Digest(hash, message));
    ASSERT_TRUE(signature.has_value()) << signature.error().ToString();
    auto verified =
        (*signer)->public_key().Verify(certs::SignatureSchemeOf(c.alg), hash, message, *signature);
    EXPECT_TRUE(verified.has_value()) << verified.error().ToString();
    Bytes other = message;
    other[0] ^= 1;
    auto wrong =
        (*signer)->public_key().Verify(certs::SignatureSchemeOf(c.alg), hash, other, *signature);
    ASSERT_FALSE(wrong.has_value());
    EXPECT_EQ(wrong.error().reason, "signature.invalid");

    auto short_digest = (*signer)->Sign(Bytes(20, 1));
    ASSERT_FALSE(short_digest.has_value());
    EXPECT_EQ(short_digest.error().reason, "signer.digest_size");

    auto csr = certs::BuildCsr(**signer, "device-0001");
    ASSERT_TRUE(csr.has_value()) << csr.error().ToString();
    auto parsed = certs::Csr::FromDer(*csr);
    ASSERT_TRUE(parsed.has_value()) << parsed.error().ToString();
    EXPECT_TRUE(parsed->VerifySignature().has_value());
    ASSERT_TRUE(WriteFileAtomic(Path("csr.der"), *csr).has_value());
    auto r = swtpm::RunCommand("openssl req -verify -noout -inform DER -in " +
                               swtpm::ShellQuote(Path("csr.der")));
    EXPECT_EQ(r.exit_code, 0) << r.output;
  }
}

TEST_F(TpmSignerTest, RefusesKeysItCannotSignWith) {
  KeyBlob ak = NewKey(AttestationKeyTemplate(KeyAlgorithm::kEccP256));
  TpmPublic pub = *TpmPublic::FromStruct(ak.public_area);
  auto key = LoadKey(tpm(), srk().handle, ak);
  ASSERT_TRUE(key.has_value());
  auto restricted = TpmSigner::Create(tpm(), *key, pub);
  ASSERT_FALSE(restricted.has_value());
  EXPECT_EQ(restricted.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(restricted.error().reason, "signer.unsupported_key");

  TPM2B_PUBLIC no_scheme = IdentityKeyTemplate(KeyAlgorithm::kEccP256);
  no_scheme.publicArea.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
  KeyBlob plain = NewKey(no_scheme);
  auto unsigned_key = SignatureAlgorithmOf(*TpmPublic::FromStruct(plain.public_area));
  ASSERT_FALSE(unsigned_key.has_value());
  EXPECT_EQ(unsigned_key.error().reason, "signer.unsupported_key");
}

}  // namespace
}  // namespace edgetrust::attestation
