// The credential protocol on a real (software) TPM: our software MakeCredential against the
// TPM's ActivateCredential (ours and tpm2_activatecredential), and tpm2_makecredential against
// ours, for RSA-2048, ECC P-256 and the high-range ECC P-384 EK.
#include "attestation/activate.h"

#include <gtest/gtest.h>

#include "attestation/keys.h"
#include "attestation/make_credential.h"
#include "attestation/marshal.h"
#include "attestation/primary_keys.h"
#include "attestation/tools_format.h"
#include "common/crypto.h"
#include "common/file.h"
#include "swtpm/tpm_test.h"

namespace edgetrust::attestation {
namespace {

class CredentialTest : public swtpm::TpmTest {
 protected:
  void SetUp() override {
    TpmTest::SetUp();
    auto ak = CreateKey(tpm(), srk().handle, AttestationKeyTemplate(KeyAlgorithm::kEccP256));
    ASSERT_TRUE(ak.has_value()) << ak.error().ToString();
    ak_ = *ak;
    ak_name_ = *TpmPublic::FromStruct(ak_.public_area)->Name();
  }
  Result<SecretBytes> Activate(EkType type, const CredentialBlob& blob) {
    auto ek = EnsureEk(tpm(), type);
    if (!ek) return Fail(ek.error());
    auto ak = LoadKey(tpm(), srk().handle, ak_);
    if (!ak) return Fail(ak.error());
    return ActivateCredential(tpm(), *ak, *ek, type, blob);
  }

  SecretBytes NewSecret() { return *RandomSecret(32); }

  KeyBlob ak_;
  Bytes ak_name_;
};

TEST_F(CredentialTest, OurMakeCredentialIsRecoveredByTheTpm) {
  for (EkType type : {EkType::kRsa2048, EkType::kEccP256, EkType::kEccP384}) {
    SCOPED_TRACE(std::string(GetEkProfile(type).name));
    auto ek = EnsureEk(tpm(), type);
    ASSERT_TRUE(ek.has_value()) << ek.error().ToString();
    SecretBytes secret = NewSecret();
    auto blob = MakeCredential(ek->public_area, ak_name_, secret);
    ASSERT_TRUE(blob.has_value()) << blob.error().ToString();
    auto recovered = Activate(type, *blob);
    ASSERT_TRUE(recovered.has_value()) << recovered.error().ToString();
    EXPECT_TRUE(ConstantTimeEquals(recovered->RevealForCrypto(), secret.RevealForCrypto()));
  }
}

TEST_F(CredentialTest, CredentialForAnotherAkOrEkIsRefused) {
  auto rsa_ek = EnsureEk(tpm(), EkType::kRsa2048);
  ASSERT_TRUE(rsa_ek.has_value());
  SecretBytes secret = NewSecret();
  Bytes other_name = ak_name_;
  other_name.back() ^= 1;
  auto for_other_ak = MakeCredential(rsa_ek->public_area, other_name, secret);
  ASSERT_TRUE(for_other_ak.has_value());
  auto r = Activate(EkType::kRsa2048, *for_other_ak);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason, "tpm.integrity") << r.error().ToString();

  // A credential for the P-384 EK presented to the RSA EK: the seed does not decrypt.
  auto ecc_ek = EnsureEk(tpm(), EkType::kEccP384);
  ASSERT_TRUE(ecc_ek.has_value());
  auto for_other_ek = MakeCredential(ecc_ek->public_area, ak_name_, secret);
  ASSERT_TRUE(for_other_ek.has_value());
  auto r2 = Activate(EkType::kRsa2048, *for_other_ek);
  ASSERT_FALSE(r2.has_value());
  EXPECT_EQ(r2.error().code, ErrorCode::kFailedPrecondition) << r2.error().ToString();
}

TEST_F(CredentialTest, InteroperatesWithTpm2Tools) {
  auto ek = EnsureEk(tpm(), EkType::kRsa2048);
  ASSERT_TRUE(ek.has_value());
  ASSERT_TRUE(WriteFileAtomic(Path("ek.tss"), ek->public_area.Marshal()).has_value());
  Bytes secret_bytes = *RandomBytes(32);
  ASSERT_TRUE(WriteFileAtomic(Path("secret.bin"), secret_bytes).has_value());

  // tpm2_makecredential (no TPM) -> our ActivateCredential.
  auto made = swtpm::RunCommand("cd " + swtpm::ShellQuote(scratch()) +
                                " && tpm2_makecredential -T none -u ek.tss -s secret.bin -n " +
                                HexEncode(ak_name_) + " -o tools.cred");
  ASSERT_EQ(made.exit_code, 0) << made.output;
  auto file = ReadFile(Path("tools.cred"));
  ASSERT_TRUE(file.has_value());
  auto blob = DecodeTpm2ToolsCredential(*file);
  ASSERT_TRUE(blob.has_value()) << blob.error().ToString();
  auto recovered = Activate(EkType::kRsa2048, *blob);
  ASSERT_TRUE(recovered.has_value()) << recovered.error().ToString();
  EXPECT_TRUE(ConstantTimeEquals(recovered->RevealForCrypto(), secret_bytes));

  // Our MakeCredential -> tpm2_activatecredential with the same AK, loaded by tpm2-tools.
  SecretBytes secret = SecretBytes::CopyFrom(secret_bytes);
  auto ours = MakeCredential(ek->public_area, ak_name_, secret);
  ASSERT_TRUE(ours.has_value());
  ASSERT_TRUE(WriteFileAtomic(Path("ours.cred"), EncodeTpm2ToolsCredential(*ours)).has_value());
  auto pub = Marshal(ak_.public_area, Tss2_MU_TPM2B_PUBLIC_Marshal, "AK public");
  auto priv = Marshal(ak_.private_area, Tss2_MU_TPM2B_PRIVATE_Marshal, "AK private");
  ASSERT_TRUE(pub && priv);
  ASSERT_TRUE(WriteFileAtomic(Path("ak.pub"), *pub).has_value());
  ASSERT_TRUE(WriteFileAtomic(Path("ak.priv"), *priv).has_value());
  auto activated = Tpm2Tools(
      "tpm2_load -C 0x81000001 -u ak.pub -r ak.priv -c ak.ctx >/dev/null"
      " && tpm2_startauthsession --policy-session -S session.ctx"
      " && tpm2_policysecret -S session.ctx -c e >/dev/null"
      " && tpm2_activatecredential -c ak.ctx -C 0x81010001 -i ours.cred -o recovered.bin"
      " -P session:session.ctx; rc=$?; tpm2_flushcontext session.ctx; exit $rc");
  ASSERT_EQ(activated.exit_code, 0) << activated.output;
  auto tool_recovered = ReadFile(Path("recovered.bin"));
  ASSERT_TRUE(tool_recovered.has_value());
  EXPECT_EQ(*tool_recovered, secret_bytes);
}

}  // namespace
}  // namespace edgetrust::attestation
