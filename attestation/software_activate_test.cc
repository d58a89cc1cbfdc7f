#include "attestation/software_activate.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>

#include "attestation/templates.h"
#include "attestation/testing/generated_key.h"
#include "common/openssl.h"

namespace edgetrust::attestation {
namespace {

using testing::GeneratedKey;

const GeneratedKey& EccEk() {
  static const GeneratedKey key = testing::GenerateKey(EkTemplate(EkType::kEccP256));
  return key;
}

const GeneratedKey& RsaEk() {
  static const GeneratedKey key = testing::GenerateKey(EkTemplate(EkType::kRsa2048));
  return key;
}

TpmPublic Public(const GeneratedKey& key) { return *TpmPublic::FromStruct(key.pub); }

Bytes AkName() {
  static const Bytes name =
      *TpmPublic::FromStruct(
           testing::GenerateKey(AttestationKeyTemplate(KeyAlgorithm::kRsa2048)).pub)
           ->Name();
  return name;
}

CredentialBlob Blob(const GeneratedKey& ek) {
  return *MakeCredential(Public(ek), AkName(), *RandomSecret(32));
}

TEST(SoftwareActivateTest, RejectsAPrivateKeyOfAnotherEk) {
  const GeneratedKey other = testing::GenerateKey(EkTemplate(EkType::kEccP256));
  auto result =
      ActivateCredentialInSoftware(other.private_pem, Public(EccEk()), AkName(), Blob(EccEk()));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(result.error().reason, "credential.key_mismatch");
}

TEST(SoftwareActivateTest, RejectsPemThatIsNotAnUnencryptedPrivateKey) {
  EXPECT_EQ(
      ActivateCredentialInSoftware("junk", Public(EccEk()), AkName(), Blob(EccEk())).error().reason,
      "key.malformed");
  EXPECT_EQ(
      ActivateCredentialInSoftware(EccEk().public_pem, Public(EccEk()), AkName(), Blob(EccEk()))
          .error()
          .reason,
      "key.malformed");
  // An encrypted key must fail instead of prompting for a passphrase on the terminal.
  OpenSslPtr<BIO> in(
      BIO_new_mem_buf(EccEk().private_pem.data(), static_cast<int>(EccEk().private_pem.size())));
  OpenSslPtr<EVP_PKEY> pkey(PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr));
  OpenSslPtr<BIO> out(BIO_new(BIO_s_mem()));
  static const char kPass[] = "secret";
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(out.get(), pkey.get(), EVP_aes_256_cbc(), kPass,
                                          sizeof(kPass) - 1, nullptr, nullptr),
            1);
  char* data = nullptr;
  long len = BIO_get_mem_data(out.get(), &data);
  EXPECT_EQ(ActivateCredentialInSoftware(std::string(data, static_cast<size_t>(len)),
                                         Public(EccEk()), AkName(), Blob(EccEk()))
                .error()
                .reason,
            "key.malformed");
}

TEST(SoftwareActivateTest, RejectsMalformedBlobs) {
  CredentialBlob blob = Blob(RsaEk());
  CredentialBlob truncated = blob;
  truncated.id_object.pop_back();
  EXPECT_EQ(ActivateCredentialInSoftware(RsaEk().private_pem, Public(RsaEk()), AkName(), truncated)
                .error()
                .reason,
            "tpm.malformed");
  CredentialBlob trailing = blob;
  trailing.encrypted_secret.push_back(0);
  EXPECT_EQ(ActivateCredentialInSoftware(RsaEk().private_pem, Public(RsaEk()), AkName(), trailing)
                .error()
                .reason,
            "tpm.malformed");
  CredentialBlob no_identity = blob;  // only the HMAC, no encIdentity
  no_identity.id_object.resize(2 + 2 + 32);
  no_identity.id_object[1] = 2 + 32;
  EXPECT_EQ(
      ActivateCredentialInSoftware(RsaEk().private_pem, Public(RsaEk()), AkName(), no_identity)
          .error()
          .reason,
      "tpm.malformed");
}

TEST(SoftwareActivateTest, RejectsAnEphemeralPointOffTheCurve) {
  CredentialBlob blob = Blob(EccEk());
  // encrypted_secret = size(2) || x.size(2) || x(32) || y.size(2) || y(32)
  blob.encrypted_secret.back() ^= 0x01;
  auto result = ActivateCredentialInSoftware(EccEk().private_pem, Public(EccEk()), AkName(), blob);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().reason, "key.malformed");
}

TEST(SoftwareActivateTest, AnRsaSeedThatDoesNotDecryptIsAnIntegrityFailure) {
  CredentialBlob blob = Blob(RsaEk());
  blob.encrypted_secret[10] ^= 0x01;
  auto result = ActivateCredentialInSoftware(RsaEk().private_pem, Public(RsaEk()), AkName(), blob);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(result.error().reason, "credential.integrity");
}

}  // namespace
}  // namespace edgetrust::attestation
