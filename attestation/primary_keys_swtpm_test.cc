// EKs, EK certificates and the SRK on a real (software) TPM, checked against tpm2-tools and
// openssl as independent oracles.
#include "attestation/primary_keys.h"

#include <gtest/gtest.h>

#include "attestation/ek_certificate.h"
#include "attestation/nv.h"
#include "common/file.h"
#include "swtpm/tpm_test.h"

namespace edgetrust::attestation {
namespace {

using swtpm::ShellQuote;

class PrimaryKeysTest : public swtpm::TpmTest {
 protected:
  std::string Pem(const TpmPublic& pub) {
    auto key = pub.ToPublicKey();
    EXPECT_TRUE(key.has_value());
    auto pem = key->ToPem();
    EXPECT_TRUE(pem.has_value());
    return *pem;
  }
  std::string ReadText(const std::string& name) {
    auto bytes = ReadFile(Path(name));
    EXPECT_TRUE(bytes.has_value()) << name;
    return bytes ? std::string(bytes->begin(), bytes->end()) : "";
  }
};

TEST_F(PrimaryKeysTest, ProvisionedEksAreReusedAndMatchTheirCertificates) {
  for (EkType type : {EkType::kRsa2048, EkType::kEccP384}) {
    SCOPED_TRACE(std::string(GetEkProfile(type).name));
    auto ek = EnsureEk(tpm(), type);
    ASSERT_TRUE(ek.has_value()) << ek.error().ToString();
    EXPECT_FALSE(ek->created) << "swtpm_setup persisted this EK already";
    auto cert = ReadEkCertificate(tpm(), type);
    ASSERT_TRUE(cert.has_value()) << cert.error().ToString();
    EXPECT_TRUE(CheckEkCertificateKey(*cert, ek->public_area).has_value());
    EXPECT_NE(cert->issuer().find("swtpm-localca"), std::string::npos) << cert->issuer();
  }
}

TEST_F(PrimaryKeysTest, EkPublicEqualsTpm2CreateEk) {
  for (auto [type, alg] : {std::pair{EkType::kRsa2048, "rsa"}, {EkType::kEccP256, "ecc"}}) {
    SCOPED_TRACE(alg);
    auto ek = ComputeEkPublic(tpm(), type);
    ASSERT_TRUE(ek.has_value()) << ek.error().ToString();
    std::string file = std::string("ek_") + alg + ".pem";
    auto r =
        Tpm2Tools("tpm2_createek -c ek.ctx -G " + std::string(alg) + " -u " + file + " -f pem");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(Pem(*ek), ReadText(file));
  }
  auto ek384 = ComputeEkPublic(tpm(), EkType::kEccP384);
  ASSERT_TRUE(ek384.has_value());
  auto r = Tpm2Tools("tpm2_readpublic -c 0x81010016 -f pem -o ek384.pem");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Pem(*ek384), ReadText("ek384.pem"));
}

TEST_F(PrimaryKeysTest, EkCertificateEqualsTpm2NvReadAndChainsToManufacturer) {
  for (EkType type : {EkType::kRsa2048, EkType::kEccP384}) {
    const EkProfile& profile = GetEkProfile(type);
    SCOPED_TRACE(std::string(profile.name));
    auto cert = ReadEkCertificate(tpm(), type);
    ASSERT_TRUE(cert.has_value()) << cert.error().ToString();
    char index[16];
    std::snprintf(index, sizeof(index), "0x%08x", profile.cert_nv_index);
    auto r = Tpm2Tools(std::string("tpm2_nvread -C o -o cert.der ") + index);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    auto raw = ReadFile(Path("cert.der"));
    ASSERT_TRUE(raw.has_value());
    ASSERT_GE(raw->size(), cert->der().size());
    EXPECT_TRUE(std::equal(cert->der().begin(), cert->der().end(), raw->begin()));
    auto pem = cert->ToPem();
    ASSERT_TRUE(pem.has_value());
    ASSERT_TRUE(WriteFileAtomic(Path("cert.pem"), AsBytes(*pem)).has_value());
    auto v = swtpm::RunCommand("openssl verify -CAfile " + ShellQuote(swtpm().root_ca_path()) +
                               " -untrusted " + ShellQuote(swtpm().intermediate_ca_path()) + " " +
                               ShellQuote(Path("cert.pem")));
    EXPECT_EQ(v.exit_code, 0) << v.output;
  }
}

TEST_F(PrimaryKeysTest, EccP256EkAndSrkAreCreatedOnceThenReused) {
  ASSERT_TRUE(EvictPersistent(tpm(), GetEkProfile(EkType::kEccP256).persistent).has_value());
  ASSERT_TRUE(EvictPersistent(tpm(), kSrkHandle).has_value());
  auto ek = EnsureEk(tpm(), EkType::kEccP256);
  ASSERT_TRUE(ek.has_value()) << ek.error().ToString();
  EXPECT_TRUE(ek->created);
  auto again = EnsureEk(tpm(), EkType::kEccP256);
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->public_area.Marshal(), ek->public_area.Marshal());
  auto srk = EnsureSrk(tpm());
  ASSERT_TRUE(srk.has_value()) << srk.error().ToString();
  EXPECT_TRUE(srk->created);
  auto srk_again = EnsureSrk(tpm());
  ASSERT_TRUE(srk_again.has_value());
  EXPECT_FALSE(srk_again->created);
  EXPECT_EQ(srk_again->public_area.Marshal(), srk->public_area.Marshal());
  // The P-256 EK has no certificate on swtpm.
  auto cert = ReadEkCertificate(tpm(), EkType::kEccP256);
  ASSERT_FALSE(cert.has_value());
  EXPECT_EQ(cert.error().reason, "ek.no_certificate");
}

TEST_F(PrimaryKeysTest, RefusesToReplaceAForeignKeyAtTheEkHandle) {
  ASSERT_TRUE(EvictPersistent(tpm(), GetEkProfile(EkType::kEccP256).persistent).has_value());
  // Someone else's key (an owner-hierarchy primary) sits where the P-256 EK belongs.
  auto r = Tpm2Tools(
      "tpm2_createprimary -C o -G ecc256 -c foreign.ctx && "
      "tpm2_evictcontrol -C o -c foreign.ctx 0x81010002");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto ek = EnsureEk(tpm(), EkType::kEccP256);
  ASSERT_FALSE(ek.has_value());
  EXPECT_EQ(ek.error().reason, "tpm.persistent_mismatch");
  EXPECT_EQ(ek.error().code, ErrorCode::kFailedPrecondition);
  ASSERT_TRUE(EvictPersistent(tpm(), 0x81010002).has_value());
}

TEST_F(PrimaryKeysTest, EmptyTctiIsRefused) {
  auto t = Tpm::Open("");
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().reason, "tpm.tcti_empty");
  auto unreachable = Tpm::Open("swtpm:host=127.0.0.1,port=1");
  ASSERT_FALSE(unreachable.has_value());
  EXPECT_EQ(unreachable.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace edgetrust::attestation
